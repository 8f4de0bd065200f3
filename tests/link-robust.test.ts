// The link when things go wrong, against the virtual module over socat ptys: a proxy in the pty path that flips
// bits and drops bytes, and engine uploads that are good, corrupt, of the wrong ABI, trapping after the swap, or cut
// off (tests/helpers/upload-cases.ts, shared with piwip-module's wasm3 build). The module's audio is checked sample by
// sample through its own output tap.
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LinkClient } from '../host/link/client.ts';
import { FrameDecoder } from '../host/link/frame.ts';
import { serialTransport } from '../host/link/transport.ts';
import { VirtualModule } from '../host/module/virtual.ts';
import { pace, serveTty, type Served } from '../host/module/serve.ts';
import { ptyPair, tempDir, type PtyPair } from './helpers/pty.ts';
import { skipWithout } from './helpers/tools.ts';
import { uploadCases } from './helpers/upload-cases.ts';
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
  const dir = tempDir('upload');
  beforeAll(async () => {
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

  uploadCases({
    client: () => c,
    setClient: (n) => { c = n; },
    newClient: (o) => new LinkClient(serialTransport(pair.b), { reconnect: o?.reconnect ?? true }),
    engine: async () => ({ hash: m.engineHash, alive: m.alive }),
    confirmSeconds: 1,
    callsPerSecond: 48000 / 128,
    bootEngine: join(dir, 'boot.wasm'),
    replug: async () => {
      await pair.kill();
      await new Promise((r) => setTimeout(r, 100));
      pair = await ptyPair(pair.a, pair.b);
    },
    audio: { reset: () => { worst = 0; }, worst: () => worst, blocks: () => blocksSeen },
  });
});

