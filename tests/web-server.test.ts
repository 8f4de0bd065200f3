// `piwip app` as a user runs it: a real process, its printed URL, what it serves, a clear error for a taken port,
// and a clean stop on SIGTERM.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('..', import.meta.url).pathname;

function startApp(args: string[]): Promise<{ url: string; stop: () => Promise<{ code: number | null; out: string }> }> {
  const p = spawn(process.execPath, ['bin/piwip.mjs', 'app', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    p.stdout.on('data', (d) => {
      out += d;
      const m = /serving (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) resolve({ url: m[1]!, stop: () => new Promise((r) => { p.once('exit', (code) => r({ code, out })); p.kill('SIGTERM'); }) });
    });
    p.stderr.on('data', (d) => { out += d; });
    p.once('exit', (code) => reject(new Error(`piwip app exited ${code}: ${out}`)));
  });
}

describe('piwip app', () => {
  it('prints its 127.0.0.1 URL and serves the page, the bundles and the engine; SIGTERM stops it', async () => {
    const app = await startApp(['--port', '0']);
    const get = async (path: string) => { const r = await fetch(app.url + path); return { status: r.status, type: r.headers.get('content-type'), body: Buffer.from(await r.arrayBuffer()) }; };
    const index = await get('');
    expect(index.status).toBe(200);
    expect(index.type).toMatch(/text\/html/);
    expect(index.body.toString()).toContain('driving: <b>this computer</b>');
    const js = await get('app.js');
    expect(js.type).toMatch(/javascript/);
    expect(js.body.toString()).toContain('requestMIDIAccess');
    expect((await get('worklet.js')).body.toString()).toContain('registerProcessor');
    const wasm = await get('piwip.wasm');
    expect(wasm.type).toBe('application/wasm');
    expect(WebAssembly.Module.imports(new WebAssembly.Module(wasm.body))).toEqual([]);
    expect((await get('../package.json')).status).toBe(404);
    expect((await get('nope.js')).status).toBe(404);
    const { code, out } = await app.stop();
    expect(code).toBe(0);
    expect(out).toContain('piwip app: stopped');
  });

  it('a port in use or a bad port is one line and an exit code', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    const r = spawnSync(process.execPath, ['bin/piwip.mjs', 'app', '--port', String(port)], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    blocker.close();
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(`piwip app: error: port ${port} is in use (try --port 0 for any free port)`);
    const bad = spawnSync(process.execPath, ['bin/piwip.mjs', 'app', '--port', 'x'], { cwd: ROOT, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(spawnSync(process.execPath, ['bin/piwip.mjs', 'app', '--help'], { cwd: ROOT, encoding: 'utf8' }).stdout).toMatch(/^usage: piwip app/);
  });
});
