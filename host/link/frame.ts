// SLIP framing and the frame body of the piwip link (docs/link.md): pure bytes in, frames out; no I/O.
export const END = 0xc0, ESC = 0xdb, ESC_END = 0xdc, ESC_ESC = 0xdd;
export const MAX_PAYLOAD = 8192;

const CRC_TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let b = 0; b < 8; b++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    t[i] = c;
  }
  return t;
})();

/** CRC-16/CCITT-FALSE. */
export function crc16(b: Uint8Array, start = 0, end = b.length, crc = 0xffff): number {
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xff00) ^ CRC_TABLE[((crc >> 8) ^ b[i]!) & 0xff]!;
  return crc & 0xffff;
}

export interface Frame { type: number; seq: number; payload: Uint8Array }

/** One frame, SLIP-escaped, with an END before and after. */
export function encodeFrame(type: number, seq: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (payload.length > MAX_PAYLOAD) throw new RangeError(`payload too long (${payload.length} > ${MAX_PAYLOAD} bytes)`);
  const body = new Uint8Array(payload.length + 6);
  body[0] = type & 0xff; body[1] = seq & 0xff;
  body[2] = payload.length & 0xff; body[3] = payload.length >> 8;
  body.set(payload, 4);
  const crc = crc16(body, 0, payload.length + 4);
  body[payload.length + 4] = crc & 0xff; body[payload.length + 5] = crc >> 8;
  let n = 2;
  for (const b of body) n += b === END || b === ESC ? 2 : 1;
  const out = new Uint8Array(n);
  let o = 0;
  out[o++] = END;
  for (const b of body) {
    if (b === END) { out[o++] = ESC; out[o++] = ESC_END; }
    else if (b === ESC) { out[o++] = ESC; out[o++] = ESC_ESC; }
    else out[o++] = b;
  }
  out[o++] = END;
  return out;
}

export interface DecoderCounters { frames: number; corrupt: number; lost: number }

/** Incremental SLIP decoder: feed any slices of the stream, get whole frames whose CRC matched. */
export class FrameDecoder {
  private buf = new Uint8Array(MAX_PAYLOAD + 6);
  private len = 0;
  private esc = false;
  private bad = false;
  private lastSeq = -1;
  readonly counters: DecoderCounters = { frames: 0, corrupt: 0, lost: 0 };

  push(chunk: Uint8Array): Frame[] {
    const out: Frame[] = [];
    for (let i = 0; i < chunk.length; i++) {
      let b = chunk[i]!;
      if (b === END) {
        if (this.len > 0 || this.bad || this.esc) {
          const f = this.bad || this.esc ? null : this.frame();
          if (f) out.push(f); else this.counters.corrupt++;
        }
        this.len = 0; this.esc = false; this.bad = false;
        continue;
      }
      if (this.bad) continue;
      if (this.esc) {
        this.esc = false;
        if (b === ESC_END) b = END;
        else if (b === ESC_ESC) b = ESC;
        else { this.bad = true; continue; }
      } else if (b === ESC) { this.esc = true; continue; }
      if (this.len >= this.buf.length) { this.bad = true; continue; }
      this.buf[this.len++] = b;
    }
    return out;
  }

  /** Forget a partial frame and the sequence (a new connection). */
  reset(): void { this.len = 0; this.esc = false; this.bad = false; this.lastSeq = -1; }

  private frame(): Frame | null {
    const n = this.len, b = this.buf;
    if (n < 6) return null;
    const len = b[2]! | (b[3]! << 8);
    if (len + 6 !== n) return null;
    if (crc16(b, 0, len + 4) !== (b[len + 4]! | (b[len + 5]! << 8))) return null;
    const seq = b[1]!;
    if (this.lastSeq >= 0 && seq !== ((this.lastSeq + 1) & 255)) this.counters.lost += (seq - this.lastSeq - 1) & 255;
    this.lastSeq = seq;
    this.counters.frames++;
    return { type: b[0]!, seq, payload: b.slice(4, 4 + len) };
  }
}

/** PackBits decode of one screen row; returns the offset after it, or -1 when the data is short or overlong. */
export function unpackBits(src: Uint8Array, at: number, dst: Uint8Array, dstAt: number, n: number): number {
  let o = 0, i = at;
  while (o < n) {
    if (i >= src.length) return -1;
    const h = src[i++]!;
    if (h < 128) {
      const k = h + 1;
      if (o + k > n || i + k > src.length) return -1;
      dst.set(src.subarray(i, i + k), dstAt + o);
      i += k; o += k;
    } else if (h > 128) {
      const k = 257 - h;
      if (o + k > n || i >= src.length) return -1;
      dst.fill(src[i++]!, dstAt + o, dstAt + o + k);
      o += k;
    }
  }
  return i;
}
