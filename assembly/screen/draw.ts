// norns-style drawing on the framebuffer: level / move / line / rect build a small path that stroke() or fill()
// draws pixel-exactly (1 px wide, no anti-aliasing, opaque at the current level); text draws at once.
// Lines use an exact-integer DDA equal to Bresenham's, clipped on the major axis so huge lines cost <= 128 steps.
//
// Coordinates are f64 like norns'; a point (x, y) lands on pixel (floor(x), floor(y)). NaN, infinite or
// |v| > COORD_LIMIT arguments make the call a no-op. Unlike cairo, stroke()/fill() keep the current point.
// rect(x, y, w, h) covers pixels floor(x) .. floor(x + w) - 1 (so rect(108, 1, 20, 10) ends on column 127).
import { putPixel, putColumn, putSpan, fillAll, SCREEN_WIDTH, SCREEN_HEIGHT } from "./framebuffer";
import { drawGlyphs, glyphsWidth, drawBytes, bytesWidth } from "./text";

export const COORD_LIMIT: f64 = 1e6;
/** Path capacity in elements (move, line, rect); further elements are dropped until the next stroke/fill. */
export const PATH_MAX: i32 = 64;

const EL_MOVE: i32 = 0;
const EL_LINE: i32 = 1;
const EL_RECT: i32 = 2;

// Path elements: kind, a, b, c, d as i32 (move/line: a, b = pixel; rect: a, b = corner, c, d = size in pixels).
const path: usize = memory.data(PATH_MAX * 5 * 4, 16);
// Scanline crossings for fill(): at most one per line element plus the closing edge.
const crossings: usize = memory.data((PATH_MAX + 1) * 8, 16);

let pathLen: i32 = 0;
let needMove: bool = true;
let curX: f64 = 0;
let curY: f64 = 0;
let curLevel: i32 = 15;

@inline function valid(v: f64): bool { return Math.abs(v) <= COORD_LIMIT; } // false for NaN and ±Inf
@inline function pix(v: f64): i32 { return <i32>Math.floor(v); }

function push(kind: i32, a: i32, b: i32, c: i32, d: i32): void {
  if (pathLen >= PATH_MAX) return;
  const p = path + <usize>(pathLen * 20);
  store<i32>(p, kind);
  store<i32>(p, a, 4);
  store<i32>(p, b, 8);
  store<i32>(p, c, 12);
  store<i32>(p, d, 16);
  pathLen++;
}
@inline function elKind(i: i32): i32 { return load<i32>(path + <usize>(i * 20)); }
@inline function elA(i: i32): i32 { return load<i32>(path + <usize>(i * 20), 4); }
@inline function elB(i: i32): i32 { return load<i32>(path + <usize>(i * 20), 8); }
@inline function elC(i: i32): i32 { return load<i32>(path + <usize>(i * 20), 12); }
@inline function elD(i: i32): i32 { return load<i32>(path + <usize>(i * 20), 16); }

/** Current level 0..15. */
export function currentLevel(): i32 { return curLevel; }
export function currentX(): f64 { return curX; }
export function currentY(): f64 { return curY; }

/** Clear the screen to black and drop any pending path. */
export function clear(): void {
  fillAll(0);
  pathLen = 0;
  needMove = true;
}

/** Brightness for what is drawn next: 0 (off) .. 15 (full); clamped, fractions truncated, NaN ignored. */
export function level(l: f64): void {
  if (!(l == l)) return;
  curLevel = l <= 0 ? 0 : l >= 15 ? 15 : <i32>l;
}

/** Set the current point (starts a new sub-path). */
export function move(x: f64, y: f64): void {
  if (!valid(x) || !valid(y)) return;
  curX = x; curY = y;
  needMove = true;
}

export function moveRel(dx: f64, dy: f64): void { move(curX + dx, curY + dy); }

/** Add a line from the current point to (x, y) to the path; (x, y) becomes the current point. */
export function line(x: f64, y: f64): void {
  if (!valid(x) || !valid(y)) return;
  if (needMove) { push(EL_MOVE, pix(curX), pix(curY), 0, 0); needMove = false; }
  push(EL_LINE, pix(x), pix(y), 0, 0);
  curX = x; curY = y;
}

export function lineRel(dx: f64, dy: f64): void { line(curX + dx, curY + dy); }

/** Add a w×h rectangle with corner (x, y) to the path; negative sizes extend left / up. Moves to (x, y). */
export function rect(x: f64, y: f64, w: f64, h: f64): void {
  if (!valid(x) || !valid(y) || !valid(w) || !valid(h)) return;
  let x0 = x, y0 = y, x1 = x + w, y1 = y + h;
  if (w < 0) { x0 = x1; x1 = x; }
  if (h < 0) { y0 = y1; y1 = y; }
  const px = pix(x0), py = pix(y0);
  push(EL_RECT, px, py, pix(x1) - px, pix(y1) - py);
  curX = x; curY = y;
  needMove = true;
}

/** Add the single pixel (x, y) to the path, like norns' screen.pixel (then stroke() or fill()). */
export function pixel(x: f64, y: f64): void { rect(x, y, 1, 1); }

/** Draw the path's outlines at the current level, then clear the path. */
export function stroke(): void {
  let penX = 0, penY = 0;
  for (let i = 0; i < pathLen; i++) {
    const k = elKind(i);
    if (k == EL_MOVE) { penX = elA(i); penY = elB(i); }
    else if (k == EL_LINE) { drawLine(penX, penY, elA(i), elB(i), curLevel); penX = elA(i); penY = elB(i); }
    else strokeRect(elA(i), elB(i), elC(i), elD(i), curLevel);
  }
  pathLen = 0;
  needMove = true;
}

/** Fill the path at the current level (each sub-path closed, even-odd, outline included), then clear it. */
export function fill(): void {
  let i = 0;
  while (i < pathLen) {
    const k = elKind(i);
    if (k == EL_RECT) { fillRect(elA(i), elB(i), elC(i), elD(i), curLevel); i++; continue; }
    // A sub-path: this move and the lines that follow it.
    let j = i + 1;
    while (j < pathLen && elKind(j) == EL_LINE) j++;
    fillPolygon(i, j, curLevel);
    i = j;
  }
  pathLen = 0;
  needMove = true;
}

/** Draw str at the current level with its baseline at the current point; the point advances past it. */
export function text(str: string): void {
  if (!valid(curX) || !valid(curY)) return;
  curX += <f64>drawGlyphs(str, pix(curX), pix(curY), curLevel);
}

/** Draw str centred on the current x: the middle ink column lands on floor(x) (left of it for even widths). */
export function textCenter(str: string): void {
  const x = pix(curX) - (textWidth(str) >> 1);
  curX = <f64>(x + drawGlyphs(str, x, pix(curY), curLevel));
}

/** Draw str right-aligned: its last ink column is floor(x) - 1, like cairo's text ending at x. */
export function textRight(str: string): void {
  const x = pix(curX) - textWidth(str);
  curX = <f64>(x + drawGlyphs(str, x, pix(curY), curLevel));
}

/** Ink width of str in pixels (advances minus the trailing gap); 0 for "". */
export function textWidth(str: string): i32 { return glyphsWidth(str); }

// The same three for n ASCII bytes at p (text formatted into a byte buffer, e.g. param values), no allocation.
export function textBytes(p: usize, n: i32): void {
  if (!valid(curX) || !valid(curY)) return;
  curX += <f64>drawBytes(p, n, pix(curX), pix(curY), curLevel);
}

export function textCenterBytes(p: usize, n: i32): void {
  const x = pix(curX) - (bytesWidth(p, n) >> 1);
  curX = <f64>(x + drawBytes(p, n, x, pix(curY), curLevel));
}

export function textRightBytes(p: usize, n: i32): void {
  const x = pix(curX) - bytesWidth(p, n);
  curX = <f64>(x + drawBytes(p, n, x, pix(curY), curLevel));
}

// ---- rasterisers (integer pixel coordinates, already validated to |v| <= COORD_LIMIT + 1) ----

/** Line from (x0, y0) to (x1, y1), both ends included. */
export function drawLine(x0: i32, y0: i32, x1: i32, y1: i32, l: i32): void {
  const dx = x1 - x0, dy = y1 - y0;
  const adx = <i64>abs(dx), ady = <i64>abs(dy);
  if (adx == 0 && ady == 0) { putPixel(x0, y0, l); return; }
  if (adx == 0) { // vertical: the waveform's columns, one byte address per row
    if (x0 < 0 || x0 >= SCREEN_WIDTH) return;
    putColumn(x0, max(min(y0, y1), 0), min(max(y0, y1), SCREEN_HEIGHT - 1), l);
    return;
  }
  if (adx >= ady) {
    const sx = dx > 0 ? 1 : -1, sy: i64 = dy >= 0 ? 1 : -1;
    // i = step along x; only steps that land on a screen column are walked.
    let lo: i32 = sx > 0 ? -x0 : x0 - (SCREEN_WIDTH - 1);
    let hi: i32 = sx > 0 ? SCREEN_WIDTH - 1 - x0 : x0;
    if (lo < 0) lo = 0;
    if (<i64>hi > adx) hi = <i32>adx;
    for (let i = lo; i <= hi; i++) {
      const y = <i64>y0 + sy * ((2 * <i64>i * ady + adx) / (2 * adx));
      if (y >= 0 && y < <i64>SCREEN_HEIGHT) putPixel(x0 + sx * i, <i32>y, l);
    }
  } else {
    const sy = dy > 0 ? 1 : -1, sx: i64 = dx >= 0 ? 1 : -1;
    let lo: i32 = sy > 0 ? -y0 : y0 - (SCREEN_HEIGHT - 1);
    let hi: i32 = sy > 0 ? SCREEN_HEIGHT - 1 - y0 : y0;
    if (lo < 0) lo = 0;
    if (<i64>hi > ady) hi = <i32>ady;
    for (let i = lo; i <= hi; i++) {
      const x = <i64>x0 + sx * ((2 * <i64>i * adx + ady) / (2 * ady));
      if (x >= 0 && x < <i64>SCREEN_WIDTH) putPixel(<i32>x, y0 + sy * i, l);
    }
  }
}

/** Filled w×h block at (x, y), clipped; nothing for w or h <= 0. */
export function fillRect(x: i32, y: i32, w: i32, h: i32, l: i32): void {
  if (w <= 0 || h <= 0) return;
  let xa = x, xb = x + w - 1, ya = y, yb = y + h - 1;
  if (xa < 0) xa = 0;
  if (ya < 0) ya = 0;
  if (xb > SCREEN_WIDTH - 1) xb = SCREEN_WIDTH - 1;
  if (yb > SCREEN_HEIGHT - 1) yb = SCREEN_HEIGHT - 1;
  if (xa > xb) return;
  for (let yy = ya; yy <= yb; yy++) putSpan(xa, xb, yy, l);
}

/** 1 px outline of the w×h block at (x, y); a zero size still draws its line. */
export function strokeRect(x: i32, y: i32, w: i32, h: i32, l: i32): void {
  const x1 = x + (w > 0 ? w - 1 : 0), y1 = y + (h > 0 ? h - 1 : 0);
  fillRect(x, y, x1 - x + 1, 1, l);
  fillRect(x, y1, x1 - x + 1, 1, l);
  fillRect(x, y, 1, y1 - y + 1, l);
  fillRect(x1, y, 1, y1 - y + 1, l);
}

/** Even-odd fill of the polygon made by path elements first (a move) .. end-1 (lines), closed, with its outline. */
function fillPolygon(first: i32, end: i32, l: i32): void {
  const n = end - first; // vertices
  if (n < 2) return; // a bare move encloses nothing
  for (let row = 0; row < SCREEN_HEIGHT; row++) {
    let nc = 0;
    for (let e = 0; e < n; e++) {
      const a = first + e, b = e + 1 < n ? a + 1 : first; // the last edge closes the sub-path
      const ya = elB(a), yb = elB(b);
      if (ya == yb) continue;
      const lo = min(ya, yb), hi = max(ya, yb);
      if (row < lo || row >= hi) continue; // half-open so a shared vertex counts once
      const xa = <f64>elA(a), xb = <f64>elA(b);
      store<f64>(crossings + <usize>(nc << 3), xa + <f64>(row - ya) * (xb - xa) / <f64>(yb - ya));
      nc++;
    }
    // insertion sort: nc <= PATH_MAX
    for (let i = 1; i < nc; i++) {
      const v = load<f64>(crossings + <usize>(i << 3));
      let j = i - 1;
      while (j >= 0 && load<f64>(crossings + <usize>(j << 3)) > v) {
        store<f64>(crossings + <usize>((j + 1) << 3), load<f64>(crossings + <usize>(j << 3)));
        j--;
      }
      store<f64>(crossings + <usize>((j + 1) << 3), v);
    }
    for (let i = 0; i + 1 < nc; i += 2) {
      let xl = Math.ceil(load<f64>(crossings + <usize>(i << 3)));
      let xr = Math.floor(load<f64>(crossings + <usize>((i + 1) << 3)));
      if (xl < 0) xl = 0;
      if (xr > <f64>(SCREEN_WIDTH - 1)) xr = <f64>(SCREEN_WIDTH - 1);
      if (xl <= xr) putSpan(<i32>xl, <i32>xr, row, l);
    }
  }
  for (let e = 0; e < n; e++) {
    const a = first + e, b = e + 1 < n ? a + 1 : first;
    drawLine(elA(a), elB(a), elA(b), elB(b), l);
  }
}
