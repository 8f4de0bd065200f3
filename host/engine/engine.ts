// Typed wrapper around the engine wasm: the one way every JS host and test talks to the engine.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DEFAULT_WASM = fileURLToPath(new URL('../../build/piwip.wasm', import.meta.url));

export interface EngineOptions {
  sampleRate?: number;
  blockSize?: number;
  maxRecSeconds?: number;
  seed?: number;
}

type Exports = Record<string, any> & { memory: WebAssembly.Memory };

export class EngineError extends Error {
  constructor(message: string, readonly code: number) {
    super(message);
    this.name = 'EngineError';
  }
}

const INIT_ERRORS: Record<number, string> = {
  [-1]: 'engine already initialised',
  [-2]: 'sample rate out of range (8000..192000 Hz)',
  [-3]: 'block size out of range (1..256)',
  [-4]: 'max recording length out of range (1..600 s)',
};

export class PiwipEngine {
  readonly ex: Exports;
  readonly sampleRate: number;
  readonly blockSize: number;

  private constructor(ex: Exports, opts: Required<EngineOptions>) {
    this.ex = ex;
    this.sampleRate = opts.sampleRate;
    this.blockSize = opts.blockSize;
  }

  /** Instantiate the wasm (synchronously) and initialise it. */
  static create(opts: EngineOptions = {}, wasm: Uint8Array | WebAssembly.Module = readFileSync(DEFAULT_WASM)): PiwipEngine {
    const mod = wasm instanceof WebAssembly.Module ? wasm : new WebAssembly.Module(wasm);
    const inst = new WebAssembly.Instance(mod, {});
    const ex = inst.exports as unknown as Exports;
    const o: Required<EngineOptions> = {
      sampleRate: opts.sampleRate ?? 48000,
      blockSize: opts.blockSize ?? 128,
      maxRecSeconds: opts.maxRecSeconds ?? 300,
      seed: opts.seed ?? 1,
    };
    ex._start();
    const rc = ex.init(o.sampleRate, o.blockSize, o.maxRecSeconds, o.seed >>> 0);
    if (rc !== 0) throw new EngineError(`engine init failed: ${INIT_ERRORS[rc] ?? rc}`, rc);
    return new PiwipEngine(ex, o);
  }

  get memoryBytes(): number { return this.ex.memory.buffer.byteLength; }

  /** Views are re-made on every call because memory may have grown (only ever at init). */
  input(ch: 0 | 1): Float32Array { return new Float32Array(this.ex.memory.buffer, this.ex.inputPtr(ch), this.blockSize); }
  output(ch: 0 | 1): Float32Array { return new Float32Array(this.ex.memory.buffer, this.ex.outputPtr(ch), this.blockSize); }

  /** Process one block (frames <= blockSize) from inL/inR into outL/outR (copies). */
  process(inL: Float32Array, inR: Float32Array, outL: Float32Array, outR: Float32Array): void {
    const n = inL.length;
    this.input(0).set(inL);
    this.input(1).set(inR);
    const rc = this.ex.process(n);
    if (rc !== 0) throw new EngineError(`process(${n}) failed: ${rc}`, rc);
    outL.set(this.output(0).subarray(0, n));
    outR.set(this.output(1).subarray(0, n));
  }
}
