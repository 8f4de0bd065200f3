// Engine bugs the soak (npm run soak) found, each reduced to a minimal test that failed before the fix:
// a denormal level target (voice.ts setLevel: targets below −120 dB are 0) and tiny inputs recorded and passed on
// (engine.ts sanitize: |x| < 1e-18 is 0).
import { describe, it, expect } from 'vitest';
import { Sim, pitchedSignal } from './helpers/sim.ts';

const SR = 48000;
const F32_MIN_NORMAL = 1.1754943508222875e-38;

function denormals(sim: Sim): { count: number; first: number; value: number } {
  let count = 0, first = -1, value = 0;
  for (const x of [sim.outL.subarray(0, sim.written), sim.outR.subarray(0, sim.written)]) {
    for (let i = 0; i < x.length; i++) {
      const a = Math.abs(x[i]!);
      if (a !== 0 && a < F32_MIN_NORMAL) { count++; if (first < 0) { first = i; value = x[i]!; } }
    }
  }
  return { count, first, value };
}

const tone = pitchedSignal(SR, () => 220, () => 0.4);

describe('soak findings: denormals on the output', () => {
  // soak seed 2: a PSET or host setting `notes vol` to a tiny in-range value (1e-40) makes the voice level an f32
  // denormal (Voice.setLevel keeps any |level| <= 16; the slew snaps onto it), so every voice sample is one.
  it('a tiny notes vol (1e-40) gives silence, not denormal samples', () => {
    const sim = new Sim({ sampleRate: SR }, 7);
    sim.at(0, (e) => e.setParam('midi during rec', 'enabled'))
      .at(0.6, (e) => { e.key(3, 1); e.key(3, 0); e.noteOn(60); })
      .at(1.0, (e) => e.setParam('notes vol', 1e-40))
      .run(6.5, tone); // the 2 s level slew (−60 dB) snaps onto its target once within 1e-6 (after ≈ 4 s)
    expect(denormals(sim)).toEqual({ count: 0, first: -1, value: 0 });
  });

  // soak seed 2: a float host (a browser graph, a synth's release tail) can feed samples that decay through the
  // denormal range; sanitize() passes them, the buffer records them and the voices play them back (and the
  // monitor mixes them straight through).
  it('an input decaying through the denormal range is not played back as denormals', () => {
    const sim = new Sim({ sampleRate: SR }, 4);
    let ph = 0, env = 0.4;
    const decay = Math.exp(Math.log(1e-45 / 0.4) / (1.0 * SR)); // 0.4 → 1e-45 in 1 s
    sim.at(0, (e) => e.setParam('midi during rec', 'enabled'))
      .at(0.6, (e) => { e.key(3, 1); e.key(3, 0); e.noteOn(60); })
      .run(4, (t) => { if (t < 1) return tone(t); ph += 2 * Math.PI * 220 / SR; env *= decay; return env * Math.sin(ph); });
    expect(denormals(sim)).toEqual({ count: 0, first: -1, value: 0 });
  });

  it('the monitor does not pass denormal input through', () => {
    const sim = new Sim({ sampleRate: SR }, 1);
    sim.at(0, (e) => e.setParam('monitor', 'on')).run(0.5, () => 1e-40);
    expect(denormals(sim)).toEqual({ count: 0, first: -1, value: 0 });
  });
});
