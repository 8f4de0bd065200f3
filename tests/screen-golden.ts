// Golden screen images for the screen and menu tests: PNGs under tests/golden (stored ×4 so a person can look at
// them) compared pixel-exactly with a framebuffer; UPDATE_GOLDEN=1 rewrites them instead.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { diffLevels, levelsToPng, levelsToText, pngToLevels, unpackScreen } from '../host/screen/png.ts';

export const GOLDEN = (name: string) => fileURLToPath(new URL(`./golden/${name}.png`, import.meta.url));
export const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';
export const VIEW_SCALE = 4;

/** Compare a framebuffer (4096 bytes) with golden `name`, pixel-exactly; (re)write it under UPDATE_GOLDEN=1. */
export function expectGoldenScreen(name: string, fb: Uint8Array): void {
  const actual = unpackScreen(fb);
  const path = GOLDEN(name);
  if (UPDATE_GOLDEN) writeFileSync(path, levelsToPng(actual, VIEW_SCALE));
  if (!existsSync(path)) throw new Error(`missing golden ${path}: run UPDATE_GOLDEN=1 npx vitest run tests/`);
  const d = diffLevels(pngToLevels(readFileSync(path)), actual);
  if (d.count !== 0) {
    throw new Error(`${name}: ${d.count} pixels differ, first at ${JSON.stringify(d.first)}\n${levelsToText(actual)}`);
  }
}

/** Level 0..15 of pixel (x, y) of a framebuffer. */
export function pixelAt(fb: Uint8Array, x: number, y: number): number {
  const b = fb[y * 64 + (x >> 1)]!;
  return (x & 1) === 0 ? b >> 4 : b & 15;
}
