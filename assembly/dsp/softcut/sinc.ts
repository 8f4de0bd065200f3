// The high-quality varispeed read (param `interpolation` = sinc, issue 12): an 8-tap Kaiser-windowed sinc
// (cutoff at Nyquist, beta 7) from a 256-phase table generated once at init, linearly interpolated between phases.
// Why these numbers: content up to 10 kHz at 48 kHz has its first image at fs − 10 kHz = 38 kHz, so the kernel needs
// ≥ 60 dB at 0.79·fs and beyond; 8 taps at beta 7 give ~74 dB there (6 taps: < 58 dB), and 256 phases with linear
// interpolation keep the table error near −90 dB. Hermite (softcut's 4-point) gives −49 dBc / −29 dBc at 5 / 10 kHz.

export const SINC_TAPS: i32 = 8;
/** Taps before the read frame j (j − 3 .. j + 4 are read). */
export const SINC_BEFORE: i32 = 3;
/** Taps after it. */
export const SINC_AFTER: i32 = 4;
const PHASES: i32 = 256;
const BETA: f64 = 7.0;
// Per phase, per tap: the weight at the phase and its step to the next phase (16 f32 = 64 bytes a phase).
// Static, zeroed memory: no allocator involved; filled by initSincTable().
const TABLE: usize = memory.data(PHASES * SINC_TAPS * 2 * 4, 16);
let sincReady = false;

/** Modified Bessel function I0 (power series; converges fast for the arguments here, <= BETA). */
function besselI0(x: f64): f64 {
  let sum: f64 = 1, term: f64 = 1;
  const q = x * x * 0.25;
  for (let k = 1; k < 40; k++) {
    term *= q / (<f64>k * <f64>k);
    sum += term;
  }
  return sum;
}

/** The windowed sinc at distance t (frames) from the read point, |t| < SINC_TAPS / 2. */
function kernel(t: f64): f64 {
  const half = <f64>SINC_TAPS * 0.5;
  const u = t / half;
  if (u <= -1 || u >= 1) return 0;
  const w = besselI0(BETA * Math.sqrt(1 - u * u)) / besselI0(BETA);
  if (t == Math.floor(t)) return t == 0 ? 1.0 : 0.0; // exact zeros: x = 0 reads the sample itself
  const s = Math.sin(Math.PI * t) / (Math.PI * t);
  return s * w;
}

/** Weights of the 8 taps at fractional position x (0 <= x <= 1), normalised to unity DC gain. */
function weights(x: f64, k: i32): f64 {
  let sum: f64 = 0;
  for (let m = 0; m < SINC_TAPS; m++) sum += kernel(<f64>(m - SINC_BEFORE) - x);
  return kernel(<f64>(k - SINC_BEFORE) - x) / sum;
}

/** Fill the table (idempotent; Math.sin/sqrt are AssemblyScript's own, so the table is the same bits everywhere). */
export function initSincTable(): void {
  if (sincReady) return;
  for (let p = 0; p < PHASES; p++) {
    const x0 = <f64>p / <f64>PHASES;
    const x1 = <f64>(p + 1) / <f64>PHASES;
    for (let k = 0; k < SINC_TAPS; k++) {
      const a = <f32>weights(x0, k);
      const b = <f32>weights(x1, k);
      const at = TABLE + (<usize>(p * SINC_TAPS + k) << 3);
      store<f32>(at, a);
      store<f32>(at, b - a, 4);
    }
  }
  sincReady = true;
}

/**
 * The sinc read at frame j + x (0 <= x < 1) of the f32 buffer at `buf`; the caller guarantees frames j − 3 .. j + 4
 * are inside the buffer and written. x = 0 returns buf[j] exactly (the other taps' weights are 0 there).
 */
// @ts-ignore: decorator
@inline export function sincRead(buf: usize, j: i32, x: f32): f32 {
  const xi = x * <f32>PHASES;
  let ph = <i32>xi;
  if (ph > PHASES - 1) ph = PHASES - 1; // x just below 1 rounded up in f32
  const fr = xi - <f32>ph;
  const t = TABLE + (<usize>(ph * SINC_TAPS) << 3);
  const p = buf + (<usize>(j - SINC_BEFORE) << 2);
  let acc: f32 = 0, dacc: f32 = 0;
  for (let k = 0; k < SINC_TAPS; k++) {
    const y = load<f32>(p + (<usize>k << 2));
    const q = t + (<usize>k << 3);
    acc += y * load<f32>(q);
    dacc += y * load<f32>(q, 4);
  }
  return acc + dacc * fr;
}
