// Test harness: drives the real engine wasm block by block with a generated input, scheduled actions and
// per-block state probes, keeping the whole output for measurement.
import { PiwipEngine, type EngineOptions, type EngineState } from '../../host/engine/engine.ts';

export type InputFn = (t: number) => [number, number] | number;

export class Sim {
  readonly e: PiwipEngine;
  readonly sr: number;
  readonly block: number;
  outL: Float32Array;
  outR: Float32Array;
  written = 0;
  private actions: { t: number; fn: (e: PiwipEngine) => void }[] = [];
  private probes: ((s: EngineState, t: number) => void)[] = [];

  constructor(opts: EngineOptions = {}, maxSeconds = 30) {
    this.e = PiwipEngine.create(opts);
    this.sr = this.e.sampleRate;
    this.block = this.e.blockSize;
    this.outL = new Float32Array(Math.ceil(maxSeconds * this.sr));
    this.outR = new Float32Array(this.outL.length);
  }

  at(t: number, fn: (e: PiwipEngine) => void): this {
    this.actions.push({ t, fn });
    this.actions.sort((a, b) => a.t - b.t);
    return this;
  }

  probe(fn: (s: EngineState, t: number) => void): this {
    this.probes.push(fn);
    return this;
  }

  /** Run until time `until` (s), feeding input(t). Actions fire at the block boundary at or after their time. */
  run(until: number, input: InputFn): this {
    const n = this.block;
    const inL = new Float32Array(n), inR = new Float32Array(n), oL = new Float32Array(n), oR = new Float32Array(n);
    const end = Math.round(until * this.sr);
    while (this.written < end) {
      const t0 = this.written / this.sr;
      while (this.actions.length && this.actions[0]!.t <= t0 + 1e-12) this.actions.shift()!.fn(this.e);
      const frames = Math.min(n, end - this.written);
      for (let i = 0; i < frames; i++) {
        const v = input((this.written + i) / this.sr);
        if (typeof v === 'number') { inL[i] = v; inR[i] = v; } else { inL[i] = v[0]; inR[i] = v[1]; }
      }
      this.e.process(inL.subarray(0, frames), inR.subarray(0, frames), oL.subarray(0, frames), oR.subarray(0, frames));
      if (this.written + frames > this.outL.length) throw new Error('Sim buffer too short');
      this.outL.set(oL.subarray(0, frames), this.written);
      this.outR.set(oR.subarray(0, frames), this.written);
      this.written += frames;
      if (this.probes.length) {
        const s = this.e.state();
        for (const p of this.probes) p(s, this.written / this.sr);
      }
    }
    return this;
  }

  slice(t0: number, t1: number, ch: 0 | 1 = 0): Float32Array {
    return (ch === 0 ? this.outL : this.outR).subarray(Math.round(t0 * this.sr), Math.round(t1 * this.sr));
  }
}

/** A brass/voice-like tone: harmonics with a falling tilt, so detectors see a real instrument shape. */
export function harmonicTone(phase: number, harmonics = 6): number {
  let y = 0;
  for (let h = 1; h <= harmonics; h++) y += Math.sin(2 * Math.PI * h * phase) / (h * 1.3);
  return y / 1.8;
}

/** Integrates a pitch curve into a phase, for glides and vibrato. */
export function pitchedSignal(sr: number, hzAt: (t: number) => number, ampAt: (t: number) => number) {
  let phase = 0;
  let lastT = -1;
  return (t: number): number => {
    if (lastT >= 0) phase += hzAt(t) * (t - lastT);
    lastT = t;
    const a = ampAt(t);
    return a === 0 ? 0 : a * harmonicTone(phase % 1);
  };
}

export function cents(a: number, b: number): number { return 1200 * Math.log2(a / b); }

export function rms(x: Float32Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s / Math.max(1, x.length));
}

/** Note spans (start, end in seconds) seen on the voices, block by block. */
export function noteSpans(sim: Sim): { note: number; start: number; end: number }[] {
  const spans: { note: number; start: number; end: number }[] = [];
  const open = new Map<number, { note: number; start: number; end: number }>();
  sim.probe((s, t) => {
    s.voices.forEach((v, i) => {
      const cur = open.get(i);
      if (cur && cur.note !== v.note) { cur.end = t; open.delete(i); }
      if (v.note > 0 && !open.has(i)) {
        const sp = { note: v.note, start: t, end: NaN };
        spans.push(sp);
        open.set(i, sp);
      }
    });
  });
  return spans;
}
