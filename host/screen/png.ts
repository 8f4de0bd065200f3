// Framebuffer bytes <-> PNG (via pngjs): level l (0..15) becomes grey l * 17 (0..255), optionally scaled up by an
// integer factor with square pixels. The reader maps grey back to levels so tests compare images pixel-exactly.
import { readFileSync, writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';

export const SCREEN_WIDTH = 128;
export const SCREEN_HEIGHT = 64;
export const SCREEN_BYTES = 4096;

/** Unpack the engine's 4-bit framebuffer (even x = high nibble) into one level 0..15 per pixel, row-major. */
export function unpackScreen(fb: Uint8Array): Uint8Array {
  if (fb.length < SCREEN_BYTES) throw new RangeError(`framebuffer needs ${SCREEN_BYTES} bytes, got ${fb.length}`);
  const levels = new Uint8Array(SCREEN_WIDTH * SCREEN_HEIGHT);
  for (let i = 0; i < SCREEN_BYTES; i++) {
    const b = fb[i]!;
    levels[2 * i] = b >> 4;
    levels[2 * i + 1] = b & 15;
  }
  return levels;
}

/** Copy the published framebuffer out of a running engine's memory. */
export function readScreen(memory: WebAssembly.Memory, ptr: number): Uint8Array {
  return new Uint8Array(memory.buffer, ptr, SCREEN_BYTES).slice();
}

/** Encode levels (128×64, 0..15) as a greyscale PNG, each pixel drawn as a scale×scale square. */
export function levelsToPng(levels: Uint8Array, scale = 1): Buffer {
  if (!Number.isInteger(scale) || scale < 1 || scale > 16) throw new RangeError(`scale must be an integer 1..16, got ${scale}`);
  if (levels.length !== SCREEN_WIDTH * SCREEN_HEIGHT) throw new RangeError(`expected ${SCREEN_WIDTH * SCREEN_HEIGHT} levels`);
  const png = new PNG({ width: SCREEN_WIDTH * scale, height: SCREEN_HEIGHT * scale });
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      const g = Math.min(15, levels[Math.floor(y / scale) * SCREEN_WIDTH + Math.floor(x / scale)]!) * 17;
      const o = (y * png.width + x) * 4;
      png.data[o] = g; png.data[o + 1] = g; png.data[o + 2] = g; png.data[o + 3] = 255;
    }
  }
  return PNG.sync.write(png, { colorType: 0 });
}

/** Framebuffer bytes straight to PNG bytes. */
export function screenToPng(fb: Uint8Array, scale = 1): Buffer { return levelsToPng(unpackScreen(fb), scale); }

export function writeScreenPng(path: string, fb: Uint8Array, scale = 1): void { writeFileSync(path, screenToPng(fb, scale)); }

/**
 * Decode a screen PNG (any integer scale of 128×64) back to levels: each block's top-left pixel, grey / 17 rounded.
 * Throws on sizes that are not a whole multiple of the screen.
 */
export function pngToLevels(data: Buffer | string): Uint8Array {
  const png = PNG.sync.read(typeof data === 'string' ? readFileSync(data) : data);
  const scale = png.width / SCREEN_WIDTH;
  if (!Number.isInteger(scale) || png.height !== SCREEN_HEIGHT * scale) {
    throw new RangeError(`not a screen image: ${png.width}×${png.height}`);
  }
  const levels = new Uint8Array(SCREEN_WIDTH * SCREEN_HEIGHT);
  for (let y = 0; y < SCREEN_HEIGHT; y++) {
    for (let x = 0; x < SCREEN_WIDTH; x++) {
      levels[y * SCREEN_WIDTH + x] = Math.round(png.data[(y * scale * png.width + x * scale) * 4]! / 17);
    }
  }
  return levels;
}

export interface ScreenDiff { count: number; first?: { x: number; y: number; expected: number; actual: number } }

/** Pixel-exact comparison of two level images; count = differing pixels (0 means identical). */
export function diffLevels(expected: Uint8Array, actual: Uint8Array): ScreenDiff {
  if (expected.length !== actual.length) throw new RangeError('images differ in size');
  const d: ScreenDiff = { count: 0 };
  for (let i = 0; i < expected.length; i++) {
    if (expected[i] !== actual[i]) {
      if (d.count === 0) d.first = { x: i % SCREEN_WIDTH, y: Math.floor(i / SCREEN_WIDTH), expected: expected[i]!, actual: actual[i]! };
      d.count++;
    }
  }
  return d;
}

/** Levels as ASCII art (' ' for 0, hex digit otherwise): handy in failure messages. */
export function levelsToText(levels: Uint8Array, y0 = 0, y1 = SCREEN_HEIGHT): string {
  const lines: string[] = [];
  for (let y = y0; y < y1; y++) {
    let s = '';
    for (let x = 0; x < SCREEN_WIDTH; x++) { const l = levels[y * SCREEN_WIDTH + x]!; s += l === 0 ? '.' : l.toString(16); }
    lines.push(s);
  }
  return lines.join('\n');
}
