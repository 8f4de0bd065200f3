// Message payloads of the piwip link (docs/link.md): typed values <-> bytes. Pure; no I/O.
import { unpackBits } from './frame.ts';

export const T = {
  HELLO: 0x01, PING: 0x02, KEY: 0x03, ENC: 0x04, MIDI: 0x05, MODE: 0x06, PARAM_LIST: 0x07, PARAM_GET: 0x08,
  PARAM_SET: 0x09, PARAM_DELTA: 0x0a, PSET_GET: 0x0b, PSET_PUT: 0x0c, PSET_LIST: 0x0d, PSET_OP: 0x0e, SCREEN: 0x0f,
  TELEMETRY: 0x10, UPLOAD_BEGIN: 0x20, UPLOAD_CHUNK: 0x21, UPLOAD_END: 0x22, UPLOAD_ABORT: 0x23,
} as const;
export const M = {
  HELLO: 0x41, PONG: 0x42, PARAM_INFO: 0x43, PARAM_VALUE: 0x44, PSET_TEXT: 0x45, PSET_RESULT: 0x46, PSET_SLOTS: 0x47,
  SCREEN: 0x48, TELEMETRY: 0x49, LOG: 0x4a, ACK: 0x4b, UPLOAD_STATUS: 0x60,
} as const;
export const PROTOCOL = 1;
export const CAP_UPLOAD = 1, CAP_SCREEN = 2, CAP_PSETS = 4;
export const UPLOAD_STAGE = { BEGUN: 1, CHUNK: 2, VERIFIED: 3, TESTED: 4, SWAPPED: 5, COMMITTED: 6, FAILED: 255 } as const;
export const SCREEN_BYTES = 4096;

export class DecodeError extends Error {
  constructor(message: string) { super(message); this.name = 'DecodeError'; }
}

/** Little-endian writer that grows as needed. */
export class Writer {
  private b = new Uint8Array(64);
  private v = new DataView(this.b.buffer);
  n = 0;
  private need(k: number): void {
    if (this.n + k <= this.b.length) return;
    const nb = new Uint8Array(Math.max(this.b.length * 2, this.n + k));
    nb.set(this.b.subarray(0, this.n));
    this.b = nb; this.v = new DataView(nb.buffer);
  }
  u8(x: number): this { this.need(1); this.v.setUint8(this.n, x & 0xff); this.n += 1; return this; }
  i8(x: number): this { this.need(1); this.v.setInt8(this.n, x); this.n += 1; return this; }
  u16(x: number): this { this.need(2); this.v.setUint16(this.n, x & 0xffff, true); this.n += 2; return this; }
  i16(x: number): this { this.need(2); this.v.setInt16(this.n, x, true); this.n += 2; return this; }
  u32(x: number): this { this.need(4); this.v.setUint32(this.n, x >>> 0, true); this.n += 4; return this; }
  f32(x: number): this { this.need(4); this.v.setFloat32(this.n, x, true); this.n += 4; return this; }
  f64(x: number): this { this.need(8); this.v.setFloat64(this.n, x, true); this.n += 8; return this; }
  bytes(x: Uint8Array): this { this.need(x.length); this.b.set(x, this.n); this.n += x.length; return this; }
  str(s: string | Uint8Array): this {
    const x = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
    const k = Math.min(255, x.length);
    return this.u8(k).bytes(x.subarray(0, k));
  }
  done(): Uint8Array { return this.b.slice(0, this.n); }
}

/** Little-endian reader that throws DecodeError past the end. */
export class Reader {
  private v: DataView;
  n = 0;
  constructor(readonly b: Uint8Array) { this.v = new DataView(b.buffer, b.byteOffset, b.byteLength); }
  private need(k: number): void { if (this.n + k > this.b.length) throw new DecodeError(`payload too short (${this.b.length} bytes)`); }
  u8(): number { this.need(1); return this.v.getUint8(this.n++); }
  i8(): number { this.need(1); return this.v.getInt8(this.n++); }
  u16(): number { this.need(2); const x = this.v.getUint16(this.n, true); this.n += 2; return x; }
  i16(): number { this.need(2); const x = this.v.getInt16(this.n, true); this.n += 2; return x; }
  u32(): number { this.need(4); const x = this.v.getUint32(this.n, true); this.n += 4; return x; }
  f32(): number { this.need(4); const x = this.v.getFloat32(this.n, true); this.n += 4; return x; }
  f64(): number { this.need(8); const x = this.v.getFloat64(this.n, true); this.n += 8; return x; }
  bytes(k: number): Uint8Array { this.need(k); const x = this.b.subarray(this.n, this.n + k); this.n += k; return x; }
  str(): string { return Buffer.from(this.bytes(this.u8())).toString('utf8'); }
  rest(): Uint8Array { const x = this.b.subarray(this.n); this.n = this.b.length; return x; }
  left(): number { return this.b.length - this.n; }
}

export interface Hello {
  protocol: number; abi: number; sampleRate: number; blockSize: number; recSeconds: number; caps: number;
  engineOk: boolean; firmware: string; version: string; board: string; engineHash: string;
}
export interface ParamValue { index: number; value: number; formatted: string }
export interface PsetResult {
  applied: number; clamped: number; unknown: number; corrupt: number; duplicate: number; firstCorruptLine: number; name: string;
}
export interface PsetSlots { last: number; slots: { slot: number; name: string }[] }
export interface ScreenUpdate { frame: number; full: boolean; more: boolean; rows: { y: number; data: Uint8Array }[] }
export interface VoiceTelemetry { note: number; started: boolean; pos: number }
export interface Telemetry {
  time: number; recording: boolean; armed: boolean; forced: boolean; monitor: boolean; menu: boolean; mode: number;
  takes: number; level: number; pitchHz: number; medianHz: number; loopEnd: number; beats: number;
  voices: VoiceTelemetry[]; cpuMean: number; cpuWorst: number; xruns: number; rxFrames: number; rxCorrupt: number;
  rxDropped: number; rxLost: number; txDropped: number; blocks: number;
}
export interface Ack { type: number; seq: number; code: number; text: string }
export interface UploadStatus { stage: number; received: number; code: number; text: string }
export interface Log { level: number; text: string }

// ---- module -> host -------------------------------------------------------------------------------------------
export function decodeHello(p: Uint8Array): Hello {
  const r = new Reader(p);
  return {
    protocol: r.u16(), abi: r.u16(), sampleRate: r.u32(), blockSize: r.u16(), recSeconds: r.f32(), caps: r.u8(),
    engineOk: r.u8() === 1, firmware: r.str(), version: r.str(), board: r.str(), engineHash: r.str(),
  };
}
export function encodeHello(h: Hello): Uint8Array {
  return new Writer().u16(h.protocol).u16(h.abi).u32(h.sampleRate).u16(h.blockSize).f32(h.recSeconds).u8(h.caps)
    .u8(h.engineOk ? 1 : 0).str(h.firmware).str(h.version).str(h.board).str(h.engineHash).done();
}
export function decodeParamInfo(p: Uint8Array): { index: number; count: number; json: string } {
  const r = new Reader(p);
  return { index: r.u16(), count: r.u16(), json: Buffer.from(r.rest()).toString('latin1') };
}
export function decodeParamValue(p: Uint8Array): ParamValue {
  const r = new Reader(p);
  return { index: r.u16(), value: r.f64(), formatted: r.str() };
}
export function decodePsetResult(p: Uint8Array): PsetResult {
  const r = new Reader(p);
  return { applied: r.i16(), clamped: r.i16(), unknown: r.i16(), corrupt: r.i16(), duplicate: r.i16(), firstCorruptLine: r.i16(), name: r.str() };
}
export function decodePsetSlots(p: Uint8Array): PsetSlots {
  const r = new Reader(p);
  const last = r.u8();
  const slots: { slot: number; name: string }[] = [];
  while (r.left() > 0) slots.push({ slot: r.u8(), name: r.str() });
  return { last, slots };
}
export function decodeScreen(p: Uint8Array): ScreenUpdate {
  const r = new Reader(p);
  const frame = r.u32(), flags = r.u8(), full = (flags & 1) === 1, more = (flags & 2) === 2, count = r.u8();
  const rows: { y: number; data: Uint8Array }[] = [];
  for (let k = 0; k < count; k++) {
    const y = r.u8();
    if (y >= 64) throw new DecodeError(`screen row ${y} out of range`);
    const data = new Uint8Array(64);
    const at = unpackRow(p, r.n, data);
    if (at < 0) throw new DecodeError(`screen row ${y}: bad PackBits data`);
    r.n = at;
    rows.push({ y, data });
  }
  return { frame, full, more, rows };
}
function unpackRow(p: Uint8Array, at: number, dst: Uint8Array): number { return unpackBits(p, at, dst, 0, 64); }

export function decodeTelemetry(p: Uint8Array): Telemetry {
  const r = new Reader(p);
  const time = r.f64(), flags = r.u8(), mode = r.u8(), takes = r.u16();
  const level = r.f32(), pitchHz = r.f32(), medianHz = r.f32(), loopEnd = r.f32(), beats = r.f32();
  const voices: VoiceTelemetry[] = [];
  for (let v = 0; v < 5; v++) voices.push({ note: r.u8(), started: r.u8() === 1, pos: r.f32() });
  return {
    time, recording: !!(flags & 1), armed: !!(flags & 2), forced: !!(flags & 4), monitor: !!(flags & 8), menu: !!(flags & 16),
    mode, takes, level, pitchHz, medianHz, loopEnd, beats, voices, cpuMean: r.f32(), cpuWorst: r.f32(), xruns: r.u32(),
    rxFrames: r.u32(), rxCorrupt: r.u32(), rxDropped: r.u32(), rxLost: r.u32(), txDropped: r.u32(), blocks: r.u32(),
  };
}
export function decodeAck(p: Uint8Array): Ack {
  const r = new Reader(p);
  return { type: r.u8(), seq: r.u8(), code: r.i16(), text: r.str() };
}
export function decodeLog(p: Uint8Array): Log {
  const r = new Reader(p);
  return { level: r.u8(), text: Buffer.from(r.rest()).toString('utf8') };
}
export function decodeUploadStatus(p: Uint8Array): UploadStatus {
  const r = new Reader(p);
  return { stage: r.u8(), received: r.u32(), code: r.i16(), text: r.str() };
}
export function encodeUploadStatus(s: UploadStatus): Uint8Array {
  return new Writer().u8(s.stage).u32(s.received).i16(s.code).str(s.text).done();
}
export function encodeLog(l: Log): Uint8Array { return new Writer().u8(l.level).bytes(Buffer.from(l.text, 'utf8')).done(); }
export function encodePong(hostMs: number, moduleMs: number): Uint8Array { return new Writer().u32(hostMs).u32(moduleMs).done(); }
export function encodeAck(a: Ack): Uint8Array { return new Writer().u8(a.type).u8(a.seq).i16(a.code).str(a.text).done(); }

// ---- host -> module -------------------------------------------------------------------------------------------
export const enc = {
  hello: (host: string) => new Writer().u16(PROTOCOL).str(host).done(),
  ping: (ms: number) => new Writer().u32(ms).done(),
  key: (n: number, z: number) => new Writer().u8(n).u8(z).done(),
  enc: (n: number, d: number) => new Writer().u8(n).i8(Math.max(-128, Math.min(127, d | 0))).done(),
  midi: (bytes: ArrayLike<number>) => Uint8Array.from(bytes as ArrayLike<number>, (x) => x & 0xff),
  mode: (m: number) => new Writer().u8(m).done(),
  paramGet: (i: number) => new Writer().u16(i).done(),
  paramSet: (i: number, v: number) => new Writer().u16(i).f64(v).done(),
  paramDelta: (i: number, d: number, fine: boolean) => new Writer().u16(i).i8(d).u8(fine ? 1 : 0).done(),
  psetGet: (name: string) => new Writer().str(name).done(),
  psetPut: (text: string) => new Uint8Array(Buffer.from(text, 'utf8')),
  psetOp: (op: 'save' | 'load' | 'delete', slot: number) => new Writer().u8({ save: 1, load: 2, delete: 3 }[op]).u8(slot).done(),
  screen: (fps: number, full: boolean) => new Writer().u8(fps).u8(full ? 1 : 0).done(),
  telemetry: (hz: number) => new Writer().u8(hz).done(),
  uploadBegin: (size: number, sha256: Uint8Array) => new Writer().u32(size).bytes(sha256).done(),
  uploadChunk: (offset: number, crc: number, data: Uint8Array) => new Writer().u32(offset).u32(crc).bytes(data).done(),
};

/** CRC-32 (IEEE 802.3, as zlib) of upload chunks. */
const CRC32 = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) { let c = i; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; t[i] = c >>> 0; }
  return t;
})();
export function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = CRC32[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
