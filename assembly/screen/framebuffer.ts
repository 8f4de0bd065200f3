// The 128×64 screen: 16 grey levels packed 4 bits per pixel, double-buffered so a host never sees a half-drawn
// frame. Drawing goes to the back buffer; update() publishes it (like norns' screen.update()) and bumps a frame
// counter only when the published picture really changed, so hosts redraw only then.
//
// Packing (both buffers, 4096 bytes each): byte index = y * 64 + (x >> 1); the EVEN x pixel is the HIGH nibble,
// the odd x pixel the low nibble. That is the SSD1322's GDDRAM order (norns' OLED), so firmware can stream the
// bytes to the panel unchanged. Level 0 = off (black), 15 = full (white).

export const SCREEN_WIDTH: i32 = 128;
export const SCREEN_HEIGHT: i32 = 64;
export const SCREEN_STRIDE: i32 = 64; // bytes per row
export const SCREEN_BYTES: i32 = 4096;

// Static memory: nothing is allocated, ever.
const back: usize = memory.data(SCREEN_BYTES, 16);
const front: usize = memory.data(SCREEN_BYTES, 16);

let dirty: bool = false;
let frame: i32 = 0;

/** Pointer to the published frame (what hosts show). Changes only inside update(). */
export function frontPtr(): usize { return front; }
/** Pointer to the frame being drawn. */
export function backPtr(): usize { return back; }
/** Number of published frames that differed from their predecessor. Wraps at 2^31 (hosts compare for !=). */
export function frameCount(): i32 { return frame; }

/** Set one pixel of the back buffer to level 0..15 (the caller clamps the level). Off-screen pixels are dropped. */
@inline export function putPixel(x: i32, y: i32, l: i32): void {
  if (<u32>x >= <u32>SCREEN_WIDTH || <u32>y >= <u32>SCREEN_HEIGHT) return;
  const p = back + <usize>(y * SCREEN_STRIDE + (x >> 1));
  const b = <i32>load<u8>(p);
  const nb = (x & 1) == 0 ? (b & 0x0f) | (l << 4) : (b & 0xf0) | l;
  store<u8>(p, <u8>nb);
  dirty = true;
}

/** Set the pixels x + c of row y whose bit c (c = 0..w-1) is set in `bits` to level l (0..15), as putPixel would:
 *  one glyph row. The caller has checked that x..x+w-1 and y are on screen. Works a byte (pixel pair) at a time. */
export function putBits(x: i32, y: i32, bits: i32, w: i32, l: i32): void {
  let m = bits & ((1 << w) - 1);
  if (m == 0) return;
  // bit 2q of m << (x & 1) is the even (high-nibble) pixel of byte q, bit 2q + 1 the odd one
  m <<= x & 1;
  let p = back + <usize>(y * SCREEN_STRIDE + (x >> 1));
  const pair = (l << 4) | l;
  while (m != 0) {
    const sel = ((m & 1) * 0xf0) | (((m >> 1) & 1) * 0x0f);
    if (sel != 0) store<u8>(p, <u8>((<i32>load<u8>(p) & ~sel) | (pair & sel)));
    m >>= 2;
    p++;
  }
  dirty = true;
}

/** Level 0..15 of a back-buffer pixel; 0 for off-screen coordinates. */
export function getPixel(x: i32, y: i32): i32 {
  if (<u32>x >= <u32>SCREEN_WIDTH || <u32>y >= <u32>SCREEN_HEIGHT) return 0;
  const b = <i32>load<u8>(back + <usize>(y * SCREEN_STRIDE + (x >> 1)));
  return (x & 1) == 0 ? b >> 4 : b & 0x0f;
}

/** Level 0..15 of a published (front) pixel; 0 for off-screen coordinates. */
export function getPublishedPixel(x: i32, y: i32): i32 {
  if (<u32>x >= <u32>SCREEN_WIDTH || <u32>y >= <u32>SCREEN_HEIGHT) return 0;
  const b = <i32>load<u8>(front + <usize>(y * SCREEN_STRIDE + (x >> 1)));
  return (x & 1) == 0 ? b >> 4 : b & 0x0f;
}

/** Fill the whole back buffer with level l (0..15). */
export function fillAll(l: i32): void {
  const v = <u8>(((l & 15) << 4) | (l & 15));
  memory.fill(back, v, <usize>SCREEN_BYTES);
  dirty = true;
}

/** Set rows y0..y1 (inclusive, already clipped to the screen) of column x (on screen) to level l. */
export function putColumn(x: i32, y0: i32, y1: i32, l: i32): void {
  if (y1 < y0) return;
  const keep: i32 = (x & 1) == 0 ? 0x0f : 0xf0;
  const set: i32 = (x & 1) == 0 ? l << 4 : l;
  let p = back + <usize>(y0 * SCREEN_STRIDE + (x >> 1));
  for (let y = y0; y <= y1; y++) {
    store<u8>(p, <u8>((<i32>load<u8>(p) & keep) | set));
    p += <usize>SCREEN_STRIDE;
  }
  dirty = true;
}

/**
 * Two adjacent columns at once: rows lo0..hi0 of the even column x at level l0 and rows lo1..hi1 of column x + 1
 * at l1 (x even and on screen, rows clipped; hi < lo = none). Rows both columns cover are one byte store.
 */
export function putColumnPair(x: i32, lo0: i32, hi0: i32, l0: i32, lo1: i32, hi1: i32, l1: i32): void {
  const ovLo = max(lo0, lo1), ovHi = min(hi0, hi1);
  if (ovLo > ovHi) {
    putColumn(x, lo0, hi0, l0);
    putColumn(x + 1, lo1, hi1, l1);
    return;
  }
  putColumn(x, lo0, ovLo - 1, l0);
  putColumn(x, ovHi + 1, hi0, l0);
  putColumn(x + 1, lo1, ovLo - 1, l1);
  putColumn(x + 1, ovHi + 1, hi1, l1);
  const v = <u8>((l0 << 4) | l1);
  let p = back + <usize>(ovLo * SCREEN_STRIDE + (x >> 1));
  for (let y = ovLo; y <= ovHi; y++) {
    store<u8>(p, v);
    p += <usize>SCREEN_STRIDE;
  }
  dirty = true;
}

/** Fill the horizontal run x0..x1 (inclusive, already clipped by the caller to the screen) of row y: the odd
 *  pixel at the left end and the even one at the right end alone, the whole bytes in between with one fill. */
export function putSpan(x0: i32, x1: i32, y: i32, l: i32): void {
  if (x1 < x0) return;
  const row = back + <usize>(y * SCREEN_STRIDE);
  let a = x0, b = x1;
  if (a & 1) {
    const p = row + <usize>(a >> 1);
    store<u8>(p, <u8>((<i32>load<u8>(p) & 0xf0) | l));
    a++;
  }
  if ((b & 1) == 0 && b >= a) {
    const p = row + <usize>(b >> 1);
    store<u8>(p, <u8>((<i32>load<u8>(p) & 0x0f) | (l << 4)));
    b--;
  }
  if (b > a) memory.fill(row + <usize>(a >> 1), <u8>((l << 4) | l), <usize>((b - a + 1) >> 1));
  dirty = true;
}

/**
 * End a drawing pass: publish the back buffer. The frame counter increments only if the picture differs from the
 * last published one (a pass that redraws the same picture costs one 4 KiB compare and no host redraw).
 * Returns true when a new frame was published.
 */
export function update(): bool {
  if (!dirty) return false;
  dirty = false;
  if (memory.compare(back, front, <usize>SCREEN_BYTES) == 0) return false;
  memory.copy(front, back, <usize>SCREEN_BYTES);
  frame = (frame + 1) & 0x7fffffff;
  return true;
}
