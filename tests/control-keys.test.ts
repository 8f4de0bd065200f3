// Keys and encoders per spec §8.4 / §14 through the real ABI: E1 presets, K2 arm, K3 forced take, K1 shift,
// K1+K2 monitor (the input appears at the output), K1+E1 notes vol, the 0.5 s key guard.
import { describe, it, expect } from 'vitest';
import { Sim, rms } from './helpers/sim.ts';

const SR = 48000;
const tone = (t: number) => 0.3 * Math.sin(2 * Math.PI * 330 * t);
const press = (n: number) => (e: import('../host/engine/engine.ts').PiwipEngine) => { e.key(n, 1); e.key(n, 0); };

describe('keys and encoders (spec §8.4, §14)', () => {
  it('E1 steps one preset per event whatever the detents: → follower arms; back to 0 restores', () => {
    const sim = new Sim({ sampleRate: SR }, 3);
    const seen: [number, boolean][] = [];
    sim.at(0.6, (e) => { e.enc(1, 1); seen.push([e.state().mode, e.state().armed]); });
    sim.at(0.7, (e) => { e.enc(1, 5); seen.push([e.state().mode, e.state().armed]); });
    sim.at(0.8, (e) => { e.enc(1, 1); seen.push([e.state().mode, e.state().armed]); });
    sim.at(0.9, (e) => { e.enc(1, 1); seen.push([e.state().mode, e.state().armed]); });
    sim.at(0.95, (e) => { e.enc(1, 1); seen.push([e.state().mode, e.state().armed]); }); // 4 (tune) is the last
    sim.at(1.0, (e) => { e.enc(1, -64); seen.push([e.state().mode, e.state().armed]); });
    sim.at(1.05, (e) => { e.enc(1, -1); seen.push([e.state().mode, e.state().armed]); });
    sim.run(1.1, () => 0);
    expect(seen).toEqual([[1, true], [2, true], [3, true], [4, true], [4, true], [3, true], [2, true]]);
    expect(sim.e.getParam('playback reference')).toBe(3); // follower's column applied again
  });

  it('K2 toggles armed; an armed engine starts a take on sound', () => {
    const sim = new Sim({ sampleRate: SR }, 4);
    const armed: boolean[] = [];
    sim.at(0.6, (e) => { press(2)(e); armed.push(e.state().armed); });
    sim.at(0.7, (e) => { press(2)(e); armed.push(e.state().armed); });
    sim.at(0.8, (e) => { press(2)(e); armed.push(e.state().armed); });
    let rec = false;
    sim.probe((s) => { if (s.recording) rec = true; });
    sim.run(2, (t) => (t > 1.2 ? tone(t) : 0));
    expect(armed).toEqual([true, false, true]);
    expect(rec).toBe(true);
  });

  it('K3 starts a forced take that silence does not stop; K3 again stops it', () => {
    const sim = new Sim({ sampleRate: SR }, 6);
    const recAt: [number, boolean][] = [];
    sim.at(0.6, press(3));
    sim.probe((s, t) => recAt.push([t, s.recording]));
    sim.at(4.0, press(3));
    sim.run(5.5, () => 0); // silence all along: "silence to stop" (200 ms) would stop an armed take
    const at = (t: number) => recAt.find(([x]) => x >= t)?.[1];
    expect(at(0.5)).toBe(false);
    expect(at(0.7)).toBe(true);
    expect(at(3.9)).toBe(true);
    expect(sim.e.state().recording).toBe(false);
    expect(sim.e.state().takes).toBe(1);
    expect(sim.e.state().loopEnd).toBeGreaterThan(3.3); // the whole forced take is kept (A2: no silence subtracted)
  });

  it('keys are ignored for the first 0.5 s; encoders are not', () => {
    const sim = new Sim({ sampleRate: SR }, 2);
    sim.at(0.1, (e) => { press(2)(e); press(3)(e); e.enc(1, 1); });
    sim.run(0.3, () => 0);
    const s = sim.e.state();
    expect([s.armed, s.recording, s.mode]).toEqual([true, false, 1]); // armed by E1's preset, not by K2
    sim.at(0.6, press(2));
    sim.run(0.7, () => 0);
    expect(sim.e.state().armed).toBe(false);
  });

  it('K1+K2 toggles the monitor: the input appears at the output at the monitor level, and goes again', () => {
    const sim = new Sim({ sampleRate: SR }, 4);
    sim.at(0.6, (e) => { e.key(1, 1); press(2)(e); e.key(1, 0); });
    sim.at(1.6, (e) => e.setParam('monitor level', 0.5));
    sim.at(2.6, (e) => { e.key(1, 1); press(2)(e); e.key(1, 0); });
    sim.run(3.5, tone);
    const seg = (a: number, b: number) => sim.outL.subarray(Math.round(a * SR), Math.round(b * SR));
    const inSeg = (a: number, b: number) => Float32Array.from({ length: Math.round((b - a) * SR) }, (_, i) => tone(a + i / SR));
    expect(rms(seg(0.1, 0.55))).toBe(0); // off from start (A21: explicit state)
    const on = seg(0.7, 1.5);
    const want = inSeg(0.7, 1.5);
    let maxErr = 0;
    for (let i = 0; i < on.length; i++) maxErr = Math.max(maxErr, Math.abs(on[i]! - want[i]!));
    expect(maxErr).toBeLessThan(1e-6); // the dry input, sample for sample
    expect(rms(seg(1.7, 2.5)) / rms(inSeg(1.7, 2.5))).toBeCloseTo(0.5, 5);
    expect(rms(seg(2.7, 3.4))).toBe(0);
    expect(sim.e.state().armed).toBe(false); // K1+K2 did not also toggle armed
  });

  it('K1+E1 moves notes vol by 0.01 per detent within 0..10; E1 alone does not', () => {
    const sim = new Sim({ sampleRate: SR }, 2);
    sim.at(0.6, (e) => { e.key(1, 1); e.enc(1, 7); e.enc(1, -2); e.key(1, 0); });
    sim.run(0.7, () => 0);
    expect(sim.e.getParam('notes vol')).toBe(1.05);
    expect(sim.e.state().mode).toBe(0);
    sim.at(0.8, (e) => { e.key(1, 1); for (let i = 0; i < 20; i++) e.enc(1, -64); e.key(1, 0); });
    sim.run(0.9, () => 0);
    expect(sim.e.getParam('notes vol')).toBe(0);
  });

  it('E2 / E3 trim 10 ms per detent, clockwise later for both, clamped to a 10 ms window (A12)', () => {
    const sim = new Sim({ sampleRate: SR }, 4);
    sim.at(0.6, press(3));
    sim.at(1.6, press(3));
    sim.run(2.5, tone);
    const le = sim.e.state().loopEnd;
    sim.e.enc(2, 10);
    expect(sim.e.state().startTrim).toBeCloseTo(0.1, 9);
    sim.e.enc(3, -20); // counter-clockwise: the end point moves earlier = end trim grows
    expect(sim.e.state().endTrim).toBeCloseTo(0.2, 9);
    sim.e.enc(3, 15);
    expect(sim.e.state().endTrim).toBeCloseTo(0.05, 9);
    for (let i = 0; i < 10; i++) sim.e.enc(2, 64);
    expect(sim.e.state().startTrim).toBeCloseTo(le - 0.05 - 0.01, 9);
    for (let i = 0; i < 10; i++) sim.e.enc(3, 64);
    expect(sim.e.state().endTrim).toBe(0);
  });
});
