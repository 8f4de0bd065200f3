// Shared by the wasm targets: one real engine (the release wasm) in a playing state, a short process() with a tone
// in and the output checked finite and bounded, the params checked inside their ranges.
import { readFileSync } from 'node:fs';
import { DEFAULT_WASM, PiwipEngine, type ParamInfo } from '../../../host/engine/engine.ts';

export const SR = 16000;
export const BLOCK = 32;
/** |output| above this is a failure: 5 voices at notes vol ≤ 2 plus the monitor stay far below. */
const OUT_LIMIT = 64;

let mod: WebAssembly.Module | undefined;

export class EngineRig {
  e!: PiwipEngine;
  params: ParamInfo[] = [];
  private phase = 0;
  private inL!: Float32Array;
  private inR!: Float32Array;
  private outL!: Float32Array;
  private outR!: Float32Array;
  private proc!: (n: number) => number;
  /** Inputs since the engine was made; a fresh one every `life` inputs keeps states varied. */
  age = 0;

  constructor(private readonly life = 4000, private readonly preset = 2) { this.fresh(); }

  fresh(): void {
    mod ??= new WebAssembly.Module(readFileSync(DEFAULT_WASM));
    this.e = PiwipEngine.create({ sampleRate: SR, blockSize: BLOCK, maxRecSeconds: 4, seed: 1 }, mod);
    this.params = this.e.params();
    this.inL = this.e.input(0); this.inR = this.e.input(1); this.outL = this.e.output(0); this.outR = this.e.output(1);
    this.proc = this.e.ex.process as (n: number) => number;
    this.e.setMode(this.preset);
    this.e.setParam('midi during rec', 'enabled');
    this.age = 0;
    // Record a short take so notes have something to play: 0.7 s of tone, K3 after the 0.5 s key guard.
    for (let b = 0; b < Math.ceil(0.7 * SR / BLOCK); b++) {
      if (b === Math.ceil(0.55 * SR / BLOCK)) { this.e.key(3, 1); this.e.key(3, 0); }
      this.step();
    }
  }

  /** Count an input; `worn` says a fresh engine is due (made by `idle()`, outside the per-input timing). */
  tick(): void { ++this.age; }
  get worn(): boolean { return this.age >= this.life; }
  idle(): void { if (this.worn) this.fresh(); }

  /** One block with a tone in; a problem string when the output is not finite or out of bounds. */
  step(): string | null {
    for (let i = 0; i < BLOCK; i++) { this.phase += 220 / SR; const x = 0.3 * Math.sin(2 * Math.PI * this.phase); this.inL[i] = x; this.inR[i] = x; }
    const rc = this.proc(BLOCK);
    if (rc !== 0) return `process returned ${rc}`;
    for (let i = 0; i < BLOCK; i++) {
      const l = this.outL[i]!, r = this.outR[i]!;
      if (!(Math.abs(l) <= OUT_LIMIT) || !(Math.abs(r) <= OUT_LIMIT)) return `output sample ${i} is ${l}, ${r}`;
    }
    return null;
  }

  /** A problem string when any param is NaN or outside its range. */
  checkParams(): string | null {
    const get = this.e.ex.paramGet as (i: number) => number;
    for (const p of this.params) {
      const v = get(p.index);
      if (!(v >= p.min && v <= p.max)) return `param "${p.id}" = ${v} outside ${p.min}..${p.max}`;
    }
    return null;
  }
}
