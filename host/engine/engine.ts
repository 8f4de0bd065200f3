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

export interface ParamInfo {
  index: number; id: string; group: string; type: 'control' | 'taper' | 'number' | 'option';
  min: number; max: number; step: number; default: number; value: number; k: number; units: string;
  note: boolean; options: string[]; formatted: string;
}

/** What reading a PSET did: params applied, and the lines skipped (and why) or clamped. */
export interface PsetReport {
  name: string; applied: number; clamped: number; unknown: number; corrupt: number; duplicate: number;
  /** 1-based line number of the first corrupt line, 0 = none. */
  firstCorruptLine: number;
}

/** A request the menu's PSET page queued for the host (which owns the files). */
export interface PsetRequest { op: 'save' | 'load' | 'delete'; slot: number }
const PSET_OPS = ['', 'save', 'load', 'delete'] as const;
/** The engine keeps this many bytes of a PSET or slot name (PSET_NAME_CAP in assembly/piwip/pset.ts). */
const PSET_NAME_BYTES = 48;

/** One MIDI map binding (norns PMAP fields; assembly/piwip/pmap.ts). */
export interface PmapEntry {
  /** A param id, or K1..K3, E1..E3, preset, pset. */
  target: string; cc: number; ch: number; inLo: number; inHi: number;
  /** Raw 0..1 for control/taper params, values for number/option params, detents per sweep for E1-E3, the mode for
   *  preset, the slot for pset. */
  outLo: number; outHi: number; accum: boolean;
}

export interface VoiceState { note: number; started: boolean; pos: number; rate: number; level: number; ref: number }

export interface EngineState {
  time: number; recording: boolean; armed: boolean; forced: boolean; monitor: boolean; mode: number; modeName: string;
  takes: number; loopEnd: number; startTrim: number; endTrim: number; writePos: number; recLevel: number; amp: number;
  pitchHz: number; medianHz: number; pitchSlots: number; beats: number; harmonizerNotes: number; voices: VoiceState[];
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
  [-5]: 'not enough memory for that recording length (see bytesForSeconds)',
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
    const mod = wasm instanceof WebAssembly.Module ? wasm : new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>);
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

  // ---- text buffer -------------------------------------------------------------------------------------------
  /** Copy bytes into the engine's text buffer; returns their length. */
  private writeBytes(bytes: Uint8Array): number {
    const cap = this.ex.textCap() as number;
    if (bytes.length > cap) throw new RangeError(`text too long (${bytes.length} > ${cap} bytes)`);
    new Uint8Array(this.ex.memory.buffer, this.ex.textPtr(), bytes.length).set(bytes);
    return bytes.length;
  }
  /** A copy of the first len bytes of the text buffer (none for len <= 0). */
  private readBytes(len: number): Uint8Array {
    return len <= 0 ? new Uint8Array(0) : new Uint8Array(this.ex.memory.buffer, this.ex.textPtr(), len).slice();
  }
  private writeText(str: string): number { return this.writeBytes(Buffer.from(str, 'latin1')); }
  private readText(len: number): string { return Buffer.from(this.readBytes(len)).toString('latin1'); }
  /** A PSET / slot name as the engine keeps it: UTF-8, at most its name capacity. */
  private writeName(name: string): number { return this.writeBytes(Buffer.from(name, 'utf8').subarray(0, PSET_NAME_BYTES)); }

  // ---- events ------------------------------------------------------------------------------------------------
  /** Raw MIDI bytes, any stream (running status, realtime, SysEx); malformed bytes are ignored by the engine. */
  midi(bytes: ArrayLike<number>): void {
    for (let i = 0; i < bytes.length; i++) this.ex.midiIn((bytes[i] ?? 0) & 0xff);
  }
  noteOn(note: number, velocity = 100, channel = 1): void { this.midi([0x90 | ((channel - 1) & 15), note & 127, velocity & 127]); }
  noteOff(note: number, channel = 1): void { this.midi([0x80 | ((channel - 1) & 15), note & 127, 0]); }
  key(n: number, z: number): void { this.ex.key(n | 0, z | 0); }
  enc(n: number, d: number): void { this.ex.enc(n | 0, d | 0); }
  /** 0 user, 1 sampler, 2 follower, 3 ensemble. */
  setMode(m: number): void {
    if (this.ex.setMode(m | 0) !== 0) throw new RangeError(`mode ${m} out of range (0..4)`);
  }

  // ---- params ------------------------------------------------------------------------------------------------
  paramCount(): number { return this.ex.paramCount(); }
  paramIndex(id: string): number { return this.ex.paramIndex(this.writeText(id)); }
  paramInfo(id: string | number): ParamInfo {
    const i = typeof id === 'number' ? id : this.requireParam(id);
    const len = this.ex.paramInfo(i);
    if (len < 0) throw new RangeError(`no param #${i}`);
    return JSON.parse(this.readText(len)) as ParamInfo;
  }
  params(): ParamInfo[] {
    const out: ParamInfo[] = [];
    for (let i = 0; i < this.paramCount(); i++) out.push(this.paramInfo(i));
    return out;
  }
  private requireParam(id: string): number {
    const i = this.paramIndex(id);
    if (i < 0) throw new RangeError(`unknown param "${id}"`);
    return i;
  }
  /**
   * Set a param by id. Numbers are raw values (options are 1-based); a string picks an option by name.
   * Returns true when the engine had to clamp or snap the value.
   */
  setParam(id: string, value: number | string): boolean {
    const i = this.requireParam(id);
    let v: number;
    if (typeof value === 'string') {
      const info = this.paramInfo(i);
      const k = info.options.indexOf(value);
      if (k >= 0) v = k + 1;
      else if (value.trim() !== '' && Number.isFinite(Number(value))) v = Number(value);
      else throw new RangeError(`bad value "${value}" for param "${id}"${info.options.length ? ` (one of: ${info.options.join(', ')})` : ''}`);
    } else v = value;
    const rc = this.ex.paramSet(i, v);
    if (rc < 0) throw new RangeError(`cannot set "${id}" to ${value} (code ${rc})`);
    return rc === 1;
  }
  getParam(id: string): number { return this.ex.paramGet(this.requireParam(id)); }
  formatParam(id: string): string { return this.readText(this.ex.paramFormat(this.requireParam(id))); }

  // ---- PSETs (norns .pset text) -------------------------------------------------------------------------------
  /** The params as norns PSET text (UTF-8 bytes), with a `-- name` first line when a name is given. */
  psetWrite(name = ''): Buffer {
    const n = this.writeName(name);
    return Buffer.from(this.readBytes(this.ex.psetWrite(n)));
  }
  /** Apply PSET text (a norns file's bytes or a string); never throws on its content, reports what it skipped. */
  psetRead(text: string | Uint8Array): PsetReport {
    const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    const cap = this.ex.textCap() as number;
    if (bytes.length > cap) throw new RangeError(`PSET too large (${bytes.length} bytes; at most ${cap})`);
    const ex = this.ex;
    const applied = ex.psetRead(this.writeBytes(bytes));
    if (applied < 0) throw new EngineError('psetRead failed', applied);
    return {
      name: Buffer.from(this.readBytes(ex.psetName())).toString('utf8'), applied, clamped: ex.psetClamped(),
      unknown: ex.psetUnknown(), corrupt: ex.psetCorrupt(), duplicate: ex.psetDuplicate(),
      firstCorruptLine: ex.psetFirstCorruptLine(),
    };
  }
  get psetSlots(): number { return this.ex.psetSlots(); }
  /** Tell the engine (its PSET menu) slot n holds a PSET with this name, or is empty (null). */
  psetSlotSet(slot: number, name: string | null): void {
    const n = name === null ? -1 : this.writeName(name);
    if (this.ex.psetSlotSet(slot | 0, n) !== 0) throw new RangeError(`PSET slot ${slot} out of range (1..${this.psetSlots})`);
  }
  psetSlotUsed(slot: number): boolean { return this.ex.psetSlotUsed(slot | 0) === 1; }
  get psetLast(): number { return this.ex.psetLast(); }
  set psetLast(slot: number) {
    if (this.ex.psetSetLast(slot | 0) !== 0) throw new RangeError(`PSET slot ${slot} out of range (0..${this.psetSlots})`);
  }
  /** Queue a request as the menu's PSET page does. */
  psetRequest(op: PsetRequest['op'], slot: number): void {
    if (this.ex.psetRequest(PSET_OPS.indexOf(op), slot | 0) !== 0) throw new RangeError(`cannot queue PSET ${op} of slot ${slot}`);
  }
  /** Take the oldest queued request, if any. */
  takePsetRequest(): PsetRequest | null {
    const op = this.ex.psetRequestOp() as number;
    if (op <= 0) return null;
    const slot = this.ex.psetRequestSlot() as number;
    this.ex.psetRequestPop();
    return { op: PSET_OPS[op] as PsetRequest['op'], slot };
  }

  /** MIDI map lines the last psetRead applied. */
  psetMapped(): number { return this.ex.psetMapped(); }

  // ---- MIDI map (norns PMAP; saved in the PSET text) --------------------------------------------------------
  /** A CC message (channel 1..16). */
  cc(control: number, value: number, channel = 1): void { this.midi([0xb0 | ((channel - 1) & 15), control & 127, value & 127]); }
  pmapTargets(): string[] {
    const out: string[] = [];
    for (let t = 0; t < this.ex.pmapTargets(); t++) out.push(this.readText(this.ex.pmapTargetName(t)));
    return out;
  }
  pmapTarget(name: string): number {
    const t = this.ex.pmapTarget(this.writeText(name)) as number;
    if (t < 0) throw new RangeError(`unknown MIDI map target "${name}" (a param id, K1..K3, E1..E3, preset, pset)`);
    return t;
  }
  /** The next CC binds this target (null stops learning). */
  pmapLearn(name: string | null): void { this.ex.pmapLearn(name === null ? -1 : this.pmapTarget(name)); }
  pmapLearning(): string | null {
    const t = this.ex.pmapLearning() as number;
    return t < 0 ? null : this.readText(this.ex.pmapTargetName(t));
  }
  /** Unmap one target, or everything. */
  pmapClear(name?: string): void { this.ex.pmapClear(name === undefined ? -1 : this.pmapTarget(name)); }
  /** Map a target; omitted out ends keep the target's own range (the param's range, raw 0..1 …). */
  pmapSet(name: string, m: { cc: number; ch?: number; inLo?: number; inHi?: number; outLo?: number; outHi?: number; accum?: boolean }): void {
    const rc = this.ex.pmapSet(this.pmapTarget(name), m.cc | 0, (m.ch ?? 1) | 0, (m.inLo ?? 0) | 0, (m.inHi ?? 127) | 0,
      m.outLo ?? NaN, m.outHi ?? NaN, m.accum ? 1 : 0);
    if (rc !== 0) throw new RangeError(`cannot map "${name}" to CC ${m.cc} on channel ${m.ch ?? 1}`);
  }
  pmapGet(name: string | number): PmapEntry | null {
    const t = typeof name === 'number' ? name : this.pmapTarget(name);
    const ex = this.ex;
    if (ex.pmapCc(t) < 0) return null;
    return { target: this.readText(ex.pmapTargetName(t)), cc: ex.pmapCc(t), ch: ex.pmapCh(t), inLo: ex.pmapInLo(t),
      inHi: ex.pmapInHi(t), outLo: ex.pmapOutLo(t), outHi: ex.pmapOutHi(t), accum: ex.pmapAccum(t) === 1 };
  }
  /** Every binding, in target order. */
  pmapList(): PmapEntry[] {
    const out: PmapEntry[] = [];
    for (let t = 0; t < this.ex.pmapTargets(); t++) { const e = this.pmapGet(t); if (e) out.push(e); }
    return out;
  }
  /** Target's PSET line, as written into the PSET text (null = not mapped). */
  pmapLine(name: string): string | null {
    const n = this.ex.pmapGet(this.pmapTarget(name)) as number;
    return n < 0 ? null : this.readText(n);
  }

  // ---- clock -------------------------------------------------------------------------------------------------
  /** Tempo the harmonizer follows now (the tempo param, or the MIDI clock estimate; 0 = no ticks yet). */
  clockBpm(): number { return this.ex.clockBpm(); }
  clockRunning(): boolean { return this.ex.clockRunning() === 1; }

  // ---- state -------------------------------------------------------------------------------------------------
  get time(): number { return this.ex.time(); }
  state(): EngineState {
    const ex = this.ex;
    const voices: VoiceState[] = [];
    for (let v = 0; v < ex.voiceCount(); v++) {
      voices.push({ note: ex.voiceNote(v), started: ex.voiceStarted(v) === 1, pos: ex.voicePos(v), rate: ex.voiceRate(v),
        level: ex.voiceLevel(v), ref: ex.voiceRef(v) });
    }
    return {
      time: ex.time(), recording: ex.recording() === 1, armed: ex.armed() === 1, forced: ex.forced() === 1,
      monitor: ex.monitor() === 1, mode: ex.mode(), modeName: this.readText(ex.modeName()), takes: ex.takes(),
      loopEnd: ex.loopEnd(), startTrim: ex.startTrim(), endTrim: ex.endTrim(), writePos: ex.writePos(),
      recLevel: ex.recLevel(), amp: ex.ampLevel(), pitchHz: ex.pitchHz(), medianHz: ex.medianHz(),
      pitchSlots: ex.pitchSlots(), beats: ex.beats(), harmonizerNotes: ex.harmonizerNotes(), voices,
    };
  }

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

  // ---- screen (added by the screen work) ---------------------------------------------------------------------
  /** Counts published frames that changed: redraw when it differs from the value last shown. */
  screenFrame(): number { return this.ex.screenFrame(); }
  /** A copy of the published 128×64 framebuffer: 4096 bytes, 4 bits per pixel, even x in the high nibble. */
  screen(): Uint8Array { return new Uint8Array(this.ex.memory.buffer, this.ex.screenPtr(), 4096).slice(); }
  /** True while the params menu is shown (a short K1 press toggles it). */
  menuOpen(): boolean { return this.ex.menuOpen() === 1; }

  // ---- link (docs/link.md; the protocol runs inside the engine, the host only moves bytes) --------------------
  /** Feed received bytes (any length; passed on in 1024-byte windows). */
  linkIn(bytes: Uint8Array): void {
    for (let at = 0; at < bytes.length; at += 1024) {
      const part = bytes.subarray(at, at + 1024);
      new Uint8Array(this.ex.memory.buffer, this.ex.linkInPtr(), part.length).set(part);
      this.ex.linkIn(part.length);
    }
  }
  /** Everything the engine has to send (copies), or an empty array. */
  linkOut(): Uint8Array {
    const parts: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const n = this.ex.linkOut(1024) as number;
      if (n <= 0) break;
      parts.push(new Uint8Array(this.ex.memory.buffer, this.ex.linkOutPtr(), n).slice());
      total += n;
    }
    if (parts.length === 1) return parts[0]!;
    const out = new Uint8Array(total);
    let o = 0;
    for (const p of parts) { out.set(p, o); o += p.length; }
    return out;
  }
  linkService(): void { this.ex.linkService(); }
  /** Identity for HELLO and capabilities (bit 0 upload, 1 screen, 2 PSET slots). */
  linkIdentity(firmware: string, version: string, board: string, hash: string, caps: number): void {
    this.ex.linkIdentity(this.writeText([firmware, version, board, hash].join('\n')), caps);
  }
  linkSetLoad(meanPct: number, worstPct: number, xruns: number): void { this.ex.linkSetLoad(meanPct, worstPct, xruns | 0); }
  linkDropped(n: number): void { this.ex.linkDropped(n | 0); }
  linkPsetDone(op: number, slot: number, code: number): void { this.ex.linkPsetDone(op, slot, code); }
  linkReset(): void { this.ex.linkReset(); }
  /** The oldest shell-bound frame (engine upload), taken off the queue. */
  linkShellTake(): { type: number; seq: number; payload: Uint8Array } | null {
    const type = this.ex.linkShellType() as number;
    if (type === 0) return null;
    const len = this.ex.linkShellLen() as number;
    const payload = new Uint8Array(this.ex.memory.buffer, this.ex.linkShellPtr(), len).slice();
    const seq = this.ex.linkShellSeq() as number;
    this.ex.linkShellPop();
    return { type, seq, payload };
  }
  /** Send a shell frame (type 0x40..0x7f, payload <= 1024 bytes) through the engine's framing. */
  linkSend(type: number, payload: Uint8Array): boolean {
    if (payload.length > 1024) throw new RangeError('shell frame payload over 1024 bytes');
    new Uint8Array(this.ex.memory.buffer, this.ex.linkSendPtr(), payload.length).set(payload);
    return this.ex.linkSend(type, payload.length) === 0;
  }
  linkCounters(): { rxFrames: number; rxCorrupt: number; rxUnknown: number; rxDropped: number; rxLost: number; txFrames: number; txDropped: number } {
    const ex = this.ex;
    return { rxFrames: ex.linkRxFrames() >>> 0, rxCorrupt: ex.linkRxCorrupt() >>> 0, rxUnknown: ex.linkRxUnknown() >>> 0,
      rxDropped: ex.linkRxDropped() >>> 0, rxLost: ex.linkRxLost() >>> 0, txFrames: ex.linkTxFrames() >>> 0, txDropped: ex.linkTxDropped() >>> 0 };
  }
}
