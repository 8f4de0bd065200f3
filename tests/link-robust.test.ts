// The link when things go wrong, against the virtual module over socat ptys: a proxy in the pty path that flips
// bits and drops bytes, and engine uploads that are good, corrupt, of the wrong ABI, trapping after the swap, or cut
// off. The module's audio is checked sample by sample through its own output tap.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LinkClient } from '../host/link/client.ts';
import { encodeFrame, FrameDecoder } from '../host/link/frame.ts';
import { T, UPLOAD_STAGE, enc, crc32 } from '../host/link/messages.ts';
import { serialTransport } from '../host/link/transport.ts';
import { VirtualModule } from '../host/module/virtual.ts';
import { pace, serveTty, type Served } from '../host/module/serve.ts';
import { ptyPair, tempDir, until, type PtyPair } from './helpers/pty.ts';
import { skipWithout } from './helpers/tools.ts';
import { trappingAfter, withAbi } from './helpers/wasm-patch.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const RELEASE = new Uint8Array(readFileSync(join(ROOT, 'build', 'piwip.wasm')));
const DEBUG = new Uint8Array(readFileSync(join(ROOT, 'build', 'piwip.debug.wasm')));
const SKIP = skipWithout('link robustness over ptys', ['socat', 'wasm2wat', 'wat2wasm'], 'apt-get install socat wabt');

function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return (x >>> 0) / 4294967296; };
}

const openPort = (path: string) => new Promise<SerialPort>((resolve, reject) => {
  const p = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  p.open((e) => (e ? reject(e) : resolve(p)));
});

describe.skipIf(SKIP)('link through a proxy that flips bits and drops bytes', () => {
  it('every corrupt frame is detected and counted, the link goes on, no param silently wrong', async () => {
    const dir = tempDir('proxy');
    const hostSide = await ptyPair(join(dir, 'h1'), join(dir, 'h2'));
    const modSide = await ptyPair(join(dir, 'm1'), join(dir, 'm2'));
    const m = new VirtualModule({ maxRecSeconds: 10 });
    const served = await serveTty(m, modSide.b);
    const pacer = pace(m);
    const [toHost, toModule] = [await openPort(hostSide.b), await openPort(modSide.a)];
    const r = rng(7);
    let storm = false;
    // what the proxy really forwarded, judged by an independent decoder: the receivers must count the same
    const oracleUp = new FrameDecoder(), oracleDown = new FrameDecoder();
    let flips = 0, drops = 0;
    const mangle = (d: Buffer): Buffer => {
      if (!storm) return d;
      const out: number[] = [];
      for (const b of d) {
        const x = r();
        if (x < 0.002) { drops++; continue; }
        if (x < 0.006) { flips++; out.push(b ^ (1 << Math.floor(r() * 8))); continue; }
        out.push(b);
      }
      return Buffer.from(out);
    };
    toHost.on('data', (d: Buffer) => { const x = mangle(d); oracleUp.push(x); toModule.write(x); });
    toModule.on('data', (d: Buffer) => { const x = mangle(d); oracleDown.push(x); toHost.write(x); });
    const c = new LinkClient(serialTransport(hostSide.a), { screenFps: 30, telemetryHz: 20, timeoutMs: 500 });
    await c.connect();
    storm = true;
    const ids = ['probability', 'tempo', 'rec thresh', 'notes vol', 'spread'];
    let failures = 0;
    for (let i = 0; i < 60; i++) {
      // changes from both sides while frames break
      const id = ids[i % ids.length]!;
      const info = c.params.find((p) => p.id === id)!;
      const v = info.min + ((info.max - info.min) * ((i * 7) % 10)) / 10;
      await c.setParam(id, Math.round(v)).catch(() => { failures++; });
      if (i % 3 === 0) m.engine.setParam(ids[(i + 2) % ids.length]!, info.min);
      await new Promise((res) => setTimeout(res, 20));
    }
    storm = false;
    // quiet: let the client notice what it lost and re-read
    await new Promise((res) => setTimeout(res, 1500));
    await c.readParams();
    const moduleSaw = m.engine.linkCounters();
    expect(flips + drops).toBeGreaterThan(20);
    expect(moduleSaw.rxCorrupt).toBe(oracleUp.counters.corrupt);
    expect(c.decoder.counters.corrupt).toBe(oracleDown.counters.corrupt);
    expect(moduleSaw.rxCorrupt + c.decoder.counters.corrupt).toBeGreaterThan(5);
    expect(c.connected).toBe(true);
    for (const p of c.params) expect(p.value, p.id).toBe(m.engine.ex.paramGet(p.index));
    // the link still works after the storm
    expect((await c.setParam('probability', 12)).value).toBe(12);
    c.close(); pacer.stop(); await served.close();
    toHost.close(); toModule.close();
    await hostSide.kill(); await modSide.kill();
    console.log(`proxy: ${flips} bits flipped, ${drops} bytes dropped; corrupt frames: module ${moduleSaw.rxCorrupt}, host ${c.decoder.counters.corrupt}; ${failures} of 60 sets refused or timed out`);
  }, 60_000);
});

describe.skipIf(SKIP)('engine upload to the virtual module over a pty', () => {
  let pair: PtyPair, m: VirtualModule, served: Served, c: LinkClient, stopPace: () => void;
  const input = new Float32Array(48000);
  for (let i = 0; i < input.length; i++) input[i] = 0.25 * Math.sin((2 * Math.PI * 441 * i) / 48000);
  let worst = 0, blocksSeen = 0;
  beforeAll(async () => {
    const dir = tempDir('upload');
    pair = await ptyPair(join(dir, 'mod'), join(dir, 'host'));
    m = new VirtualModule({ maxRecSeconds: 10, input, confirmSeconds: 1, bootEngine: join(dir, 'boot.wasm') });
    // the monitor passes the input through: the output must stay the input, sample for sample, across every swap
    let at = 0;
    m.onBlock = (l) => {
      for (let i = 0; i < l.length; i++) { worst = Math.max(worst, Math.abs(l[i]! - input[(at + i) % input.length]!)); }
      at = (at + l.length) % input.length;
      blocksSeen++;
    };
    served = await serveTty(m, pair.a);
    stopPace = pace(m).stop;
    c = new LinkClient(serialTransport(pair.b), { telemetryHz: 10 });
    await c.connect();
    await c.setParam('monitor', 'on');
  }, 30_000);
  afterAll(async () => { c?.close(); stopPace?.(); await served?.close(); await pair?.kill(); });

  const hashOf = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

  it('a good engine: verified, self-tested, swapped at a block boundary with the params carried, then committed', async () => {
    await c.setParam('probability', 33);
    worst = 0;
    const before = blocksSeen;
    const stages: number[] = [];
    const s = await c.upload(DEBUG, (_a, _b, st) => { if (st) stages.push(st.stage); });
    expect(s.stage, s.text).toBe(UPLOAD_STAGE.SWAPPED);
    expect(stages).toContain(UPLOAD_STAGE.VERIFIED);
    expect(stages).toContain(UPLOAD_STAGE.TESTED);
    expect(m.engineHash).toBe(hashOf(DEBUG));
    expect(c.hello!.engineHash).toBe(hashOf(DEBUG));
    expect((await c.getParam('probability')).value).toBe(33);
    expect((await c.getParam('monitor')).formatted).toBe('on');
    const committed = new Promise<string>((res) => c.on('upload', (x) => { if (x.stage === UPLOAD_STAGE.COMMITTED) res(x.text); }));
    expect(await committed).toMatch(/committed/);
    expect(hashOf(new Uint8Array(readFileSync(m.o.bootEngine!)))).toBe(hashOf(DEBUG));
    expect(blocksSeen - before).toBeGreaterThan(100);
    expect(worst).toBeLessThan(1e-6); // no gap, no glitch: the dry input all the way through
  }, 30_000);

  it('a corrupt image (SHA-256 mismatch, or not wasm) leaves the running engine playing', async () => {
    const running = m.engineHash;
    const bad = RELEASE.slice();
    bad[1000]! ^= 0xff;
    // sent with the hash of the good image: the module's SHA-256 check catches it
    const sha = createHash('sha256').update(RELEASE).digest();
    const send = async () => {
      const waitFor = (pred: (s: { stage: number; text: string }) => boolean) => new Promise<{ stage: number; text: string }>((res) => {
        const on = (x: { stage: number; text: string }) => { if (pred(x)) { c.off('upload', on); res(x); } };
        c.on('upload', on);
      });
      c.send(T.UPLOAD_BEGIN, enc.uploadBegin(bad.length, sha));
      for (let off = 0; off < bad.length; off += 1024) {
        const d = bad.subarray(off, off + 1024);
        const ack = waitFor(() => true);
        c.send(T.UPLOAD_CHUNK, enc.uploadChunk(off, crc32(d), d));
        await ack;
      }
      const end = waitFor((x) => x.stage === UPLOAD_STAGE.FAILED || x.stage >= UPLOAD_STAGE.VERIFIED);
      c.send(T.UPLOAD_END);
      return end;
    };
    const r1 = await send();
    expect(r1.stage).toBe(UPLOAD_STAGE.FAILED);
    expect(r1.text).toMatch(/SHA-256 mismatch/);
    const r2 = await c.upload(RELEASE.subarray(0, 40_000));
    expect(r2.stage).toBe(UPLOAD_STAGE.FAILED);
    expect(r2.text).toMatch(/not a valid wasm module/);
    expect(m.engineHash).toBe(running);
    expect(m.alive).toBe(true);
    expect(worst).toBeLessThan(1e-6);
  }, 30_000);

  it('a wrong ABI is refused', async () => {
    const running = m.engineHash;
    const s = await c.upload(withAbi(RELEASE, 1));
    expect(s.stage).toBe(UPLOAD_STAGE.FAILED);
    expect(s.text).toMatch(/engine ABI 1, this module needs 2/);
    expect(m.engineHash).toBe(running);
  }, 30_000);

  it('an engine that traps in process after the swap is rolled back; audio goes on', async () => {
    const running = m.engineHash;
    worst = 0;
    // 750 calls pass the 2 s self-test; it traps 1 s after the swap, before the 1 s confirmation... at 375 calls/s
    const trapper = trappingAfter(RELEASE, 750 + 200);
    const rolled = new Promise<string>((res) => c.on('upload', (x) => { if (x.stage === UPLOAD_STAGE.FAILED) res(x.text); }));
    const s = await c.upload(trapper);
    expect(s.stage).toBe(UPLOAD_STAGE.SWAPPED);
    expect(await rolled).toMatch(/trapped after the swap.*rolled back/);
    await until(() => m.engineHash === running, 2000, 'the rollback');
    expect(m.alive).toBe(true);
    // one block (the one that trapped) went out dry: the monitor's output is the dry input anyway
    expect(worst).toBeLessThan(1e-6);
    expect((await c.getParam('monitor')).formatted).toBe('on');
  }, 30_000);

  it('an upload cut off midway (END early, or the cable pulled) leaves the old engine; the next one works', async () => {
    const running = m.engineHash;
    const sha = createHash('sha256').update(DEBUG).digest();
    c.send(T.UPLOAD_BEGIN, enc.uploadBegin(DEBUG.length, sha));
    for (let off = 0; off < 10 * 1024; off += 1024) { const d = DEBUG.subarray(off, off + 1024); c.send(T.UPLOAD_CHUNK, enc.uploadChunk(off, crc32(d), d)); }
    const failed = new Promise<string>((res) => c.on('upload', (x) => { if (x.stage === UPLOAD_STAGE.FAILED) res(x.text); }));
    c.send(T.UPLOAD_END);
    expect(await failed).toMatch(/cut off: 10240 of \d+ bytes/);
    expect(m.engineHash).toBe(running);
    // pulled mid-transfer: the module forgets the half image with the session
    c.send(T.UPLOAD_BEGIN, enc.uploadBegin(DEBUG.length, sha));
    c.send(T.UPLOAD_CHUNK, enc.uploadChunk(0, crc32(DEBUG.subarray(0, 1024)), DEBUG.subarray(0, 1024)));
    await pair.kill();
    await new Promise((r) => setTimeout(r, 100));
    pair = await ptyPair(pair.a, pair.b);
    await until(() => c.connected, 3000, 'the reconnect');
    expect(m.engineHash).toBe(running);
    expect(m.alive).toBe(true);
    const s = await c.upload(RELEASE);
    expect(s.stage, s.text).toBe(UPLOAD_STAGE.SWAPPED);
    expect(m.engineHash).toBe(hashOf(RELEASE));
  }, 30_000);

  it('with the engine dead (a trap), the shell still answers HELLO and takes a new engine', async () => {
    // make the running engine trap by swapping in one that dies right after its self-test and confirmation
    const dead = new Promise<void>((res) => c.on('log', (l) => { if (/engine stopped/.test(l.text)) res(); }));
    const s = await c.upload(trappingAfter(RELEASE, 750 + 600)); // committed after 1 s (375 calls), traps later
    expect(s.stage).toBe(UPLOAD_STAGE.SWAPPED);
    await dead;
    expect(m.alive).toBe(false);
    const h = new LinkClient(serialTransport(pair.b), { reconnect: false });
    c.close();
    const hello = await h.connect();
    expect(hello.engineOk).toBe(false);
    const ok = await h.upload(RELEASE);
    expect(ok.stage, ok.text).toBe(UPLOAD_STAGE.SWAPPED);
    expect(m.alive).toBe(true);
    expect(h.hello!.engineOk).toBe(true);
    h.close();
    c = new LinkClient(serialTransport(pair.b), {});
    await c.connect();
  }, 30_000);
});

void encodeFrame;
