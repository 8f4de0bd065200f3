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
}

let wasm: WebAssembly.Module | null = null;

/** One estimate (Hz, 0 = unvoiced) per 256-sample hop of a fresh follower (build/piwip.wasm). */
export function track(sr: number, x: Float32Array): number[] {
  wasm ??= new WebAssembly.Module(readFileSync('build/piwip.wasm'));
  const ex = new WebAssembly.Instance(wasm, {}).exports as unknown as PitchExports;
  ex._start?.();
  expect(ex.pitchTestInit(sr, 0)).toBe(0);
  const hz: number[] = [];
  for (let off = 0; off + 256 <= x.length; off += 256) {
    new Float32Array(ex.memory.buffer, ex.pitchTestInputPtr(), 256).set(x.subarray(off, off + 256));
    ex.pitchTestPush(256);
    hz.push(ex.pitchTestHz());
  }
  return hz;
}
