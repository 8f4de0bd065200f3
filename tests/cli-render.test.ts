// `piwip render` and `piwip demo` end to end: argument errors (exit 2), param refusal instead of clamping,
// determinism (bytes), seeds, the progress bar only on a terminal, the summary, the demo, and a real subprocess.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWav, encodeWav, readWav } from '../host/io/wav.ts';
import { parseAssignment } from '../host/io/params.ts';
import { paramCatalog } from '../host/cli/render.ts';
import { DEMO_MELODY, generatePhrase, midiToHz } from '../host/cli/phrase.ts';
import { ROOT, ensureWasm, runCli, tempDir, toneBurst } from './cli-helpers.ts';

const tmp = tempDir('render');
const sr = 16000;
const IN = () => tmp.path('in.wav');
const PHRASE = () => tmp.path('phrase.wav');

beforeAll(() => {
  ensureWasm();
  writeFileSync(IN(), encodeWav([toneBurst(sr, 261.63, 0.6, 1.4)], sr, '16'));
  writeFileSync(PHRASE(), encodeWav([generatePhrase({ sampleRate: sr }).samples], sr, '32f'));
});
afterAll(tmp.cleanup);

/** Median period from rising zero crossings (linearly interpolated): robust to the odd loop-wrap glitch. */
function sineHz(x: Float32Array, from: number, to: number): number {
  const t: number[] = [];
  for (let i = from; i < to; i++) {
    const a = x[i - 1]!, b = x[i]!;
    if (a < 0 && b >= 0) t.push(i - 1 + a / (a - b));
  }
  const periods = t.slice(1).map((v, i) => v - t[i]!).sort((p, q) => p - q);
  return sr / periods[periods.length >> 1]!;
}

/** Fundamental by normalised autocorrelation over `lo..hi` Hz (integer lags: fine for a ±30 cent check). */
function acfHz(x: Float32Array, rate: number, from: number, n: number, lo = 80, hi = 1000): number {
  const r: number[] = [];
  const first = Math.floor(rate / hi);
  for (let lag = first; lag <= Math.ceil(rate / lo); lag++) {
    let num = 0, e0 = 0, e1 = 0;
    for (let i = from; i < from + n; i++) { num += x[i]! * x[i + lag]!; e0 += x[i]! ** 2; e1 += x[i + lag]! ** 2; }
    r.push(num / Math.sqrt(e0 * e1 + 1e-20));
  }
  // The first local peak within 10 % of the best one: longer lags (sub-octaves) correlate as well.
  const best = Math.max(...r);
  const k = r.findIndex((v, i) => v >= 0.9 * best && v >= (r[i - 1] ?? -1) && v >= (r[i + 1] ?? -1));
  return rate / (first + k);
}

const cents = (a: number, b: number) => 1200 * Math.log2(a / b);

describe('command-line errors', () => {
  const usage: [string, string[], RegExp][] = [
    ['unknown param', ['--set', 'nope=1'], /unknown param "nope"/],
    ['out-of-range value', ['--set', 'probability=101'], /value 101 out of range for param "probability" \(expected a number from 0 to 100 %\)/],
    ['below range', ['--set', 'resolution=5'], /value 5 out of range for param "resolution"/],
    ['bad number', ['--set', 'probability=lots'], /bad value "lots" for param "probability"/],
    ['off-step value', ['--set', 'rec thresh=20.5'], /value 20.5 for param "rec thresh" must be a whole number/],
    ['bad option', ['--set', 'keep armed=sometimes'], /bad value "sometimes" for param "keep armed" \(expected one of: no \(1\), yes \(2\)\)/],
    ['option index out of range', ['--set', 'keep armed=3'], /value 3 out of range for param "keep armed"/],
    ['no =', ['--set', 'probability'], /--set expects id=value/],
    ['unknown preset', ['--preset', 'chorus'], /unknown preset "chorus"/],
    ['bad seed', ['--seed', 'x'], /--seed expects a number, got "x"/],
    ['negative seed', ['--seed', '-1'], /--seed must be from 0 to 4294967295/],
    ['fractional seed', ['--seed', '1.5'], /--seed expects a whole number/],
    ['bad tail', ['--tail', '2s'], /--tail expects a number/],
    ['block too big', ['--block', '512'], /--block must be from 1 to 256/],
    ['bad bits', ['--bits', '8'], /--bits must be 16, 24 or 32f/],
    ['bad max-rec', ['--max-rec', '0'], /--max-rec must be from 1 to 600/],
    ['unknown option', ['--loud'], /unknown option "--loud"/],
    ['option without value', ['--seed'], /option --seed needs a value/],
  ];
  for (const [label, args, re] of usage) {
    it(`${label} → exit 2`, async () => {
      const r = await runCli(['render', IN(), '-o', tmp.path('x.wav'), ...args]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(re);
      expect(r.err).toMatch(/^piwip render: error: .*\(see piwip render --help\)\n$/);
      expect(existsSync(tmp.path('x.wav'))).toBe(false);
    });
  }

  it('missing input or output, extra inputs → exit 2', async () => {
    expect((await runCli(['render', '-o', tmp.path('x.wav')])).err).toMatch(/missing input WAV/);
    expect((await runCli(['render', IN()])).err).toMatch(/missing -o out\.wav/);
    const two = await runCli(['render', IN(), IN(), '-o', tmp.path('x.wav')]);
    expect(two.code).toBe(2);
    expect(two.err).toMatch(/one input WAV expected, got 2/);
  });

  it('top level: help, no command, unknown command', async () => {
    expect((await runCli(['--help'])).code).toBe(0);
    expect((await runCli(['help', 'render'])).out).toMatch(/usage: piwip render/);
    expect((await runCli(['render', '--help'])).out).toMatch(/--max-rec SECONDS/);
    expect((await runCli(['demo', '--help'])).out).toMatch(/usage: piwip demo/);
    const none = await runCli([]);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/usage: piwip <command>/);
    const bad = await runCli(['frobnicate']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/unknown command "frobnicate"/);
  });

  it('params lists ids, ranges and options', async () => {
    const r = await runCli(['params']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/"probability"\s+taper\s+default 0 %\s+0\.\.100 %/);
    expect(r.out).toMatch(/"playback reference"\s+option\s+default middle C\s+1=middle C, 2=median, 3=realtime/);
  });

  it('param ids are matched loosely, values kept exactly', () => {
    const cat = paramCatalog();
    expect(parseAssignment(cat, 'rec_thresh=30')).toMatchObject({ param: { id: 'rec thresh' }, value: 30 });
    expect(parseAssignment(cat, 'PLAYBACK-REFERENCE=Realtime')).toMatchObject({ param: { id: 'playback reference' }, value: 3 });
    expect(parseAssignment(cat, 'monitor level=0.35')).toMatchObject({ value: 0.35 });
    expect(() => parseAssignment(cat, 'monitor level=0.355')).toThrow(/not on its 0\.01 step/);
  });
});

describe('rendering', () => {
  it('sampler preset + a note plays the take a fifth up (events → engine → output)', async () => {
    writeFileSync(tmp.path('fifth.json'), JSON.stringify({ events: [{ t: 1.2, note: 67, dur: 0.6 }] }));
    const r = await runCli(['render', IN(), '--preset', 'sampler', '--events', tmp.path('fifth.json'), '--tail', '1', '-o', tmp.path('fifth.wav')]);
    expect(r.code).toBe(0);
    const o = readWav(tmp.path('fifth.wav'));
    expect(o.frames).toBe(3 * sr);
    const hz = sineHz(o.channels[0]!, Math.round(1.5 * sr), Math.round(1.8 * sr));
    expect(Math.abs(cents(hz, 261.63 * (392.0 / 261.63)))).toBeLessThan(10);
    // Before the note nothing sounds (monitor off): the output is the engine's, not a copy of the input.
    let early = 0;
    for (let i = 0; i < sr; i++) early = Math.max(early, Math.abs(o.channels[0]![i]!));
    expect(early).toBe(0);
  });

  it('same inputs and seed → identical bytes; another seed (ensemble) → different bytes', async () => {
    const run = async (name: string, seed: string) => {
      const r = await runCli(['render', PHRASE(), '--preset', 'ensemble', '--seed', seed, '--tail', '1', '-o', tmp.path(name)]);
      expect(r.code).toBe(0);
      return readFileSync(tmp.path(name));
    };
    const a = await run('a.wav', '7');
    const b = await run('b.wav', '7');
    const c = await run('c.wav', '8');
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
    expect(a.length).toBe(c.length);
  });

  it('block size does not change takes or notes', async () => {
    const stats = [];
    for (const block of ['64', '256']) {
      const r = await runCli(['render', PHRASE(), '--preset', 'follower', '--set', 'probability=100', '--block', block, '--tail', '1', '-o', tmp.path(`blk${block}.wav`)]);
      expect(r.code).toBe(0);
      stats.push(r.out.replace(/; output peak.*/s, '')); // levels move by a hair: the engine's control work is per block
    }
    expect(stats[0]).toMatch(/2 takes recorded/);
    expect(stats[0]).toBe(stats[1]);
  });

  it('prints a one-paragraph summary on stdout', async () => {
    const r = await runCli(['render', PHRASE(), '--preset', 'follower', '--set', 'probability=100', '-o', tmp.path('f.wav')]);
    expect(r.code).toBe(0);
    expect(r.out.trim().split('\n')).toHaveLength(1);
    expect(r.out).toMatch(/^Rendered 8\.\d\d s of input plus tail \(10\.\d\d s in all\) in the follower preset: 2 takes recorded, [1-9]\d* notes played \([1-9]\d* by the harmonizer, 0 note-ons sent from MIDI\/events\), up to [1-5] voices? at once; output peak 0\.\d+ \(-?\d+\.\d dBFS\), RMS -\d+\.\d dBFS; wrote .*f\.wav \(stereo 32-bit float\)\.\n$/);
    expect((await runCli(['render', PHRASE(), '-q', '-o', tmp.path('q.wav')])).out).toBe('');
  });

  it('progress bar: only on a terminal, or with --progress', async () => {
    const base = ['render', PHRASE(), '--preset', 'follower', '-q'];
    const piped = await runCli([...base, '-o', tmp.path('p1.wav')], false);
    expect(piped.err).toBe('');
    const tty = await runCli([...base, '-o', tmp.path('p2.wav')], true);
    expect(tty.err).toMatch(/^\rrendering \[#*-*\]\s+\d+%/);
    expect(tty.err).toMatch(/\[#{30}\] 100% 10\.\d\/10\.\d s\n$/);
    const forced = await runCli([...base, '--progress', '-o', tmp.path('p3.wav')], false);
    expect(forced.err).toMatch(/100%/);
    const off = await runCli([...base, '--no-progress', '-o', tmp.path('p4.wav')], true);
    expect(off.err).toBe('');
    // The bar never touches the audio.
    expect(readFileSync(tmp.path('p1.wav')).equals(readFileSync(tmp.path('p2.wav')))).toBe(true);
  });
});

describe('demo', () => {
  it('the phrase is instrument-like: notes at their pitches, a rest between two phrases, deterministic', () => {
    const p = generatePhrase({ sampleRate: 24000 });
    expect(p.notes.length).toBeGreaterThanOrEqual(6);
    expect(p.notes.length).toBeLessThanOrEqual(10);
    expect(p.seconds).toBeGreaterThan(7.5);
    expect(p.seconds).toBeLessThan(10);
    const rms = (a: number, b: number) => {
      let s = 0;
      for (let i = Math.round(a * 24000); i < Math.round(b * 24000); i++) s += p.samples[i]! ** 2;
      return Math.sqrt(s / ((b - a) * 24000));
    };
    expect(rms(3.75, 4.7)).toBe(0); // the rest: the follower's silence rule ends the first take here
    expect(rms(1.5, 1.9)).toBeGreaterThan(0.1);
    let peak = 0;
    for (const v of p.samples) peak = Math.max(peak, Math.abs(v));
    expect(peak).toBeLessThan(0.9);
    for (const n of [DEMO_MELODY[2]!, DEMO_MELODY[4]!, DEMO_MELODY[9]!]) {
      const hz = acfHz(p.samples, 24000, Math.round((n.start + 0.1) * 24000), 2400, 200, 1000);
      expect(Math.abs(cents(hz, midiToHz(n.midi)))).toBeLessThan(30); // ±25 cent vibrato
    }
    expect(generatePhrase({ sampleRate: 24000 }).samples).toEqual(p.samples);
    expect(generatePhrase({ sampleRate: 24000, seed: 2 }).samples).not.toEqual(p.samples);
  });

  it('renders the phrase through the follower preset with the harmonizer at 100 %', async () => {
    const out = join(tmp.dir, 'demo', 'demo.wav');
    const r = await runCli(['demo', '-o', out]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/takes recorded:\s+2\n/);
    const harm = Number(/harmonizer notes:\s+(\d+)/.exec(r.out)?.[1]);
    expect(harm).toBeGreaterThanOrEqual(4); // one chance per beat at 90 bpm while recording
    expect(r.out).toMatch(/voice starts:\s+\d+ \(up to [1-5] voices? at once\)/);
    expect(r.out).toMatch(/output peak \/ RMS:\s+0\.\d+ \(-\d+\.\d dBFS\) \/ -\d+\.\d dBFS/);
    const input = decodeWav(readFileSync(join(tmp.dir, 'demo', 'demo-input.wav')));
    expect(input.channels[0]).toEqual(generatePhrase({ sampleRate: 48000 }).samples);
    const o = readWav(out);
    expect(o.channels.length).toBe(2);
    expect(o.frames).toBe(input.frames + 2 * 48000);
    let energy = 0;
    for (const v of o.channels[0]!) energy += v * v;
    expect(energy).toBeGreaterThan(1);
  });
});

describe('real subprocess (node bin/piwip.mjs)', () => {
  const exec = promisify(execFile);
  const piwip = join(ROOT, 'bin', 'piwip.mjs');

  it('renders with piped stderr: no progress bar, same bytes as in-process', async () => {
    const args = ['render', PHRASE(), '--preset', 'ensemble', '--seed', '7', '--tail', '1'];
    const { stdout, stderr } = await exec(process.execPath, [piwip, ...args, '-o', tmp.path('sub.wav')], { cwd: ROOT });
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^Rendered .* in the ensemble preset: /);
    await runCli([...args, '-o', tmp.path('inproc.wav')]);
    expect(readFileSync(tmp.path('sub.wav')).equals(readFileSync(tmp.path('inproc.wav')))).toBe(true);
  });

  it('exits 2 on a bad argument and 1 on a bad file', async () => {
    const fail = async (args: string[]) => {
      try {
        await exec(process.execPath, [piwip, ...args], { cwd: ROOT });
        return { code: 0, stderr: '' };
      } catch (e) {
        const err = e as { code: number; stderr: string };
        return { code: err.code, stderr: err.stderr };
      }
    };
    const usage = await fail(['render', IN(), '--set', 'nope=1', '-o', tmp.path('s.wav')]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^piwip render: error: unknown param "nope"/);
    const bad = await fail(['render', tmp.path('missing.wav'), '-o', tmp.path('s.wav')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not found\n$/);
  });
});
