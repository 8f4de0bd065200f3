// Equal-power crossfade gains for the softcut sub-heads: g(x) = sin(u·π/2) with u = (1 − cos πx)/2, x in [0, 1]
// (softcut's mixFade is sin(x·π/2): the same equal-power pair, but ours starts and ends with zero slope),
// read from a 256-segment table that is generated once at init, so the audio loop never calls sin/cos.

export const FADE_SEGMENTS: i32 = 256;
// Static, zeroed memory: no allocator involved; filled by initFadeTable().
const FADE_TABLE: usize = memory.data((FADE_SEGMENTS + 1) << 2, 16);
let fadeTableReady = false;

/** Fill the table (idempotent). Called from Voice.init(). */
export function initFadeTable(): void {
  if (fadeTableReady) return;
  for (let i = 0; i <= FADE_SEGMENTS; i++) {
    // the progress through a raised cosine first: the gains leave 0 and reach 1 with zero slope (a plain sine
    // has slope π/2 at 0, so every fade's start and end was a kink, −93 dBc above 8 kHz on a full-level tone)
    const x = <f64>i / <f64>FADE_SEGMENTS;
    const u = 0.5 - 0.5 * Math.cos(Math.PI * x);
    store<f32>(FADE_TABLE + (<usize>i << 2), <f32>Math.sin(u * (Math.PI * 0.5)));
  }
  store<f32>(FADE_TABLE + (<usize>FADE_SEGMENTS << 2), 1.0); // exact end point: a finished fade is unity gain
  fadeTableReady = true;
}

/** Entry i (0..FADE_SEGMENTS) of the table: fadeIn/fadeOut below, spelled out, are tap(i) + (tap(i ± 1) − tap(i))·frac. */
// @ts-ignore: decorator
@inline export function fadeTap(i: i32): f32 {
  return load<f32>(FADE_TABLE + (<usize>i << 2));
}

/** The fade-in gain g(x) for x in [0, 1) (linear interpolation of the table). */
// @ts-ignore: decorator
@inline export function fadeIn(x: f32): f32 {
  const xi = x * <f32>FADE_SEGMENTS;
  const i = <i32>xi;
  const p = FADE_TABLE + (<usize>i << 2);
  const a = load<f32>(p);
  return a + (load<f32>(p, 4) - a) * (xi - <f32>i);
}

/** The fade-out gain g(1 − x) = √(1 − g(x)²), read from the same table backwards (u(1−x) = 1 − u(x)). */
// @ts-ignore: decorator
@inline export function fadeOut(x: f32): f32 {
  const xi = x * <f32>FADE_SEGMENTS;
  const i = <i32>xi;
  const p = FADE_TABLE + (<usize>(FADE_SEGMENTS - i) << 2);
  const a = load<f32>(p);
  return a + (load<f32>(p - 4) - a) * (xi - <f32>i);
}
