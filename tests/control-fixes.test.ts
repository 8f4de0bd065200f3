// Spec §12 bugs of the control part, each with a test that fails on the original behaviour: 8 (resolution only
// partly live), 9 (levels), 10 (harmonizer min > max), 11 (ensembler counts attempts; white jitter only), 18 (blind
// monitor: tested in control-keys). Plus the ensembler's params (voices, time spread, spread).
import { describe, it, expect } from 'vitest';
import { Sim, noteSpans, pitchedSignal } from './helpers/sim.ts';

const SR = 48000;
const tone = (t: number) => 0.3 * Math.sin(2 * Math.PI * 220 * t);

describe('spec §12 fixes (control)', () => {
  it('§12.8 resolution is live: after 50 → 20 ms the amplitude is polled 50 times a second', () => {
    const sim = new Sim({ sampleRate: SR }, 5);
    const counts: [number, number][] = [];
    sim.at(0.6, (e) => { e.key(3, 1); e.key(3, 0); });
    sim.at(2.0, (e) => e.setParam('resolution', 20));
    sim.probe((s, t) => counts.push([t, sim.e.ex.ampCount() as number]));
    sim.run(4, tone);
    const at = (t: number) => counts.find(([x]) => x >= t)![1];
    expect(at(1.9) - at(0.9)).toBeGreaterThanOrEqual(19); // 20/s at 50 ms
    expect(at(1.9) - at(0.9)).toBeLessThanOrEqual(21);
    expect(at(3.9) - at(2.9)).toBeGreaterThanOrEqual(49); // the original kept its load-time 50 ms metro
    expect(at(3.9) - at(2.9)).toBeLessThanOrEqual(51);
  });

  it('§12.9 notes vol > 1 stays > 1 when adjusted (original: unclamped at start, clamped to 1 on change)', () => {
    const sim = new Sim({ sampleRate: SR }, 12);
    sim.at(0.6, (e) => { e.key(3, 1); e.key(3, 0); });
    sim.at(1.6, (e) => { e.key(3, 1); e.key(3, 0); });
    sim.at(2.5, (e) => { e.setParam('notes vol', 2); e.noteOn(60); });
    sim.at(6.0, (e) => e.setParam('notes vol', 1.5));
    const lv: [number, number][] = [];
    sim.probe((s, t) => lv.push([t, s.voices[0]!.level]));
    sim.run(10.5, tone);
    const at = (t: number) => lv.find(([x]) => x >= t)![1];
    expect(at(5.9)).toBeGreaterThan(1.95); // slewed up to 2
    expect(at(10.4)).toBeCloseTo(1.5, 2); // and down to 1.5, not 1
  });

  it('§12.9 / A9 pitch-levelled volume applies at note start while the harmonizer runs (original: only on change)', () => {
    const sim = new Sim({ sampleRate: SR }, 8);
    sim.at(0.6, (e) => { e.key(3, 1); e.key(3, 0); });
    sim.at(1.6, (e) => { e.key(3, 1); e.key(3, 0); });
    sim.at(2.5, (e) => { e.setParam('probability', 0.0001); e.setParam('tempo', 20); e.noteOn(76); });
    sim.run(7.5, tone);
    const v = sim.e.state().voices.find((x) => x.note === 76)!;
    expect(v.level).toBeCloseTo(38 / 76, 2); // root 38 / note 76 × notes vol 1
  });

  it('§12.10 min length > max length: the harmonizer keeps playing, lengths within [max, min] (original crashed)', () => {
    const sim = new Sim({ sampleRate: SR, seed: 4 }, 16);
    const spans = noteSpans(sim);
    sim.at(0, (e) => {
      e.setParam('tempo', 120); e.setParam('probability', 100); e.setParam('note length', 'exact');
      e.setParam('min length', 4); e.setParam('max length', 2);
    });
    sim.run(15, () => 0);
    const lens = spans.filter((s) => !Number.isNaN(s.end)).map((s) => Math.round((s.end - s.start) / 0.5));
    expect(spans.length).toBeGreaterThanOrEqual(29);
    // every length drawn from [2, 4]; a note can end early when a twin of the same number ends (note_stop by number,
    // faithful), never later
    expect(lens.every((l) => l <= 4)).toBe(true);
    for (const l of [2, 3, 4]) expect(lens).toContain(l);
    expect(lens.filter((l) => l >= 2).length / lens.length).toBeGreaterThan(0.8);
  });

  it('§12.11 the ensembler counts voices that sound: held MIDI notes delay entries, which come once voices free up', () => {
    const input = pitchedSignal(SR, () => 247, (t) => (t >= 0.2 && t < 6 ? 0.4 : 0));
    const sim = new Sim({ sampleRate: SR, seed: 3 }, 8);
    sim.at(0, (e) => e.setMode(3));
    sim.at(0.5, (e) => { e.noteOn(60); e.noteOn(64); }); // midi during rec = enabled in the ensemble preset
    sim.at(3.0, (e) => { e.noteOff(60); e.noteOff(64); });
    const ens: [number, number][] = [];
    sim.probe((s, t) => ens.push([t, s.voices.filter((v) => v.note === 160).length]));
    sim.run(7, input);
    const at = (t: number) => ens.find(([x]) => x >= t)![1];
    expect(at(2.9)).toBe(3); // five attempts, three voices free
    expect(at(4.8)).toBe(5); // the original's counter said 5 at once and never retried
  });

  it('§12.11 / A18 jitter "lfo" moves the rates smoothly; "white" jumps every tick (both within ±spread)', () => {
    const run = (jitter: string) => {
      const input = pitchedSignal(SR, () => 247, (t) => (t >= 0.2 && t < 6 ? 0.4 : 0));
      const sim = new Sim({ sampleRate: SR, seed: 8 }, 7);
      sim.at(0, (e) => { e.setMode(3); e.setParam('spread', 40); e.setParam('jitter', jitter); e.setParam('time spread', 0); });
      const rates: number[] = [];
      sim.probe((s) => { const v = s.voices.find((x) => x.note === 160 && x.started); if (v) rates.push(v.rate); });
      sim.run(5.5, input);
      let step = 0;
      for (let i = 1; i < rates.length; i++) step += Math.abs(rates[i]! - rates[i - 1]!);
      return { rates, step: step / (rates.length - 1) };
    };
    const white = run('white');
    const lfo = run('lfo');
    for (const r of [...white.rates, ...lfo.rates]) { expect(r).toBeGreaterThan(0.96 - 1e-9); expect(r).toBeLessThan(1.04 + 1e-9); }
    expect(Math.max(...lfo.rates) - Math.min(...lfo.rates)).toBeGreaterThan(0.02); // it does move
    expect(lfo.step).toBeLessThan(white.step / 4);
  });
});

describe('ensembler params (spec §9.2)', () => {
  it('voices = 3, time spread 0.5 s: three copies, each entering within 0.5 s of the take start', () => {
    const input = pitchedSignal(SR, () => 247, (t) => (t >= 0.2 && t < 3 ? 0.4 : 0));
    const sim = new Sim({ sampleRate: SR, seed: 21 }, 5);
    sim.at(0, (e) => { e.setMode(3); e.setParam('voices', 3); e.setParam('time spread', 0.5); });
    let takeStart = NaN;
    const entries = new Map<number, number>();
    let most = 0;
    sim.probe((s, t) => {
      if (s.recording && Number.isNaN(takeStart)) takeStart = t;
      s.voices.forEach((v, i) => { if (v.note === 160 && !entries.has(i)) entries.set(i, t); });
      most = Math.max(most, s.voices.filter((v) => v.note === 160).length);
    });
    sim.run(4, input);
    expect(most).toBe(3);
    expect(entries.size).toBe(3);
    for (const t of entries.values()) {
      expect(t).toBeGreaterThanOrEqual(takeStart);
      expect(t).toBeLessThanOrEqual(takeStart + 0.5 + 128 / SR + 1e-9);
    }
  });
});
