// The norns mod + script (real Lua under lua5.3, in the norns double) on a real pty to a real module: the virtual
// module (`piwip module --link pty`: host/module) and, when built, the Linux `piwip-module --link PATH`.
import { describe, it, expect, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VirtualModule } from '../host/module/virtual.ts';
import { servePty, pace } from '../host/module/serve.ts';
import { PtyNorns } from './norns/pty.ts';
import { unpackScreen } from './norns/bridge.ts';
import { ptyPair } from './crow/pty.ts';
import { skipWithout } from './helpers/tools.ts';

const skip = skipWithout('norns pty tests', [{ name: 'lua5.3', probe: ['-v'] }, { name: 'socat', probe: ['-V'] }], 'apt-get install lua5.3 socat');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const FW = fileURLToPath(new URL('../firmware', import.meta.url));
// its own build dir: tests/firmware.test.ts runs make on firmware/build at the same time in another worker
const FW_B = 'build/norns-pty';
const PIWIP_MODULE = join(FW, FW_B, 'linux/piwip-module');
const noModule = skip || skipWithout('norns ↔ Linux piwip-module', ['wasm2c', 'gcc', 'make', { name: '/usr/include/alsa/asoundlib.h' }],
  'apt-get install wabt gcc make libasound2-dev');

async function until(f: () => Promise<boolean> | boolean, ms = 5000): Promise<boolean> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) { if (await f()) return true; await sleep(50); }
  return false;
}

describe.skipIf(skip)('norns over a pty', () => {
  it('virtual module: mirror equals its framebuffer, K2 arms, params both ways, unplug/replug', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'piwip-vm-'));
    const m = new VirtualModule({ maxRecSeconds: 10 });
    const served = await servePty(m, join(dir, 'tty'));
    const pacer = pace(m);
    const n = new PtyNorns();
    try {
      await n.cmd('boot');
      await n.cmd('script');
      n.start();
      expect((await n.plug(served.hostPath, 'piwip_virtual_module')).matched).toBe('piwip-module');
      const same = async () => Buffer.from((await n.cmd('screen')).screen!).equals(Buffer.from(unpackScreen(m.engine.screen())));
      expect(await until(same)).toBe(true);
      expect(await until(async () => (await n.norns.eval('params.lookup["tempo"] ~= nil')) === 'true')).toBe(true);
      await sleep(600); // the module ignores keys for 0.5 s after start
      await n.cmd('key 2 1'); await n.cmd('key 2 0');
      expect(await until(() => m.engine.state().armed)).toBe(true);
      await n.cmd('set tempo 133');
      expect(await until(() => m.engine.getParam('tempo') === 133)).toBe(true);
      m.engine.setParam('root_note', 45);
      expect(await until(async () => (await n.norns.eval('params:string("root_note")')) === 'A1')).toBe(true);
      await n.unplug();
      expect(await until(async () => (await n.norns.eval('table.concat(DOUBLE.screen.shown_texts or {}, "|")')).includes('unplugged'))).toBe(true);
      m.engine.enc(1, 1);
      await n.plug(served.hostPath, 'piwip_virtual_module');
      expect(await until(same)).toBe(true);
      expect(Number(await n.norns.eval('require("piwip-module/lib/mod").rx.corrupt'))).toBe(0);
      expect(n.errors).toEqual([]);
    } finally {
      await n.close();
      pacer.stop();
      await served.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  beforeAll(() => {
    if (!noModule) execFileSync('make', ['-C', FW, '-s', `B=${FW_B}`, 'linux'], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
  }, 300_000);

  it.skipIf(noModule)('Linux piwip-module --link: HELLO, params, K2 arms, screen frames intact', async () => {
    const pair = await ptyPair();
    const mod = spawn(PIWIP_MODULE, ['--link', pair.a, '--audio', 'none'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    mod.stderr.on('data', (d) => { err += d; });
    const n = new PtyNorns();
    try {
      await n.cmd('boot');
      await n.cmd('script');
      n.start();
      await sleep(300);
      await n.plug(pair.b, 'piwip');
      const ev = (e: string) => n.norns.eval(e);
      expect(await until(async () => (await ev('(require("piwip-module/lib/mod").hello or {}).firmware ~= nil')) === 'true'), err).toBe(true);
      expect(await until(async () => (await ev('params.lookup["tempo"] ~= nil')) === 'true')).toBe(true);
      expect(await until(async () => (await ev('DOUBLE.screen.pokes > 0')) === 'true')).toBe(true);
      await sleep(600);
      await n.cmd('key 2 1'); await n.cmd('key 2 0');
      // the script sees the module armed in its TELEMETRY
      await n.cmd('eval (function() local p = require("piwip-module/lib/mod"); local f = p.listeners.telemetry; p.listeners.telemetry = function(t) ARMED = t.armed; f(t) end end)()');
      expect(await until(async () => (await ev('ARMED')) === 'true')).toBe(true);
      await n.cmd('set tempo 77');
      expect(await until(async () => (await ev('params:get("tempo")')) === '77')).toBe(true);
      expect(await ev('require("piwip-module/lib/mod").rx.corrupt')).toBe('0');
      expect(n.errors).toEqual([]);
    } finally {
      await n.close();
      mod.kill();
      pair.close();
    }
  }, 30_000);
});
