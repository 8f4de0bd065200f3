// Issue 12, for staccato phrases (both off by default, faithful): `note wait` = yes keeps a MIDI note the recording
// state refuses (only play during rec before the take, midi during rec = disabled while armed or recording) until
// it may play, instead of dropping it; `note attack` sets the varispeed voices' attack (their level slew at note
// start), where the faithful 2 s slew reaches −6 dB only after 0.2 s; the release keeps the 2 s.
import { describe, it, expect } from 'vitest';
import { Sim } from './helpers/sim.ts';
import type { PiwipEngine } from '../host/engine/engine.ts';

const SR = 48000;
const tone = (from: number, to: number) => (t: number) => (t >= from && t < to ? 0.4 * Math.sin(2 * Math.PI * 220 * t) : 0);

interface Seen { playedAt: number; level: { t: number; level: number }[] }

function follow(setup: (e: PiwipEngine) => void, noteAt: number, offAt = Infinity): Seen {
  const seen: Seen = { playedAt: NaN, level: [] };
  const sim = new Sim({ sampleRate: SR }, 4)
    .at(0, (e) => { e.setMode(2); setup(e); })
    .at(noteAt, (e) => e.noteOn(69))
    .probe((s, t) => {
      const v = s.voices.find((x) => x.note === 69 && x.started);
      if (v && Number.isNaN(seen.playedAt)) seen.playedAt = t;
    });
  if (offAt < Infinity) sim.at(offAt, (e) => e.noteOff(69));
  sim.run(3, tone(1.0, 2.5));
  return seen;
}

describe('note wait (issue 12)', () => {
  it('default (faithful): a note sent at the onset of the first take, before it records, is dropped', () => {
    expect(follow(() => {}, 1.0).playedAt).toBeNaN();
  });

  it('note wait = yes: the same note waits for the take and sounds `min recorded` after it starts', () => {
    const seen = follow((e) => e.setParam('note wait', 'yes'), 1.0);
    expect(seen.playedAt).toBeGreaterThan(1.05);
    expect(seen.playedAt).toBeLessThan(1.05 + 0.06 + 0.05 + 0.01); // take start + min recorded + one tick
  });

  it('note wait = yes: a note released before the take starts does not play', () => {
    expect(follow((e) => e.setParam('note wait', 'yes'), 0.5, 0.7).playedAt).toBeNaN();
  });

  it('sampler preset (midi during rec = disabled): a note played while armed waits for the take to end', () => {
    let started = NaN;
    let recEnd = NaN;
    new Sim({ sampleRate: SR }, 6)
      .at(0, (e) => { e.setMode(1); e.setParam('note wait', 'yes'); })
      .at(0.8, (e) => e.noteOn(67))
      .probe((s, t) => {
        if (Number.isNaN(recEnd) && t > 1.5 && !s.recording) recEnd = t;
        if (Number.isNaN(started) && s.voices.some((v) => v.note === 67 && v.started)) started = t;
      })
      .run(5, tone(1.0, 2.0));
    expect(recEnd).toBeGreaterThan(2);
    expect(started).toBeGreaterThanOrEqual(recEnd);
    expect(started).toBeLessThan(recEnd + 0.2);
  });
});

describe('note attack (issue 12)', () => {
  function levels(attackMs?: number): { t: number; level: number }[] {
    const out: { t: number; level: number }[] = [];
    new Sim({ sampleRate: SR }, 8)
      .at(0, (e) => { e.setMode(1); if (attackMs !== undefined) e.setParam('note attack', attackMs); })
      .at(3, (e) => e.noteOn(60))
      .at(5, (e) => e.noteOff(60))
      .probe((s, t) => { const v = s.voices.find((x) => x.started || x.level > 0); out.push({ t, level: v ? v.level : 0 }); })
      .run(6, tone(0.3, 2.0));
    return out;
  }
  const firstAt = (l: { t: number; level: number }[], from: number, pred: (x: number) => boolean) =>
    l.find((x) => x.t >= from && pred(x.level))?.t ?? NaN;

  it('default 2000 ms (faithful): half level 0.2 s after the start; note attack 20 ms: within 10 ms', () => {
    const slow = levels();
    const fast = levels(20);
    const slowStart = firstAt(slow, 3, (x) => x > 0);
    const fastStart = firstAt(fast, 3, (x) => x > 0);
    expect(firstAt(slow, 3, (x) => x >= 0.5) - slowStart).toBeGreaterThan(0.18);
    expect(firstAt(fast, 3, (x) => x >= 0.5) - fastStart).toBeLessThan(0.01);
  });

  it('the release keeps the 2 s slew: still above half level 0.15 s after the note-off', () => {
    const fast = levels(20);
    const at = fast.find((x) => x.t >= 5.15)!;
    expect(at.level).toBeGreaterThan(0.5);
    expect(at.level).toBeLessThan(0.75);
  });
});
