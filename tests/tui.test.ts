// The terminal face: its pure parts (half-block screen, keys, status line), and `piwip play` live under a real pty
// (tmux): the rendered screen equals the engine's, a key reaches the engine, and the terminal is restored on exit.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PiwipEngine } from '../host/engine/engine.ts';
import { parseKeys } from '../host/tui/keys.ts';
import { detectMode, screenLines } from '../host/tui/screen.ts';
import { statusLine } from '../host/tui/terminal-face.ts';
import { fakeMicWav } from './helpers/browser.ts';
import { skipWithout } from './helpers/tools.ts';

const ROOT = new URL('..', import.meta.url).pathname;

describe('terminal screen, keys and status line', () => {
  it('draws two pixel rows per line: truecolor half blocks in the 16 greys, plain half blocks without colour', () => {
    const fb = new Uint8Array(4096);
    fb[0] = 0xf3; // (0,0) = 15, (1,0) = 3
    fb[64] = 0x70; // (0,1) = 7, (1,1) = 0
    const tc = screenLines(fb, 'truecolor');
    expect(tc).toHaveLength(32);
    expect(tc[0]!.startsWith('\x1b[38;2;255;255;255m\x1b[48;2;119;119;119m▀\x1b[38;2;51;51;51m\x1b[48;2;0;0;0m▀')).toBe(true);
    expect(tc[0]!.endsWith('\x1b[0m')).toBe(true);
    const plain = screenLines(fb, 'plain');
    expect(plain[0]!.slice(0, 3)).toBe('█▀ ');
    expect(plain.every((l) => [...l].length === 128)).toBe(true);
    expect(detectMode({ COLORTERM: 'truecolor' })).toBe('truecolor');
    expect(detectMode({ COLORTERM: 'truecolor', NO_COLOR: '1' })).toBe('plain');
    expect(detectMode({ TERM: 'xterm' })).toBe('plain');
  });

  it('maps keys, arrows and page keys to keys, encoders and notes', () => {
    expect(parseKeys('1@\x1b[A\x1b[C\x1b[6~]a q')).toEqual([
      { a: 'tap', n: 1 }, { a: 'hold', n: 2 }, { a: 'enc', n: 2, d: -1 }, { a: 'enc', n: 3, d: 1 }, { a: 'enc', n: 1, d: 1 },
      { a: 'enc', n: 1, d: 1 }, { a: 'note', i: 0 }, { a: 'allOff' }, { a: 'quit' },
    ]);
    expect(parseKeys('\x1b[Z\x03')).toEqual([{ a: 'quit' }]); // unknown escape skipped, Ctrl-C quits
  });

  it('status line: REC / RDY, level, pitch, CPU, held keys', () => {
    const t = { inRms: 0.1, outRms: 0, inPeak: 0.5, pitchHz: 440, bpm: 90, recording: true, armed: true, menuOpen: false, modeName: 'sampler', time: 3, blockMs: 0.02, cpu: 0.0075, cpuLive: true, where: 'this computer' };
    expect(statusLine(t, new Set([1]), 5, 2)).toBe('REC  in -6.0 dB  pitch 440.0 Hz  cpu 0.8%  t 3.0 s  sampler held K1  oct C4 notes 2');
    expect(statusLine({ ...t, recording: false }, new Set(), 5, 0)).toMatch(/^RDY /);
    expect(statusLine(null, new Set(), 5, 0)).toMatch(/^---  in -inf dB/);
  });
});

describe('piwip play: errors before the terminal is touched', () => {
  it('refuses a missing input file and a non-terminal stdin with one line', () => {
    const a = spawnSync('node', ['bin/piwip.mjs', 'play', '--in', 'no-such.wav'], { cwd: ROOT, encoding: 'utf8', input: '' });
    expect(a.status).toBe(1);
    expect(a.stderr.trim().split('\n')).toEqual(['piwip play: error: input WAV "no-such.wav" not found']);
    const b = spawnSync('node', ['bin/piwip.mjs', 'play', '--out', 'none'], { cwd: ROOT, encoding: 'utf8', input: '' });
    expect(b.status).toBe(1);
    expect(b.stderr.trim()).toBe('piwip play: error: piwip play needs a terminal (stdin is not a TTY)');
    const c = spawnSync('node', ['bin/piwip.mjs', 'play', '--screen', 'sixel'], { cwd: ROOT, encoding: 'utf8', input: '' });
    expect(c.status).toBe(2);
  });
});

const skipTmux = skipWithout('piwip play under tmux', [{ name: 'tmux', probe: ['-V'] }], 'apt-get install tmux');

describe.skipIf(skipTmux)('piwip play under a real pty (tmux)', () => {
  const sock = `piwip-test-${process.pid}`;
  let dir = '';
  const tmux = (...args: string[]) => spawnSync('tmux', ['-L', sock, ...args], { encoding: 'utf8' });
  const pane = () => tmux('capture-pane', '-p', '-t', 'play').stdout.split('\n');
  async function until(what: string, ok: (lines: string[]) => boolean, ms = 60_000): Promise<string[]> {
    const t0 = Date.now();
    for (;;) {
      const l = pane();
      if (ok(l)) return l;
      if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}; screen:\n${l.join('\n')}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'piwip-tui-'));
    const wav = fakeMicWav(dir, 440, 0.5, 4);
    const cmd = `cd ${ROOT} && stty -a | grep -o -- ' -\\?icanon ' > ${dir}/stty-before; node bin/piwip.mjs play --screen plain --out none --midi-in none ` +
      `--in ${wav} --pset-dir ${dir}/psets; echo "EXITED $?"; stty -a | grep -o -- ' -\\?icanon ' > ${dir}/stty-after; sleep 600`;
    const r = tmux('new-session', '-d', '-s', 'play', '-x', '160', '-y', '48', cmd);
    if (r.status !== 0) throw new Error(`tmux: ${r.stderr}`);
  });
  afterAll(() => { tmux('kill-server'); rmSync(dir, { recursive: true, force: true }); });

  it('renders the engine screen, K2 reaches the engine (REC), and q restores the terminal', async () => {
    // the title screen, as the Node engine draws it with the same (not armed) input
    const e = PiwipEngine.create({ sampleRate: 48000 });
    const N = 128, inp = new Float32Array(N), o = new Float32Array(N);
    let k = 0;
    const run = (s: number) => {
      for (let b = Math.round(s * 48000 / N); b > 0; b--) { for (let i = 0; i < N; i++) inp[i] = 0.5 * Math.sin(2 * Math.PI * 440 * (k++) / 48000); e.process(inp, inp, o, o); }
    };
    run(1);
    const title = screenLines(e.screen(), 'plain');
    const engineRows = (l: string[]) => l.slice(1, 33).map((r) => r.padEnd(128).slice(0, 128));
    // wait for that frame, not for the first non-blank one: on a loaded machine the pane can be caught while the
    // terminal is still painting the first frames (seen in CI: the title's text rows still blank)
    let lines = await until('the title screen', (l) => l.some((s) => s.startsWith('---  in ')) &&
      engineRows(l).every((r, i) => r === title[i]));
    expect(lines[0]).toBe('piwip  driving: this computer');
    expect(engineRows(lines)).toEqual(title);
    expect(lines.join('\n')).toContain('1 2 3 tap K1 K2 K3');
    expect(tmux('display', '-p', '-t', 'play', '#{alternate_on}').stdout.trim()).toBe('1');

    // past the engine's 0.5 s key lock-out, counted in engine time (a loaded machine runs the audio clock late)
    await until('engine time 1 s', (l) => l.some((s) => Number(/ t (\d+\.\d) s /.exec(s)?.[1] ?? 0) >= 1));
    tmux('send-keys', '-t', 'play', '2'); // K2: arm → the sine starts a take
    lines = await until('REC', (l) => l.some((s) => s.startsWith('REC  in ')));
    e.key(2, 1); e.key(2, 0); run(0.5);
    const rec = screenLines(e.screen(), 'plain');
    const badge = (ls: string[]) => ls.slice(0, 6).map((l) => [...l.padEnd(128)].slice(104, 128).join(''));
    expect(badge(lines.slice(1, 33))).toEqual(badge(rec));
    expect(badge(rec).join('')).toContain('█');

    tmux('send-keys', '-t', 'play', 'q');
    lines = await until('exit', (l) => l.some((s) => s.startsWith('EXITED')));
    expect(lines.find((s) => s.startsWith('EXITED'))).toBe('EXITED 0');
    expect(lines.join('\n')).toContain('piwip play: stopped');
    expect(tmux('display', '-p', '-t', 'play', '#{alternate_on} #{cursor_flag}').stdout.trim()).toBe('0 1');
    const { readFileSync } = await import('node:fs');
    await until('stty', () => { try { return readFileSync(`${dir}/stty-after`, 'utf8').length > 0; } catch { return false; } });
    expect(readFileSync(`${dir}/stty-after`, 'utf8')).toBe(readFileSync(`${dir}/stty-before`, 'utf8'));
    expect(readFileSync(`${dir}/stty-after`, 'utf8').trim()).toBe('icanon');
  }, 300_000);
});
