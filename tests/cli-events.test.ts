// The events file format: every action parses to the right engine action, ordering at equal times is defined,
// and each kind of mistake is refused with a message naming the entry. Also: the events reach the engine.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEvents } from '../host/io/events.ts';
import { FileFormatError } from '../host/io/errors.ts';
import { encodeWav } from '../host/io/wav.ts';
import { paramCatalog, renderAudio } from '../host/cli/render.ts';
import type { ParamInfo } from '../host/engine/engine.ts';
import { ROOT, ensureWasm, runCli, tempDir, toneBurst } from './cli-helpers.ts';

const tmp = tempDir('events');
let params: ParamInfo[];
beforeAll(() => { ensureWasm(); params = paramCatalog(); });
afterAll(tmp.cleanup);

const parse = (doc: unknown) => parseEvents(JSON.stringify(doc), params, 'ev.json');

describe('events: valid entries', () => {
  it('parses every action kind', () => {
    const ev = parse({ comment: 'all kinds', events: [
      { t: 0, preset: 'follower' },
      { t: 0.6, key: 2 },
      { t: 1, key: 1, hold: 0.5, comment: 'shift' },
      { t: 1.2, key: 3, z: 1 },
      { t: 2, enc: [1, -1] },
      { t: 3, set: { probability: 100, rec_thresh: 30, 'scale_mode': 'Lydian', 'playback reference': 2 } },
      { t: 4, midi: [144, 60, 100, 0xf8, 62, 100] },
      { t: 4, note: 67, vel: 90, dur: 0.5, ch: 3 },
      { t: 5, note: 64 },
      { t: 6, note: 64, vel: 0 },
      { t: 7, preset: 0 },
    ] });
    expect(ev.map((e) => [e.time, e.action])).toEqual([
      [0, { kind: 'preset', mode: 2 }],
      [0.6, { kind: 'press', n: 2 }],
      [1, { kind: 'key', n: 1, z: 1 }],
      [1.2, { kind: 'key', n: 3, z: 1 }],
      [1.5, { kind: 'key', n: 1, z: 0 }],
      [2, { kind: 'enc', n: 1, d: -1 }],
      [3, { kind: 'set', values: [
        { id: 'probability', value: 100 }, { id: 'rec thresh', value: 30 }, { id: 'scale_mode', value: 7 },
        { id: 'playback reference', value: 2 }] }],
      [4, { kind: 'midi', bytes: [144, 60, 100, 0xf8, 62, 100] }],
      [4, { kind: 'noteOn', note: 67, vel: 90, ch: 3 }],
      [4.5, { kind: 'noteOff', note: 67, ch: 3 }],
      [5, { kind: 'noteOn', note: 64, vel: 100, ch: 1 }],
      [6, { kind: 'noteOff', note: 64, ch: 1 }],
      [7, { kind: 'preset', mode: 0 }],
    ]);
  });

  it('the example in host/cli/README.md is valid', () => {
    const md = readFileSync(`${ROOT}host/cli/README.md`, 'utf8');
    const block = /```json\n([\s\S]*?)```/.exec(md)?.[1];
    expect(block).toBeDefined();
    const ev = parseEvents(block!, params, 'README');
    expect(ev.map((e) => e.action.kind)).toEqual(['preset', 'set', 'noteOn', 'noteOff', 'enc', 'press']);
  });

  it('accepts a bare array, sorts by time, and puts dur note-offs first at equal times', () => {
    const ev = parse([
      { t: 1.0, note: 60, dur: 0.5 },
      { t: 0.5, note: 60, dur: 1.0 }, // ends at 1.5
      { t: 1.5, note: 60, dur: 0.25 }, // a new note at the instant the previous one ends
    ]);
    expect(ev.map((e) => `${e.time} ${e.action.kind} #${e.entry}`)).toEqual([
      '0.5 noteOn #1', '1 noteOn #0', '1.5 noteOff #0', '1.5 noteOff #1', '1.5 noteOn #2', '1.75 noteOff #2',
    ]);
  });
});

describe('events: validation errors name the entry', () => {
  const cases: [string, unknown, RegExp][] = [
    ['invalid JSON', '[{"t": 1, "key": 2},\n  {"t": }]', /^ev\.json: invalid JSON \(Unexpected token '}'[^\n]*\)$/],
    ['not a list', { t: 1 }, /unknown top-level field "t"/],
    ['events not an array', { events: { t: 1 } }, /"events" must be an array/],
    ['scalar entry', [5], /events\[0\]: must be an object/],
    ['missing t', [{ t: 0, key: 2 }, { key: 2 }], /events\[1\]: is missing "t"/],
    ['negative t', [{ t: -1, key: 2 }], /events\[0\] \(t=-1\): "t" must be a non-negative number/],
    ['string t', [{ t: '1', key: 2 }], /events\[0\]: "t" must be a non-negative number of seconds \(got "1"\)/],
    ['no action', [{ t: 1 }], /events\[0\] \(t=1\): has no action/],
    ['two actions', [{ t: 1, key: 2, note: 60 }], /events\[0\] \(t=1\): has "key" and "note"; one action per entry/],
    ['unknown field', [{ t: 1, key: 2, velocity: 3 }], /events\[0\] \(t=1\): unknown field "velocity" for a "key" entry/],
    ['bad key', [{ t: 1, key: 4 }], /"key" must be 1, 2 or 3 \(got 4\)/],
    ['bad z', [{ t: 1, key: 1, z: 2 }], /"z" must be 1 \(down\) or 0 \(up\)/],
    ['z and hold', [{ t: 1, key: 1, z: 1, hold: 1 }], /"z" and "hold" cannot be combined/],
    ['bad enc shape', [{ t: 1, enc: 1 }], /"enc" must be \[encoder, detents\]/],
    ['bad encoder', [{ t: 1, enc: [4, 1] }], /encoder must be 1, 2 or 3/],
    ['zero detents', [{ t: 1, enc: [2, 0] }], /detents must be a non-zero integer/],
    ['unknown param', [{ t: 0, key: 2 }, { t: 2, set: { nope: 1 } }], /events\[1\] \(t=2\): unknown param "nope"/],
    ['param out of range', [{ t: 2, set: { probability: 101 } }], /events\[0\] \(t=2\): value 101 out of range for param "probability"/],
    ['bad option name', [{ t: 2, set: { 'keep armed': 'maybe' } }], /bad value "maybe" for param "keep armed" \(expected one of: no \(1\), yes \(2\)\)/],
    ['fractional integer param', [{ t: 2, set: { root_note: 60.5 } }], /value 60.5 for param "root_note" must be a whole number/],
    ['empty set', [{ t: 2, set: {} }], /"set" must be an object of param values/],
    ['unknown preset', [{ t: 0, preset: 'chorus' }], /"preset" must be one of user, sampler, follower, ensemble/],
    ['bad midi byte', [{ t: 0, midi: [144, 300, 1] }], /"midi" must be a non-empty array of bytes 0..255/],
    ['empty midi', [{ t: 0, midi: [] }], /"midi" must be a non-empty array/],
    ['bad note', [{ t: 0, note: 128 }], /"note" must be a MIDI note number 0..127/],
    ['bad vel', [{ t: 0, note: 60, vel: 1.5 }], /"vel" must be 0..127/],
    ['bad channel', [{ t: 0, note: 60, ch: 0 }], /"ch" must be a MIDI channel 1..16/],
    ['zero dur', [{ t: 0, note: 60, dur: 0 }], /"dur" must be a positive number of seconds/],
    ['dur on a note-off', [{ t: 0, note: 60, vel: 0, dur: 1 }], /"dur" makes no sense with "vel": 0/],
  ];
  for (const [label, doc, re] of cases) {
    it(label, () => {
      const text = typeof doc === 'string' ? doc : JSON.stringify(doc);
      expect(() => parseEvents(text, params, 'ev.json')).toThrow(FileFormatError);
      expect(() => parseEvents(text, params, 'ev.json')).toThrow(re);
    });
  }

  it('render: a bad events file exits 1 with a one-line message', async () => {
    writeFileSync(tmp.path('in.wav'), encodeWav([toneBurst(8000, 300, 0.3, 0.2)], 8000, '16'));
    writeFileSync(tmp.path('bad.json'), JSON.stringify([{ t: 0, preset: 'sampler' }, { t: 1, key: 9 }]));
    const r = await runCli(['render', tmp.path('in.wav'), '--events', tmp.path('bad.json'), '-o', tmp.path('o.wav')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^piwip render: error: .*bad\.json: events\[1\] \(t=1\): "key" must be 1, 2 or 3 \(got 9\)\n$/);
  });
});

describe('events reach the engine', () => {
  const sr = 16000;
  const audio = { sampleRate: sr, channels: [toneBurst(sr, 220, 0.8, 2.2)], frames: 3 * sr, bitDepth: '32f' };

  it('K3 forces a take, presets and params apply at their time, sample-exactly', () => {
    const events = parse([
      { t: 0.75, key: 3, comment: 'forced take (user mode is not armed)' },
      { t: 1.5, key: 3, comment: 'stop it' },
      { t: 2.0, set: { probability: 50 } },
      { t: 2.25, preset: 'ensemble' },
    ]);
    const seen: { frame: number; now: number; takes: number; prob: number; mode: number }[] = [];
    const r = renderAudio({ audio, events, tail: 0.1, block: 100, onEvent: (frame, e) => {
      const s = e.state();
      seen.push({ frame, now: Math.round(e.time * sr), takes: s.takes, prob: e.getParam('probability'), mode: s.mode });
    } });
    expect(seen.map((s) => s.frame)).toEqual([0.75, 1.5, 2.0, 2.25].map((t) => t * sr));
    for (const s of seen) expect(s.now).toBe(s.frame);
    expect(seen[1]!.takes).toBe(1); // the forced take started at 0.75 s
    expect(seen[3]!.prob).toBe(50);
    expect(seen[3]!.mode).toBe(0);
    expect(r.stats.modeName).toBe('ensemble');
    expect(r.stats.takes).toBe(1);
  });

  it('keys before 0.5 s are ignored by the engine and render warns about them', async () => {
    writeFileSync(tmp.path('tone.wav'), encodeWav(audio.channels, sr, '16'));
    writeFileSync(tmp.path('early.json'), JSON.stringify([{ t: 0.25, key: 3 }]));
    const r = await runCli(['render', tmp.path('tone.wav'), '--events', tmp.path('early.json'), '--tail', '0', '-o', tmp.path('o.wav')]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/warning: .*early\.json: events\[0\] \(t=0\.25\): keys are ignored by the engine for the first 0\.5 s/);
    expect(r.out).toMatch(/0 takes recorded/);
    writeFileSync(tmp.path('late.json'), JSON.stringify([{ t: 0.5, key: 3 }]));
    const late = await runCli(['render', tmp.path('tone.wav'), '--events', tmp.path('late.json'), '--tail', '0', '-o', tmp.path('o.wav')]);
    expect(late.err).toBe('');
    expect(late.out).toMatch(/1 take recorded/);
  });
});
