// Equal-power crossfade gains for the softcut sub-heads: g(x) = sin(x·π/2), x in [0, 1] (softcut's mixFade shape),
// read from a 256-segment table that is generated once at init, so the audio loop never calls sin/cos.

export const FADE_SEGMENTS: i32 = 256;
// Static, zeroed memory: no allocator involved; filled by initFadeTable().
const FADE_TABLE: usize = memory.data((FADE_SEGMENTS + 1) << 2, 16);
let fadeTableReady = false;

/** Fill the table (idempotent). Called from Voice.init(). */
export function initFadeTable(): void {
  if (fadeTableReady) return;
  for (let i = 0; i <= FADE_SEGMENTS; i++) {
    store<f32>(FADE_TABLE + (<usize>i << 2), <f32>Math.sin((<f64>i / <f64>FADE_SEGMENTS) * (Math.PI * 0.5)));
  }
  store<f32>(FADE_TABLE + (<usize>FADE_SEGMENTS << 2), 1.0); // exact end point: a finished fade is unity gain
  fadeTableReady = true;
}

/** Entry i (0..FADE_SEGMENTS) of the table: fadeIn/fadeOut below, spelled out, are tap(i) + (tap(i ± 1) − tap(i))·frac. */
// @ts-ignore: decorator
@inline export function fadeTap(i: i32): f32 {
  return load<f32>(FADE_TABLE + (<usize>i << 2));
}

/** sin(x·π/2) for x in [0, 1) (linear interpolation, max error about 5e-6). */
// @ts-ignore: decorator
@inline export function fadeIn(x: f32): f32 {
  const xi = x * <f32>FADE_SEGMENTS;
  const i = <i32>xi;
  const p = FADE_TABLE + (<usize>i << 2);
  const a = load<f32>(p);
  return a + (load<f32>(p, 4) - a) * (xi - <f32>i);
}

/** cos(x·π/2) = sin((1−x)·π/2) for x in [0, 1): the complementary gain, read from the same table backwards. */
// @ts-ignore: decorator
@inline export function fadeOut(x: f32): f32 {
  const xi = x * <f32>FADE_SEGMENTS;
  const i = <i32>xi;
  const p = FADE_TABLE + (<usize>(FADE_SEGMENTS - i) << 2);
  const a = load<f32>(p);
  return a + (load<f32>(p - 4) - a) * (xi - <f32>i);
}
