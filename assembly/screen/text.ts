// Text rasteriser for the built-in bitmap font (assembly/generated/font.ts): glyphs sit on a baseline, advance by
// ink width + 1. Reads strings with charCodeAt and byte runs with load, so drawing never allocates; characters
// outside ASCII 32..126 draw as '?'.
import { putPixel, putBits, SCREEN_WIDTH, SCREEN_HEIGHT } from "./framebuffer";
import {
  FONT_GLYPHS, FONT_FIRST_CHAR, FONT_LAST_CHAR, FONT_ROWS, FONT_ASCENT, FONT_SPACING, FONT_GLYPH_BYTES,
} from "../generated/font";

@inline function glyphBase(c: i32): usize {
  if (c < FONT_FIRST_CHAR || c > FONT_LAST_CHAR) c = 63; // '?'
  return FONT_GLYPHS + <usize>((c - FONT_FIRST_CHAR) * FONT_GLYPH_BYTES);
}

/** Advance of one character in pixels (ink width + spacing). */
export function charAdvance(c: i32): i32 { return <i32>load<u8>(glyphBase(c)) + FONT_SPACING; }

/** Draw character c with its left edge at x and its top row at `top`; returns its advance. */
function drawChar(c: i32, x: i32, top: i32, l: i32): i32 {
  const g = glyphBase(c);
  const w = <i32>load<u8>(g);
  if (x >= 0 && x + w <= SCREEN_WIDTH && top >= 0 && top + FONT_ROWS <= SCREEN_HEIGHT) {
    // wholly on screen (nearly always): rows without per-pixel clipping
    for (let r = 0; r < FONT_ROWS; r++) {
      putBits(x, top + r, <i32>load<u8>(g + 1 + <usize>r), w, l);
    }
  } else if (x < SCREEN_WIDTH && x + w > 0) {
    for (let r = 0; r < FONT_ROWS; r++) {
      const bits = <i32>load<u8>(g + 1 + <usize>r);
      if (bits == 0) continue;
      for (let cx = 0; cx < w; cx++) if ((bits >> cx) & 1) putPixel(x + cx, top + r, l);
    }
  }
  return w + FONT_SPACING;
}

/** Ink width of str: the sum of advances without the last glyph's trailing gap; 0 for "". */
export function glyphsWidth(str: string): i32 {
  const n = str.length;
  if (n == 0) return 0;
  let w = 0;
  for (let i = 0; i < n; i++) w += charAdvance(str.charCodeAt(i));
  return w - FONT_SPACING;
}

/** Draw str with its left edge at x and its baseline under row baseline-1; returns the total advance. */
export function drawGlyphs(str: string, x: i32, baseline: i32, l: i32): i32 {
  const n = str.length;
  const top = baseline - FONT_ASCENT;
  let pen = x;
  for (let i = 0; i < n; i++) pen += drawChar(str.charCodeAt(i), pen, top, l);
  return pen - x;
}

/** Ink width of the n ASCII bytes at p (as glyphsWidth). */
export function bytesWidth(p: usize, n: i32): i32 {
  if (n <= 0) return 0;
  let w = 0;
  for (let i = 0; i < n; i++) w += charAdvance(<i32>load<u8>(p + <usize>i));
  return w - FONT_SPACING;
}

/** Draw the n ASCII bytes at p (as drawGlyphs); returns the total advance. */
export function drawBytes(p: usize, n: i32, x: i32, baseline: i32, l: i32): i32 {
  const top = baseline - FONT_ASCENT;
  let pen = x;
  for (let i = 0; i < n; i++) pen += drawChar(<i32>load<u8>(p + <usize>i), pen, top, l);
  return pen - x;
}
