// The virtual module: the engine wasm run the way a module shell runs it (block by block, link bytes in and out,
// PSET slots on disk, engine upload with self-test, swap and rollback), so hosts and tests have a real peer without
// hardware. The protocol is the engine's (assembly/link); this file only moves bytes, stores files and swaps engines.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { PiwipEngine, DEFAULT_WASM } from '../engine/engine.ts';
import { PsetDir } from '../io/pset.ts';
import { encodeFrame, FrameDecoder } from '../link/frame.ts';
import {
  M, T, CAP_PSETS, CAP_SCREEN, CAP_UPLOAD, PROTOCOL, UPLOAD_STAGE, Reader, crc32, encodeAck, encodeHello, encodeLog,
  encodePong, encodeUploadStatus,
} from '../link/messages.ts';
import { checkEngineImage, selfTestBlock, SELF_TEST_SECONDS } from './upload.ts';

/** What carries the link bytes (a pty via serialport, a TCP socket, a test pipe). */
export interface ByteSink { write(bytes: Uint8Array): void }

export interface ModuleOptions {
  sampleRate?: number; blockSize?: number; maxRecSeconds?: number; seed?: number;
  /** Mono input, looped; silence when absent. */
  input?: Float32Array;
  psetDir?: string;
  /** Engine wasm at start (default build/piwip.wasm). */
  wasm?: Uint8Array;
  /** Where a committed upload is written (the next start's engine); none = keep in memory only. */
  bootEngine?: string;
  /** Seconds an uploaded engine must run cleanly before it is committed. */
  confirmSeconds?: number;
  firmware?: string; version?: string; board?: string;
}

export const RX_QUEUE_CAP = 256 * 1024;
export const RX_PER_BLOCK = 4096;

interface Upload { size: number; sha: Uint8Array; data: Uint8Array; received: number }
interface Staged { engine: PiwipEngine; wasm: Uint8Array; hash: string; block: number; blocks: number; noise: number }

export class VirtualModule {
  engine: PiwipEngine;
  engineHash: string;
  alive = true;
  deadReason = '';
  readonly o: Required<Omit<ModuleOptions, 'input' | 'psetDir' | 'bootEngine' | 'wasm'>> & ModuleOptions;
  private sink: ByteSink | null = null;
  private rx: Uint8Array[] = [];
  private rxBytes = 0;
  private inPos = 0;
  private inL: Float32Array; private outL: Float32Array; private outR: Float32Array;
  private psets: PsetDir | null;
  private upload: Upload | null = null;
  private staged: Staged | null = null;
  /** The engine before a swap, kept until the new one is committed (rollback). */
  private previous: { engine: PiwipEngine; hash: string; wasm: Uint8Array } | null = null;
  private wasm: Uint8Array;
  private sinceSwap = -1;
  private fallback = new FrameDecoder();
  private fallbackSeq = 0;
  private cpu = { sum: 0, worst: 0, n: 0 };
  xruns = 0;
  blocks = 0;
  /** Called after every block with the output (tests and live audio). */
  onBlock: ((outL: Float32Array, outR: Float32Array) => void) | null = null;
  onLog: ((line: string) => void) | null = null;

  constructor(opts: ModuleOptions = {}) {
    this.o = {
      sampleRate: 48000, blockSize: 128, maxRecSeconds: 60, seed: 1, confirmSeconds: 10,
      firmware: 'piwip-virtual', version: '0.1.0', board: 'node', ...opts,
    };
    this.wasm = opts.wasm ?? new Uint8Array(readFileSync(DEFAULT_WASM));
    this.engine = this.boot(this.wasm);
    this.engineHash = sha256hex(this.wasm);
    this.identify(this.engine, this.engineHash);
    this.psets = opts.psetDir ? new PsetDir(opts.psetDir) : null;
    this.psets?.scan(this.engine);
    this.psets?.loadLast(this.engine); // the last slot (and the MIDI map in it) comes back, as on the hardware
    const n = this.o.blockSize;
    this.inL = new Float32Array(n); this.outL = new Float32Array(n); this.outR = new Float32Array(n);
  }

  private boot(wasm: Uint8Array): PiwipEngine {
    const o = this.o;
    return PiwipEngine.create({ sampleRate: o.sampleRate, blockSize: o.blockSize, maxRecSeconds: o.maxRecSeconds, seed: o.seed }, wasm);
  }

  private identify(e: PiwipEngine, hash: string): void {
    e.linkIdentity(this.o.firmware, this.o.version, this.o.board, hash, CAP_UPLOAD | CAP_SCREEN | (this.psets || this.o.psetDir ? CAP_PSETS : 0));
  }

  attach(sink: ByteSink | null): void {
    this.sink = sink;
    this.rx = []; this.rxBytes = 0;
    if (this.alive) this.engine.linkReset();
    this.fallback.reset();
  }

  /** Bytes from the transport; beyond the queue's capacity they are dropped and counted (a flood never stalls audio). */
  receive(bytes: Uint8Array): void {
    if (this.rxBytes + bytes.length > RX_QUEUE_CAP) {
      const keep = Math.max(0, RX_QUEUE_CAP - this.rxBytes);
      if (this.alive) this.engine.linkDropped(bytes.length - keep);
      bytes = bytes.subarray(0, keep);
      if (!bytes.length) return;
    }
    this.rx.push(bytes.slice());
    this.rxBytes += bytes.length;
  }

  private takeRx(max: number): Uint8Array {
    if (!this.rxBytes) return new Uint8Array(0);
    const out = new Uint8Array(Math.min(max, this.rxBytes));
    let o = 0;
    while (o < out.length) {
      const head = this.rx[0]!;
      const k = Math.min(head.length, out.length - o);
      out.set(head.subarray(0, k), o);
      o += k;
      if (k === head.length) this.rx.shift(); else this.rx[0] = head.subarray(k);
    }
    this.rxBytes -= out.length;
    return out;
  }

  /** Run n blocks now (the pacer calls this as the clock demands; tests call it directly). */
  step(n = 1): void { for (let i = 0; i < n; i++) this.block(); }

  private block(): void {
    const bytes = this.takeRx(RX_PER_BLOCK);
    if (this.alive) {
      if (bytes.length) this.guard(() => this.engine.linkIn(bytes));
      for (let f = this.alive ? this.engine.linkShellTake() : null; f; f = this.alive ? this.engine.linkShellTake() : null) this.shell(f.type, f.seq, f.payload);
    } else if (bytes.length) {
      for (const f of this.fallback.push(bytes)) this.fallbackFrame(f.type, f.seq, f.payload);
    }
    this.fillInput();
    const n = this.o.blockSize;
    if (this.alive) {
      const t0 = performance.now();
      const ok = this.guard(() => this.engine.process(this.inL, this.inL, this.outL, this.outR));
      const ms = performance.now() - t0;
      const pct = (100 * ms) / (1000 * n / this.o.sampleRate);
      this.cpu.sum += pct; this.cpu.n++; if (pct > this.cpu.worst) this.cpu.worst = pct;
      if (!ok) { this.outL.set(this.inL); this.outR.set(this.inL); }
    } else { this.outL.set(this.inL); this.outR.set(this.inL); }
    if (this.alive) {
      this.guard(() => {
        if (this.cpu.n >= 32) { this.engine.linkSetLoad(this.cpu.sum / this.cpu.n, this.cpu.worst, this.xruns); this.cpu.sum = 0; this.cpu.n = 0; }
        this.engine.linkService();
        if (this.psets) for (const r of this.psets.service(this.engine)) {
          this.engine.linkPsetDone({ save: 1, load: 2, delete: 3 }[r.op], r.slot, r.ok ? 0 : -1);
          if (!r.ok) this.log(2, `PSET ${r.op} ${r.slot}: ${r.error}`);
        }
      });
    }
    this.stagedStep();
    this.blocks++;
    if (this.sinceSwap >= 0 && this.alive) this.confirm();
    this.flush();
    this.onBlock?.(this.outL, this.outR);
  }

  private fillInput(): void {
    const src = this.o.input;
    if (!src || !src.length) { this.inL.fill(0); return; }
    for (let i = 0; i < this.inL.length; i++) { this.inL[i] = src[this.inPos]!; this.inPos = (this.inPos + 1) % src.length; }
  }

  /** Run an engine call; a trap kills the engine (the shell answers from then on), or rolls back a fresh upload. */
  private guard(fn: () => void): boolean {
    try { fn(); return true; } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      if (this.previous) {
        const bad = this.engineHash;
        this.engine = this.previous.engine; this.engineHash = this.previous.hash; this.wasm = this.previous.wasm;
        this.previous = null; this.sinceSwap = -1;
        this.status(UPLOAD_STAGE.FAILED, 0, -7, `uploaded engine ${bad.slice(0, 12)} trapped after the swap (${why}): rolled back`);
        return false;
      }
      this.alive = false;
      this.deadReason = `trap: ${why}`;
      this.log(2, `engine stopped: ${this.deadReason} (passing audio dry; upload a new engine)`);
      return false;
    }
  }

  private flush(): void {
    if (!this.alive) return;
    const out = this.engine.linkOut();
    if (out.length && this.sink) this.sink.write(out);
  }

  // ---- shell frames: engine upload ------------------------------------------------------------------------------
  private shell(type: number, seq: number, p: Uint8Array): void {
    try {
      if (type === T.UPLOAD_BEGIN) {
        const r = new Reader(p);
        const size = r.u32(), sha = r.bytes(32).slice();
        if (size < 8 || size > 4 * 1024 * 1024) return this.status(UPLOAD_STAGE.FAILED, 0, -1, `image size ${size} out of range (8 B .. 4 MiB)`);
        if (this.staged) return this.status(UPLOAD_STAGE.FAILED, 0, -2, 'an engine is being tested: wait for it');
        this.upload = { size, sha, data: new Uint8Array(size), received: 0 };
        return this.status(UPLOAD_STAGE.BEGUN, 0, 0, `ready for ${size} bytes`);
      }
      if (type === T.UPLOAD_ABORT) { this.upload = null; return this.status(UPLOAD_STAGE.FAILED, 0, -9, 'aborted by the host; the running engine stays'); }
      const u = this.upload;
      if (!u) return this.status(UPLOAD_STAGE.FAILED, 0, -3, 'no upload in progress (UPLOAD_BEGIN first)');
      if (type === T.UPLOAD_CHUNK) {
        const r = new Reader(p);
        const off = r.u32(), crc = r.u32(), data = r.rest();
        if (crc32(data) !== crc) return this.status(UPLOAD_STAGE.FAILED, u.received, -4, `chunk at ${off}: CRC-32 mismatch (resend it)`);
        if (off !== u.received || off + data.length > u.size) return this.status(UPLOAD_STAGE.FAILED, u.received, -5, `chunk at ${off}: expected offset ${u.received} of ${u.size}`);
        u.data.set(data, off);
        u.received += data.length;
        return this.status(UPLOAD_STAGE.CHUNK, u.received, 0, '');
      }
      if (type === T.UPLOAD_END) {
        this.upload = null;
        if (u.received !== u.size) return this.status(UPLOAD_STAGE.FAILED, u.received, -6, `cut off: ${u.received} of ${u.size} bytes; the running engine stays`);
        const digest = createHash('sha256').update(u.data).digest();
        if (!digest.equals(Buffer.from(u.sha))) return this.status(UPLOAD_STAGE.FAILED, u.received, -6, 'SHA-256 mismatch: image corrupt; the running engine stays');
        const checked = checkEngineImage(u.data);
        if (typeof checked === 'string') return this.status(UPLOAD_STAGE.FAILED, u.received, -8, `${checked}; the running engine stays`);
        let fresh: PiwipEngine;
        try { fresh = this.boot(u.data); } catch (e) {
          return this.status(UPLOAD_STAGE.FAILED, u.received, -8, `new engine failed to start (${e instanceof Error ? e.message : e}); the running engine stays`);
        }
        this.staged = { engine: fresh, wasm: u.data, hash: digest.toString('hex'), block: 0, blocks: Math.ceil(SELF_TEST_SECONDS * this.o.sampleRate / this.o.blockSize), noise: 1 };
        return this.status(UPLOAD_STAGE.VERIFIED, u.received, 0, `verified ${digest.toString('hex').slice(0, 12)}; self-test running`);
      }
      this.ack(type, seq, -2, 'unknown shell message');
    } catch (e) {
      this.status(UPLOAD_STAGE.FAILED, this.upload?.received ?? 0, -1, `bad upload message: ${e instanceof Error ? e.message : e}`);
    }
  }

  /** The self-test runs a few test blocks per audio block beside the running engine, then swaps at a block boundary. */
  private stagedStep(): void {
    const st = this.staged;
    if (!st) return;
    const r = selfTestBlock(st, 8);
    if (typeof r === 'string') {
      this.staged = null;
      this.status(UPLOAD_STAGE.FAILED, st.wasm.length, -7, `self-test failed: ${r}; the running engine stays`);
      return;
    }
    if (!r) return;
    this.staged = null;
    this.status(UPLOAD_STAGE.TESTED, st.wasm.length, 0, `self-test passed (${SELF_TEST_SECONDS} s of silence and noise, finite output)`);
    // carry the params (and the PSET menu's slots) over, then swap between two blocks
    const fresh = st.engine;
    try {
      fresh.psetRead(this.engine.psetWrite());
      if (this.psets) this.psets.scan(fresh);
      this.identify(fresh, st.hash);
    } catch (e) {
      this.status(UPLOAD_STAGE.FAILED, st.wasm.length, -7, `cannot carry the params over: ${e instanceof Error ? e.message : e}`);
      return;
    }
    const pending = this.engine.linkOut();
    if (pending.length && this.sink) this.sink.write(pending);
    this.previous = { engine: this.engine, hash: this.engineHash, wasm: this.wasm };
    this.engine = fresh; this.engineHash = st.hash; this.wasm = st.wasm;
    this.engine.linkIn(encodeFrame(T.HELLO, 0, new Uint8Array([PROTOCOL, 0, 0]))); // the host's session carries over
    this.engine.linkOut(); // (that HELLO's answer: the host gets the status below and re-reads itself)
    this.sinceSwap = 0;
    this.status(UPLOAD_STAGE.SWAPPED, st.wasm.length, 0, `engine ${st.hash.slice(0, 12)} playing; committed after ${this.o.confirmSeconds} s without a trap`);
  }

  private confirm(): void {
    this.sinceSwap++;
    if (this.sinceSwap * this.o.blockSize < this.o.confirmSeconds * this.o.sampleRate) return;
    this.sinceSwap = -1;
    this.previous = null;
    if (this.o.bootEngine) {
      const tmp = `${this.o.bootEngine}.tmp`;
      try { writeFileSync(tmp, this.wasm); renameSync(tmp, this.o.bootEngine); } catch (e) {
        this.status(UPLOAD_STAGE.FAILED, this.wasm.length, -10, `cannot store the boot engine: ${e instanceof Error ? e.message : e}`);
        return;
      }
    }
    this.status(UPLOAD_STAGE.COMMITTED, this.wasm.length, 0, `engine ${this.engineHash.slice(0, 12)} committed${this.o.bootEngine ? ` to ${this.o.bootEngine}` : ''}`);
  }

  // ---- frames the shell sends itself -----------------------------------------------------------------------------
  private status(stage: number, received: number, code: number, text: string): void {
    if (code < 0) this.onLog?.(`upload: ${text}`);
    this.send(M.UPLOAD_STATUS, encodeUploadStatus({ stage, received, code, text }));
  }
  private log(level: number, text: string): void {
    this.onLog?.(text);
    this.send(M.LOG, encodeLog({ level, text }));
  }
  private ack(type: number, seq: number, code: number, text: string): void { this.send(M.ACK, encodeAck({ type, seq, code, text })); }

  private send(type: number, payload: Uint8Array): void {
    if (this.alive) {
      if (!this.engine.linkSend(type, payload.subarray(0, 1024))) return;
      this.flush();
    } else this.sink?.write(encodeFrame(type, this.fallbackSeq++ & 255, payload));
  }

  /** With the engine dead, the shell answers what it can: who it is, pings, uploads. */
  private fallbackFrame(type: number, seq: number, p: Uint8Array): void {
    if (type === T.HELLO) {
      const o = this.o;
      this.send(M.HELLO, encodeHello({ protocol: PROTOCOL, abi: 0, sampleRate: o.sampleRate, blockSize: o.blockSize,
        recSeconds: o.maxRecSeconds, caps: CAP_UPLOAD, engineOk: false, firmware: o.firmware, version: o.version,
        board: o.board, engineHash: this.engineHash }));
      this.log(2, `engine stopped: ${this.deadReason}`);
    } else if (type === T.PING && p.length >= 4) {
      this.send(M.PONG, encodePong(new Reader(p).u32(), Math.floor(this.blocks * this.o.blockSize * 1000 / this.o.sampleRate)));
    } else if (type >= 0x20 && type <= 0x2f) {
      this.shellDead(type, seq, p);
    } else this.ack(type, seq, -3, `engine stopped (${this.deadReason}): only HELLO, PING and upload are answered`);
  }

  private shellDead(type: number, seq: number, p: Uint8Array): void {
    this.shell(type, seq, p);
    // with no engine running, a verified image is tested and started at once (nothing to roll back to)
    if (this.staged) {
      for (let guard = 0; this.staged && guard < 100000; guard++) {
        const st = this.staged;
        const r = selfTestBlock(st, 64);
        if (typeof r === 'string') { this.staged = null; this.status(UPLOAD_STAGE.FAILED, st.wasm.length, -7, `self-test failed: ${r}`); return; }
        if (!r) continue;
        this.staged = null;
        this.identify(st.engine, st.hash);
        this.psets?.scan(st.engine);
        this.engine = st.engine; this.engineHash = st.hash; this.wasm = st.wasm; this.alive = true; this.deadReason = '';
        this.fallbackSeq = 0;
        this.status(UPLOAD_STAGE.TESTED, st.wasm.length, 0, 'self-test passed');
        this.status(UPLOAD_STAGE.SWAPPED, st.wasm.length, 0, `engine ${st.hash.slice(0, 12)} playing (the old one had stopped)`);
        this.sinceSwap = 0;
      }
    }
  }
}

export function sha256hex(b: Uint8Array): string { return createHash('sha256').update(b).digest('hex'); }
