// `piwip render --screens DIR`: PNG snapshots at chosen times (the same pictures as the goldens drawn by the
// engine), the same audio bits with or without snapshots, and clear errors for bad options.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { diffLevels, pngToLevels } from '../host/screen/png.ts';
import { writeWav } from '../host/io/wav.ts';
import { screenFileName, parseScreenTimes } from '../host/cli/screens.ts';
import { ensureWasm, runCli, tempDir, toneBurst } from './cli-helpers.ts';
import { GOLDEN } from './screen-golden.ts';

const SR = 48000;
const tmp = tempDir('screens');
const input = tmp.path('in.wav');
const events = tmp.path('ev.json');

beforeAll(() => {
  ensureWasm();
  // 0.5 s silence, a 1.5 s tone (the take), silence; K1 tapped at 4 s opens the params menu
  const x = new Float32Array(4 * SR);
  x.set(toneBurst(SR, 220, 1.5, 0, 0.4), SR / 2);
  writeWav(input, [x], SR);
  writeFileSync(events, JSON.stringify([{ t: 4, key: 1 }]));
});
afterAll(() => tmp.cleanup());

const same = (png: string, golden: string) => diffLevels(pngToLevels(readFileSync(GOLDEN(golden))), pngToLevels(readFileSync(png))).count;

describe('piwip render --screens', () => {
  it('writes one PNG per time: title before the take, REC while recording, the menu after a K1 tap', async () => {
    const dir = tmp.path('shots');
    const r = await runCli(['render', input, '-o', tmp.path('a.wav'), '--preset', 'sampler', '--events', events,
      '--screens', dir, '--screen-times', '4.2, 0.3,1.0', '--tail', '0.5']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Wrote 3 screen snapshots \(512x256 PNG\) to /);
    expect(readdirSync(dir).sort()).toEqual(['screen-0000.300s.png', 'screen-0001.000s.png', 'screen-0004.200s.png']);
    expect(same(`${dir}/screen-0000.300s.png`, 'engine-title-armed')).toBe(0);
    expect(same(`${dir}/screen-0004.200s.png`, 'menu-select')).toBe(0);
    const rec = pngToLevels(readFileSync(`${dir}/screen-0001.000s.png`));
    expect(rec[1 * 128 + 108]).toBe(15); // the REC badge
    expect(rec[32 * 128 + 2]).toBe(1); // the waveform's first column
  });

  it('the audio is the same bits with and without snapshots', async () => {
    const args = ['render', input, '--preset', 'sampler', '--events', events, '--tail', '0.5', '-q'];
    expect((await runCli([...args, '-o', tmp.path('b.wav')])).code).toBe(0);
    expect((await runCli([...args, '-o', tmp.path('c.wav'), '--screens', tmp.path('every'), '--screen-every', '0.25',
      '--screen-scale', '1'])).code).toBe(0);
    expect(readFileSync(tmp.path('c.wav')).equals(readFileSync(tmp.path('b.wav')))).toBe(true);
    const files = readdirSync(tmp.path('every'));
    expect(files.length).toBe(18); // 0.25 .. 4.5 s
    const png = PNG.sync.read(readFileSync(tmp.path('every') + '/' + files[0]));
    expect([png.width, png.height]).toEqual([128, 64]);
  });

  it('refuses bad options with a clear message (exit code 2)', async () => {
    const base = ['render', input, '-o', tmp.path('d.wav')];
    const cases: [string[], RegExp][] = [
      [['--screen-times', '1'], /--screen-times needs --screens DIR/],
      [['--screens', tmp.path('x'), '--screen-times', '1,abc'], /"abc" is not a time in seconds/],
      [['--screens', tmp.path('x'), '--screen-times', '-1'], /"-1" is not a time/],
      [['--screens', tmp.path('x'), '--screen-times', '99'], /99 s is past the end of the render \(6\.000 s\)/],
      [['--screens', tmp.path('x'), '--screen-times', '1', '--screen-every', '1'], /together/],
      [['--screens', tmp.path('x'), '--screen-every', '0'], /--screen-every must be from 0.001/],
      [['--screens', tmp.path('x'), '--screen-scale', '3.5'], /--screen-scale expects a whole number/],
      [['--screens', input], /exists and is not a directory/],
    ];
    for (const [extra, msg] of cases) {
      const r = await runCli([...base, ...extra]);
      expect(r.code, extra.join(' ')).toBe(2);
      expect(r.err).toMatch(msg);
    }
  });

  it('file names sort by time; times parse strictly', () => {
    expect(screenFileName(0.5)).toBe('screen-0000.500s.png');
    expect(screenFileName(12.25)).toBe('screen-0012.250s.png');
    expect(parseScreenTimes('2, 0.5,2')).toEqual([0.5, 2]);
    expect(() => parseScreenTimes('1,,2')).toThrow(/"" is not a time/);
  });
});
