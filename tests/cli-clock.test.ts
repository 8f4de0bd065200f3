// `piwip render --events` driving MIDI clock: a "clock" entry sends START, 24 ticks per beat and STOP, and the
// harmonizer follows it instead of the tempo param.
import { describe, it, expect } from 'vitest';
import { writeFileSync } from 'node:fs';
import { runCli, tempDir } from './cli-helpers.ts';
import { writeWav } from '../host/io/wav.ts';
import { parseEvents } from '../host/io/events.ts';
import { paramCatalog } from '../host/cli/render.ts';

describe('render --events with MIDI clock', () => {
  it('120 bpm from 1 s to 6 s: one harmonizer note per external beat (10), none after STOP', async () => {
    const d = tempDir('clock');
    writeWav(d.path('in.wav'), [new Float32Array(48000 * 8)], 48000);
    const ev = (clock: object[]) => {
      writeFileSync(d.path('ev.json'), JSON.stringify({ events: [
        { t: 0, set: { 'clock source': 'midi', probability: 100, tempo: 60, 'max length': 1 } }, ...clock] }));
      return runCli(['render', d.path('in.wav'), '-o', d.path('out.wav'), '--events', d.path('ev.json'), '--tail', '0']);
    };
    const a = await ev([{ t: 1, clock: 120, until: 6 }]);
    expect(a.code).toBe(0);
    expect(a.out).toMatch(/\(10 by the harmonizer/); // beats at 1.0, 1.5 … 5.5; ticks stop before 6.0, then STOP
    const b = await ev([{ t: 1, clock: 60, until: 6 }]);
    expect(b.out).toMatch(/\(5 by the harmonizer/); // 1, 2, 3, 4, 5 (the internal 60 bpm would give 8: 0..7 s)
    const c = await ev([]); // no clock at all: the beat never moves
    expect(c.out).toMatch(/\(0 by the harmonizer/);
    d.cleanup();
  });

  it('expands to FA, F8 × 24 per beat, FC; validates its fields', () => {
    const cat = paramCatalog();
    const acts = parseEvents(JSON.stringify([{ t: 2, clock: 100, until: 3.2 }]), cat);
    const bytes = acts.map((a) => (a.action.kind === 'midi' ? a.action.bytes[0] : -1));
    expect(bytes[0]).toBe(0xfa);
    expect(bytes[bytes.length - 1]).toBe(0xfc);
    expect(bytes.filter((b) => b === 0xf8).length).toBe(Math.floor(1.2 / (0.6 / 24) + 1e-9));
    expect(acts[2]!.time - acts[1]!.time).toBeCloseTo(0.025, 12);
    const noStart = parseEvents(JSON.stringify([{ t: 0, clock: 100, until: 1, start: false, stop: false }]), cat);
    expect(noStart.every((a) => a.action.kind === 'midi' && a.action.bytes[0] === 0xf8)).toBe(true);
    expect(() => parseEvents(JSON.stringify([{ t: 0, clock: 500, until: 1 }]), cat, 'e.json')).toThrow(/e\.json: events\[0\] \(t=0\): "clock" must be a tempo 20\.\.300 bpm/);
    expect(() => parseEvents(JSON.stringify([{ t: 2, clock: 100 }]), cat)).toThrow(/needs "until"/);
    expect(() => parseEvents(JSON.stringify([{ t: 2, clock: 100, until: 1 }]), cat)).toThrow(/must be after "t"/);
    expect(() => parseEvents(JSON.stringify([{ t: 0, clock: 100, until: 1, jitter: 50 }]), cat)).toThrow(/"jitter" must be 0\.\.20 ms/);
    expect(() => parseEvents(JSON.stringify([{ t: 0, clock: 100, until: 1, swing: 1 }]), cat)).toThrow(/unknown field "swing"/);
  });
});
