// The module's end of the piwip link (docs/link.md): SLIP frames in, dispatch onto the engine, pushes out (param
// changes, screen rows, telemetry). One implementation for every module build; shells only move bytes.
// Bounded work per call, no allocation after start-up, output that does not fit is dropped and counted.
import { engine } from "../piwip/engine";
import { display } from "../ui/display";
import { PARAM_COUNT, P_MONITOR } from "../piwip/params";
import { TEXT_CAP } from "../piwip/text";
import { writePset, readPset, PSET_SLOTS, PSET_NAME_CAP } from "../piwip/pset";
import { VOICES } from "../piwip/state";
import { frontPtr, frameCount } from "../screen/framebuffer";
import { crc16 } from "./crc";
import { ByteRing } from "./ring";
import { packBits } from "./packbits";

export const PROTOCOL: i32 = 1;
/** Engine ABI version (abiVersion()): 2 = 1 + the link exports. */
export const ABI_VERSION: i32 = 2;
export const MAX_PAYLOAD: i32 = 8192;
const MAX_BODY: i32 = MAX_PAYLOAD + 6;
export const WINDOW: i32 = 1024;
const SHELL_QUEUE: i32 = 4;
const SHELL_MAX: i32 = 1100; // an UPLOAD_CHUNK (8 + 1024) fits
const LEASE_SECONDS: f64 = 5;
const ROW_BYTES: i32 = 64;
const ROWS: i32 = 64;
const ROWS_PER_FRAME: i32 = 16; // a full frame goes out over 4 blocks (the link's worst block stays small)

// message types (docs/link.md)
export const T_HELLO: i32 = 0x01, T_PING: i32 = 0x02, T_KEY: i32 = 0x03, T_ENC: i32 = 0x04, T_MIDI: i32 = 0x05,
  T_MODE: i32 = 0x06, T_PARAM_LIST: i32 = 0x07, T_PARAM_GET: i32 = 0x08, T_PARAM_SET: i32 = 0x09,
  T_PARAM_DELTA: i32 = 0x0a, T_PSET_GET: i32 = 0x0b, T_PSET_PUT: i32 = 0x0c, T_PSET_LIST: i32 = 0x0d,
  T_PSET_OP: i32 = 0x0e, T_SCREEN: i32 = 0x0f, T_TELEMETRY: i32 = 0x10;
export const M_HELLO: i32 = 0x41, M_PONG: i32 = 0x42, M_PARAM_INFO: i32 = 0x43, M_PARAM_VALUE: i32 = 0x44,
  M_PSET_TEXT: i32 = 0x45, M_PSET_RESULT: i32 = 0x46, M_PSET_SLOTS: i32 = 0x47, M_SCREEN: i32 = 0x48,
  M_TELEMETRY: i32 = 0x49, M_LOG: i32 = 0x4a, M_ACK: i32 = 0x4b;

const END: i32 = 0xc0, ESC: i32 = 0xdb, ESC_END: i32 = 0xdc, ESC_ESC: i32 = 0xdd;

/** 64-byte rows compared 8 bytes at a time (memory.compare goes byte by byte: 4096 steps per frame on the M7). */
@inline function rowDiffers(a: usize, b: usize): bool {
  let d: u64 = 0;
  for (let i = 0; i < ROW_BYTES; i += 8) d |= load<u64>(a + <usize>i) ^ load<u64>(b + <usize>i);
  return d != 0;
}

export class Link {
  // receive
  rx: StaticArray<u8> = new StaticArray<u8>(MAX_BODY);
  rxLen: i32 = 0;
  rxEsc: bool = false;
  rxBad: bool = false; // the frame in progress is already known corrupt: skip to the next END
  rxSeq: i32 = -1;
  window: StaticArray<u8> = new StaticArray<u8>(WINDOW);
  // transmit
  out: ByteRing = new ByteRing();
  outWin: StaticArray<u8> = new StaticArray<u8>(WINDOW);
  tx: StaticArray<u8> = new StaticArray<u8>(MAX_BODY); // body being built: 4 header bytes, payload, CRC
  txLen: i32 = 0;
  txSeq: i32 = 0;
  sendWin: StaticArray<u8> = new StaticArray<u8>(WINDOW);
  // shell queue
  shell: StaticArray<u8> = new StaticArray<u8>(SHELL_QUEUE * SHELL_MAX);
  shellType: StaticArray<i32> = new StaticArray<i32>(SHELL_QUEUE);
  shellLen: StaticArray<i32> = new StaticArray<i32>(SHELL_QUEUE);
  shellSeqs: StaticArray<i32> = new StaticArray<i32>(SHELL_QUEUE);
  shellHead: i32 = 0;
  shellCount: i32 = 0;
  // counters (telemetry)
  rxFrames: u32 = 0;
  rxCorrupt: u32 = 0;
  rxUnknown: u32 = 0;
  rxDropped: u32 = 0;
  rxLost: u32 = 0;
  txFrames: u32 = 0;
  txDropped: u32 = 0;
  // session
  open: bool = false;
  lastHeard: f64 = -1e9; // engine seconds of the last valid frame
  shadow: StaticArray<f64> = new StaticArray<f64>(PARAM_COUNT);
  listCursor: i32 = -1; // next PARAM_INFO to send, -1 = no list in progress
  screenFps: i32 = 0;
  screenFull: bool = true;
  screenSent: i32 = -1;
  screenNext: f64 = 0;
  screenShadow: StaticArray<u8> = new StaticArray<u8>(ROWS * ROW_BYTES);
  pendingRows: u64 = 0; // rows that differ from what the host has, still to send
  pendingFull: bool = false;
  teleHz: i32 = 0;
  teleNext: f64 = 0;
  // shell-provided
  identity: StaticArray<u8> = new StaticArray<u8>(256);
  identityLen: i32 = 0;
  caps: i32 = 2 | 4;
  cpuMean: f32 = 0;
  cpuWorst: f32 = 0;
  xruns: u32 = 0;
  blocks: u32 = 0;

  // ---- receive ------------------------------------------------------------------------------------------------
  /** n bytes from the window. */
  input(n: i32): void {
    if (n < 0) n = 0;
    if (n > WINDOW) n = WINDOW;
    const w = changetype<usize>(this.window);
    for (let i = 0; i < n; i++) this.byte(<i32>load<u8>(w + <usize>i));
  }

  private byte(b: i32): void {
    if (b == END) {
      if (this.rxLen > 0 || this.rxBad || this.rxEsc) {
        if (this.rxBad || this.rxEsc) this.rxCorrupt++;
        else this.frame();
      }
      this.rxLen = 0; this.rxEsc = false; this.rxBad = false;
      return;
    }
    if (this.rxBad) return;
    if (this.rxEsc) {
      this.rxEsc = false;
      if (b == ESC_END) b = END;
      else if (b == ESC_ESC) b = ESC;
      else { this.rxBad = true; return; }
    } else if (b == ESC) { this.rxEsc = true; return; }
    if (this.rxLen >= MAX_BODY) { this.rxBad = true; return; }
    unchecked(this.rx[this.rxLen] = <u8>b);
    this.rxLen++;
  }

  private frame(): void {
    const p = changetype<usize>(this.rx);
    const n = this.rxLen;
    if (n < 6) { this.rxCorrupt++; return; }
    const len = <i32>load<u16>(p + 2);
    if (len + 6 != n) { this.rxCorrupt++; return; }
    const crc = <i32>load<u16>(p + <usize>(4 + len));
    if (crc16(p, 4 + len) != crc) { this.rxCorrupt++; return; }
    const type = <i32>load<u8>(p), seq = <i32>load<u8>(p + 1);
    if (this.rxSeq >= 0 && seq != ((this.rxSeq + 1) & 255)) this.rxLost += <u32>((seq - this.rxSeq - 1) & 255);
    this.rxSeq = seq;
    this.rxFrames++;
    this.lastHeard = this.now();
    this.dispatch(type, seq, p + 4, len);
  }

  // ---- dispatch -----------------------------------------------------------------------------------------------
  private dispatch(type: i32, seq: i32, p: usize, len: i32): void {
    if (type >= 0x20 && type <= 0x2f) { this.toShell(type, seq, p, len); return; }
    if (!engine.ready) { this.ack(type, seq, -3, "engine not initialised"); return; }
    const s = engine.s;
    if (type == T_HELLO) {
      this.open = true;
      for (let i = 0; i < PARAM_COUNT; i++) unchecked(this.shadow[i] = s.params.get(i));
      this.hello();
    } else if (type == T_PING) {
      if (len < 4) { this.badLen(type, seq); return; }
      this.begin(M_PONG); this.u32(load<u32>(p)); this.u32(this.nowMs()); this.finish();
    } else if (type == T_KEY) {
      if (len < 2) { this.badLen(type, seq); return; }
      const k = <i32>load<u8>(p), z = <i32>load<u8>(p + 1);
      if (k >= 1 && k <= 3) { engine.controls.key(s, k, z != 0 ? 1 : 0); display.touch(); }
      else this.ack(type, seq, -1, "key must be 1..3");
    } else if (type == T_ENC) {
      if (len < 2) { this.badLen(type, seq); return; }
      const k = <i32>load<u8>(p), d = <i32>load<i8>(p + 1);
      if (k >= 1 && k <= 3) { engine.controls.enc(s, k, d < -64 ? -64 : d > 64 ? 64 : d); display.touch(); }
      else this.ack(type, seq, -1, "encoder must be 1..3");
    } else if (type == T_MIDI) {
      const n = len > 256 ? 256 : len;
      for (let i = 0; i < n; i++) engine.midiByte(<i32>load<u8>(p + <usize>i));
    } else if (type == T_MODE) {
      const m = len >= 1 ? <i32>load<u8>(p) : -1;
      if (m >= 0 && m <= 3) { engine.controls.setMode(s, m); display.touch(); }
      else this.ack(type, seq, -1, "mode must be 0..3");
    } else if (type == T_PARAM_LIST) {
      this.listCursor = 0;
    } else if (type == T_PARAM_GET) {
      const i = len >= 2 ? <i32>load<u16>(p) : -1;
      if (i < 0 || i >= PARAM_COUNT) { this.ack(type, seq, -1, "no such param"); return; }
      this.value(i);
    } else if (type == T_PARAM_SET) {
      if (len < 10) { this.badLen(type, seq); return; }
      const i = <i32>load<u16>(p), v = load<f64>(p + 2);
      if (i >= PARAM_COUNT) { this.ack(type, seq, -1, "no such param"); return; }
      if (v != v) { this.ack(type, seq, -2, "value is NaN"); return; }
      engine.setParam(i, v);
      display.touch();
      this.value(i);
    } else if (type == T_PARAM_DELTA) {
      if (len < 4) { this.badLen(type, seq); return; }
      const i = <i32>load<u16>(p), d = <i32>load<i8>(p + 2), fine = load<u8>(p + 3) != 0;
      if (i >= PARAM_COUNT) { this.ack(type, seq, -1, "no such param"); return; }
      engine.paramDelta(i, d, fine);
      display.touch();
      this.value(i);
    } else if (type == T_PSET_GET) {
      let nl = len >= 1 ? <i32>load<u8>(p) : 0;
      if (nl > len - 1) nl = len - 1 < 0 ? 0 : len - 1;
      if (nl > PSET_NAME_CAP) nl = PSET_NAME_CAP;
      for (let i = 0; i < nl; i++) unchecked(s.psetName[i] = load<u8>(p + 1 + <usize>i));
      writePset(s.params, s.text, s.psetName, nl);
      this.begin(M_PSET_TEXT); this.bytes(changetype<usize>(s.text.data), s.text.len); this.finish();
    } else if (type == T_PSET_PUT) {
      const n = len > TEXT_CAP ? TEXT_CAP : len;
      const d = changetype<usize>(s.text.data);
      memory.copy(d, p, <usize>n);
      readPset(s, engine.controls, n, s.psetReport, s.psetSeen);
      engine.afterPset();
      display.touch();
      const r = s.psetReport;
      this.begin(M_PSET_RESULT);
      this.u16(r.applied); this.u16(r.clamped); this.u16(r.unknown); this.u16(r.corrupt); this.u16(r.duplicate);
      this.u16(r.firstCorruptLine);
      this.u8(r.nameLen);
      this.bytes(changetype<usize>(r.name), r.nameLen);
      this.finish();
    } else if (type == T_PSET_LIST) {
      this.slots();
    } else if (type == T_PSET_OP) {
      const op = len >= 2 ? <i32>load<u8>(p) : 0, slot = len >= 2 ? <i32>load<u8>(p + 1) : 0;
      if (!s.psets.request(op, slot)) this.ack(type, seq, -1, "bad op or slot (1 save, 2 load, 3 delete; 1..99) or queue full");
    } else if (type == T_SCREEN) {
      const fps = len >= 1 ? <i32>load<u8>(p) : 0;
      this.screenFps = fps > 60 ? 60 : fps;
      if ((len >= 2 && load<u8>(p + 1) != 0) || this.screenFps > 0 && this.screenSent < 0) this.screenFull = true;
      if (this.screenFps == 0) this.screenSent = -1;
      this.screenNext = 0;
    } else if (type == T_TELEMETRY) {
      const hz = len >= 1 ? <i32>load<u8>(p) : 0;
      this.teleHz = hz > 50 ? 50 : hz;
      this.teleNext = 0;
    } else {
      this.rxUnknown++;
      this.ack(type, seq, -2, "unknown message type");
    }
  }

  private badLen(type: i32, seq: i32): void { this.ack(type, seq, -1, "payload too short"); }

  private toShell(type: i32, seq: i32, p: usize, len: i32): void {
    if (this.shellCount >= SHELL_QUEUE || len > SHELL_MAX) {
      this.ack(type, seq, -4, len > SHELL_MAX ? "shell message too long" : "shell busy: message dropped");
      return;
    }
    const k = (this.shellHead + this.shellCount) % SHELL_QUEUE;
    memory.copy(changetype<usize>(this.shell) + <usize>(k * SHELL_MAX), p, <usize>len);
    unchecked(this.shellType[k] = type);
    unchecked(this.shellLen[k] = len);
    unchecked(this.shellSeqs[k] = seq);
    this.shellCount++;
  }

  shellPeekType(): i32 { return this.shellCount > 0 ? unchecked(this.shellType[this.shellHead]) : 0; }
  shellPeekPtr(): usize { return changetype<usize>(this.shell) + <usize>(this.shellHead * SHELL_MAX); }
  shellPeekLen(): i32 { return this.shellCount > 0 ? unchecked(this.shellLen[this.shellHead]) : 0; }
  shellPeekSeq(): i32 { return this.shellCount > 0 ? unchecked(this.shellSeqs[this.shellHead]) : 0; }
  shellPop(): void { if (this.shellCount > 0) { this.shellHead = (this.shellHead + 1) % SHELL_QUEUE; this.shellCount--; } }

  // ---- frames out ---------------------------------------------------------------------------------------------
  begin(type: i32): void {
    const t = changetype<usize>(this.tx);
    store<u8>(t, <u8>type);
    store<u8>(t + 1, <u8>this.txSeq);
    this.txLen = 4;
  }
  @inline private room(n: i32): bool { return this.txLen + n <= 4 + MAX_PAYLOAD; }
  u8(v: i32): void { if (this.room(1)) { store<u8>(changetype<usize>(this.tx) + <usize>this.txLen, <u8>v); this.txLen += 1; } }
  u16(v: i32): void { if (this.room(2)) { store<u16>(changetype<usize>(this.tx) + <usize>this.txLen, <u16>v); this.txLen += 2; } }
  u32(v: u32): void { if (this.room(4)) { store<u32>(changetype<usize>(this.tx) + <usize>this.txLen, v); this.txLen += 4; } }
  f32(v: f32): void { if (this.room(4)) { store<f32>(changetype<usize>(this.tx) + <usize>this.txLen, v); this.txLen += 4; } }
  f64(v: f64): void { if (this.room(8)) { store<f64>(changetype<usize>(this.tx) + <usize>this.txLen, v); this.txLen += 8; } }
  bytes(p: usize, n: i32): void {
    if (n <= 0) return;
    if (!this.room(n)) n = 4 + MAX_PAYLOAD - this.txLen;
    memory.copy(changetype<usize>(this.tx) + <usize>this.txLen, p, <usize>n);
    this.txLen += n;
  }
  str(p: usize, n: i32): void { if (n > 255) n = 255; this.u8(n); this.bytes(p, n); }
  ascii(s: string): void {
    const n = s.length > 255 ? 255 : s.length;
    this.u8(n);
    for (let i = 0; i < n; i++) this.u8(s.charCodeAt(i));
  }

  /** Escape the body into the ring, whole or not at all. Returns false (and counts) when it does not fit. */
  finish(): bool {
    const t = changetype<usize>(this.tx);
    const len = this.txLen - 4;
    store<u16>(t + 2, <u16>len);
    const crc = crc16(t, this.txLen);
    store<u16>(t + <usize>this.txLen, <u16>crc);
    const n = this.txLen + 2;
    // worst case: every byte escaped, plus the two ENDs
    if (this.out.free() < 2 * n + 2) {
      // exact size before giving up: screen frames are near the limit and rarely escape much
      let need = 2;
      for (let i = 0; i < n; i++) { const b = <i32>load<u8>(t + <usize>i); need += b == END || b == ESC ? 2 : 1; }
      if (this.out.free() < need) { this.txDropped++; return false; }
    }
    const r = this.out;
    r.put(END);
    for (let i = 0; i < n; i++) {
      const b = <i32>load<u8>(t + <usize>i);
      if (b == END) { r.put(ESC); r.put(ESC_END); }
      else if (b == ESC) { r.put(ESC); r.put(ESC_ESC); }
      else r.put(b);
    }
    r.put(END);
    this.txSeq = (this.txSeq + 1) & 255;
    this.txFrames++;
    return true;
  }

  ack(type: i32, seq: i32, code: i32, text: string): void {
    this.begin(M_ACK); this.u8(type); this.u8(seq); this.u16(code); this.ascii(text); this.finish();
  }

  log(level: i32, text: string): void { this.begin(M_LOG); this.u8(level); for (let i = 0; i < text.length; i++) this.u8(text.charCodeAt(i)); this.finish(); }

  private hello(): void {
    const s = engine.s;
    this.begin(M_HELLO);
    this.u16(PROTOCOL);
    this.u16(ABI_VERSION);
    this.u32(<u32>s.sampleRate);
    this.u16(s.blockSize);
    this.f32(<f32>(<f64>s.bufFrames / <f64>s.sampleRate));
    this.u8(this.caps);
    this.u8(1);
    // identity: four '\n'-separated fields, each sent as a str
    const id = changetype<usize>(this.identity);
    let start = 0, fields = 0;
    for (let i = 0; i <= this.identityLen && fields < 4; i++) {
      if (i == this.identityLen || load<u8>(id + <usize>i) == 10) {
        this.str(id + <usize>start, i - start);
        fields++;
        start = i + 1;
      }
    }
    while (fields < 4) { this.u8(0); fields++; }
    this.finish();
  }

  /** PARAM_VALUE for param i; updates the shadow only when the frame went out (else it is retried). */
  private value(i: i32): bool {
    const s = engine.s;
    const v = s.params.get(i);
    this.begin(M_PARAM_VALUE);
    this.u16(i);
    this.f64(v);
    const t = s.text;
    // the shared text buffer is free between host calls: format there, then copy the text into the body
    t.clear();
    s.params.format(t, i);
    this.str(changetype<usize>(t.data), t.len);
    if (!this.finish()) return false;
    unchecked(this.shadow[i] = v);
    return true;
  }

  slots(): void {
    const ps = engine.s.psets;
    this.begin(M_PSET_SLOTS);
    this.u8(ps.last);
    const t = engine.s.text;
    for (let k = 1; k <= PSET_SLOTS; k++) {
      if (!ps.used(k)) continue;
      t.clear();
      ps.putName(t, k);
      this.u8(k);
      this.str(changetype<usize>(t.data), t.len);
    }
    this.finish();
  }

  // ---- service: once per block ---------------------------------------------------------------------------------
  service(): void {
    if (!engine.ready) return;
    this.blocks++;
    if (!this.open) return;
    const s = engine.s;
    // paced param list: as many as fit, leaving room for everything else
    while (this.listCursor >= 0 && this.listCursor < PARAM_COUNT && this.out.free() > 4096) {
      const i = this.listCursor;
      const t = s.text;
      t.clear();
      s.params.info(t, i);
      this.begin(M_PARAM_INFO);
      this.u16(i); this.u16(PARAM_COUNT);
      this.bytes(changetype<usize>(t.data), t.len);
      if (!this.finish()) break;
      unchecked(this.shadow[i] = s.params.get(i));
      this.listCursor++;
    }
    if (this.listCursor >= PARAM_COUNT) this.listCursor = -1;
    // changes, whoever made them
    for (let i = 0; i < PARAM_COUNT; i++) {
      const v = s.params.get(i);
      if (v != unchecked(this.shadow[i]) && !this.value(i)) break;
    }
    const now = this.now();
    const leased = now - this.lastHeard <= LEASE_SECONDS;
    if (this.screenFps > 0 && leased) {
      if (this.pendingRows != 0) this.screen(); // the rest of a frame already begun
      else if (now >= this.screenNext && (frameCount() != this.screenSent || this.screenFull)) {
        if (this.screen()) this.screenNext = now + 1.0 / <f64>this.screenFps;
      }
    }
    if (this.teleHz > 0 && leased && now >= this.teleNext) {
      if (this.telemetry()) this.teleNext = now + 1.0 / <f64>this.teleHz;
    }
  }

  /**
   * Changed rows (or all, after a full request) in SCREEN frames of at most ROWS_PER_FRAME rows: a frame's rows go
   * out over consecutive blocks, so no block pays for a whole 4 KB frame (bit 1 of the flags: more rows follow).
   */
  private screen(): bool {
    const fb = frontPtr();
    const sh = changetype<usize>(this.screenShadow);
    const frame = frameCount();
    if (this.screenFull) { this.pendingRows = 0xffffffffffffffff; this.pendingFull = true; this.screenFull = false; }
    if (frame != this.screenSent) {
      for (let y = 0; y < ROWS; y++) {
        if (rowDiffers(fb + <usize>(y * ROW_BYTES), sh + <usize>(y * ROW_BYTES))) this.pendingRows |= (<u64>1) << <u64>y;
      }
      this.screenSent = frame;
    }
    if (this.pendingRows == 0) return true;
    this.begin(M_SCREEN);
    this.u32(<u32>frame);
    const flagsAt = this.txLen;
    this.u8(0);
    const countAt = this.txLen;
    this.u8(0);
    let rows = 0;
    let sent: u64 = 0;
    const t = changetype<usize>(this.tx);
    let left = this.pendingRows;
    while (left != 0 && rows < ROWS_PER_FRAME) {
      const y = <i32>ctz(left);
      left &= left - 1;
      this.u8(y);
      this.txLen += packBits(fb + <usize>(y * ROW_BYTES), ROW_BYTES, t + <usize>this.txLen);
      sent |= (<u64>1) << <u64>y;
      rows++;
    }
    store<u8>(t + <usize>flagsAt, <u8>((this.pendingFull ? 1 : 0) | (left != 0 ? 2 : 0)));
    store<u8>(t + <usize>countAt, <u8>rows);
    if (!this.finish()) return false;
    // the shadow is what the host has: only the rows that went out
    let done = sent;
    while (done != 0) {
      const y = <i32>ctz(done);
      done &= done - 1;
      memory.copy(sh + <usize>(y * ROW_BYTES), fb + <usize>(y * ROW_BYTES), ROW_BYTES);
    }
    this.pendingRows &= ~sent;
    if (this.pendingRows == 0) this.pendingFull = false;
    return true;
  }

  private telemetry(): bool {
    const s = engine.s;
    this.begin(M_TELEMETRY);
    this.f64(<f64>s.samples / <f64>s.sampleRate);
    let flags = 0;
    if (s.recording) flags |= 1;
    if (s.armed) flags |= 2;
    if (s.forceRecording) flags |= 4;
    if (s.params.yes(P_MONITOR)) flags |= 8;
    if (engine.controls.menu.open) flags |= 16;
    this.u8(flags);
    this.u8(s.mode);
    this.u16(s.takes);
    this.f32(s.ampL.value > s.ampR.value ? s.ampL.value : s.ampR.value);
    this.f32(engine.pitchHz());
    this.f32(s.pitchMap.median);
    this.f32(<f32>s.loopEnd);
    this.f32(<f32>s.beat);
    for (let v = 0; v < VOICES; v++) {
      const p = unchecked(s.players[v]);
      this.u8(p.midi > 255 ? 255 : p.midi);
      this.u8(p.started ? 1 : 0);
      this.f32(<f32>p.voice.position());
    }
    this.f32(this.cpuMean);
    this.f32(this.cpuWorst);
    this.u32(this.xruns);
    this.u32(this.rxFrames);
    this.u32(this.rxCorrupt);
    this.u32(this.rxDropped);
    this.u32(this.rxLost);
    this.u32(this.txDropped);
    this.u32(this.blocks);
    return this.finish();
  }

  /** The shell performed a PSET request from the link or the menu. */
  psetDone(op: i32, slot: i32, code: i32): void {
    if (!this.open) return;
    this.begin(M_ACK); this.u8(T_PSET_OP); this.u8(0); this.u16(code);
    this.ascii(op == 1 ? "saved" : op == 2 ? "loaded" : op == 3 ? "deleted" : "?");
    this.finish();
    this.slots(); // the slot's new state is in the list that follows
  }

  /** The shell's own frame (upload status, logs): payload in the send window. */
  send(type: i32, len: i32): i32 {
    if (type < 0x40 || type > 0x7f || len < 0 || len > WINDOW) return -1;
    this.begin(type);
    this.bytes(changetype<usize>(this.sendWin), len);
    return this.finish() ? 0 : -2;
  }

  setIdentity(len: i32, caps: i32): void {
    const t = engine.s.text;
    const n = len < 0 ? 0 : len > 255 ? 255 : len; // the identity buffer holds 256 bytes (< TEXT_CAP)
    for (let i = 0; i < n; i++) unchecked(this.identity[i] = t.data[i]);
    this.identityLen = n;
    this.caps = caps & 7;
  }

  reset(): void {
    this.open = false; this.screenFps = 0; this.teleHz = 0; this.listCursor = -1; this.screenSent = -1;
    this.screenFull = true; this.pendingRows = 0; this.pendingFull = false; this.rxLen = 0; this.rxEsc = false; this.rxBad = false; this.rxSeq = -1; this.out.clear();
    this.shellCount = 0;
  }

  now(): f64 { const s = engine.s; return <f64>s.samples / <f64>s.sampleRate; }
  nowMs(): u32 { return <u32>(<u64>(this.now() * 1000.0)); }
}

export const link = new Link();
