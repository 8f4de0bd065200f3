// What the soak checks on every block's output, and the output bound it checks against.
// The bound follows from the engine's own limits: the input is clamped to ±16 and the buffer records the mid
// 0.5·(L+R) at a record level <= 1, so no buffer sample exceeds the largest |mid| fed so far (midPeak <= 16).
// A softcut voice reads it through the 4-point Hermite (|weights| sum to 1 + x(1−x) <= 1.25), crossfades two
// heads with an equal-power pair (sin + cos <= √2), pans centred (cos π/4 = 1/√2) and plays at a level capped by
// `notes vol` (<= 10, spec A9): 5 × 10 × 1.25 × √2 × (1/√2) = 62.5 × midPeak.
// A psola shifter voice (shifter = psola) overlap-adds at most MAX_GRAINS = 12 Hann grains (window <= 1, gain
// sqrt(po/L) <= 1) of the live mid (linear reads), times its envelope (<= 1) and level (notes vol × velocity,
// <= 10), unpanned; 5 note voices + the autotune voice: 6 × 12 × 10 = 720 × midPeak.
// Plus the monitor (level <= 1) adding the block's own input:
//   |out| <= (62.5 + 720) × midPeak + blockPeak.
export const VOICES = 5;
export const LEVEL_CAP = 10;
export const HERMITE_GAIN = 1.25;
export const SHIFTER_VOICES = 6;
export const MAX_GRAINS = 12;
export const OUTPUT_BOUND_PER_MID = VOICES * LEVEL_CAP * HERMITE_GAIN + SHIFTER_VOICES * MAX_GRAINS * LEVEL_CAP;
/** Smallest normal f32; anything nonzero below it is a denormal (slow on x86 without FTZ, on an M7 with FZ off). */
export const F32_MIN_NORMAL = 1.1754943508222875e-38;

export interface SampleProblem { what: 'non-finite' | 'denormal' | 'out of bound'; ch: 0 | 1; index: number; value: number }

/** The first bad sample of n frames, or null. Also returns the block's peak through peakOut[0]. */
export function checkSamples(l: Float32Array, r: Float32Array, n: number, bound: number, peakOut: Float64Array): SampleProblem | null {
  let peak = peakOut[0]!;
  for (let ch = 0 as 0 | 1; ch < 2; ch = (ch + 1) as 0 | 1) {
    const x = ch === 0 ? l : r;
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      const a = Math.abs(v);
      if (a > peak) peak = a;
      if (!(a <= bound)) return { what: Number.isFinite(v) ? 'out of bound' : 'non-finite', ch, index: i, value: v };
      if (a < F32_MIN_NORMAL && a !== 0) return { what: 'denormal', ch, index: i, value: v };
    }
  }
  peakOut[0] = peak;
  return null;
}
