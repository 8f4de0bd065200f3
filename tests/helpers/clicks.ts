// Click detector (issue 12): a click is energy where a clean render has none, and a sample step larger than the
// signal's own. Two figures per stretch of a render, each against the render's own steady state:
// - HF: energy above 8 kHz in 1 ms windows (a 301-tap Kaiser high-pass, ≥ 120 dB down below 6.5 kHz), in dB
//   relative to the steady carrier's power (dBc); a pure tone's wraps, starts and stops must stay near the floor.
// - step: the largest |x[n] − x[n−1]| against the largest step of the steady stretch (1 = no bigger than the
//   signal itself moves).

const TAPS = 301;
const PASS_HZ = 8000;
const STOP_HZ = 6500;
const ATTEN_DB = 130;

function besselI0(x: number): number {
  let sum = 1, term = 1;
  for (let k = 1; k < 64; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < 1e-20 * sum) break;
  }
  return sum;
}

const kernels = new Map<number, Float64Array>();

/** Linear-phase high-pass: a Kaiser-windowed ideal low-pass at the transition's middle, subtracted from a delta. */
export function highpassKernel(sr: number): Float64Array {
  const cached = kernels.get(sr);
  if (cached) return cached;
  const fc = (PASS_HZ + STOP_HZ) / 2 / sr;
  const beta = 0.1102 * (ATTEN_DB - 8.7);
  const m = (TAPS - 1) / 2;
  const h = new Float64Array(TAPS);
  const i0b = besselI0(beta);
  for (let n = 0; n < TAPS; n++) {
    const k = n - m;
    const lp = k === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * k) / (Math.PI * k);
    const w = besselI0(beta * Math.sqrt(1 - (k / m) ** 2)) / i0b;
    h[n] = (k === 0 ? 1 : 0) - lp * w;
  }
  kernels.set(sr, h);
  return h;
}

/** x high-passed over [a, b) (indices), aligned with x (the filter's delay removed); edges read as zero. */
export function highpass(x: Float32Array, sr: number, a: number, b: number): Float64Array {
  const h = highpassKernel(sr);
  const m = (TAPS - 1) / 2;
  const y = new Float64Array(b - a);
  for (let n = a; n < b; n++) {
    let acc = 0;
    const lo = Math.max(0, n - m), hi = Math.min(x.length - 1, n + m);
    for (let j = lo; j <= hi; j++) acc += h[j - n + m]! * x[j]!;
    y[n - a] = acc;
  }
  return y;
}

export interface Span { t0: number; t1: number }

export interface ClickFigures {
  /** largest 1 ms HF window against the steady carrier, dB */
  hfDbc: number;
  /** where it is (s) */
  hfAt: number;
  /** the steady stretch's own largest HF window, dBc (the floor the events are compared with) */
  steadyHfDbc: number;
  /** largest sample step / the steady stretch's largest step */
  stepRatio: number;
  stepAt: number;
  maxStep: number;
  steadyStep: number;
  /** carrier RMS of the steady stretch */
  carrierRms: number;
}

function meanSquare(x: Float32Array, a: number, b: number): number {
  let s = 0;
  for (let i = a; i < b; i++) s += x[i]! * x[i]!;
  return s / Math.max(1, b - a);
}

function maxStep(x: Float32Array, a: number, b: number): { step: number; at: number } {
  let step = 0, at = a;
  for (let i = Math.max(1, a); i < b; i++) {
    const d = Math.abs(x[i]! - x[i - 1]!);
    if (d > step) { step = d; at = i; }
  }
  return { step, at };
}

function hfWindows(x: Float32Array, sr: number, a: number, b: number): { db: number; at: number; ms: number } {
  const win = Math.round(sr / 1000);
  const y = highpass(x, sr, a, b);
  let worst = 0, at = a;
  for (let w = 0; w + win <= y.length; w += win) {
    let s = 0;
    for (let i = w; i < w + win; i++) s += y[i]! * y[i]!;
    s /= win;
    if (s > worst) { worst = s; at = a + w; }
  }
  return { db: 0, at, ms: worst };
}

const dB = (p: number) => (p > 0 ? 10 * Math.log10(p) : -Infinity);

/**
 * Figures of x over `events` (the stretches holding wraps, starts, stops …) against `steady` (a stretch of the
 * same render holding the sound settled). Times in seconds.
 */
export function clickFigures(x: Float32Array, sr: number, events: Span, steady: Span): ClickFigures {
  const idx = (t: number) => Math.max(0, Math.min(x.length, Math.round(t * sr)));
  const [ea, eb, sa, sb] = [idx(events.t0), idx(events.t1), idx(steady.t0), idx(steady.t1)];
  const carrier = meanSquare(x, sa, sb);
  const ev = hfWindows(x, sr, ea, eb);
  const st = hfWindows(x, sr, sa, sb);
  const es = maxStep(x, ea, eb);
  const ss = maxStep(x, sa, sb);
  return {
    hfDbc: dB(ev.ms) - dB(carrier), hfAt: ev.at / sr, steadyHfDbc: dB(st.ms) - dB(carrier),
    stepRatio: ss.step > 0 ? es.step / ss.step : Infinity, stepAt: es.at / sr, maxStep: es.step, steadyStep: ss.step,
    carrierRms: Math.sqrt(carrier),
  };
}

/** One line for test names and logs. */
export function describeClicks(f: ClickFigures): string {
  return `HF ${f.hfDbc.toFixed(1)} dBc at ${f.hfAt.toFixed(3)} s (steady ${f.steadyHfDbc.toFixed(1)}), step `
    + `${f.maxStep.toFixed(4)} = ${f.stepRatio.toFixed(2)}× steady at ${f.stepAt.toFixed(3)} s, carrier RMS ${f.carrierRms.toFixed(3)}`;
}
