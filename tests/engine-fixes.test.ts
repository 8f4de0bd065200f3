// Each bug of spec §12 that concerns the engine core, with a test that fails on the original behaviour.
import { describe, it, expect } from 'vitest';
import { Sim, pitchedSignal } from './helpers/sim.ts';

const SR = 48000;
const loud = (t0: number, t1: number, hz = 220) => pitchedSignal(SR, () => hz, (t) => (t >= t0 && t < t1 ? 0.5 : 0));

describe('spec §12 fixes', () => {
  it('§12.1 vol pinch is a real record-level fade (original: full level at once, 0.9·pinch more after stop)', () => {
    const lv: { t: number; lvl: number; rec: boolean }[] = [];
    new Sim({ sampleRate: SR }, 4).at(0, (e) => e.setMode(1))
      .probe((s, t) => lv.push({ t, lvl: s.recLevel, rec: s.recording })).run(3.5, loud(0.3, 1.5));
    const start = lv.find((r) => r.rec)!.t;
    const at = (t: number) => lv.find((r) => r.t >= t)!.lvl;
    expect(at(start + 0.1)).toBeGreaterThan(0.15);
    expect(at(start + 0.1)).toBeLessThan(0.3); // 500 ms linear ramp → 0.2 after 100 ms
    expect(at(start + 0.6)).toBe(1);
    const stop = lv.find((r) => r.t > start && !r.rec)!.t;
    expect(at(stop + 0.25)).toBeGreaterThan(0.4);
    expect(at(stop + 0.25)).toBeLessThan(0.6);
    expect(at(stop + 0.51)).toBe(0);
  });

  it('§12.2 a manual (K3) stop keeps the take to the end of the fade, no silence subtracted', () => {
    const sim = new Sim({ sampleRate: SR }, 5);
    let wpAtStop = 0;
    sim.at(1.0, (e) => e.key(3, 1)).at(1.01, (e) => e.key(3, 0))
      .at(3.0, (e) => { wpAtStop = e.state().writePos; e.key(3, 1); }).at(3.01, (e) => e.key(3, 0))
      .run(4.5, loud(0, 4.5));
    const s = sim.e.state();
    // original: stop position + 0.5 − 0.2 s; fixed: stop position + the 0.5 s fade
    expect(s.loopEnd).toBeCloseTo(wpAtStop + 0.5, 2);
  });

  it('§12.3 a new take during the previous fade-out is not cut and restarted (stop coroutine cancelled)', () => {
    const wp: { t: number; wp: number; rec: boolean }[] = [];
    const sim = new Sim({ sampleRate: SR }, 6).at(0, (e) => e.setMode(2)); // keep armed = yes
    // loud 0.2-1.0, quiet: stop at ≈1.25 s; sound back at 1.4 s (inside the 0.5 s fade-out)
    const input = pitchedSignal(SR, () => 220, (t) => ((t >= 0.2 && t < 1.0) || (t >= 1.4 && t < 3.0) ? 0.5 : 0));
    sim.probe((s, t) => wp.push({ t, wp: s.writePos, rec: s.recording })).run(3.0, input);
    const second = wp.filter((r) => r.t > 1.4 && r.rec);
    expect(second.length).toBeGreaterThan(50);
    for (let i = 1; i < second.length; i++) expect(second[i]!.wp).toBeGreaterThan(second[i - 1]!.wp);
    expect(second[second.length - 1]!.wp).toBeGreaterThan(1.4);
  });

  it('§12.4 loop end starts at 0, not a 1 s placeholder; a held note waits for min recorded', () => {
    const rows: { t: number; le: number; started: boolean }[] = [];
    const sim = new Sim({ sampleRate: SR }, 3);
    sim.at(0, (e) => { e.setParam('midi during rec', 'enabled'); e.setParam('notes start at 0', 'yes'); })
      .at(0.55, (e) => { e.key(3, 1); e.key(3, 0); })
      .at(0.56, (e) => e.noteOn(60))
      .probe((s, t) => rows.push({ t, le: s.loopEnd, started: s.voices[0]!.started }))
      .run(1.2, loud(0, 2));
    const after = rows.filter((r) => r.t > 0.55 && r.t < 0.62);
    for (const r of after) expect(r.le).toBeLessThan(0.1);
    const st = rows.find((r) => r.started)!;
    expect(st.le).toBeGreaterThanOrEqual(0.06);
  });

  it('§12.5 E3 end trim can reach 0 after a start trim, and the window never inverts', () => {
    const sim = new Sim({ sampleRate: SR }, 6);
    sim.at(0.6, (e) => { e.key(3, 1); e.key(3, 0); }).at(2.6, (e) => { e.key(3, 1); e.key(3, 0); })
      .at(3.5, (e) => { for (let i = 0; i < 50; i++) e.enc(2, 1); }) // start trim 0.5 s
      .at(3.6, (e) => { for (let i = 0; i < 30; i++) e.enc(3, -1); }) // end trim 0.3 s
      .at(3.7, (e) => { for (let i = 0; i < 100; i++) e.enc(3, 1); }) // back to 0 (original: floor at start trim)
      .run(3.8, loud(0, 4));
    let s = sim.e.state();
    expect(s.startTrim).toBeCloseTo(0.5, 6);
    expect(s.endTrim).toBe(0);
    for (let i = 0; i < 1000; i++) sim.e.enc(3, -1);
    for (let i = 0; i < 1000; i++) sim.e.enc(2, 1);
    s = sim.e.state();
    expect(s.loopEnd - s.endTrim - s.startTrim).toBeGreaterThanOrEqual(0.01 - 1e-9);
    expect(s.startTrim).toBeGreaterThanOrEqual(0);
  });

  it('§12.6 E1 has no dead position: 0..4 (4 = tune, the module\'s own preset after ensemble)', () => {
    const sim = new Sim({ sampleRate: SR }, 1).run(0.6, () => 0);
    for (let i = 0; i < 3; i++) sim.e.enc(1, 1);
    expect(sim.e.state().modeName).toBe('ensemble');
    for (let i = 0; i < 10; i++) sim.e.enc(1, 1);
    expect(sim.e.state().mode).toBe(4);
    expect(sim.e.state().modeName).toBe('tune');
    for (let i = 0; i < 10; i++) sim.e.enc(1, -1);
    expect(sim.e.state().mode).toBe(0);
  });

  it('§12.12 a sixth note steals the oldest voice instead of being dropped', () => {
    const sim = new Sim({ sampleRate: SR }, 3).run(0.1, () => 0);
    for (const n of [60, 62, 64, 65, 67]) sim.e.noteOn(n);
    sim.e.noteOn(69);
    const notes = sim.e.state().voices.map((v) => v.note);
    expect(notes).toContain(69);
    expect(notes).not.toContain(60);
    expect(notes).toContain(62);
  });

  it('§12.14 recording auto-stops at the buffer end (no wrap to 0)', () => {
    const rows: { t: number; wp: number; rec: boolean }[] = [];
    const sim = new Sim({ sampleRate: SR, maxRecSeconds: 2 }, 5);
    sim.at(0.6, (e) => { e.key(3, 1); e.key(3, 0); }).probe((s, t) => rows.push({ t, wp: s.writePos, rec: s.recording }))
      .run(4, loud(0, 4));
    const maxWp = Math.max(...rows.map((r) => r.wp));
    expect(maxWp).toBeLessThanOrEqual(2);
    for (let i = 1; i < rows.length; i++) if (rows[i]!.rec) expect(rows[i]!.wp).toBeGreaterThanOrEqual(rows[i - 1]!.wp);
    expect(rows[rows.length - 1]!.rec).toBe(false);
    expect(sim.e.state().loopEnd).toBeGreaterThan(1.8);
  });

  it('§12.15 the threshold follows max(L, R): sound on the right input alone starts a take', () => {
    const sig = loud(0.3, 1.5);
    const sim = new Sim({ sampleRate: SR }, 2).at(0, (e) => e.setMode(1)).run(1.0, (t) => [0, sig(t)]);
    expect(sim.e.state().recording).toBe(true);
  });

  it('§12.16 the pitch map keeps one slot per poll and a plausible median over a long take (exactness: pitch_map.spec.ts)', () => {
    // a take whose pitch steps through many values; compare with a brute-force median of the slot values
    const steps = [110, 131, 147, 165, 196, 220, 247, 262, 294, 330];
    const hzAt = (t: number) => steps[Math.floor(t * 3) % steps.length]!;
    const sim = new Sim({ sampleRate: SR }, 6).at(0, (e) => e.setMode(1)).run(5.5, pitchedSignal(SR, hzAt, () => 0.5));
    const s = sim.e.state();
    expect(s.recording).toBe(true);
    expect(s.pitchSlots).toBeGreaterThan(80);
    // the median of a take spending equal time on each step lies between the middle steps
    expect(s.medianHz).toBeGreaterThan(180);
    expect(s.medianHz).toBeLessThan(240);
  });
});
