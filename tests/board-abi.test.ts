// Board ABI (assembly/board_abi.ts): one MIDI parser per source, and the recording buffer sized by asking the engine
// what a length costs. The memory tests run the real wasm with its memory capped (a maximum written into the
// module's memory section), as a board's arena caps it.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { DEFAULT_WASM } from '../host/engine/engine.ts';

const WASM = new Uint8Array(readFileSync(DEFAULT_WASM));

function leb(n: number): number[] {
  const out: number[] = [];
  do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n);
  return out;
}
function readLeb(b: Uint8Array, p: number): [number, number] {
  let v = 0, shift = 0, x: number;
  do { x = b[p++]!; v += (x & 0x7f) * 2 ** shift; shift += 7; } while (x & 0x80);
  return [v, p];
}

/** The module with its (only, internal) memory given a maximum of `maxPages` 64 KiB pages. */
function withMaxPages(wasm: Uint8Array, maxPages: number): Uint8Array {
  let p = 8;
  while (p < wasm.length) {
    const id = wasm[p]!;
    const [size, body] = readLeb(wasm, p + 1);
    if (id === 5) {
      let [count, q] = readLeb(wasm, body);
      expect(count).toBe(1);
      const flags = wasm[q++]!;
      const [min, q2] = readLeb(wasm, q);
      expect(flags & 1).toBe(0); // no maximum yet
      const section = [1, 0x01, ...leb(min), ...leb(maxPages)];
      const out = [...wasm.subarray(0, p), 5, ...leb(section.length), ...section, ...wasm.subarray(body + size)];
      void q2;
      return Uint8Array.from(out);
    }
    p = body + size;
  }
  throw new Error('no memory section');
}

function instance(wasm: Uint8Array = WASM): Record<string, any> {
  const ex = new WebAssembly.Instance(new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>), {}).exports as Record<string, any>;
  ex._start();
  return ex;
}

describe('bytesForSeconds: the engine says what a recording length costs', () => {
  it('is exact to the page: init succeeds with ceil(bytes) pages and fails (-5, no trap) with one page fewer', () => {
    const rate = 44100;
    // lengths whose figure lands just past a page boundary prove the figure is within those few bytes
    const probe = instance();
    const cases: number[] = [];
    for (let t = 10; t <= 1200 && cases.length < 3; t++) {
      const b = probe.bytesForSeconds(rate, t / 10);
      if (b % 65536 > 0 && b % 65536 <= 512) cases.push(t / 10);
    }
    cases.push(1, 7.3);
    expect(cases.length).toBeGreaterThanOrEqual(4);
    for (const s of cases) {
      const bytes = probe.bytesForSeconds(rate, s);
      expect(bytes).toBeGreaterThan(s * rate * 4);
      const pages = Math.ceil(bytes / 65536);
      const ok = instance(withMaxPages(WASM, pages));
      expect(ok.bytesForSeconds(rate, s)).toBe(bytes); // the same figure in a fresh instance
      expect(ok.init(rate, 128, s, 1)).toBe(0);
      expect(ok.memory.buffer.byteLength).toBe(pages * 65536);
      // it runs: a block processes and the recording buffer's last frame is inside memory
      expect(ok.process(128)).toBe(0);
      const short = instance(withMaxPages(WASM, pages - 1));
      expect(short.init(rate, 128, s, 1)).toBe(-5);
      expect(short.process(128)).toBe(-1); // not initialised: refused, no trap
    }
  });

  it('counts what the engine really allocates besides the audio (pitch map, amplitude polls)', () => {
    const ex = instance();
    const rate = 44100;
    const perSecond = ex.bytesForSeconds(rate, 101) - ex.bytesForSeconds(rate, 100);
    // 4 bytes per frame of mono f32, and per 10 ms slot: f64 time + f32 value + f32 sorted + f32 amplitude
    expect(perSecond).toBeGreaterThanOrEqual(rate * 4 + 100 * 20 - 64);
    expect(perSecond).toBeLessThanOrEqual(rate * 4 + 100 * 20 + 64);
  });

  it('secondsForBytes gives the longest length that fits, in tenths; 16 MB of PSRAM no longer dies at boot', () => {
    const ex = instance();
    const rate = 44100;
    for (const arena of [8 << 20, (16 << 20) - 65536, 448 * 1024]) {
      const s = ex.secondsForBytes(rate, arena);
      expect(s).toBeGreaterThanOrEqual(1);
      expect(ex.bytesForSeconds(rate, s)).toBeLessThanOrEqual(arena);
      expect(ex.bytesForSeconds(rate, Math.fround(s + 0.1))).toBeGreaterThan(arena);
      const pages = Math.floor(arena / 65536);
      const board = instance(withMaxPages(WASM, pages));
      expect(board.init(rate, 128, s, 1)).toBe(0);
    }
    expect(ex.secondsForBytes(rate, 100_000)).toBe(0);
    expect(ex.secondsForBytes(rate, 2 ** 31)).toBe(600);
  });

  it('refuses arguments init would refuse', () => {
    const ex = instance();
    expect(ex.bytesForSeconds(44100, 0.5)).toBe(0);
    expect(ex.bytesForSeconds(1000, 10)).toBe(0);
    expect(ex.bytesForSeconds(44100, NaN)).toBe(0);
    expect(ex.init(44100, 128, 10, 1)).toBe(0);
    expect(ex.bytesForSeconds(48000, 10)).toBe(0); // an initialised engine answers for its own rate only
    expect(ex.bytesForSeconds(44100, 10)).toBeGreaterThan(0);
  });

  it('does not change the output (same bits as an engine never asked)', () => {
    const a = instance(); const b = instance();
    a.bytesForSeconds(48000, 30); a.secondsForBytes(48000, 4 << 20);
    expect(a.init(48000, 128, 30, 7)).toBe(0);
    expect(b.init(48000, 128, 30, 7)).toBe(0);
    for (const ex of [a, b]) { ex.midiIn(0x90); ex.midiIn(60); ex.midiIn(100); }
    const outs = [a, b].map((ex) => {
      const acc: number[] = [];
      for (let k = 0; k < 400; k++) {
        const inL = new Float32Array(ex.memory.buffer, ex.inputPtr(0), 128);
        const inR = new Float32Array(ex.memory.buffer, ex.inputPtr(1), 128);
        for (let i = 0; i < 128; i++) { inL[i] = inR[i] = 0.5 * Math.sin((k * 128 + i) * 0.05); }
        ex.process(128);
        acc.push(...new Float32Array(ex.memory.buffer, ex.outputPtr(0), 128));
      }
      return Float32Array.from(acc);
    });
    expect(Buffer.from(outs[0]!.buffer).equals(Buffer.from(outs[1]!.buffer))).toBe(true);
  });
});

describe('midiInFrom: one parser state per source', () => {
  const on = (ex: Record<string, any>) => ex.voiceNote(0) as number;
  it('a DIN message split across reads survives whole USB messages in between; running status per source', () => {
    const ex = instance();
    expect(ex.init(48000, 128, 10, 1)).toBe(0);
    // DIN (source 1): status + note arrive in one loop() pass, the velocity in the next
    expect(ex.midiInFrom(1, 0x90)).toBe(0);
    ex.midiInFrom(1, 64);
    // meanwhile whole USB-device messages (source 2): a note on and its note off on channel 2
    for (const b of [0x91, 70, 90, 0x81, 70, 0]) ex.midiInFrom(2, b);
    ex.midiInFrom(1, 100); // completes DIN's 90 40 64
    const notes = () => Array.from({ length: ex.voiceCount() }, (_, v) => ex.voiceNote(v)).filter((n) => n > 0);
    expect(notes()).toEqual([64]);
    // DIN running status: two more note-ons without a status byte, with USB bytes between them
    ex.midiInFrom(1, 67);
    ex.midiInFrom(2, 0x92); ex.midiInFrom(2, 72); // a USB message left incomplete on its own parser
    ex.midiInFrom(1, 100);
    ex.midiInFrom(1, 71); ex.midiInFrom(1, 100);
    expect(notes().sort()).toEqual([64, 67, 71]);
    ex.midiInFrom(2, 110); // USB completes with its own status (channel 3 note 72)
    expect(notes().sort()).toEqual([64, 67, 71, 72]);
    void on;
  });

  it('one shared parser (midiIn for everything) corrupts the same stream: the test would catch a merged parser', () => {
    const ex = instance();
    expect(ex.init(48000, 128, 10, 1)).toBe(0);
    for (const b of [0x90, 64, 0x91, 70, 90, 0x81, 70, 0, 100]) ex.midiIn(b);
    const notes = Array.from({ length: ex.voiceCount() }, (_, v) => ex.voiceNote(v)).filter((n) => n > 0);
    expect(notes).not.toContain(64);
  });

  it('source 0 is midiIn; bad sources are refused and ignored', () => {
    const ex = instance();
    expect(ex.init(48000, 128, 10, 1)).toBe(0);
    expect(ex.midiSources()).toBe(4);
    ex.midiIn(0x90); ex.midiInFrom(0, 60); ex.midiIn(100);
    expect(ex.voiceNote(0)).toBe(60);
    expect(ex.midiInFrom(4, 0x90)).toBe(-1);
    expect(ex.midiInFrom(-1, 0x90)).toBe(-1);
    for (const b of [0x90, 61, 100]) ex.midiInFrom(3, b);
    expect(Array.from({ length: 5 }, (_, v) => ex.voiceNote(v))).toContain(61);
  });
});
