// LocalFace: the EngineFace of an engine running in this computer's AudioWorklet (the page, or piwip play through
// node-web-audio-api). It only speaks the worklet protocol; audio routing (microphone, files, outputs) is the
// caller's business, through `node`.
import type { EngineFace, ParamValue, PsetReportLite, Telemetry } from '../face/face.ts';
import { WORKLET_NAME, type FromWorklet, type ToWorklet } from './protocol.ts';
import { MessageFace, type FaceControl } from '../face/message-face.ts';


export interface LocalFaceOptions { maxRecSeconds?: number; seed?: number }

export class LocalFace extends MessageFace implements EngineFace {
  readonly where = 'this computer';
  private pending = new Map<number, (m: Extract<FromWorklet, { t: 'reply' }>) => void>();
  private nextId = 1;
  private chunks: Float32Array[] | null = null;
  /** The last framebuffer and telemetry seen (for late subscribers and tests). */
  lastScreen: Uint8Array | null = null;
  lastTelemetry: Telemetry | null = null;

  private constructor(readonly node: AudioWorkletNode) { super(); }

  /**
   * Load the worklet module, start the engine from the wasm bytes and wait until it is up.
   * `AudioWorkletNodeCtor` lets node-web-audio-api pass its own class.
   */
  static async create(ctx: BaseAudioContext, wasm: ArrayBuffer, workletUrl: string, opts: LocalFaceOptions = {},
    AudioWorkletNodeCtor: typeof AudioWorkletNode = AudioWorkletNode): Promise<LocalFace> {
    await ctx.audioWorklet.addModule(workletUrl);
    const node = new AudioWorkletNodeCtor(ctx, WORKLET_NAME, {
      numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [2], channelCount: 2, channelCountMode: 'explicit',
      processorOptions: { wasm, maxRecSeconds: opts.maxRecSeconds ?? 300, seed: opts.seed ?? 1 },
    });
    const face = new LocalFace(node);
    await new Promise<void>((resolve, reject) => {
      node.port.onmessage = (e: MessageEvent<FromWorklet>) => {
        const m = e.data;
        if (m.t === 'ready') { face.table = m.params; node.port.onmessage = (ev: MessageEvent<FromWorklet>) => face.onMessage(ev.data); resolve(); }
        else if (m.t === 'error') reject(new Error(m.message));
      };
    });
    return face;
  }

  private send(m: ToWorklet, transfer: Transferable[] = []): void { this.node.port.postMessage(m, transfer); }

  private ask(m: ToWorklet & { id: number }): Promise<Extract<FromWorklet, { t: 'reply' }>> {
    return new Promise((resolve) => { this.pending.set(m.id, resolve); this.send(m); });
  }

  private onMessage(m: FromWorklet): void {
    switch (m.t) {
      case 'screen': this.lastScreen = m.fb; this.emit('screen', m.fb, m.frame); break;
      case 'params':
        for (const c of m.changed) { const p = this.table[c.index]; if (p) { p.value = c.value; p.formatted = c.formatted; } }
        this.emit('params', m.changed);
        break;
      case 'telemetry': this.lastTelemetry = { ...m.tel, where: this.where }; this.emit('telemetry', this.lastTelemetry); break;
      case 'psetRequest': this.emit('psetRequest', { op: m.op, slot: m.slot, text: m.text }); break;
      case 'reply': { const r = this.pending.get(m.id); this.pending.delete(m.id); r?.(m); break; }
      case 'chunk':
        if (this.chunks) this.chunks.push(m.buf.slice(0, m.n * 2));
        this.send({ t: 'chunkBack', buf: m.buf }, [m.buf.buffer]);
        break;
      case 'error': console.error(m.message); break;
      case 'ready': break;
    }
  }

  protected sendControl(m: FaceControl): void { this.send(m); }
  async psetGet(name = ''): Promise<string> { return (await this.ask({ t: 'psetGet', id: this.nextId++, name })).text ?? ''; }
  async psetPut(text: string, slot = 0): Promise<PsetReportLite> {
    const r = (await this.ask({ t: 'psetPut', id: this.nextId++, text, slot })).report!;
    if (r.applied < 0) throw new RangeError('PSET too large for the engine');
    return r;
  }
  psetSlot(slot: number, name: string | null, last = false): void { this.send({ t: 'psetSlot', slot, name, last }); }

  // ---- local-only extras (tests, the bench, recording) ---------------------------------------------------------
  async paramGet(index: number): Promise<ParamValue> {
    const r = await this.ask({ t: 'paramGet', id: this.nextId++, i: index });
    return { index, value: r.value!, formatted: r.formatted! };
  }
  async screenGet(): Promise<{ fb: Uint8Array; frame: number }> {
    const r = await this.ask({ t: 'screenGet', id: this.nextId++ });
    return { fb: r.fb!, frame: r.value! };
  }
  async bench(seconds: number): Promise<{ nsPerSample: number; blockMs: number; blockPct: number }> {
    const r = await this.ask({ t: 'bench', id: this.nextId++, seconds });
    if (!r.bench) throw new Error(r.text ?? 'bench failed');
    return r.bench;
  }
  startRecording(): void { this.chunks = []; this.send({ t: 'record', on: true }); }
  /** Stop and return the recorded output, interleaved stereo (waits for the last chunk). */
  async stopRecording(): Promise<Float32Array> {
    this.send({ t: 'record', on: false });
    await this.screenGet(); // a round trip: the final chunk was posted before this reply
    const parts = this.chunks ?? [];
    this.chunks = null;
    const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
    let o = 0;
    for (const p of parts) { out.set(p, o); o += p.length; }
    return out;
  }
}
