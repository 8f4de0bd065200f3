// Interpolated reads of a mono f32 buffer: softcut's 4-point, 3rd-order Hermite (x-form), Interpolate::hermite.
// Unlike softcut the buffer is not circular: indices outside [0, frames-1] clamp to the edge samples.

/** Hermite through y1 (x = 0) and y2 (x = 1), with y0/y3 shaping the slopes. x = 0 returns y1 exactly. */
// @ts-ignore: decorator
@inline export function hermite(x: f32, y0: f32, y1: f32, y2: f32, y3: f32): f32 {
  const c1 = hermiteC1(y0, y2);
  const c3 = hermiteC3(y0, y1, y2, y3);
  return hermiteC(x, c1, hermiteC2(y0, y1, c1, c3), c3, y1);
}

// The coefficients alone: a head slower than 1 reads several times between the same taps, so the voice loops
// compute them once per tap change (the same f32 operations: the same bits as hermite()).
// @ts-ignore: decorator
@inline export function hermiteC1(y0: f32, y2: f32): f32 { return <f32>0.5 * (y2 - y0); }
// @ts-ignore: decorator
@inline export function hermiteC2(y0: f32, y1: f32, c1: f32, c3: f32): f32 {
  // softcut spells it y0 − 2.5·y1 + 2·y2 − 0.5·y3: the same polynomial from c1 and c3 in three operations
  // instead of six (an interpreter pays per operation and spill); it rounds differently by about an ulp
  return y0 - y1 + c1 - c3;
}
// @ts-ignore: decorator
@inline export function hermiteC3(y0: f32, y1: f32, y2: f32, y3: f32): f32 {
  return <f32>0.5 * (y3 - y0) + <f32>1.5 * (y1 - y2);
}
/** The Hermite at x from its coefficients (c0 = y1). */
// @ts-ignore: decorator
@inline export function hermiteC(x: f32, c1: f32, c2: f32, c3: f32, y1: f32): f32 {
  return ((c3 * x + c2) * x + c1) * x + y1;
}

/**
 * Read `buf` (a pointer to `frames` >= 1 samples) at fractional frame `phase`; `safeEnd` = frames − 2 (hoisted
 * by the caller). The in-range case is one branch and four adjacent loads; everything else (edges, out of
 * range, NaN) takes the clamped path.
 */
// @ts-ignore: decorator
@inline export function peek(buf: usize, frames: i32, safeEnd: f64, phase: f64): f32 {
  if (phase >= 1.0 && phase < safeEnd) {
    const i = <i32>phase;
    const p = buf + (<usize>(i - 1) << 2);
    return hermite(<f32>(phase - <f64>i), load<f32>(p), load<f32>(p, 4), load<f32>(p, 8), load<f32>(p, 12));
  }
  return peekClamped(buf, frames, phase);
}

/** The edge case of peek(): the buffer is extended by repeating its first and last samples. */
export function peekClamped(buf: usize, frames: i32, phase: f64): f32 {
  return clampedRead(buf, frames, phase);
}

/** peekClamped() inlined, for the voice loops that take it on every sample (a head chasing the write head): under
 *  an interpreter the call (arguments, frame, return) costs about as much as the read. */
// @ts-ignore: decorator
@inline export function clampedRead(buf: usize, frames: i32, phase: f64): f32 {
  const last = frames - 1;
  let p = phase;
  if (!(p > 0.0)) p = 0.0; // also catches NaN
  if (p > <f64>last) p = <f64>last;
  const i = <i32>p;
  const x = <f32>(p - <f64>i);
  const i0 = i > 0 ? i - 1 : 0;
  const i2 = i < last ? i + 1 : last;
  const i3 = i + 2 <= last ? i + 2 : last;
  return hermite(
    x,
    load<f32>(buf + (<usize>i0 << 2)),
    load<f32>(buf + (<usize>i << 2)),
    load<f32>(buf + (<usize>i2 << 2)),
    load<f32>(buf + (<usize>i3 << 2)),
  );
}
