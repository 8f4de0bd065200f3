// The page's own meters: RMS and pitch (YIN difference function, cumulative-mean normalisation, parabolic
// refinement; the same method as the tests' offline probe) of a window of samples from an AnalyserNode.
export function rms(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / Math.max(1, x.length));
}

export function pitch(x: Float32Array, sr: number, fmin = 50, fmax = 2000): number {
  const maxLag = Math.min(Math.floor(sr / fmin), Math.floor(x.length / 2));
  const minLag = Math.max(2, Math.floor(sr / fmax));
  const w = x.length - maxLag;
  if (w <= 0) return 0;
  const d = new Float64Array(maxLag + 2);
  for (let tau = 1; tau <= maxLag + 1; tau++) {
    let s = 0;
    for (let i = 0; i < w; i++) { const v = x[i]! - x[i + tau]!; s += v * v; }
    d[tau] = s;
  }
  const c = new Float64Array(maxLag + 2);
  let run = 0;
  for (let tau = 1; tau <= maxLag + 1; tau++) { run += d[tau]!; c[tau] = run > 0 ? d[tau]! * tau / run : 1; }
  let best = -1;
  for (let tau = minLag; tau <= maxLag; tau++) {
    if (c[tau]! < 0.15) { while (tau + 1 <= maxLag && c[tau + 1]! < c[tau]!) tau++; best = tau; break; }
  }
  if (best < 0) return 0;
  const a = d[best - 1]!, b = d[best]!, e = d[best + 1]!;
  const den = a - 2 * b + e;
  return sr / (best + (den !== 0 ? 0.5 * (a - e) / den : 0));
}

const NAMES = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'];
/** "A4 +3c" for 443 Hz (MIDI octave numbering, A4 = 440 Hz); '—' for no pitch. */
export function noteName(hz: number): string {
  if (!(hz > 0)) return '—';
  const m = 69 + 12 * Math.log2(hz / 440);
  const n = Math.round(m);
  const cents = Math.round((m - n) * 100);
  return `${NAMES[((n % 12) + 12) % 12]}${Math.floor(n / 12) - 1} ${cents >= 0 ? '+' : ''}${cents}c`;
}
