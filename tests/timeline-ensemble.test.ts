// Spec §14 "Ensemble preset": five copies enter within `time spread`, rates jitter within ±spread/10 %.
import { describe, it, expect } from 'vitest';
import { Sim, pitchedSignal } from './helpers/sim.ts';

const SR = 48000;

describe('ensemble timeline (spec §14)', () => {
  const input = pitchedSignal(SR, () => 247, (t) => (t >= 0.2 && t < 4.0 ? 0.4 : 0));
  const entries = new Map<number, number>(); // voice → first time started
  const rates: number[][] = [[], [], [], [], []];
  let takeStart = NaN, takeStop = NaN;
  const counts: { t: number; n: number }[] = [];
  const sim = new Sim({ sampleRate: SR, seed: 7 }, 8)
    .at(0, (e) => e.setMode(3))
    .probe((s, t) => {
      if (s.recording && Number.isNaN(takeStart)) takeStart = t;
      if (!s.recording && !Number.isNaN(takeStart) && Number.isNaN(takeStop)) takeStop = t;
      s.voices.forEach((v, i) => {
        if (v.note === 160 && v.started) {
          if (!entries.has(i)) entries.set(i, t);
          rates[i]!.push(v.rate);
        }
      });
      counts.push({ t, n: s.voices.filter((v) => v.note === 160).length });
    });
  sim.run(7, input);

  it('five ensemble voices enter within time spread (1.5 s) of the take start', () => {
    expect(entries.size).toBe(5);
    const times = [...entries.values()];
    for (const t of times) {
      expect(t).toBeGreaterThanOrEqual(takeStart);
      expect(t).toBeLessThanOrEqual(takeStart + 1.5 + 0.05 + 0.01);
    }
    // staggered, not all at once
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(0.1);
  });

  it('rates jitter within ±1.5 % (spread 15) and really move', () => {
    for (const r of rates) {
      expect(r.length).toBeGreaterThan(10);
      expect(Math.min(...r)).toBeGreaterThanOrEqual(0.985 - 1e-9);
      expect(Math.max(...r)).toBeLessThanOrEqual(1.015 + 1e-9);
      expect(Math.max(...r) - Math.min(...r)).toBeGreaterThan(0.005);
    }
  });

  it('silence to stop = 500 ms ends the take on the 11th quiet poll and all ensemble voices end', () => {
    expect(takeStop).toBeGreaterThan(4.0 + 0.5);
    expect(takeStop).toBeLessThanOrEqual(4.0 + 0.55 + 128 / SR);
    expect(counts[counts.length - 1]!.n).toBe(0);
  });

  it('different seeds give different entries; the same seed the same', () => {
    const run = (seed: number) => {
      const seen: number[] = [];
      new Sim({ sampleRate: SR, seed }, 3).at(0, (e) => e.setMode(3))
        .probe((s, t) => s.voices.forEach((v, i) => { if (v.note === 160 && seen[i] === undefined) seen[i] = t; }))
        .run(2.5, input);
      return seen.join(',');
    };
    expect(run(3)).toBe(run(3));
    expect(run(3)).not.toBe(run(4));
  });
});
