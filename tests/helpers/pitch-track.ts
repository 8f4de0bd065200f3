// The follower detector through the real wasm's pitchTest* exports, shared by the generated-signal pitch tests.
import { expect } from 'vitest';
import { readFileSync } from 'node:fs';

interface PitchExports {
  memory: WebAssembly.Memory;
  _start?: () => void;
  pitchTestInit(sr: number, kind: number): number;
  pitchTestInputPtr(): number;
  pitchTestPush(n: number): number;
  pitchTestHz(): number;
  pitchTestRawHz(): number;
  pitchTestConfidence(): number;
  pitchTestSetParam(id: number, value: number): number;
}

let wasm: WebAssembly.Module | null = null;

/** Run a signal through a fresh follower (build/piwip.wasm) fed `block` samples at a time; one estimate (hz, 0 =
 *  unvoiced) and one raw estimate per 256-sample hop, and the memory's size before and after. */
export function trackHops(sr: number, x: Float32Array, block = 256, params: [number, number][] = []):
    { hz: number[]; raw: number[]; pages: number[] } {
  wasm ??= new WebAssembly.Module(readFileSync('build/piwip.wasm'));
  const ex = new WebAssembly.Instance(wasm, {}).exports as unknown as PitchExports;
  ex._start?.();
  expect(ex.pitchTestInit(sr, 0)).toBe(0);
  for (const [id, v] of params) expect(ex.pitchTestSetParam(id, v)).toBe(0);
  const pages: number[] = [ex.memory.buffer.byteLength];
  const hz: number[] = []; const raw: number[] = [];
  let fed = 0;
  for (let off = 0; off + block <= x.length; off += block) {
    new Float32Array(ex.memory.buffer, ex.pitchTestInputPtr(), block).set(x.subarray(off, off + block));
    ex.pitchTestPush(block);
    fed += block;
    // a block smaller than the hop crosses at most one hop boundary, and the estimate only changes there
    while (hz.length < Math.floor(fed / 256)) { hz.push(ex.pitchTestHz()); raw.push(ex.pitchTestRawHz()); }
  }
  pages.push(ex.memory.buffer.byteLength);
  return { hz, raw, pages };
}

/** One estimate (Hz, 0 = unvoiced) per 256-sample hop of a fresh follower. */
export function track(sr: number, x: Float32Array): number[] { return trackHops(sr, x).hz; }
