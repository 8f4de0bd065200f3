// `piwip connect` under a real pty (tmux) against the virtual module on a socat pty pair: the terminal shows the
// module's framebuffer, a key typed in the terminal reaches the module, an unplug is shown and recovered, and the
// terminal is restored on exit.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualModule } from '../host/module/virtual.ts';
import { pace, serveTty, type Served } from '../host/module/serve.ts';
import { screenLines } from '../host/tui/screen.ts';
import { ptyPair, tempDir, type PtyPair } from './helpers/pty.ts';
import { skipWithout } from './helpers/tools.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SKIP = skipWithout('piwip connect under tmux', [{ name: 'tmux', probe: ['-V'] }, 'socat'], 'apt-get install tmux socat');

describe.skipIf(SKIP)('piwip connect: a module in the terminal', () => {
  const sock = `piwip-connect-${process.pid}`;
  const tmux = (...args: string[]) => spawnSync('tmux', ['-L', sock, ...args], { encoding: 'utf8' });
  const pane = () => tmux('capture-pane', '-p', '-t', 'c').stdout.split('\n');
  let dir = '', pair: PtyPair, m: VirtualModule, served: Served, stop: () => void;
  async function until(what: string, ok: (lines: string[]) => boolean, ms = 30_000): Promise<string[]> {
    const t0 = Date.now();
    for (;;) {
      const l = pane();
      if (ok(l)) return l;
      if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}; screen:\n${l.join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const screenIs = (l: string[]) => {
    const want = screenLines(m.engine.screen(), 'plain');
    return l.slice(1, 33).map((s) => s.padEnd(128).slice(0, 128)).join('\n') === want.join('\n');
  };

  beforeAll(async () => {
    dir = tempDir('connect');
    pair = await ptyPair(join(dir, 'mod'), join(dir, 'host'));
    const input = new Float32Array(48000);
    for (let i = 0; i < input.length; i++) input[i] = 0.4 * Math.sin((2 * Math.PI * 330 * i) / 48000);
    m = new VirtualModule({ maxRecSeconds: 10, input });
    served = await serveTty(m, pair.a);
    stop = pace(m).stop;
    const cmd = `cd ${ROOT} && stty -a | grep -o -- ' -\\?icanon ' > ${dir}/stty-before; node bin/piwip.mjs connect --port ${pair.b} --screen plain ` +
      `--midi-in none; echo "EXITED $?"; stty -a | grep -o -- ' -\\?icanon ' > ${dir}/stty-after; sleep 600`;
    const r = tmux('new-session', '-d', '-s', 'c', '-x', '200', '-y', '48', cmd);
    if (r.status !== 0) throw new Error(`tmux: ${r.stderr}`);
  }, 30_000);
  afterAll(async () => { tmux('kill-server'); stop?.(); await served?.close(); await pair?.kill(); rmSync(dir, { recursive: true, force: true }); });

  it('shows the module\'s screen; K2 typed in the terminal arms the module; unplug shown and recovered; q restores the terminal', async () => {
    let lines = await until('the module screen', (l) => l[0]?.startsWith('piwip  driving: module piwip-virtual') === true && screenIs(l));
    expect(lines.join('\n')).toContain('1 2 3 tap K1 K2 K3');
    expect(tmux('display', '-p', '-t', 'c', '#{alternate_on}').stdout.trim()).toBe('1');
    // the module's own 0.5 s key lock-out, in its time
    while (m.engine.time < 1) await new Promise((r) => setTimeout(r, 50));
    tmux('send-keys', '-t', 'c', '2');
    lines = await until('REC on the status line', (l) => l.some((s) => s.startsWith('REC  in ')));
    expect(m.engine.state().recording).toBe(true);
    await until('the screen again equal to the module', screenIs);

    // unplug: the status line says so; replug: back, and the mirror is exact again
    await pair.kill();
    await until('UNPLUGGED', (l) => l.some((s) => s.includes('UNPLUGGED')));
    pair = await ptyPair(pair.a, pair.b);
    await until('reconnected', (l) => l.some((s) => s.includes('| link ')) && !l.some((s) => s.includes('UNPLUGGED')));
    await until('the screen equal after the replug', screenIs);

    tmux('send-keys', '-t', 'c', 'q');
    lines = await until('exit', (l) => l.some((s) => s.startsWith('EXITED')));
    expect(lines.find((s) => s.startsWith('EXITED'))).toBe('EXITED 0');
    expect(tmux('display', '-p', '-t', 'c', '#{alternate_on} #{cursor_flag}').stdout.trim()).toBe('0 1');
    await until('stty', () => { try { return readFileSync(`${dir}/stty-after`, 'utf8').length > 0; } catch { return false; } });
    expect(readFileSync(`${dir}/stty-after`, 'utf8')).toBe(readFileSync(`${dir}/stty-before`, 'utf8'));
  }, 120_000);
});
