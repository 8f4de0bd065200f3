// Offline pitch measurement for tests (YIN difference function + cumulative mean normalisation + parabolic
// refinement over a whole window): an independent check of what the engine outputs.
export function measurePitch(x: Float32Array, sr: number, fmin = 50, fmax = 2000): number {
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
  const cmnd = new Float64Array(maxLag + 2);
  cmnd[0] = 1;
  let run = 0;
  for (let tau = 1; tau <= maxLag + 1; tau++) { run += d[tau]!; cmnd[tau] = run > 0 ? d[tau]! * tau / run : 1; }
  let best = -1;
  for (let tau = minLag; tau <= maxLag; tau++) {
    if (cmnd[tau]! < 0.15) {
      while (tau + 1 <= maxLag && cmnd[tau + 1]! < cmnd[tau]!) tau++;
      best = tau;
      break;
    }
  }
  if (best < 0) {
    let m = Infinity;
    for (let tau = minLag; tau <= maxLag; tau++) if (cmnd[tau]! < m) { m = cmnd[tau]!; best = tau; }
    if (m > 0.4) return 0;
  }
  const a = d[best - 1]!, b = d[best]!, c = d[best + 1]!;
  const den = a - 2 * b + c;
  const shift = den !== 0 ? 0.5 * (a - c) / den : 0;
  return sr / (best + shift);
}

/** Pitch in consecutive windows of `win` seconds from t0 to t1. */
export function pitchTrack(x: Float32Array, sr: number, t0: number, t1: number, win = 0.05, fmin = 50, fmax = 2000): number[] {
  const out: number[] = [];
  for (let t = t0; t + win <= t1 + 1e-9; t += win) {
    out.push(measurePitch(x.subarray(Math.round(t * sr), Math.round((t + win) * sr)), sr, fmin, fmax));
  }
  return out;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
