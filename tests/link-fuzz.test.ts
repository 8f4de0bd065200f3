// A million random and mutated frames into the real engine's link: no trap, no hang, its counters equal an
// independent decoder's (host/link/frame.ts), and the audio it renders is bit-identical to a run without them.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { PiwipEngine } from '../host/engine/engine.ts';
import { encodeFrame, FrameDecoder } from '../host/link/frame.ts';
import { T, enc } from '../host/link/messages.ts';

const FRAMES = 1_000_000;
const BLOCKS = 2000;

function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return (x >>> 0) / 4294967296; };
}

/** Frames that leave the audio alone: pings, reads, subscriptions, unknown types, and any of them mutated. */
function* traffic(n: number, seed: number): Generator<Uint8Array> {
  const r = rng(seed);
  const readOnly = [
    () => encodeFrame(T.PING, 0, enc.ping(Math.floor(r() * 1e9))),
    () => encodeFrame(T.PARAM_GET, 0, enc.paramGet(Math.floor(r() * 50))),
    () => encodeFrame(T.PSET_LIST, 0),
    () => encodeFrame(T.SCREEN, 0, enc.screen(Math.floor(r() * 70), r() < 0.5)),
    () => encodeFrame(T.TELEMETRY, 0, enc.telemetry(Math.floor(r() * 60))),
    () => encodeFrame(0x11 + Math.floor(r() * 14), 0, Uint8Array.from({ length: Math.floor(r() * 40) }, () => Math.floor(r() * 256))),
    () => encodeFrame(0x40 + Math.floor(r() * 60), 0, Uint8Array.from({ length: Math.floor(r() * 40) }, () => Math.floor(r() * 256))),
    () => Uint8Array.from({ length: 1 + Math.floor(r() * 30) }, () => Math.floor(r() * 256)), // garbage
  ];
  for (let i = 0; i < n; i++) {
    const f = readOnly[Math.floor(r() * readOnly.length)]!();
    const m = r();
    if (m < 0.25) f[1 + Math.floor(r() * (f.length - 2))]! ^= 1 << Math.floor(r() * 8); // flip a bit
    else if (m < 0.35) { yield f.subarray(0, Math.floor(r() * f.length)); continue; } // cut off
    else if (m < 0.4) { const g = new Uint8Array(f.length + 1); g.set(f); g[g.length - 1] = 0xdb; yield g; continue; } // stray ESC
    yield f;
  }
}

function render(withTraffic: boolean): { hash: string; frames: number; corrupt: number; oracle: { frames: number; corrupt: number } } {
  const e = PiwipEngine.create({ sampleRate: 48000, blockSize: 128, maxRecSeconds: 10, seed: 3 });
  e.linkIn(encodeFrame(T.HELLO, 0, enc.hello('fuzz')));
  e.linkOut();
  const oracle = new FrameDecoder();
  const r = rng(11);
  const inL = new Float32Array(128), oL = new Float32Array(128), oR = new Float32Array(128);
  const h = createHash('sha256');
  const gen = traffic(FRAMES, 5);
  const perBlock = Math.ceil(FRAMES / BLOCKS);
  let ph = 0;
  for (let b = 0; b < BLOCKS; b++) {
    for (let i = 0; i < 128; i++) { ph += 330 / 48000; inL[i] = 0.3 * Math.sin(2 * Math.PI * ph) + 0.02 * (r() - 0.5); }
    if (b === 200) { e.key(3, 1); e.key(3, 0); }
    if (b === 400) e.noteOn(67);
    if (withTraffic) {
      const chunks: Uint8Array[] = [];
      let bytes = 0;
      for (let k = 0; k < perBlock; k++) { const x = gen.next(); if (x.done) break; chunks.push(x.value); bytes += x.value.length; }
      const all = new Uint8Array(bytes);
      let o = 0;
      for (const c of chunks) { all.set(c, o); o += c.length; }
      oracle.push(all);
      e.linkIn(all);
    }
    e.process(inL, inL, oL, oR);
    e.linkService();
    e.linkOut();
    h.update(Buffer.from(oL.buffer)); h.update(Buffer.from(oR.buffer));
  }
  // close the last frame so both decoders have judged every byte
  oracle.push(new Uint8Array([0xc0]));
  e.linkIn(new Uint8Array([0xc0]));
  const c = e.linkCounters();
  return { hash: h.digest('hex'), frames: c.rxFrames, corrupt: c.rxCorrupt, oracle: { frames: oracle.counters.frames, corrupt: oracle.counters.corrupt } };
}

describe('link fuzz: 1 M random and mutated frames into the engine', () => {
  it('no trap, counters equal the host decoder\'s, audio bit-identical to a clean run', () => {
    const clean = render(false);
    const fuzzed = render(true);
    expect(fuzzed.hash).toBe(clean.hash);
    expect(fuzzed.frames).toBe(fuzzed.oracle.frames + 1); // + the HELLO
    expect(fuzzed.corrupt).toBe(fuzzed.oracle.corrupt);
    expect(fuzzed.corrupt).toBeGreaterThan(FRAMES / 5);
    expect(fuzzed.frames).toBeGreaterThan(FRAMES / 2);
  }, 240_000);
});
