// The high-quality varispeed read (param `interpolation` = sinc, issue 12): a 12-tap Kaiser-windowed sinc
// (cutoff at Nyquist, beta 10) from a 256-phase table generated once at init, linearly interpolated between phases.
// Why these numbers: content up to 10 kHz at 48 kHz has its first image at fs − 10 kHz = 38 kHz, so the kernel needs
// ≥ 60 dB at 0.79·fs and beyond, and low content (images just below fs) more still: Hermite is −91 … −105 dBc there.
// 12 taps at beta 10 give −96 dBc or better for 0.44 … 10 kHz at rates 0.5 … 2 (8 taps at beta 7: −66, with low tones'
// images near −80 dBc, above the click test's −93); 256 phases with linear interpolation are not the limit (512 read
// the same). Hermite (softcut's 4-point) gives −49 dBc / −29 dBc at 5 / 10 kHz.

export const SINC_TAPS: i32 = 12;
/** Taps before the read frame j (j − 5 .. j + 6 are read). */
export const SINC_BEFORE: i32 = 5;
/** Taps after it. */
export const SINC_AFTER: i32 = 6;
const PHASES: i32 = 256;
const BETA: f64 = 10.0;
// Per phase, per tap: the weight at the phase and its step to the next phase (24 f32 = 96 bytes a phase; 24 KiB).
// Static, zeroed memory: no allocator involved; filled by initSincTable().
const TABLE: usize = memory.data(PHASES * SINC_TAPS * 2 * 4, 16);
let sincReady = false;

/** Modified Bessel function I0 (power series; 40 terms are exact in f64 for the arguments here, <= BETA). */
function besselI0(x: f64): f64 {
  let sum: f64 = 1, term: f64 = 1;
  const q = x * x * 0.25;
  for (let k = 1; k < 40; k++) {
    term *= q / (<f64>k * <f64>k);
    sum += term;
  }
  return sum;
}

/** The windowed sinc at distance t (frames) from the read point, |t| < SINC_TAPS / 2; i0Beta = besselI0(BETA). */
function kernel(t: f64, i0Beta: f64): f64 {
  const half = <f64>SINC_TAPS * 0.5;
  const u = t / half;
  if (u <= -1 || u >= 1) return 0;
  if (t == Math.floor(t)) return t == 0 ? 1.0 : 0.0; // exact zeros: x = 0 reads the sample itself
  const w = besselI0(BETA * Math.sqrt(1 - u * u)) / i0Beta;
  return (Math.sin(Math.PI * t) / (Math.PI * t)) * w;
}

/** Weights of the taps at fractional position x (0 <= x <= 1), normalised to unity DC gain, as f32 into `row`. */
function weights(x: f64, i0Beta: f64, row: usize): void {
  let sum: f64 = 0;
  for (let m = 0; m < SINC_TAPS; m++) sum += kernel(<f64>(m - SINC_BEFORE) - x, i0Beta);
  for (let m = 0; m < SINC_TAPS; m++) store<f32>(row + (<usize>m << 2), <f32>(kernel(<f64>(m - SINC_BEFORE) - x, i0Beta) / sum));
}

// two rows of f32 weights while the table is built (phase p and p + 1)
const ROWS: usize = memory.data(SINC_TAPS * 2 * 4, 16);

/** Fill the table (idempotent; Math.sin/sqrt are AssemblyScript's own, so the table is the same bits everywhere).
 *  About 2 × 257 × 12 kernel values, once at init (~1 M instructions on the M7). */
export function initSincTable(): void {
  if (sincReady) return;
  const i0Beta = besselI0(BETA);
  const rowA = ROWS, rowB = ROWS + <usize>(SINC_TAPS << 2);
  weights(0, i0Beta, rowA);
  for (let p = 0; p < PHASES; p++) {
    weights(<f64>(p + 1) / <f64>PHASES, i0Beta, rowB);
    for (let k = 0; k < SINC_TAPS; k++) {
      const a = load<f32>(rowA + (<usize>k << 2));
      const b = load<f32>(rowB + (<usize>k << 2));
      const at = TABLE + (<usize>(p * SINC_TAPS + k) << 3);
      store<f32>(at, a);
      store<f32>(at, b - a, 4);
      store<f32>(rowA + (<usize>k << 2), b);
    }
  }
  sincReady = true;
}

/**
 * The sinc read at frame j + x (0 <= x < 1) of the f32 buffer at `buf`; the caller guarantees frames j − 5 .. j + 6
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
  // spelled out (AssemblyScript does not unroll): 12 loads, 24 table loads, 24 multiply-adds, no loop overhead
  let y = load<f32>(p);
  let acc: f32 = y * load<f32>(t);
  let dacc: f32 = y * load<f32>(t, 4);
  y = load<f32>(p, 4); acc += y * load<f32>(t, 8); dacc += y * load<f32>(t, 12);
  y = load<f32>(p, 8); acc += y * load<f32>(t, 16); dacc += y * load<f32>(t, 20);
  y = load<f32>(p, 12); acc += y * load<f32>(t, 24); dacc += y * load<f32>(t, 28);
  y = load<f32>(p, 16); acc += y * load<f32>(t, 32); dacc += y * load<f32>(t, 36);
  y = load<f32>(p, 20); acc += y * load<f32>(t, 40); dacc += y * load<f32>(t, 44);
  y = load<f32>(p, 24); acc += y * load<f32>(t, 48); dacc += y * load<f32>(t, 52);
  y = load<f32>(p, 28); acc += y * load<f32>(t, 56); dacc += y * load<f32>(t, 60);
  y = load<f32>(p, 32); acc += y * load<f32>(t, 64); dacc += y * load<f32>(t, 68);
  y = load<f32>(p, 36); acc += y * load<f32>(t, 72); dacc += y * load<f32>(t, 76);
  y = load<f32>(p, 40); acc += y * load<f32>(t, 80); dacc += y * load<f32>(t, 84);
  y = load<f32>(p, 44); acc += y * load<f32>(t, 88); dacc += y * load<f32>(t, 92);
  return acc + dacc * fr;
}
