// Spec §14 "Sampler preset", end to end on the real engine with a generated instrument-like take.
import { describe, it, expect } from 'vitest';
import { Sim, pitchedSignal, cents } from './helpers/sim.ts';
import { measurePitch } from './helpers/pitch.ts';

const SR = 48000;

describe('sampler timeline (spec §14)', () => {
  const input = pitchedSignal(SR, () => 220, (t) => (t >= 0.5 && t < 2.0 ? 0.5 : 0));
  const log: { t: number; rec: boolean; armed: boolean; loopEnd: number }[] = [];
  const sim = new Sim({ sampleRate: SR }, 10)
    .at(0, (e) => e.setMode(1))
    .at(1.0, (e) => e.noteOn(60)) // recording + midi during rec disabled: must be ignored
    .at(3.5, (e) => e.noteOn(67))
    .at(6.0, (e) => e.noteOff(67))
    .probe((s, t) => log.push({ t, rec: s.recording, armed: s.armed, loopEnd: s.loopEnd }));
  sim.run(8.5, input);
  const first = (pred: (r: (typeof log)[number]) => boolean) => log.find(pred)?.t ?? NaN;

  it('E1 → sampler arms (RDY) and the first loud poll starts the take', () => {
    expect(log[0]!.armed).toBe(true);
    expect(log[0]!.rec).toBe(false);
    const start = first((r) => r.rec);
    // onset at 0.5 s; polls every 50 ms; the poll at 0.5 s has not heard the tone yet
    expect(start).toBeGreaterThan(0.5);
    expect(start).toBeLessThanOrEqual(0.55 + 128 / SR);
  });

  it('silence stops the take on the 5th quiet poll (250 ms after the last loud one)', () => {
    const stop = first((r) => r.t > 1 && !r.rec);
    expect(stop).toBeGreaterThan(2.2);
    expect(stop).toBeLessThanOrEqual(2.25 + 128 / SR);
    expect(log.find((r) => r.t > 2.3)!.armed).toBe(false); // keep armed = no
  });

  it('loop end lands after the fade (pinch) minus the silence, never before the last loud point', () => {
    const end = log[log.length - 1]!.loopEnd;
    // take from 0.55 s; stop at write pos ≈1.70 s; fade 0.5 s; minus 0.2 s silence → ≈2.0 s
    expect(end).toBeGreaterThan(1.45); // the tone lasted 1.45 s of the take
    expect(end).toBeCloseTo(2.0, 1);
  });

  it('MIDI during the take is ignored; note 67 plays the take at 392/261.63 of its pitch (±10 cents)', () => {
    const during = sim.slice(1.1, 2.2);
    expect(Math.max(...during.map(Math.abs))).toBe(0);
    const out = sim.slice(4.0, 4.8);
    const hz = measurePitch(out, SR);
    const want = 220 * 392.0 / 261.63;
    expect(Math.abs(cents(hz, want))).toBeLessThan(10);
  });

  it('the note fades in over the 2 s level slew and decays after note-off', () => {
    const s = sim.e.state();
    expect(s.voices.every((v) => v.note === 0)).toBe(true); // freed at once on note-off
    const peak = (t0: number, t1: number) => Math.max(...sim.slice(t0, t1).map(Math.abs));
    const early = peak(3.55, 3.6), later = peak(5.0, 5.3), tail = peak(8.2, 8.5);
    expect(early).toBeLessThan(later * 0.5);
    expect(tail).toBeLessThan(later * 0.01);
  });
});
