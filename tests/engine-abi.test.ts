// The engine as a module: zero imports, errors instead of traps, fixed memory, never NaN, deterministic.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { PiwipEngine, DEFAULT_WASM, EngineError } from '../host/engine/engine.ts';
import { pitchedSignal } from './helpers/sim.ts';
import { createHash } from 'node:crypto';

const wasm = readFileSync(DEFAULT_WASM);

/** xorshift for test-side randomness (seeded, so a failure can be replayed). */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x / 4294967296; };
}

describe('engine ABI', () => {
  it('has zero imports and no SIMD', () => {
    const mod = new WebAssembly.Module(wasm);
    expect(WebAssembly.Module.imports(mod)).toEqual([]);
    const wat = readFileSync(DEFAULT_WASM.replace(/\.wasm$/, '.wat'), 'utf8');
    expect(wat).not.toMatch(/v128|i32x4|f32x4/);
    const names = WebAssembly.Module.exports(mod).map((e) => e.name);
    for (const n of ['init', 'process', 'inputPtr', 'outputPtr', 'midiIn', 'key', 'enc', 'paramSet', 'screenPtr']) expect(names).toContain(n);
  });

  it('clamps broken input to ±16 and flushes |x| < 1e-18 to 0, at the edges of both ranges (the monitor shows it)', () => {
    const e = PiwipEngine.create({ sampleRate: 48000, blockSize: 32, maxRecSeconds: 1 });
    e.setParam('monitor', 'on');
    e.setParam('monitor level', 1);
    const f = Math.fround;
    const tiny = f(1e-18);
    const below = new Float32Array(new Uint32Array([new Uint32Array(new Float32Array([tiny]).buffer)[0]! - 1]).buffer)[0]!;
    const over = new Float32Array(new Uint32Array([0x41800001]).buffer)[0]!; // the float just above 16
    const edge = [16, -16, over, -over, tiny, -tiny, below, -below, 0, -0, NaN, -NaN, Infinity, -Infinity, 1e-40, -1e-40,
      0.5, -0.5, f(1e30), f(-1e30), 1e-45, f(15.999999), f(2e-18), -f(2e-18)];
    const want = (x: number) => (Math.abs(x) <= 16 && !(Math.abs(x) < tiny) ? x : x > 16 ? 16 : x < -16 ? -16 : 0);
    const inL = new Float32Array(32), inR = new Float32Array(32), oL = new Float32Array(32), oR = new Float32Array(32);
    // each value on the left with a clean right, then on the right with a clean left: one test per channel
    for (const side of [0, 1]) {
      inL.fill(0.25); inR.fill(0.25);
      edge.forEach((x, i) => { (side ? inR : inL)[i] = x; });
      e.process(inL, inR, oL, oR);
      edge.forEach((x, i) => {
        expect((side ? oR : oL)[i], `${side ? 'R' : 'L'} ${x}`).toBe(f(want(x)) + 0);
        expect((side ? oL : oR)[i]).toBe(0.25);
      });
    }
  });

  it('rejects bad init arguments with codes, and init twice', () => {
    expect(() => PiwipEngine.create({ sampleRate: 1000 })).toThrow(EngineError);
    expect(() => PiwipEngine.create({ blockSize: 512 })).toThrow(/block size/);
    expect(() => PiwipEngine.create({ maxRecSeconds: 0 })).toThrow(/recording length/);
    const e = PiwipEngine.create({ sampleRate: 44100, maxRecSeconds: 5 });
    expect(e.ex.init(48000, 128, 5, 1)).toBe(-1);
    expect(e.ex.process(0)).toBe(-1);
    expect(e.ex.process(129)).toBe(-1);
    expect(e.ex.paramSet(999, 1)).toBe(-1);
    expect(e.ex.paramSet(0, NaN)).toBe(-2);
    expect(() => e.setParam('nope', 1)).toThrow(/unknown param/);
  });

  it('44.1 kHz works and bad calls before init do not trap', () => {
    const inst = new WebAssembly.Instance(new WebAssembly.Module(wasm), {});
    const ex = inst.exports as any;
    ex._start();
    expect(ex.process(64)).toBe(-1);
    ex.midiIn(0x90); ex.key(2, 1); ex.enc(1, 1);
    expect(ex.setMode(1)).toBe(-1);
    expect(ex.paramSet(0, 10)).toBe(-3);
  });

  it('memory is reserved at init and never grows over 10 minutes of random events; output always finite', () => {
    const e = PiwipEngine.create({ sampleRate: 48000, blockSize: 256, maxRecSeconds: 60, seed: 3 });
    const bytes = e.memoryBytes;
    const r = rng(11);
    const n = 256;
    const inL = new Float32Array(n), inR = new Float32Array(n), oL = new Float32Array(n), oR = new Float32Array(n);
    const sig = pitchedSignal(48000, (t) => 110 + 300 * (0.5 + 0.5 * Math.sin(t * 0.7)), (t) => ((t % 7) < 4 ? 0.6 : 0));
    const ids = e.params().map((p) => p);
    let nonFinite = 0;
    let peak = 0;
    const blocks = Math.ceil(600 * 48000 / n);
    for (let b = 0; b < blocks; b++) {
      const t0 = b * n / 48000;
      for (let i = 0; i < n; i++) { const v = sig(t0 + i / 48000); inL[i] = v; inR[i] = v * 0.7; }
      if (b % 997 === 5) { inL[3] = NaN; inR[7] = Infinity; inL[9] = -1e30; } // broken input must not leak through
      const x = r();
      if (x < 0.02) e.noteOn(Math.floor(r() * 128), Math.floor(r() * 128));
      else if (x < 0.04) e.noteOff(Math.floor(r() * 128));
      else if (x < 0.045) e.midi([Math.floor(r() * 256), Math.floor(r() * 256), Math.floor(r() * 256)]);
      else if (x < 0.05) e.key(1 + Math.floor(r() * 3), r() < 0.5 ? 1 : 0);
      else if (x < 0.055) e.enc(1 + Math.floor(r() * 3), Math.floor(r() * 9) - 4);
      else if (x < 0.058) {
        const p = ids[Math.floor(r() * ids.length)]!;
        e.ex.paramSet(p.index, p.min + (p.max - p.min) * (r() * 1.4 - 0.2));
      }
      e.process(inL, inR, oL, oR);
      for (let i = 0; i < n; i++) {
        if (!Number.isFinite(oL[i]!) || !Number.isFinite(oR[i]!)) nonFinite++;
        const a = Math.abs(oL[i]!); if (a > peak) peak = a;
      }
      if (b % 10000 === 0) expect(e.memoryBytes).toBe(bytes);
    }
    expect(e.memoryBytes).toBe(bytes);
    expect(nonFinite).toBe(0);
    expect(peak).toBeGreaterThan(0.01); // something really played
    expect(e.time).toBeGreaterThanOrEqual(600);
  }, 300_000);

  it('the same input, events and seed give the same output bits', () => {
    const run = (seed: number) => {
      const e = PiwipEngine.create({ seed });
      e.setMode(3);
      e.setParam('probability', 100);
      const sig = pitchedSignal(48000, () => 196, (t) => (t > 0.2 && t < 3 ? 0.5 : 0));
      const h = createHash('sha256');
      const n = 128, inL = new Float32Array(n), oL = new Float32Array(n), oR = new Float32Array(n);
      for (let b = 0; b < 4 * 48000 / n; b++) {
        for (let i = 0; i < n; i++) inL[i] = sig((b * n + i) / 48000);
        e.process(inL, inL, oL, oR);
        h.update(new Uint8Array(oL.buffer)); h.update(new Uint8Array(oR.buffer));
      }
      return h.digest('hex');
    };
    expect(run(5)).toBe(run(5));
    expect(run(5)).not.toBe(run(6));
  });
});
