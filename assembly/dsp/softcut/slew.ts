// One-pole slew coefficients in softcut's convention (Utilities.h tau2pole / smooth1pole):
// y += (target − y)·(1 − b) each sample, with b chosen so y is within −60 dB of the target after `time` seconds.

/** ln(0.001): the −60 dB convergence softcut's LogRamp uses. */
export const LN_MINUS_60DB: f64 = -6.907755278982137;

/** Pole for a one-pole slew reaching −60 dB of the step in `time` s. time <= 0 (or NaN) gives 0 = instant. */
export function slewPole(time: f64, sampleRate: f64): f64 {
  if (!(time > 0.0)) return 0.0;
  return Math.exp(LN_MINUS_60DB / (time * sampleRate));
}
