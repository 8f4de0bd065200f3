// The engine in an AudioWorklet: the same zero-import build/piwip.wasm, instantiated from bytes the host posts in
// processorOptions. Runs in Chromium's AudioWorkletGlobalScope and in node-web-audio-api's (piwip play).
// Per 128-frame block: input → engine → output, plus cheap bookkeeping (levels, param changes, screen frames).
// Messages only leave at report rates (≤ 60 screens/s, 10 telemetry/s, 20 param polls/s); recording chunks come
// from a pool the host hands back, so the audio thread allocates no sample buffers after start-up.
import { benchScenario, BENCH_N, BENCH_SR } from './bench-scenario.ts';
import { CHUNK_FRAMES, WORKLET_NAME, type FromWorklet, type ToWorklet } from './protocol.ts';
import { instantiate, paramFormat, paramInfo, readText, setOption, utf8Encode, writeText, type RawExports } from './raw.ts';

declare const sampleRate: number;
declare class AudioWorkletProcessor { readonly port: MessagePort; constructor(options?: unknown); }
declare function registerProcessor(name: string, ctor: unknown): void;

const PSET_OPS = ['', 'save', 'load', 'delete'] as const;
// Node's worklet scope has performance.now(); Chromium's has only Date.now(), too coarse to time one 128-frame
// block, so there the engine's cost is measured once at start on 2 s of the bench scenario (see telemetry()).
const HAS_PERF = typeof performance !== 'undefined';
const clock = (): number => (HAS_PERF ? performance.now() : Date.now());

interface Options { wasm: ArrayBuffer; maxRecSeconds?: number; seed?: number }

class PiwipProcessor extends AudioWorkletProcessor {
  private ex: RawExports | null = null;
  private wasm: ArrayBuffer;
  private opts: Options;
  private inL!: Float32Array; private inR!: Float32Array; private outL!: Float32Array; private outR!: Float32Array;
  private values = new Float64Array(0);
  private lastFrame = -1;
  private frames = 0;
  private nextTel = 0; private nextPoll = 0;
  private inSq = 0; private outSq = 0; private inPk = 0; private nSq = 0;
  private busyMs = 0; private calls = 0; private blockEma = -1; private startupBlockMs = 0;
  private recOn = false;
  private pool: Float32Array[] = [];
  private chunk: Float32Array | null = null; private chunkN = 0;

  constructor(options: { processorOptions: Options }) {
    super(options);
    this.opts = options.processorOptions;
    this.wasm = this.opts.wasm;
    this.port.onmessage = (e: MessageEvent<ToWorklet>) => this.onMessage(e.data);
    try { this.start(); } catch (err) { this.post({ t: 'error', message: `engine failed to start: ${(err as Error).message}` }); }
  }

  private post(m: FromWorklet, transfer: Transferable[] = []): void { this.port.postMessage(m, transfer); }

  private fresh(maxRecSeconds = this.opts.maxRecSeconds ?? 300): RawExports {
    const ex = instantiate(this.wasm);
    ex._start();
    const rc = ex.init(sampleRate, 128, maxRecSeconds, (this.opts.seed ?? 1) >>> 0);
    if (rc !== 0) throw new Error(`init returned ${rc}`);
    return ex;
  }

  private start(): void {
    const ex = this.ex = this.fresh();
    const buf = ex.memory.buffer;
    this.inL = new Float32Array(buf, ex.inputPtr(0), 128); this.inR = new Float32Array(buf, ex.inputPtr(1), 128);
    this.outL = new Float32Array(buf, ex.outputPtr(0), 128); this.outR = new Float32Array(buf, ex.outputPtr(1), 128);
    const params = [];
    const n = ex.paramCount() as number;
    this.values = new Float64Array(n);
    for (let i = 0; i < n; i++) { const p = paramInfo(ex, i); params.push(p); this.values[i] = ex.paramGet(i); }
    for (let k = 0; k < 4; k++) this.pool.push(new Float32Array(CHUNK_FRAMES * 2));
    if (!HAS_PERF) { this.benchOnce(1); this.startupBlockMs = this.benchOnce(2) * 128 / 1e6; } // first run warms the JIT
    this.post({ t: 'ready', params, sampleRate, abi: ex.abiVersion() });
  }

  private onMessage(m: ToWorklet): void {
    const ex = this.ex;
    if (!ex) return;
    switch (m.t) {
      case 'key': ex.key(m.n, m.z); break;
      case 'enc': ex.enc(m.n, m.d); break;
      case 'midi': for (const b of m.bytes) ex.midiIn(b & 255); break;
      case 'paramSet': ex.paramSet(m.i, m.v); break;
      case 'paramDelta': ex.paramDelta(m.i, m.d, m.fine ? 1 : 0); break;
      case 'paramGet': this.post({ t: 'reply', id: m.id, value: ex.paramGet(m.i), formatted: paramFormat(ex, m.i) }); break;
      case 'screenGet': this.post({ t: 'reply', id: m.id, fb: this.screen(), value: ex.screenFrame() }); break;
      case 'psetGet': {
        const n = writeText(ex, utf8Encode(m.name).subarray(0, 48));
        this.post({ t: 'reply', id: m.id, text: readText(ex, ex.psetWrite(n)) });
        break;
      }
      case 'psetPut': {
        const bytes = utf8Encode(m.text);
        if (bytes.length > (ex.textCap() as number)) {
          this.post({ t: 'reply', id: m.id, report: { name: '', applied: -1, clamped: 0, unknown: 0, corrupt: 0 } });
          break;
        }
        const applied = ex.psetRead(writeText(ex, bytes)) as number;
        const report = { name: readText(ex, ex.psetName()), applied, clamped: ex.psetClamped(), unknown: ex.psetUnknown(), corrupt: ex.psetCorrupt() };
        if (m.slot > 0) ex.psetSetLast(m.slot);
        this.post({ t: 'reply', id: m.id, report });
        break;
      }
      case 'psetSlot': {
        const n = m.name === null ? -1 : writeText(ex, utf8Encode(m.name).subarray(0, 48));
        ex.psetSlotSet(m.slot, n);
        if (m.last) ex.psetSetLast(m.slot);
        break;
      }
      case 'record':
        this.recOn = m.on;
        if (!m.on) this.flushChunk();
        break;
      case 'chunkBack': if (m.buf.length === CHUNK_FRAMES * 2) this.pool.push(m.buf); break;
      case 'bench': {
        // A fresh engine (so the live one keeps its state) running the shared scenario flat out on this thread.
        try {
          if (sampleRate !== BENCH_SR) throw new Error(`bench needs a ${BENCH_SR} Hz context`);
          const ns = this.benchOnce(m.seconds);
          const blockMs = ns * BENCH_N / 1e6;
          this.post({ t: 'reply', id: m.id, bench: { nsPerSample: ns, blockMs, blockPct: 100 * blockMs / (1000 * BENCH_N / BENCH_SR) } });
        } catch (err) { this.post({ t: 'reply', id: m.id, text: `bench failed: ${(err as Error).message}` }); }
        break;
      }
    }
  }

  /** ns per sample of the shared bench scenario on a fresh engine (the live one keeps its state). */
  private benchOnce(seconds: number): number {
    const bx = this.fresh(60);
    setOption(bx, 'midi during rec', 'enabled');
    setOption(bx, 'detector', 'follower');
    return benchScenario(bx, seconds, clock);
  }

  private screen(): Uint8Array { return new Uint8Array(this.ex!.memory.buffer, this.ex!.screenPtr(), 4096).slice(); }

  private flushChunk(): void {
    if (this.chunk && this.chunkN > 0) { this.post({ t: 'chunk', buf: this.chunk, n: this.chunkN }, [this.chunk.buffer]); this.chunk = null; this.chunkN = 0; }
  }

  process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const ex = this.ex;
    const out = outputs[0]!;
    if (!ex) { for (const ch of out) ch.fill(0); return true; }
    const inp = inputs[0] ?? [];
    const a = inp[0], b = inp[1] ?? inp[0];
    const n = out[0]?.length ?? 128;
    // A mono source feeds both inputs (the engine records the mid, A19); no input connected = silence.
    if (a) { this.inL.set(a); this.inR.set(b!); } else { this.inL.fill(0); this.inR.fill(0); }
    const t0 = clock();
    ex.process(n);
    this.busyMs += clock() - t0; this.calls++;
    out[0]!.set(this.outL.subarray(0, n));
    if (out[1]) out[1].set(this.outR.subarray(0, n));
    for (let i = 0; i < n; i++) {
      const x = 0.5 * (this.inL[i]! + this.inR[i]!), y = 0.5 * (this.outL[i]! + this.outR[i]!);
      this.inSq += x * x; this.outSq += y * y;
      const ax = x < 0 ? -x : x;
      if (ax > this.inPk) this.inPk = ax;
    }
    this.nSq += n;
    if (this.recOn) this.recordBlock(n);
    this.frames += n;
    const frame = ex.screenFrame() as number;
    if (frame !== this.lastFrame) { this.lastFrame = frame; this.post({ t: 'screen', fb: this.screen(), frame }); }
    if (this.frames >= this.nextPoll) { this.nextPoll = this.frames + sampleRate / 20; this.pollParams(); }
    if (this.frames >= this.nextTel) { this.nextTel = this.frames + sampleRate / 10; this.telemetry(); }
    return true;
  }

  private recordBlock(n: number): void {
    for (let i = 0; i < n; i++) {
      if (!this.chunk) { this.chunk = this.pool.pop() ?? null; this.chunkN = 0; if (!this.chunk) return; } // pool dry: host is behind
      this.chunk[2 * this.chunkN] = this.outL[i]!; this.chunk[2 * this.chunkN + 1] = this.outR[i]!;
      if (++this.chunkN === CHUNK_FRAMES) this.flushChunk();
    }
  }

  private pollParams(): void {
    const ex = this.ex!;
    let changed: { index: number; value: number; formatted: string }[] | null = null;
    for (let i = 0; i < this.values.length; i++) {
      const v = ex.paramGet(i) as number;
      if (v !== this.values[i]) { this.values[i] = v; (changed ??= []).push({ index: i, value: v, formatted: paramFormat(ex, i) }); }
    }
    if (changed) this.post({ t: 'params', changed });
    for (let op = ex.psetRequestOp() as number; op > 0; op = ex.psetRequestOp() as number) {
      const slot = ex.psetRequestSlot() as number;
      ex.psetRequestPop();
      const kind = PSET_OPS[op]!;
      if (kind === '') continue;
      let text: string | undefined;
      if (kind === 'save') {
        const name = `piwip-${String(slot).padStart(2, '0')}`;
        text = readText(ex, ex.psetWrite(writeText(ex, utf8Encode(name))));
      }
      this.post({ t: 'psetRequest', op: kind, slot, text });
    }
  }

  private telemetry(): void {
    const ex = this.ex!;
    const n = Math.max(1, this.nSq);
    const mean = this.calls ? this.busyMs / this.calls : 0;
    this.blockEma = this.blockEma < 0 ? mean : 0.9 * this.blockEma + 0.1 * mean;
    const blockMs = HAS_PERF ? this.blockEma : this.startupBlockMs;
    this.post({ t: 'telemetry', tel: {
      inRms: Math.sqrt(this.inSq / n), outRms: Math.sqrt(this.outSq / n), inPeak: this.inPk, pitchHz: ex.pitchHz(), bpm: ex.clockBpm(),
      recording: ex.recording() === 1, armed: ex.armed() === 1, menuOpen: ex.menuOpen() === 1,
      modeName: readText(ex, ex.modeName()), time: ex.time(), blockMs, cpu: blockMs / (1000 * 128 / sampleRate), cpuLive: HAS_PERF,
    } });
    this.inSq = this.outSq = this.inPk = 0; this.nSq = 0; this.busyMs = 0; this.calls = 0;
  }
}

registerProcessor(WORKLET_NAME, PiwipProcessor);
