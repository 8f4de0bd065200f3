// WAV I/O of the CLI: every supported format round-trips through host/io/wav.ts and through `piwip render`,
// and bad files (missing, not WAV, truncated, unsupported) fail with exit code 1 and a one-line message.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWav, encodeWav, readWav } from '../host/io/wav.ts';
import { FileFormatError } from '../host/io/errors.ts';
import { ensureWasm, runCli, tempDir, toneBurst } from './cli-helpers.ts';

const tmp = tempDir('wav');
beforeAll(ensureWasm);
afterAll(tmp.cleanup);

const FORMATS = ['8', '16', '24', '32', '32f'] as const;
const LSB: Record<(typeof FORMATS)[number], number> = { 8: 1 / 128, 16: 1 / 32768, 24: 1 / 8388608, 32: 1 / 2147483648, '32f': 0 };

function ramp(n: number, phase: number): Float32Array {
  // Irrational steps hit values between quantisation levels, plus exact ±full-scale ends.
  const x = Float32Array.from({ length: n }, (_, i) => 0.9 * Math.sin(i * 0.7071 + phase));
  x[0] = -1;
  x[1] = 0.5;
  return x;
}

describe('wav encode/decode', () => {
  for (const bits of FORMATS) {
    for (const nch of [1, 2]) {
      it(`${bits}-bit ${nch === 1 ? 'mono' : 'stereo'} round-trips within half an LSB`, () => {
        const chans = Array.from({ length: nch }, (_, c) => ramp(500, c));
        const bytes = encodeWav(chans, 22050, bits);
        expect(Buffer.from(bytes.subarray(0, 4)).toString('latin1')).toBe('RIFF');
        const back = decodeWav(bytes, 'x.wav');
        expect(back.sampleRate).toBe(22050);
        expect(back.frames).toBe(500);
        expect(back.bitDepth).toBe(bits);
        expect(back.channels.length).toBe(nch);
        const tol = LSB[bits] / 2 + 1e-7 + (bits === '32' ? 6e-8 : 0); // float32 holds ~24 bits of a 32-bit int
        for (let c = 0; c < nch; c++) {
          let worst = 0;
          for (let i = 0; i < 500; i++) worst = Math.max(worst, Math.abs(back.channels[c]![i]! - chans[c]![i]!));
          expect(worst).toBeLessThanOrEqual(tol);
        }
        // Channels are interleaved in the right order: the two ramps differ.
        if (nch === 2) expect(back.channels[0]![5]).not.toBeCloseTo(back.channels[1]![5]!, 2);
      });
    }
  }

  it('clips out-of-range samples when writing integers', () => {
    const back = decodeWav(encodeWav([Float32Array.from([1.5, -3, 1])], 8000, '16'));
    expect(Array.from(back.channels[0]!)).toEqual([32767 / 32768, -1, 32767 / 32768]);
  });

  it('reads an 8-bit file as unsigned around 128', () => {
    const b = encodeWav([Float32Array.from([0, 0.5, -0.5])], 8000, '8');
    const data = b.subarray(b.length - 3);
    expect(Array.from(data)).toEqual([128, 192, 64]);
  });
});

describe('bad WAV files', () => {
  const good = encodeWav([toneBurst(8000, 440, 0.1, 0)], 8000, '16');

  const cases: [string, Uint8Array, RegExp][] = [
    ['text', new TextEncoder().encode('this is not a wav file at all'), /not a WAV file/],
    ['empty', new Uint8Array(0), /not a WAV file/],
    ['truncated data', good.subarray(0, good.length - 101), /truncated WAV \(data chunk declares 1600 bytes, only 1499 present\)/],
    ['truncated header', good.subarray(0, 30), /malformed WAV/],
  ];
  for (const [label, bytes, re] of cases) {
    it(`${label} → FileFormatError`, () => {
      expect(() => decodeWav(bytes, 'x.wav')).toThrow(FileFormatError);
      expect(() => decodeWav(bytes, 'x.wav')).toThrow(re);
    });
  }

  it('refuses compressed and multichannel files', () => {
    const mulaw = new Uint8Array(good);
    new DataView(mulaw.buffer).setUint16(20, 7, true); // fmt audioFormat = µ-law
    new DataView(mulaw.buffer).setUint16(34, 8, true); // 8 bits
    new DataView(mulaw.buffer).setUint16(32, 1, true); // block align 1
    expect(() => decodeWav(mulaw, 'u.wav')).toThrow(/unsupported WAV encoding/);
    const three = encodeWav([new Float32Array(4), new Float32Array(4), new Float32Array(4)], 8000, '16');
    expect(() => decodeWav(three, 't.wav')).toThrow(/3 channels; only mono or stereo/);
  });

  it('refuses non-finite float samples', () => {
    expect(() => decodeWav(encodeWav([Float32Array.from([0, NaN])], 8000, '32f'), 'n.wav')).toThrow(/not a finite number/);
  });

  it('render: missing, non-WAV and truncated inputs exit 1 with one clear line', async () => {
    writeFileSync(tmp.path('notes.txt'), 'hello');
    writeFileSync(tmp.path('trunc.wav'), good.subarray(0, good.length - 1));
    const cases: [string, RegExp][] = [
      [tmp.path('missing.wav'), /input WAV ".*missing\.wav" not found/],
      [tmp.path('notes.txt'), /notes\.txt: not a WAV file/],
      [tmp.path('trunc.wav'), /trunc\.wav: truncated WAV/],
      [tmp.dir, /is a directory/],
    ];
    for (const [file, re] of cases) {
      const r = await runCli(['render', file, '-o', tmp.path('o.wav')]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(re);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(/^piwip render: error: /);
    }
  });

  it('render: sample rates the engine cannot run are a bad file', async () => {
    writeFileSync(tmp.path('lo.wav'), encodeWav([new Float32Array(100)], 4000, '16'));
    const r = await runCli(['render', tmp.path('lo.wav'), '-o', tmp.path('o.wav')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/sample rate 4000 Hz is outside/);
  });
});

describe('every input format renders', () => {
  const sr = 16000;
  // 0.6 s tone then silence: the sampler preset records one take; note 67 then plays it back.
  const tone = toneBurst(sr, 261.63, 0.6, 0.9, 0.5);
  const other = toneBurst(sr, 261.63, 0.6, 0.9, 0.3);
  const events = JSON.stringify([{ t: 1.2, note: 67, dur: 0.3 }]);
  let reference: Float32Array;

  beforeAll(async () => {
    writeFileSync(tmp.path('ev.json'), events);
    writeFileSync(tmp.path('ref.wav'), encodeWav([tone], sr, '32f'));
    const r = await runCli(['render', tmp.path('ref.wav'), '--preset', 'sampler', '--events', tmp.path('ev.json'), '--tail', '0.5', '-o', tmp.path('ref-out.wav')]);
    expect(r.code).toBe(0);
    reference = readWav(tmp.path('ref-out.wav')).channels[0]!;
  });

  for (const bits of FORMATS) {
    for (const nch of [1, 2]) {
      it(`${bits}-bit ${nch === 1 ? 'mono' : 'stereo'}`, async () => {
        const file = tmp.path(`in-${bits}-${nch}.wav`);
        // Stereo carries different L and R whose mean is the mono tone: the engine records 0.5·(L+R).
        const chans = nch === 1 ? [tone] : [other, other.map((v, i) => 2 * tone[i]! - v)];
        writeFileSync(file, encodeWav(chans, sr, bits));
        const out = tmp.path(`out-${bits}-${nch}.wav`);
        const r = await runCli(['render', file, '--preset', 'sampler', '--events', tmp.path('ev.json'), '--tail', '0.5', '-o', out]);
        expect(r.err).toBe('');
        expect(r.code).toBe(0);
        expect(r.out).toMatch(/1 take recorded/);
        const o = readWav(out);
        expect(o.channels.length).toBe(2);
        expect(o.sampleRate).toBe(sr);
        expect(o.bitDepth).toBe('32f');
        expect(o.frames).toBe(tone.length + 0.5 * sr);
        const x = o.channels[0]!;
        let energy = 0;
        let diff = 0;
        for (let i = 0; i < x.length; i++) { energy += reference[i]! ** 2; diff += (x[i]! - reference[i]!) ** 2; }
        expect(energy).toBeGreaterThan(0);
        // 32f mono is the reference itself; quantised inputs stay within their quantisation noise.
        if (bits === '32f' && nch === 1) expect(diff).toBe(0);
        else expect(10 * Math.log10(diff / energy + 1e-30)).toBeLessThan(bits === '8' ? -35 : -80);
      });
    }
  }

  it('writes 16- and 24-bit output on request', async () => {
    for (const bits of ['16', '24'] as const) {
      const out = tmp.path(`o${bits}.wav`);
      const r = await runCli(['render', tmp.path('ref.wav'), '--preset', 'sampler', '--events', tmp.path('ev.json'), '--tail', '0.5', '--bits', bits, '-o', out]);
      expect(r.code).toBe(0);
      const o = decodeWav(readFileSync(out));
      expect(o.bitDepth).toBe(bits);
      let worst = 0;
      for (let i = 0; i < reference.length; i++) worst = Math.max(worst, Math.abs(o.channels[0]![i]! - reference[i]!));
      expect(worst).toBeLessThanOrEqual(LSB[bits] / 2 + 1e-7);
    }
  });
});
