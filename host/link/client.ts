// The link client every host uses (piwip link / connect, the browser bridge, tests): typed methods and events over
// an injected transport, the module's params, screen and telemetry mirrored, reconnection after an unplug.
import { EventEmitter } from 'node:events';
import { createHash } from 'node:crypto';
import type { ParamInfo } from '../engine/engine.ts';
import { encodeFrame, FrameDecoder, MAX_PAYLOAD } from './frame.ts';
import {
  M, T, UPLOAD_STAGE, enc, crc32, decodeAck, decodeHello, decodeLog, decodeParamInfo, decodeParamValue,
  decodePsetResult, decodePsetSlots, decodeScreen, decodeTelemetry, decodeUploadStatus, DecodeError,
  type Ack, type Hello, type ParamValue, type PsetResult, type PsetSlots, type Telemetry, type UploadStatus,
} from './messages.ts';
import type { Transport, TransportFactory } from './transport.ts';

export interface ClientOptions {
  /** Mirror the screen at this rate (0 = off). */
  screenFps?: number;
  /** Telemetry rate in Hz (0 = off). */
  telemetryHz?: number;
  /** Reply timeout. */
  timeoutMs?: number;
  /** Try to reopen the transport after it closes. */
  reconnect?: boolean;
  hostName?: string;
}

export class LinkError extends Error {
  constructor(message: string) { super(message); this.name = 'LinkError'; }
}

interface Waiter { match: (type: number, p: Uint8Array) => boolean; resolve: (p: Uint8Array) => void; reject: (e: Error) => void; timer: NodeJS.Timeout; refType: number }

export class LinkClient extends EventEmitter {
  hello: Hello | null = null;
  params: ParamInfo[] = [];
  readonly screen = new Uint8Array(4096);
  screenFrame = -1;
  telemetry: Telemetry | null = null;
  connected = false;
  readonly decoder = new FrameDecoder();
  private t: Transport | null = null;
  private seq = 0;
  private waiters: Waiter[] = [];
  private pinger: NodeJS.Timeout | null = null;
  private closing = false;
  private lostSeen = 0;
  private uploading = false;
  private readonly o: Required<ClientOptions>;

  constructor(private readonly open: TransportFactory, opts: ClientOptions = {}) {
    super();
    this.o = { screenFps: 0, telemetryHz: 0, timeoutMs: 2000, reconnect: true, hostName: 'piwip-host', ...opts };
  }

  get transportName(): string { return this.t?.name ?? ''; }

  /** Open the transport, say HELLO, read every param, start the subscriptions. */
  async connect(): Promise<Hello> {
    this.closing = false;
    const t = await this.open();
    this.attach(t);
    return await this.handshake();
  }

  private attach(t: Transport): void {
    this.t = t;
    this.decoder.reset();
    t.onData = (b) => this.data(b);
    t.onClose = (why) => this.lost(why);
  }

  private async handshake(): Promise<Hello> {
    // HELLO every 250 ms until the module answers: right after a replug its end may not be open yet, and a HELLO
    // sent into the void must not cost a whole reply timeout
    let hello: Hello | null = null;
    const attempts = Math.max(3, Math.ceil(this.o.timeoutMs / 250));
    for (let attempt = 0; attempt < attempts && !hello; attempt++) {
      try { hello = decodeHello(await this.request(T.HELLO, enc.hello(this.o.hostName), (ty) => ty === M.HELLO, 250)); } catch (e) {
        if (attempt === attempts - 1 || !this.t) throw e;
      }
    }
    this.hello = hello!;
    this.connected = true;
    if (this.hello.engineOk) await this.readParams();
    await this.subscribe();
    if (!this.pinger) this.pinger = setInterval(() => { void this.ping().catch(() => {}); }, 1000);
    this.emit('hello', this.hello);
    return this.hello;
  }

  private async subscribe(): Promise<void> {
    if (!this.hello?.engineOk) return;
    if (this.o.screenFps > 0) this.send(T.SCREEN, enc.screen(this.o.screenFps, true));
    if (this.o.telemetryHz > 0) this.send(T.TELEMETRY, enc.telemetry(this.o.telemetryHz));
  }

  async readParams(): Promise<ParamInfo[]> {
    const got: ParamInfo[] = [];
    let count = -1;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { this.off('paramInfo', on); reject(new LinkError(`param list incomplete (${got.length} of ${count})`)); }, this.o.timeoutMs * 3);
      const on = (i: ParamInfo, n: number) => {
        got[i.index] = i; count = n;
        if (got.filter(Boolean).length === n) { clearTimeout(timer); this.off('paramInfo', on); resolve(); }
      };
      this.on('paramInfo', on);
      this.send(T.PARAM_LIST);
    });
    this.params = got;
    return got;
  }

  private resyncTimer: NodeJS.Timeout | null = null;
  /** Re-read every param 100 ms after the last sign of a lost frame. */
  private scheduleResync(): void {
    if (this.resyncTimer) clearTimeout(this.resyncTimer);
    this.resyncTimer = setTimeout(() => {
      this.resyncTimer = null;
      if (!this.connected || !this.hello?.engineOk) return;
      this.readParams().then(() => this.emit('resync'), () => this.scheduleResync());
    }, 100);
  }

  close(): void {
    this.closing = true;
    if (this.resyncTimer) clearTimeout(this.resyncTimer);
    this.resyncTimer = null;
    if (this.pinger) clearInterval(this.pinger);
    this.pinger = null;
    this.t?.close();
    this.t = null;
    this.connected = false;
    for (const w of this.waiters.splice(0)) { clearTimeout(w.timer); w.reject(new LinkError('link closed')); }
  }

  // ---- receive ----------------------------------------------------------------------------------------------
  /** Bytes received (for link statistics). */
  rxBytes = 0;

  private data(bytes: Uint8Array): void {
    this.rxBytes += bytes.length;
    const corruptBefore = this.decoder.counters.corrupt;
    for (const f of this.decoder.push(bytes)) this.frame(f.type, f.payload);
    const lost = this.decoder.counters.lost;
    // a frame went missing or arrived broken: it may have been a screen row or a param push, so ask again for the
    // whole screen and (once things are quiet for a moment) every param: the mirror never stays silently wrong
    if ((this.decoder.counters.corrupt > corruptBefore || lost > this.lostSeen) && this.connected) {
      if (this.o.screenFps > 0) this.send(T.SCREEN, enc.screen(this.o.screenFps, true));
      this.scheduleResync();
    }
    this.lostSeen = lost;
  }

  private frame(type: number, p: Uint8Array): void {
    try {
      const ack = type === M.ACK ? decodeAck(p) : null;
      for (let i = 0; i < this.waiters.length; i++) {
        const w = this.waiters[i]!;
        if (ack && ack.type === w.refType && ack.code < 0 && w.refType !== T.PSET_OP) { this.waiters.splice(i, 1); clearTimeout(w.timer); w.reject(new LinkError(ack.text)); return; }
        if (w.match(type, p)) { this.waiters.splice(i, 1); clearTimeout(w.timer); w.resolve(p); break; }
      }
      switch (type) {
        case M.PARAM_INFO: {
          const { index, count, json } = decodeParamInfo(p);
          const info = JSON.parse(json) as ParamInfo;
          this.params[index] = info;
          this.emit('paramInfo', info, count);
          break;
        }
        case M.PARAM_VALUE: {
          const v = decodeParamValue(p);
          const info = this.params[v.index];
          if (info) { info.value = v.value; info.formatted = v.formatted; }
          this.emit('param', v, info);
          break;
        }
        case M.SCREEN: {
          const s = decodeScreen(p);
          for (const r of s.rows) this.screen.set(r.data, r.y * 64);
          this.screenFrame = s.frame;
          this.emit('screen', this.screen, s);
          break;
        }
        case M.TELEMETRY: this.telemetry = decodeTelemetry(p); this.emit('telemetry', this.telemetry); break;
        case M.LOG: this.emit('log', decodeLog(p)); break;
        case M.ACK: this.emit('ack', ack); break;
        case M.PSET_SLOTS: this.emit('slots', decodePsetSlots(p)); break;
        case M.UPLOAD_STATUS: {
          const s = decodeUploadStatus(p);
          this.emit('upload', s);
          // a new engine starts a new session on the module: subscribe again and re-read its params
          if (s.stage === UPLOAD_STAGE.SWAPPED && !this.uploading && !this.closing) {
            void this.handshake().catch((e) => this.emit('warning', `after the engine swap: ${e instanceof Error ? e.message : e}`));
          }
          break;
        }
        case M.HELLO: this.hello = decodeHello(p); break;
        default: break;
      }
    } catch (e) {
      // a frame with a good CRC but a payload we cannot read: say so, keep going
      this.emit('warning', `frame 0x${type.toString(16)}: ${e instanceof DecodeError || e instanceof Error ? e.message : e}`);
    }
  }

  private lost(why: string): void {
    this.connected = false;
    this.t = null;
    for (const w of this.waiters.splice(0)) { clearTimeout(w.timer); w.reject(new LinkError(`link lost: ${why}`)); }
    this.emit('disconnect', why);
    if (this.closing || !this.o.reconnect) return;
    const retry = async (): Promise<void> => {
      while (!this.closing) {
        try {
          const t = await this.open();
          if (this.closing) { t.close(); return; }
          this.attach(t);
          await this.handshake();
          this.emit('reconnect', this.hello);
          return;
        } catch { await new Promise((r) => setTimeout(r, 100)); }
      }
    };
    void retry();
  }

  // ---- send -------------------------------------------------------------------------------------------------
  send(type: number, payload: Uint8Array = new Uint8Array(0)): void {
    if (!this.t) throw new LinkError('not connected');
    this.t.write(encodeFrame(type, this.seq++ & 255, payload));
  }

  private request(type: number, payload: Uint8Array, match: (type: number, p: Uint8Array) => boolean, timeoutMs = this.o.timeoutMs): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.timer !== timer);
        reject(new LinkError(`no answer to message 0x${type.toString(16)} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push({ match, resolve, reject, timer, refType: type });
      try { this.send(type, payload); } catch (e) { clearTimeout(timer); this.waiters.pop(); reject(e as Error); }
    });
  }

  key(n: number, z: number): void { this.send(T.KEY, enc.key(n, z)); }
  enc(n: number, d: number): void { this.send(T.ENC, enc.enc(n, d)); }
  midi(bytes: ArrayLike<number>): void {
    for (let i = 0; i < bytes.length; i += 256) this.send(T.MIDI, enc.midi(Array.from(bytes as ArrayLike<number>).slice(i, i + 256)));
  }
  mode(m: number): void { this.send(T.MODE, enc.mode(m)); }
  mirror(fps: number, full = true): void { this.o.screenFps = fps; this.send(T.SCREEN, enc.screen(fps, full)); }
  requestFullScreen(): void { this.send(T.SCREEN, enc.screen(this.o.screenFps, true)); }
  setTelemetry(hz: number): void { this.o.telemetryHz = hz; this.send(T.TELEMETRY, enc.telemetry(hz)); }

  paramIndex(id: string | number): number {
    if (typeof id === 'number') return id;
    const i = this.params.findIndex((p) => p?.id === id);
    if (i < 0) throw new LinkError(`unknown param "${id}"`);
    return i;
  }
  /** Set a param (numbers raw, options 1-based; a string picks an option by name); resolves with the module's value. */
  async setParam(id: string | number, value: number | string): Promise<ParamValue> {
    const i = this.paramIndex(id);
    let v: number;
    if (typeof value === 'string') {
      const k = this.params[i]?.options.indexOf(value) ?? -1;
      if (k >= 0) v = k + 1;
      else if (value.trim() !== '' && Number.isFinite(Number(value))) v = Number(value);
      else throw new LinkError(`bad value "${value}" for param "${this.params[i]?.id ?? i}"`);
    } else v = value;
    return decodeParamValue(await this.request(T.PARAM_SET, enc.paramSet(i, v), (ty, p) => ty === M.PARAM_VALUE && p[0]! + (p[1]! << 8) === i));
  }
  async getParam(id: string | number): Promise<ParamValue> {
    const i = this.paramIndex(id);
    return decodeParamValue(await this.request(T.PARAM_GET, enc.paramGet(i), (ty, p) => ty === M.PARAM_VALUE && p[0]! + (p[1]! << 8) === i));
  }
  async deltaParam(id: string | number, d: number, fine = false): Promise<ParamValue> {
    const i = this.paramIndex(id);
    return decodeParamValue(await this.request(T.PARAM_DELTA, enc.paramDelta(i, d, fine), (ty, p) => ty === M.PARAM_VALUE && p[0]! + (p[1]! << 8) === i));
  }
  async psetGet(name = ''): Promise<string> {
    return Buffer.from(await this.request(T.PSET_GET, enc.psetGet(name), (ty) => ty === M.PSET_TEXT)).toString('utf8');
  }
  async psetPut(text: string): Promise<PsetResult> {
    const b = enc.psetPut(text);
    if (b.length > MAX_PAYLOAD) throw new LinkError(`PSET too large for the link (${b.length} bytes; at most ${MAX_PAYLOAD})`);
    return decodePsetResult(await this.request(T.PSET_PUT, b, (ty) => ty === M.PSET_RESULT));
  }
  async psetList(): Promise<PsetSlots> { return decodePsetSlots(await this.request(T.PSET_LIST, new Uint8Array(0), (ty) => ty === M.PSET_SLOTS)); }
  /** Save / load / delete one of the module's own slots; resolves when the module has done it. */
  async psetOp(op: 'save' | 'load' | 'delete', slot: number): Promise<Ack> {
    const a = decodeAck(await this.request(T.PSET_OP, enc.psetOp(op, slot), (ty, p) => ty === M.ACK && p[0] === T.PSET_OP, this.o.timeoutMs * 2));
    if (a.code < 0) throw new LinkError(`PSET ${op} ${slot}: ${a.text}`);
    return a;
  }
  /** Round trip in ms. */
  async ping(): Promise<number> {
    const t0 = performance.now();
    const ms = Math.floor(t0) >>> 0;
    await this.request(T.PING, enc.ping(ms), (ty, p) => ty === M.PONG && (p[0]! | (p[1]! << 8) | (p[2]! << 16) | (p[3]! << 24)) >>> 0 === ms);
    return performance.now() - t0;
  }

  /**
   * Upload a new engine: chunks with CRC-32, whole-image SHA-256, each chunk answered before the next (a cut-off
   * transfer is noticed at once). Resolves with the final status (swapped, or failed with the module's reason).
   */
  async upload(wasm: Uint8Array, onProgress?: (sent: number, total: number, s?: UploadStatus) => void): Promise<UploadStatus> {
    this.uploading = true;
    try {
      const s = await this.uploadSteps(wasm, onProgress);
      if (s.stage === UPLOAD_STAGE.SWAPPED) await this.handshake();
      return s;
    } finally { this.uploading = false; }
  }

  private async uploadSteps(wasm: Uint8Array, onProgress?: (sent: number, total: number, s?: UploadStatus) => void): Promise<UploadStatus> {
    // every status from the start, in order: several can arrive in one read, before an awaiting loop listens
    const queue: UploadStatus[] = [];
    let wake: (() => void) | null = null;
    const on = (x: UploadStatus) => { queue.push(x); wake?.(); };
    this.on('upload', on);
    const next = (ms: number) => new Promise<UploadStatus>((resolve, reject) => {
      const take = () => { const x = queue.shift(); if (x) { clearTimeout(timer); wake = null; resolve(x); return true; } return false; };
      const timer = setTimeout(() => { wake = null; reject(new LinkError(`no upload status within ${ms / 1000} s`)); }, ms);
      if (!take()) wake = () => { take(); };
    });
    try {
      const sha = createHash('sha256').update(wasm).digest();
      this.send(T.UPLOAD_BEGIN, enc.uploadBegin(wasm.length, sha));
      let s = await next(this.o.timeoutMs);
      if (s.stage === UPLOAD_STAGE.FAILED) return s;
      const CHUNK = 1024;
      for (let off = 0; off < wasm.length; off += CHUNK) {
        const data = wasm.subarray(off, off + CHUNK);
        this.send(T.UPLOAD_CHUNK, enc.uploadChunk(off, crc32(data), data));
        s = await next(this.o.timeoutMs);
        if (s.stage === UPLOAD_STAGE.FAILED) return s;
        onProgress?.(off + data.length, wasm.length, s);
      }
      this.send(T.UPLOAD_END);
      // verified → self-test → swapped (or failed at any step)
      do {
        s = await next(15_000);
        onProgress?.(wasm.length, wasm.length, s);
      } while (s.stage !== UPLOAD_STAGE.FAILED && s.stage !== UPLOAD_STAGE.SWAPPED);
      return s;
    } finally { this.off('upload', on); }
  }
}
