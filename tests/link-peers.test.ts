// The link against its real peers over socat ptys: the virtual module (host/module, in this process, at real-time
// pace) and the Linux firmware build (firmware/build/.../piwip-module --audio none --link PTY). The host side is the
// real client (host/link/client.ts) on the other end of the pty.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PiwipEngine } from '../host/engine/engine.ts';
import { LinkClient } from '../host/link/client.ts';
import { serialTransport } from '../host/link/transport.ts';
import { VirtualModule } from '../host/module/virtual.ts';
import { pace, serveTty, type Served } from '../host/module/serve.ts';
import { ptyPair, tempDir, until, type PtyPair } from './helpers/pty.ts';
import { skipWithout } from './helpers/tools.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SKIP_PTY = skipWithout('link over ptys', ['socat'], 'apt-get install socat');
const SKIP_FW = skipWithout('link with piwip-module', ['socat', 'make', 'gcc', 'wasm2c'], 'apt-get install socat make gcc wabt');

const stripVolatile = (p: { id: string; value: number; formatted: string }) => ({ id: p.id, value: p.value, formatted: p.formatted });

/** A Node engine with the module's defaults, for what a freshly started module must report. */
const reference = () => PiwipEngine.create({ sampleRate: 48000, blockSize: 128, maxRecSeconds: 10 });

interface Peer { name: string; pair: PtyPair; client: LinkClient; stop(): Promise<void>; dir: string; change(id: string, v: number): void; replug(): Promise<void> }

async function virtualPeer(): Promise<Peer & { m: VirtualModule }> {
  const dir = tempDir('vm');
  const pair = await ptyPair(join(dir, 'mod'), join(dir, 'host'));
  const m = new VirtualModule({ maxRecSeconds: 10, psetDir: join(dir, 'sets') });
  let served: Served = await serveTty(m, pair.a);
  const pacer = pace(m);
  const client = new LinkClient(serialTransport(pair.b), { screenFps: 30, telemetryHz: 10 });
  const peer = {
    name: 'virtual module', pair, client, dir, m,
    change: (id: string, v: number) => { m.engine.setParam(id, v); },
    stop: async () => { client.close(); pacer.stop(); await served.close(); await peer.pair.kill(); },
    replug: async () => {
      await peer.pair.kill();
      await new Promise((r) => setTimeout(r, 150));
      peer.pair = await ptyPair(pair.a, pair.b);
    },
  };
  void served;
  return peer;
}

async function firmwarePeer(bin: string): Promise<Peer & { proc: ChildProcess }> {
  const dir = tempDir('fw');
  const pair = await ptyPair(join(dir, 'mod'), join(dir, 'host'));
  mkdirSync(join(dir, 'sets'));
  const proc = spawn(bin, ['--audio', 'none', '--link', pair.a, '--pset-dir', join(dir, 'sets'), '--max-rec', '10'], { stdio: ['pipe', 'ignore', 'pipe'] });
  const client = new LinkClient(serialTransport(pair.b), { screenFps: 30, telemetryHz: 10 });
  const peer = {
    name: 'piwip-module', pair, client, dir, proc,
    // a change made on the module itself: piwip-module's control line on stdin, as a user types it
    change: (id: string, v: number) => { proc.stdin!.write(`param ${v} ${id}\n`); },
    stop: async () => {
      client.close();
      await new Promise<void>((r) => { proc.once('exit', () => r()); proc.kill('SIGTERM'); });
      await peer.pair.kill();
    },
    replug: async () => {
      await peer.pair.kill();
      await new Promise((r) => setTimeout(r, 150));
      peer.pair = await ptyPair(pair.a, pair.b);
    },
  };
  return peer;
}

function peerSuite(name: string, skip: boolean, make: () => Promise<Peer>, setupMs = 30_000): void {
  describe.skipIf(skip)(`link over a pty: ${name}`, () => {
    let p: Peer;
    beforeAll(async () => { p = await make(); await p.client.connect(); }, setupMs);
    afterAll(async () => { await p?.stop(); });

    it('HELLO, and a param list equal to the engine\'s own param table', () => {
      expect(p.client.hello).toMatchObject({ protocol: 1, abi: 2, sampleRate: 48000, blockSize: 128, engineOk: true });
      const ref = reference();
      expect(p.client.params.map(stripVolatile)).toEqual(ref.params().map(stripVolatile));
      expect(p.client.params.length).toBe(ref.paramCount());
    });

    it('set, get and delta; a change made on the module is pushed to the host', async () => {
      expect((await p.client.setParam('probability', 42)).formatted).toBe('42 %');
      expect((await p.client.getParam('probability')).value).toBe(42);
      expect((await p.client.setParam('scale_mode', 'lydian')).formatted).toBe('lydian');
      const d = await p.client.deltaParam('tempo', 3);
      expect(d.value).toBe(93);
      p.change('rec thresh', 33);
      await until(() => p.client.params.find((x) => x.id === 'rec thresh')?.value === 33, 2000, 'the pushed rec thresh');
    });

    it('PSETs: text down and up, and the module\'s own slots (save, list, load, delete as files)', async () => {
      await p.client.setParam('probability', 61);
      const text = await p.client.psetGet('backup');
      expect(text).toMatch(/^-- backup\n"resolution": 50\.0\n/);
      expect(text).toContain('"probability": 61.0');
      await p.client.setParam('probability', 3);
      const r = await p.client.psetPut(text);
      expect(r.applied).toBe(p.client.params.length);
      expect((await p.client.getParam('probability')).value).toBe(61);
      expect((await p.client.psetOp('save', 4)).code).toBe(0);
      expect(readdirSync(join(p.dir, 'sets')).sort()).toEqual(['piwip-04.pset', 'pset-last.txt']);
      expect(readFileSync(join(p.dir, 'sets', 'piwip-04.pset'), 'utf8')).toContain('"probability": 61.0');
      await p.client.setParam('probability', 9);
      expect((await p.client.psetList()).slots).toEqual([{ slot: 4, name: 'piwip-04' }]);
      await p.client.psetOp('load', 4);
      await until(() => p.client.params.find((x) => x.id === 'probability')?.value === 61, 2000, 'the loaded probability pushed');
      await p.client.psetOp('delete', 4);
      expect(existsSync(join(p.dir, 'sets', 'piwip-04.pset'))).toBe(false);
      await expect(p.client.psetOp('save', 0)).rejects.toThrow(/slot/);
    });

    it('the mirrored screen equals the engine\'s framebuffer (the menu, opened by a short K1 over the link)', async () => {
      // norns ignores keys for the first 0.5 s after start (spec, faithful): wait for the module's clock
      await until(() => (p.client.telemetry?.time ?? 0) > 0.6, 3000, 'the module to run 0.6 s');
      p.client.key(1, 1);
      await new Promise((r) => setTimeout(r, 30));
      p.client.key(1, 0);
      await until(() => p.client.telemetry?.menu === true, 2000, 'the menu to open');
      await new Promise((r) => setTimeout(r, 200));
      // the same menu page drawn by a Node engine with the same wasm
      const ref = reference();
      const z = new Float32Array(128), a = new Float32Array(128), b = new Float32Array(128);
      for (let i = 0; i < 200; i++) ref.process(z, z, a, b);
      ref.key(1, 1); ref.process(z, z, a, b); ref.key(1, 0);
      for (let i = 0; i < 20; i++) ref.process(z, z, a, b);
      expect(ref.menuOpen()).toBe(true);
      expect(Buffer.from(p.client.screen).equals(Buffer.from(ref.screen()))).toBe(true);
      p.client.key(1, 1); p.client.key(1, 0);
      await until(() => p.client.telemetry?.menu === false, 2000, 'the menu to close');
    });

    it('telemetry arrives at the asked rate and says the link is clean', async () => {
      const t0 = p.client.telemetry!.time;
      await new Promise((r) => setTimeout(r, 1000));
      const t = p.client.telemetry!;
      expect(t.time - t0).toBeGreaterThan(0.7);
      expect(t.rxCorrupt).toBe(0);
      expect(t.blocks).toBeGreaterThan(0);
    });

    it('unplug and replug: the host reconnects within 1 s and sees the same state', async () => {
      await p.client.setParam('probability', 27);
      const down = new Promise<void>((r) => p.client.once('disconnect', () => r()));
      const t0 = performance.now();
      await p.replug();
      await down;
      await until(() => p.client.connected, 3000, 'the reconnect');
      const ms = performance.now() - t0;
      expect(ms).toBeLessThan(1000 + 150); // 150 ms of that is the cable being out
      expect((await p.client.getParam('probability')).value).toBe(27);
      expect(p.client.params.find((x) => x.id === 'probability')!.value).toBe(27);
    });
  });
}

peerSuite('the virtual module', SKIP_PTY, virtualPeer);

const FW_BUILD = join(ROOT, 'firmware', 'build', 'link-test');
peerSuite('piwip-module (Linux firmware, wasm2c)', SKIP_FW, async () => {
  mkdirSync(FW_BUILD, { recursive: true });
  const wasm = join(FW_BUILD, 'piwip.wasm');
  copyFileSync(join(ROOT, 'build', 'piwip.wasm'), wasm);
  execFileSync('make', ['-C', join(ROOT, 'firmware'), '-s', `B=${FW_BUILD}`, `WASM=${wasm}`, 'linux'], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
  return firmwarePeer(join(FW_BUILD, 'linux', 'piwip-module'));
}, 300_000);
