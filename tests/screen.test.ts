// The engine's screen through the real wasm: golden PNGs compared pixel-exactly (tests/golden, stored at ×4 so a
// person can look at them), the frame counter, and the PNG helpers. UPDATE_GOLDEN=1 rewrites the goldens.
import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  SCREEN_BYTES, SCREEN_WIDTH, diffLevels, levelsToPng, levelsToText, pngToLevels, readScreen, unpackScreen,
} from '../host/screen/png.ts';

const WASM = fileURLToPath(new URL('../build/piwip.wasm', import.meta.url));
const GOLDEN = (name: string) => fileURLToPath(new URL(`./golden/${name}.png`, import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const VIEW_SCALE = 4;

type Ex = Record<string, any> & { memory: WebAssembly.Memory };
let ex: Ex;

function screenLevels(): Uint8Array { return unpackScreen(readScreen(ex.memory, ex.screenPtr())); }

/** Compare the current screen with a golden PNG, pixel-exactly; (re)write it under UPDATE_GOLDEN=1. */
function expectGolden(name: string): void {
  const actual = screenLevels();
  const path = GOLDEN(name);
  if (UPDATE) writeFileSync(path, levelsToPng(actual, VIEW_SCALE));
  if (!existsSync(path)) throw new Error(`missing golden ${path}: run UPDATE_GOLDEN=1 npx vitest run tests/screen.test.ts`);
  const d = diffLevels(pngToLevels(readFileSync(path)), actual);
  if (d.count !== 0) {
    throw new Error(`${name}: ${d.count} pixels differ, first at ${JSON.stringify(d.first)}\n${levelsToText(actual)}`);
  }
}

/** A deterministic amplitude envelope (phrases with gaps), like a played instrument. */
function fillAmps(n: number, f: (i: number) => number): void {
  new Float32Array(ex.memory.buffer, ex.screenTestPlayAmpsPtr(), n).set(Array.from({ length: n }, (_, i) => f(i)));
}
const phrase = (i: number) => Math.abs(Math.sin(i * 0.11)) * (0.3 + 0.7 * Math.abs(Math.sin(i * 0.013)));

const REC = 1, ARMED = 2, SHIFT = 4;

beforeAll(() => {
  const inst = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(WASM)), {});
  ex = inst.exports as unknown as Ex;
  ex._start();
});

describe('screen ABI', () => {
  it('exports a 4096-byte framebuffer inside memory and a frame counter', () => {
    const ptr = ex.screenPtr();
    expect(ptr).toBeGreaterThan(0);
    expect(ptr + SCREEN_BYTES).toBeLessThanOrEqual(ex.memory.buffer.byteLength);
    expect(typeof ex.screenFrame()).toBe('number');
  });

  it('bumps the frame counter only when the published picture changes', () => {
    const f0 = ex.screenFrame();
    const f1 = ex.screenTestPattern(0);
    const before = screenLevels();
    expect(ex.screenTestPattern(0)).toBe(f1); // same picture redrawn: no new frame
    expect(diffLevels(before, screenLevels()).count).toBe(0);
    const f2 = ex.screenTestPattern(1);
    expect(f2).toBe(f1 + 1);
    expect(f1).toBeGreaterThanOrEqual(f0);
    expect(ex.screenFrame()).toBe(f2);
  });
});

describe('golden images', () => {
  it('test card: font, lines, clipping, rects, fill, levels', () => {
    ex.screenTestPattern(0);
    expectGolden('screen-test-pattern');
  });

  it('font sample', () => {
    ex.screenTestPattern(1);
    expectGolden('screen-font');
  });

  it('a single changed pixel fails the comparison', () => {
    ex.screenTestPattern(0);
    const golden = pngToLevels(readFileSync(GOLDEN('screen-test-pattern')));
    const changed = screenLevels();
    expect(diffLevels(golden, changed).count).toBe(0);
    changed[20 * SCREEN_WIDTH + 100] = changed[20 * SCREEN_WIDTH + 100] === 0 ? 1 : 0; // one level step, one pixel
    // round-trip the damaged image through PNG as a golden file would be
    const reread = pngToLevels(levelsToPng(changed, VIEW_SCALE));
    const d = diffLevels(golden, reread);
    expect(d.count).toBe(1);
    expect(d.first).toMatchObject({ x: 100, y: 20 });
  });

  it('PNG round trip is lossless at any scale', () => {
    ex.screenTestPattern(0);
    const lv = screenLevels();
    for (const s of [1, 2, 4, 7]) expect(diffLevels(lv, pngToLevels(levelsToPng(lv, s))).count).toBe(0);
    expect(() => levelsToPng(lv, 0)).toThrow(RangeError);
    expect(() => levelsToPng(lv, 1.5)).toThrow(RangeError);
  });
});

describe('play screen (spec §8.2/§8.3)', () => {
  it('title before the first take, RDY badge dim while armed', () => {
    ex.screenTestPlaySet(ARMED, 1, 0, 0, 0.05, 0, 0, 0, 0);
    ex.screenTestPlayDraw();
    expectGolden('play-title-armed');
  });

  it('recording: the waveform grows from the left, one column per poll', () => {
    fillAmps(60, phrase);
    ex.screenTestPlaySet(REC | ARMED, 1, 0, 60, 0.05, 0, 0, 3, 0);
    ex.screenTestPlayDraw();
    expectGolden('play-recording');
  });

  it('a long take mapped onto 127 columns with two playheads', () => {
    fillAmps(400, phrase);
    ex.screenTestPlaySet(ARMED, 2, 0, 400, 0.05, 0, 0, 20, 2);
    ex.screenTestPlayhead(0, 5, 0, 0);
    ex.screenTestPlayhead(1, 12, 0, 0);
    ex.screenTestPlayDraw();
    expectGolden('play-playheads');
  });

  it('trimming zooms to the window', () => {
    fillAmps(400, phrase);
    ex.screenTestPlaySet(0, 3, 0, 400, 0.05, 4, 6, 20, 1);
    ex.screenTestPlayhead(0, 8, 4, 6);
    ex.screenTestPlayDraw();
    expectGolden('play-trimmed');
  });

  it('message overlay with K1 held (shift)', () => {
    fillAmps(400, phrase);
    ex.screenTestPlaySet(REC | SHIFT, 1, 1, 400, 0.05, 0, 0, 20, 0);
    ex.screenTestPlayDraw();
    expectGolden('play-message-shift');
  });

  it('silent take and zero-length window: flat line, no playhead (the original drew NaN)', () => {
    fillAmps(50, () => 0);
    ex.screenTestPlaySet(0, 0, 0, 50, 0.05, 0, 0, 2.5, 1);
    ex.screenTestPlayhead(0, 1, 1.25, 1.25); // window = 2.5 - 1.25 - 1.25 = 0
    ex.screenTestPlayDraw();
    const lv = screenLevels();
    for (let x = 0; x < SCREEN_WIDTH; x++) {
      for (let y = 0; y < 64; y++) {
        const want = x >= 2 && x <= 51 && y === 32 ? 1 : 0;
        if (lv[y * SCREEN_WIDTH + x] !== want) throw new Error(`pixel ${x},${y} = ${lv[y * SCREEN_WIDTH + x]}, want ${want}`);
      }
    }
  });
});
