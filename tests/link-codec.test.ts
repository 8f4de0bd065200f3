// The link's codec on both ends (docs/link.md): the host's TypeScript (host/link) and the module's, inside the real
// engine wasm (assembly/link), must agree byte for byte, survive any split of the stream and resynchronise.
import { describe, expect, it } from 'vitest';
import { PiwipEngine } from '../host/engine/engine.ts';
import { crc16, encodeFrame, FrameDecoder, unpackBits, END, ESC } from '../host/link/frame.ts';
import { M, T, enc, decodeHello, decodeParamInfo, decodeParamValue, decodeScreen, decodeTelemetry, decodePsetResult, crc32 } from '../host/link/messages.ts';

const engine = () => {
  const e = PiwipEngine.create({ sampleRate: 48000, blockSize: 128, maxRecSeconds: 5 });
  e.linkIdentity('test-module', '1.2.3', 'vitest', 'deadbeef', 7);
  return e;
};
const block = (e: PiwipEngine, n = 1) => {
  const z = new Float32Array(128), a = new Float32Array(128), b = new Float32Array(128);
  for (let i = 0; i < n; i++) { e.process(z, z, a, b); e.linkService(); }
};

describe('link framing (host codec)', () => {
  it('CRC-16/CCITT-FALSE check value', () => {
    expect(crc16(new Uint8Array(Buffer.from('123456789')))).toBe(0x29b1);
  });
  it('CRC-32 check value', () => { expect(crc32(new Uint8Array(Buffer.from('123456789')))).toBe(0xcbf43926); });

  it('round trips every byte value, with END and ESC escaped on the wire', () => {
    const payload = Uint8Array.from({ length: 512 }, (_, i) => i & 255);
    const wire = encodeFrame(0x45, 200, payload);
    expect(wire[0]).toBe(END);
    expect(wire[wire.length - 1]).toBe(END);
    expect(wire.subarray(1, -1).includes(END)).toBe(false);
    const [f] = new FrameDecoder().push(wire);
    expect(f!.type).toBe(0x45);
    expect(f!.seq).toBe(200);
    expect(Buffer.from(f!.payload).equals(Buffer.from(payload))).toBe(true);
  });

  it('frames split at every byte boundary and merged decode the same', () => {
    const frames = [encodeFrame(1, 0, new Uint8Array([END, ESC, 0, 1])), encodeFrame(2, 1, new Uint8Array(300).fill(0xc0)), encodeFrame(3, 2)];
    const stream = Buffer.concat(frames.map((f) => Buffer.from(f)));
    for (let cut = 0; cut <= stream.length; cut++) {
      const d = new FrameDecoder();
      const got = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))];
      expect(got.map((f) => f.type)).toEqual([1, 2, 3]);
      expect(d.counters.corrupt).toBe(0);
    }
    // in 256-byte pieces, as norns delivers serial reads, and one byte at a time
    for (const piece of [1, 7, 256]) {
      const d = new FrameDecoder();
      const got = [];
      for (let i = 0; i < stream.length; i += piece) got.push(...d.push(stream.subarray(i, i + piece)));
      expect(got.length).toBe(3);
    }
  });

  it('resynchronises after garbage, a cut frame and a flipped bit; counts them', () => {
    const good = encodeFrame(7, 0, new Uint8Array([1, 2, 3]));
    const flipped = encodeFrame(7, 1, new Uint8Array([1, 2, 3]));
    flipped[5]! ^= 0x10;
    const cut = encodeFrame(7, 2, new Uint8Array(50)).subarray(0, 20);
    const d = new FrameDecoder();
    const got = d.push(Buffer.concat([Buffer.from('garbage\x00\xff'), Buffer.from(flipped), Buffer.from(cut), Buffer.from(good)]));
    expect(got.length).toBe(1);
    expect(d.counters.corrupt).toBe(3); // the garbage, the flipped frame, the cut frame (ended by good's END)
  });

  it('PackBits rows decode to exactly 64 bytes and reject short data', () => {
    const dst = new Uint8Array(64);
    expect(unpackBits(new Uint8Array([257 - 64, 0x5a]), 0, dst, 0, 64)).toBe(2);
    expect(dst.every((x) => x === 0x5a)).toBe(true);
    expect(unpackBits(new Uint8Array([257 - 60, 0]), 0, dst, 0, 64)).toBe(-1);
  });
});

describe('link: the engine speaks the same protocol (assembly/link)', () => {
  it('answers HELLO with its identity and ABI, in a CRC-checked frame the host decodes', () => {
    const e = engine();
    e.linkIn(encodeFrame(T.HELLO, 0, enc.hello('vitest')));
    const frames = new FrameDecoder().push(e.linkOut());
    expect(frames.map((f) => f.type)).toEqual([M.HELLO]);
    const h = decodeHello(frames[0]!.payload);
    expect(h).toMatchObject({ protocol: 1, abi: 2, sampleRate: 48000, blockSize: 128, caps: 7, engineOk: true, firmware: 'test-module', version: '1.2.3', board: 'vitest', engineHash: 'deadbeef' });
    expect(h.recSeconds).toBeCloseTo(5, 3);
  });

  it('lists every param with the same JSON as paramInfo, sets, pushes and formats', () => {
    const e = engine();
    const d = new FrameDecoder();
    e.linkIn(encodeFrame(T.HELLO, 0, enc.hello('x')));
    e.linkIn(encodeFrame(T.PARAM_LIST, 1));
    block(e, 4);
    const infos = d.push(e.linkOut()).filter((f) => f.type === M.PARAM_INFO).map((f) => decodeParamInfo(f.payload));
    expect(infos.length).toBe(e.paramCount());
    for (const i of infos) expect(JSON.parse(i.json)).toEqual(e.paramInfo(i.index));
    const prob = e.paramIndex('probability');
    e.linkIn(encodeFrame(T.PARAM_SET, 2, enc.paramSet(prob, 42)));
    const v = d.push(e.linkOut()).filter((f) => f.type === M.PARAM_VALUE).map((f) => decodeParamValue(f.payload));
    expect(v).toEqual([{ index: prob, value: 42, formatted: '42 %' }]);
    // a change made elsewhere (the engine's own menu, MIDI, a preset) is pushed once, at the next service
    e.setMode(1);
    block(e);
    const pushed = d.push(e.linkOut()).filter((f) => f.type === M.PARAM_VALUE).map((f) => decodeParamValue(f.payload));
    expect(pushed.length).toBeGreaterThan(0);
    for (const p of pushed) expect(p.value).toBe(e.ex.paramGet(p.index));
    block(e, 3);
    expect(d.push(e.linkOut()).filter((f) => f.type === M.PARAM_VALUE).length).toBe(0);
    expect(d.counters.corrupt).toBe(0);
  });

  it('PSET text down and up through the link equals psetWrite / psetRead', () => {
    const e = engine();
    const d = new FrameDecoder();
    e.linkIn(encodeFrame(T.HELLO, 0, enc.hello('x')));
    e.setParam('probability', 77);
    e.linkIn(encodeFrame(T.PSET_GET, 1, enc.psetGet('mine')));
    const text = Buffer.from(d.push(e.linkOut()).find((f) => f.type === M.PSET_TEXT)!.payload).toString();
    expect(text).toBe(e.psetWrite('mine').toString());
    e.setParam('probability', 5);
    e.linkIn(encodeFrame(T.PSET_PUT, 2, enc.psetPut(text + 'garbage line\n')));
    const r = decodePsetResult(d.push(e.linkOut()).find((f) => f.type === M.PSET_RESULT)!.payload);
    expect(r).toMatchObject({ applied: e.paramCount(), corrupt: 1, name: 'mine' });
    expect(e.getParam('probability')).toBe(77);
  });

  it('screen rows: a full frame equals the framebuffer, later frames carry only changed rows', () => {
    const e = engine();
    const d = new FrameDecoder();
    e.linkIn(encodeFrame(T.HELLO, 0, enc.hello('x')));
    e.linkIn(encodeFrame(T.SCREEN, 1, enc.screen(60, true)));
    const mirror = new Uint8Array(4096);
    const apply = () => {
      for (const f of d.push(e.linkOut())) if (f.type === M.SCREEN) for (const r of decodeScreen(f.payload).rows) mirror.set(r.data, r.y * 64);
    };
    block(e, 2);
    apply();
    expect(Buffer.from(mirror).equals(Buffer.from(e.screen()))).toBe(true);
    // open the menu (short K1) and move in it: partial updates keep the mirror exact
    const sizes: number[] = [];
    for (let i = 0; i < 200; i++) {
      if (i === 190) { e.key(1, 1); block(e); e.key(1, 0); }
      if (i > 192) e.enc(2, 1);
      block(e);
      for (const f of d.push(e.linkOut())) if (f.type === M.SCREEN) {
        const s = decodeScreen(f.payload);
        sizes.push(s.rows.length);
        for (const r of s.rows) mirror.set(r.data, r.y * 64);
      }
    }
    expect(e.menuOpen()).toBe(true);
    expect(Buffer.from(mirror).equals(Buffer.from(e.screen()))).toBe(true);
    expect(Math.min(...sizes)).toBeLessThan(64);
  });

  it('telemetry at the asked rate carries the engine state and the link counters', () => {
    const e = engine();
    const d = new FrameDecoder();
    e.linkIn(encodeFrame(T.HELLO, 0, enc.hello('x')));
    e.linkIn(encodeFrame(T.TELEMETRY, 1, enc.telemetry(10)));
    e.linkSetLoad(12.5, 40, 3);
    block(e, 375); // 1 s
    const tel = d.push(e.linkOut()).filter((f) => f.type === M.TELEMETRY).map((f) => decodeTelemetry(f.payload));
    expect(tel.length).toBeGreaterThanOrEqual(10);
    expect(tel.length).toBeLessThanOrEqual(11);
    const last = tel[tel.length - 1]!;
    expect(last).toMatchObject({ cpuMean: 12.5, cpuWorst: 40, xruns: 3, rxFrames: 2, rxCorrupt: 0, recording: false, mode: 0 });
    expect(last.voices.length).toBe(5);
  });

  it('the engine decodes a stream split at every byte boundary, and merged, the same way', () => {
    const stream = Buffer.concat([
      encodeFrame(T.HELLO, 0, enc.hello('split')), encodeFrame(T.PING, 1, enc.ping(0xc0dbc0db)),
      encodeFrame(T.PARAM_SET, 2, enc.paramSet(3, 250)), encodeFrame(T.PSET_PUT, 3, enc.psetPut('"probability": 12.0\n')),
    ].map((f) => Buffer.from(f)));
    const answer = (parts: Uint8Array[]) => {
      const e = engine();
      for (const part of parts) e.linkIn(part);
      const out = new FrameDecoder().push(e.linkOut());
      return { types: out.map((f) => f.type), payloads: out.map((f) => Buffer.from(f.payload).toString('hex')), c: e.linkCounters(), p: e.getParam('probability') };
    };
    const whole = answer([stream]);
    expect(whole.types).toEqual([M.HELLO, M.PONG, M.PARAM_VALUE, M.PSET_RESULT]);
    expect(whole.p).toBe(12);
    for (let cut = 1; cut < stream.length; cut++) {
      expect(answer([stream.subarray(0, cut), stream.subarray(cut)])).toEqual(whole);
    }
    expect(answer(Array.from(stream, (b) => new Uint8Array([b])))).toEqual(whole);
  });

  it('bad payloads are answered with an ACK error, never a trap', () => {
    const e = engine();
    const d = new FrameDecoder();
    for (const t of [T.KEY, T.ENC, T.PARAM_SET, T.PARAM_GET, T.PARAM_DELTA, T.PING, T.MODE, T.PSET_OP, 0x3f]) e.linkIn(encodeFrame(t, 0, new Uint8Array([250])));
    const acks = d.push(e.linkOut()).filter((f) => f.type === M.ACK);
    expect(acks.length).toBe(9);
    e.linkIn(encodeFrame(T.PARAM_SET, 0, enc.paramSet(0, NaN)));
    expect(d.push(e.linkOut())[0]!.type).toBe(M.ACK);
    expect(e.getParam('resolution')).toBe(50);
  });
});
