// The soak's link traffic (docs/link.md): a host session through the engine's link ABI, as a shell runs it —
// bytes in through linkIn (≤ 1024 at a time), linkService once per block, every output byte drained and decoded.
// Frames: well-formed requests (HELLO, PING, keys, encoders, MIDI, modes, params with NaN and bad indexes, PSET
// text valid and garbage, PSET ops, screen and telemetry subscriptions), frames of random type and payload with a
// good CRC, corrupted frames, raw garbage, frames split across calls, resets. Checked: every frame the module sends
// decodes with a good CRC and no sequence gap, the shell queue drains. Its own RNG, so the other event streams are
// the same with or without it.
import type { PiwipEngine } from '../../host/engine/engine.ts';
import { encodeFrame, FrameDecoder } from '../../host/link/frame.ts';
import { T, Writer } from '../../host/link/messages.ts';
import type { Rng } from './prng.ts';
import { InvariantError } from './events.ts';

const WINDOW = 1024;

export class LinkSession {
  frames = 0;
  bytesIn = 0;
  bytesOut = 0;
  framesOut = 0;
  private seq = 0;
  private dec = new FrameDecoder();
  private hello = false;
  private readonly ex: PiwipEngine['ex'];

  constructor(readonly rng: Rng, private readonly e: PiwipEngine, private readonly log: (t: string) => void) {
    this.ex = e.ex;
  }

  private send(bytes: Uint8Array): void {
    const win = () => new Uint8Array(this.ex.memory.buffer, this.ex.linkInPtr(), WINDOW);
    // a shell hands over what the UART gave it: arbitrary slices
    for (let at = 0; at < bytes.length;) {
      const n = Math.min(bytes.length - at, this.rng.chance(0.3) ? this.rng.int(1, 64) : WINDOW);
      win().set(bytes.subarray(at, at + n));
      this.ex.linkIn(n);
      at += n;
    }
    this.bytesIn += bytes.length;
  }

  private frame(type: number, payload: Uint8Array): Uint8Array { this.frames++; return encodeFrame(type, this.seq++ & 255, payload); }

  /** One random piece of host traffic. */
  event(psetPool: Buffer[], paramCount: number): void {
    const r = this.rng;
    if (!this.hello || r.chance(0.02)) {
      this.hello = true;
      this.log('HELLO, SCREEN, TELEMETRY');
      this.send(this.frame(T.HELLO, new Writer().u16(1).str('soak').done()));
      this.send(this.frame(T.SCREEN, new Writer().u8(r.int(0, 60)).u8(1).done()));
      this.send(this.frame(T.TELEMETRY, new Writer().u8(r.int(0, 50)).done()));
      return;
    }
    const what = r.weighted([30, 6, 8, 6, 4, 4, 3, 3, 3, 2, 2, 1]);
    const w = new Writer();
    switch (what) {
      case 0: { // a well-formed request
        const k = r.int(0, 9);
        const idx = r.chance(0.95) ? r.int(0, paramCount - 1) : r.pick([paramCount, 65535, 1000]);
        const [type, p, text] =
          k === 0 ? [T.PING, w.u32(r.u32()).done(), 'PING'] :
          k === 1 ? [T.KEY, w.u8(r.int(0, 4)).u8(r.int(0, 2)).done(), 'KEY'] :
          k === 2 ? [T.ENC, w.u8(r.int(0, 4)).i8(r.int(-128, 127)).done(), 'ENC'] :
          k === 3 ? [T.MIDI, Uint8Array.from({ length: r.int(1, 300) }, () => r.int(0, 255)), 'MIDI'] :
          k === 4 ? [T.MODE, w.u8(r.int(0, 5)).done(), 'MODE'] :
          k === 5 ? [T.PARAM_SET, w.u16(idx).f64(r.pick([NaN, Infinity, -1e300, 0, 1, 50, r.range(-100, 1000)])).done(), 'PARAM_SET'] :
          k === 6 ? [T.PARAM_DELTA, w.u16(idx).i8(r.int(-128, 127)).u8(r.int(0, 2)).done(), 'PARAM_DELTA'] :
          k === 7 ? [r.pick([T.PARAM_GET, T.PARAM_LIST, T.PSET_GET, T.PSET_LIST]), w.u16(idx).done(), 'GET/LIST'] :
          k === 8 ? [T.PSET_OP, w.u8(r.int(0, 4)).u8(r.int(0, 100)).done(), 'PSET_OP'] :
          [T.SCREEN, w.u8(r.int(0, 70)).u8(r.int(0, 1)).done(), 'SCREEN'];
        this.log(`${text} (${p.length} bytes)`);
        this.send(this.frame(type, p));
        return;
      }
      case 1: { const p = r.pick(psetPool); this.log(`PSET_PUT ${p.length} bytes`); this.send(this.frame(T.PSET_PUT, p.subarray(0, 1024))); return; }
      case 2: { // any type, random payload, good CRC
        const type = r.int(0, 255), p = Uint8Array.from({ length: r.int(0, 1100) }, () => r.int(0, 255));
        this.log(`type ${type.toString(16)} random payload ${p.length} bytes`);
        this.send(this.frame(type, p));
        return;
      }
      case 3: { // a good frame corrupted
        const f = this.frame(T.PARAM_SET, w.u16(r.int(0, paramCount - 1)).f64(r.range(0, 10)).done());
        { const i = r.int(1, f.length - 2); f[i] = f[i]! ^ (1 << r.int(0, 7)); }
        this.log('corrupted PARAM_SET');
        this.send(f);
        return;
      }
      case 4: { const g = Uint8Array.from({ length: r.int(1, 3000) }, () => r.chance(0.1) ? r.pick([0xc0, 0xdb, 0xdc, 0xdd]) : r.int(0, 255)); this.log(`garbage ${g.length} bytes`); this.send(g); return; }
      case 5: { // a frame cut short, then a good one
        const f = this.frame(T.PING, w.u32(1).done());
        this.log('truncated frame then PING');
        this.send(f.subarray(0, r.int(1, f.length - 1)));
        this.send(this.frame(T.PING, new Writer().u32(2).done()));
        return;
      }
      case 6: { this.log('seq gap'); this.seq += r.int(2, 200); this.send(this.frame(T.PING, w.u32(3).done())); return; }
      case 7: { this.log('ESC then garbage'); this.send(Uint8Array.from([0xc0, 0x09, 0xdb, 0x41, 0xc0])); return; }
      case 8: { this.log('payload length lies'); const f = this.frame(T.KEY, w.u8(2).u8(1).done()); f[3] = r.int(0, 255); this.send(f); return; }
      case 9: { this.log('linkReset (host gone)'); this.ex.linkReset(); this.dec.reset(); this.dec.counters.lost = 0; this.hello = false; return; }
      case 10: { const n = r.int(0, 100000); this.log(`linkDropped ${n}`); this.ex.linkDropped(n); return; }
      default: { this.log('linkSetLoad'); this.ex.linkSetLoad(r.range(0, 100), r.pick([NaN, 1e9, 50]), r.int(-1, 1000)); }
    }
  }

  /** After every block: service, drain the output and the shell queue, decode what came out. */
  service(): void {
    const ex = this.ex;
    ex.linkService();
    for (let k = 0; k < 64 && ex.linkPending() > 0; k++) {
      const n = ex.linkOut(WINDOW) as number;
      if (n <= 0) break;
      const out = new Uint8Array(ex.memory.buffer, ex.linkOutPtr(), n);
      const before = this.dec.counters.corrupt;
      this.framesOut += this.dec.push(out).length;
      this.bytesOut += n;
      if (this.dec.counters.corrupt !== before) throw new InvariantError('the module sent a link frame that does not decode (bad CRC or framing)');
    }
    for (let k = 0; k < 8 && ex.linkShellType() > 0; k++) ex.linkShellPop();
    // a frame the output ring could not take is dropped and counted (docs/link.md); any other gap is a bug
    const dropped = ex.linkTxDropped() as number;
    if (this.dec.counters.lost > dropped) throw new InvariantError(`the module's link frames have a sequence gap (${this.dec.counters.lost} lost, ${dropped} counted as dropped)`);
  }
}
