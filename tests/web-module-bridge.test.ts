// The module bridge of `piwip app` without a browser: a ws client in Node against the real server and the virtual
// module on TCP (paced here). Bad input gets a one-line error and the connection stays usable; another web site's
// page is refused (it could otherwise drive or reflash the module through 127.0.0.1); `--module` with no module
// behind it fails at start with one line; two pages share one link session.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { pace, serveTcp, type Served } from '../host/module/serve.ts';
import { VirtualModule } from '../host/module/virtual.ts';
import { startAppServer, type AppServer } from '../host/web/server.ts';
import type { FromBridge } from '../host/web/module-protocol.ts';

const ROOT = new URL('..', import.meta.url).pathname;

interface Peer { ws: WebSocket; got: FromBridge[]; frames: Buffer[]; next(pred: (m: FromBridge) => boolean, ms?: number): Promise<FromBridge>; send(m: unknown): void }

function peer(url: string, origin?: string): Promise<Peer> {
  const ws = new WebSocket(url.replace(/^http/, 'ws') + 'link', origin ? { origin } : {});
  const got: FromBridge[] = [], frames: Buffer[] = [];
  const waiters: { pred: (m: FromBridge) => boolean; res: (m: FromBridge) => void }[] = [];
  ws.on('message', (d, bin) => {
    if (bin) { frames.push(d as Buffer); return; }
    const m = JSON.parse(String(d)) as FromBridge;
    got.push(m);
    for (let i = 0; i < waiters.length; i++) if (waiters[i]!.pred(m)) { waiters.splice(i, 1)[0]!.res(m); break; }
  });
  const p: Peer = {
    ws, got, frames,
    send: (m) => ws.send(typeof m === 'string' || Buffer.isBuffer(m) ? m : JSON.stringify(m)),
    next: (pred, ms = 10_000) => new Promise((res, rej) => {
      const old = got.find(pred);
      if (old) { got.splice(got.indexOf(old), 1); res(old); return; }
      const t = setTimeout(() => rej(new Error(`no matching message within ${ms} ms; got ${JSON.stringify(got.map((g) => g.t))}`)), ms);
      waiters.push({ pred, res: (m) => { clearTimeout(t); got.splice(got.indexOf(m), 1); res(m); } });
    }),
  };
  return new Promise((resolve, reject) => { ws.once('open', () => resolve(p)); ws.once('error', reject); });
}

describe('web app module bridge (Node ws client, virtual module on TCP)', () => {
  let m: VirtualModule, served: Served, stop: () => void, app: AppServer, dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'piwip-bridge-'));
    m = new VirtualModule({ maxRecSeconds: 10, psetDir: dir });
    served = await serveTcp(m, 0);
    stop = pace(m).stop;
    app = await startAppServer(0, undefined, { module: served.hostPath });
  }, 30_000);
  afterAll(async () => { await app?.close(); stop?.(); await served?.close(); rmSync(dir, { recursive: true, force: true }); });

  it('serves modules.json with the --module port', async () => {
    const j = await (await fetch(`${app.url}modules.json`)).json() as { default: string; found: unknown[] };
    expect(j.default).toBe(served.hostPath);
    expect(Array.isArray(j.found)).toBe(true);
  });

  it('a page from another origin is refused; the same origin is let in', async () => {
    await expect(peer(app.url, 'http://evil.example')).rejects.toThrow(/403/);
    const ok = await peer(app.url, app.url.replace(/\/$/, ''));
    ok.ws.close();
  });

  it('opens the module: table, framebuffer equal to the module, keys and params reach it', async () => {
    const p = await peer(app.url);
    p.send({ t: 'open', port: served.hostPath });
    const r = await p.next((x) => x.t === 'ready');
    expect(r.t === 'ready' && r.where).toMatch(/^module piwip-virtual .* on tcp:/);
    expect(r.t === 'ready' && r.params.find((q) => q.id === 'tempo')?.value).toBe(m.engine.getParam('tempo'));
    const t0 = Date.now();
    while (!(p.frames.length && Buffer.compare(p.frames.at(-1)!.subarray(4), Buffer.from(m.engine.screen())) === 0) && Date.now() - t0 < 5000) await new Promise((x) => setTimeout(x, 50));
    expect(Buffer.compare(p.frames.at(-1)!.subarray(4), Buffer.from(m.engine.screen()))).toBe(0);
    const tempo = r.t === 'ready' ? r.params.find((q) => q.id === 'tempo')!.index : -1;
    p.send({ t: 'paramSet', i: tempo, v: 133 });
    const v = await p.next((x) => x.t === 'params' && x.changed.some((c) => c.index === tempo));
    expect(v.t === 'params' && v.changed.find((c) => c.index === tempo)!.formatted).toBe('133 bpm');
    expect(m.engine.getParam('tempo')).toBe(133);
    p.send({ t: 'paramGet', id: 7, i: tempo });
    expect(await p.next((x) => x.t === 'reply' && x.id === 7)).toMatchObject({ value: { value: 133 } });
    await p.next((x) => x.t === 'telemetry');
    p.ws.close();
  }, 30_000);

  it('bad input: one-line errors, nothing reaches the module, the page stays connected', async () => {
    const p = await peer(app.url);
    p.send({ t: 'key', n: 2, z: 1 });
    // before open: requests are refused, not queued
    p.send({ t: 'slots', id: 1 });
    expect(await p.next((x) => x.t === 'reply' && x.id === 1)).toMatchObject({ error: 'no module open' });
    p.send({ t: 'open', port: served.hostPath });
    await p.next((x) => x.t === 'ready');
    const before = m.engine.getParam('tempo');
    p.send('{not json');
    expect(await p.next((x) => x.t === 'error')).toMatchObject({ message: 'not JSON' });
    p.send({ t: 'launch' });
    expect(await p.next((x) => x.t === 'error')).toMatchObject({ message: 'unknown message "launch"' });
    p.send({ t: 'paramSet', i: 'tempo', v: 'fast' });
    p.send({ t: 'key', n: 9, z: 1 });
    p.send({ t: 'midi', bytes: [0x90, 999, -1] });
    p.send({ t: 'upload', id: 2, size: 1e9 });
    expect(await p.next((x) => x.t === 'reply' && x.id === 2)).toMatchObject({ error: expect.stringMatching(/^an engine is 1 byte to 8 MiB/) });
    p.send(Buffer.from([0, 97, 115, 109]));
    expect(await p.next((x) => x.t === 'error')).toMatchObject({ message: 'binary data without an upload request' });
    // an engine that is not one: the module says why, its engine stays
    const hash = m.engineHash;
    p.send({ t: 'upload', id: 3, size: 4096 });
    p.send(Buffer.alloc(4096, 7));
    const up = await p.next((x) => x.t === 'reply' && x.id === 3, 30_000);
    expect(up.t === 'reply' && up.error).toMatch(/^the module refused the engine: /);
    expect(m.engineHash).toBe(hash);
    p.send({ t: 'open', port: served.hostPath });
    expect(await p.next((x) => x.t === 'error')).toMatchObject({ message: 'this page already drives a module' });
    p.send({ t: 'paramGet', id: 10, i: 9999 });
    expect(await p.next((x) => x.t === 'reply' && x.id === 10)).toMatchObject({ error: 'no param 9999' });
    p.send({ t: 'slotOp', id: 11, op: 'format', slot: 0 });
    expect(await p.next((x) => x.t === 'reply' && x.id === 11)).toMatchObject({ error: 'a slot op is save, load or delete of slot 1..99' });
    p.send({ t: 'psetPut', id: 12, text: 42 });
    expect(await p.next((x) => x.t === 'reply' && x.id === 12)).toMatchObject({ error: 'PSET text and names are strings' });
    // still alive
    p.send({ t: 'slots', id: 4 });
    expect(await p.next((x) => x.t === 'reply' && x.id === 4)).toMatchObject({ slots: { slots: expect.any(Array) } });
    expect(m.engine.getParam('tempo')).toBe(before);
    expect(m.engine.state().armed || m.engine.state().recording).toBe(false);
    p.ws.close();
  }, 60_000);

  it('a page that goes away with K1 held releases it (K2 from the next page arms, not K1+K2 = monitor)', async () => {
    while (m.engine.time < 1) await new Promise((r) => setTimeout(r, 50)); // the module's 0.5 s key lock-out
    const p = await peer(app.url);
    p.send({ t: 'open', port: served.hostPath });
    await p.next((x) => x.t === 'ready');
    // waits in the module's time, not wall time (a loaded machine runs the paced module late)
    const engineWait = async (sec: number) => { const t = m.engine.time + sec; while (m.engine.time < t) await new Promise((r) => setTimeout(r, 20)); };
    p.send({ t: 'key', n: 1, z: 1 });
    await engineWait(0.3);
    await new Promise((r) => { p.ws.once('close', r); p.ws.close(); }); // the server has seen the close
    await engineWait(0.3);
    const q = await peer(app.url);
    q.send({ t: 'open', port: served.hostPath });
    await q.next((x) => x.t === 'ready');
    const monitor = m.engine.state().monitor;
    q.send({ t: 'key', n: 2, z: 1 }); q.send({ t: 'key', n: 2, z: 0 });
    const t0 = Date.now();
    while (!m.engine.state().armed && Date.now() - t0 < 15_000) await new Promise((r) => setTimeout(r, 20));
    expect(m.engine.state().armed).toBe(true);
    expect(m.engine.state().monitor).toBe(monitor);
    q.send({ t: 'key', n: 2, z: 1 }); q.send({ t: 'key', n: 2, z: 0 }); // disarm
    while (m.engine.state().armed && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 20));
    expect(m.engine.state().armed).toBe(false);
    q.ws.close();
  }, 60_000);

  it('two pages share one link session (a serial port opens once): what one sets the other sees; an unplug is told and recovered', async () => {
    const a = await peer(app.url), b = await peer(app.url);
    a.send({ t: 'open', port: served.hostPath });
    b.send({ t: 'open', port: served.hostPath });
    const ra = await a.next((x) => x.t === 'ready');
    await b.next((x) => x.t === 'ready');
    const probability = ra.t === 'ready' ? ra.params.find((q) => q.id === 'probability')!.index : -1;
    a.send({ t: 'paramSet', i: probability, v: 42 });
    await b.next((x) => x.t === 'params' && x.changed.some((c) => c.index === probability && c.value === 42));
    // a slot saved from one page shows in the other's list (the module's PSET_SLOTS, relayed to every page)
    a.send({ t: 'slotOp', id: 5, op: 'save', slot: 5 });
    expect(await a.next((x) => x.t === 'reply' && x.id === 5)).not.toHaveProperty('error');
    await b.next((x) => x.t === 'slots' && x.slots.slots.some((q) => q.slot === 5));
    a.ws.close();
    await new Promise((r) => setTimeout(r, 200));
    b.send({ t: 'paramSet', i: probability, v: 43 });
    await b.next((x) => x.t === 'params' && x.changed.some((c) => c.index === probability && c.value === 43));
    expect(m.engine.getParam('probability')).toBe(43);
    // unplug (the module's TCP end goes away) and replug on the same port
    const port = Number(served.hostPath.split(':').pop());
    await served.close();
    expect(await b.next((x) => x.t === 'link')).toMatchObject({ connected: false });
    served = await serveTcp(m, port);
    expect(await b.next((x) => x.t === 'link', 20_000)).toMatchObject({ connected: true });
    await b.next((x) => x.t === 'table');
    b.send({ t: 'paramGet', id: 9, i: probability });
    expect(await b.next((x) => x.t === 'reply' && x.id === 9)).toMatchObject({ value: { value: 43 } });
    b.ws.close();
  }, 60_000);

  it('a port with no module behind it: the page gets one line; piwip app --module says so at start and exits 1', async () => {
    const p = await peer(app.url);
    p.send({ t: 'open', port: 'tcp:127.0.0.1:1' });
    const e = await p.next((x) => x.t === 'error');
    expect(e.t === 'error' && e.message).toMatch(/^cannot reach the module: tcp:127\.0\.0\.1:1: /);
    p.ws.close();
    const r = spawnSync(process.execPath, ['bin/piwip.mjs', 'app', '--port', '0', '--module', 'tcp:127.0.0.1:1'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/module tcp:127\.0\.0\.1:1: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
