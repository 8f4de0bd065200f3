// shifter = psola on generated signals: steady tones (low, mid, above 1 kHz), vibrato, glides, octave leaps,
// staccato with gaps, unvoiced noise, notes held before the sound, at 44.1 and 48 kHz. Pitch is measured by an
// independent YIN (helpers/pitch.ts) on the engine's real wasm output.
import { describe, expect, it } from 'vitest';
import { Sim, pitchedSignal, cents, rms } from './helpers/sim.ts';
import { measurePitch } from './helpers/pitch.ts';

const hzOf = (note: number) => 440 * 2 ** ((note - 69) / 12);

function psolaSim(sr: number, seconds: number, block = 128): Sim {
  const sim = new Sim({ sampleRate: sr, blockSize: block }, seconds + 0.5);
  sim.e.setParam('shifter', 'psola');
  return sim;
}

/** Cents of the output pitch from the target in consecutive windows of `win` s between t0 and t1. */
function centsTrack(sim: Sim, t0: number, t1: number, target: number, win = 0.04): number[] {
  const out: number[] = [];
  for (let t = t0; t + win <= t1 + 1e-9; t += win) {
    const hz = measurePitch(sim.slice(t, t + win), sim.sr, 40, 3000);
    out.push(hz > 0 ? cents(hz, target) : NaN);
  }
  return out;
}

const within = (cs: number[], lim: number) => cs.filter((c) => Math.abs(c) <= lim).length / cs.length;

for (const sr of [44100, 48000]) {
  describe(`psola shifter at ${sr} Hz`, () => {
    it.each([
      [110, 43], [220, 64], [440, 76], [440, 62], [1046.5, 88], [880, 81], [300, 55],
    ])('a steady %s Hz tone sings MIDI %s', (f0, note) => {
      const sim = psolaSim(sr, 1.2);
      sim.at(0.05, (e) => e.midi([0x90, note, 100]));
      sim.run(1.2, pitchedSignal(sr, () => f0, (t) => (t > 0.1 ? 0.4 : 0)));
      const cs = centsTrack(sim, 0.4, 1.15, hzOf(note));
      expect(within(cs, 10), cs.join(' ')).toBe(1);
      const level = rms(sim.slice(0.4, 1.15));
      const input = rms(Float32Array.from({ length: 4800 }, (_, i) => pitchedSignal(sr, () => f0, () => 0.4)(i / sr)));
      expect(level).toBeGreaterThan(input * 0.5); // the note really sounds: within 6 dB of the input
    });

    it('vibrato (±50 cents, 5.5 Hz) in the input: the output holds the note', () => {
      const sim = psolaSim(sr, 1.5);
      sim.at(0, (e) => e.midi([0x90, 67, 100]));
      sim.run(1.5, pitchedSignal(sr, (t) => 330 * 2 ** ((50 / 1200) * Math.sin(2 * Math.PI * 5.5 * t)), () => 0.4));
      const cs = centsTrack(sim, 0.3, 1.45, hzOf(67));
      expect(within(cs, 25), cs.join(' ')).toBeGreaterThanOrEqual(0.95);
    });

    it('a glide of an octave in the input: the output holds the note', () => {
      const sim = psolaSim(sr, 1.6);
      sim.at(0, (e) => e.midi([0x90, 62, 100]));
      sim.run(1.6, pitchedSignal(sr, (t) => 196 * 2 ** Math.min(1, Math.max(0, (t - 0.3) / 1.0)), () => 0.4));
      const cs = centsTrack(sim, 0.3, 1.55, hzOf(62));
      expect(within(cs, 25), cs.join(' ')).toBeGreaterThanOrEqual(0.95);
    });

    it('octave leaps in the input (220 / 440 / 110 Hz): the output holds the note', () => {
      const sim = psolaSim(sr, 1.6);
      sim.at(0, (e) => e.midi([0x90, 60, 100]));
      const f = (t: number) => (t < 0.5 ? 220 : t < 1.0 ? 440 : 110);
      sim.run(1.6, pitchedSignal(sr, f, () => 0.4));
      const cs = [...centsTrack(sim, 0.15, 0.5, hzOf(60)), ...centsTrack(sim, 0.65, 1.0, hzOf(60)), ...centsTrack(sim, 1.15, 1.55, hzOf(60))];
      expect(within(cs, 25), cs.join(' ')).toBeGreaterThanOrEqual(0.9);
    });

    it('staccato with gaps: a note held from before the first onset sounds on every note, within 20 ms', () => {
      const sim = psolaSim(sr, 2.2);
      sim.at(0, (e) => e.midi([0x90, 72, 100])); // held before any sound
      const on = (t: number) => [0.3, 0.8, 1.3, 1.8].some((s) => t >= s && t < s + 0.15);
      sim.run(2.2, pitchedSignal(sr, () => 392, (t) => (on(t) ? 0.4 : 0)));
      for (const s of [0.3, 0.8, 1.3, 1.8]) {
        const cs = centsTrack(sim, s + 0.02, s + 0.14, hzOf(72), 0.03);
        expect(within(cs, 25), `onset ${s}: ${cs.join(' ')}`).toBe(1);
        expect(rms(sim.slice(s + 0.2, s + 0.45))).toBeLessThan(1e-3); // the gap stays silent
      }
    });

    it('a 150 ms note sounds at once and stops at once (attack / release params)', () => {
      const sim = psolaSim(sr, 1.0);
      sim.at(0.3, (e) => e.midi([0x90, 69, 100]));
      sim.at(0.45, (e) => e.midi([0x80, 69, 0]));
      sim.run(1.0, pitchedSignal(sr, () => 330, () => 0.4));
      expect(rms(sim.slice(0.31, 0.44))).toBeGreaterThan(0.08);
      expect(rms(sim.slice(0.5, 0.9))).toBeLessThan(1e-4);
      const cs = centsTrack(sim, 0.32, 0.44, hzOf(69), 0.03);
      expect(within(cs, 25), cs.join(' ')).toBe(1);
    });

    it('a legato harmony line (note-off and note-on together) is on each new note within 40 ms', () => {
      // the melody moves A3 B3 C#4 E4 legato; the MIDI line a major third above changes at the same instants, as
      // a harmoniser's line does: the new note takes over the voice of the one let go, so no old release masks it
      const steps = [[0, 57], [0.4, 59], [0.8, 61], [1.2, 64]] as const;
      const sim = psolaSim(sr, 1.6);
      steps.forEach(([t, m], i) => sim.at(t, (e) => { if (i > 0) e.midi([0x80, steps[i - 1]![1] + 4, 0]); e.midi([0x90, m + 4, 100]); }));
      const melody = (t: number) => hzOf(steps.reduce((m, [s, n]) => (t >= s ? n : m), 57 as number));
      sim.run(1.6, pitchedSignal(sr, melody, (t) => (t > 0.05 ? 0.4 : 0)));
      for (const [s, m] of steps.slice(1)) {
        const cs = centsTrack(sim, s + 0.01, s + 0.37, hzOf(m + 4), 0.03);
        expect(within(cs, 25), `step at ${s}: ${cs.join(' ')}`).toBe(1);
        expect(rms(sim.slice(s + 0.01, s + 0.04))).toBeGreaterThan(0.05); // no dip at the change
      }
    });

    it('unvoiced noise passes at a small constant delay (no pitch imposed)', () => {
      const sim = psolaSim(sr, 1.0);
      let seed = 7; // a fixed LCG: the same noise every run
      const noise = new Float32Array(Math.ceil(sr * 1.0));
      for (let i = 0; i < noise.length; i++) { seed = (seed * 1664525 + 1013904223) >>> 0; noise[i] = 0.3 * (seed / 2 ** 32 * 2 - 1); }
      sim.at(0, (e) => e.midi([0x90, 72, 100]));
      sim.run(1.0, (t) => noise[Math.round(t * sr)] ?? 0);
      // the best lag of the output against the input, and how much of it that lag explains
      const a = Math.round(0.5 * sr), w = Math.round(0.3 * sr);
      let best = 0, bestLag = 0;
      for (let lag = 0; lag < Math.round(0.02 * sr); lag++) {
        let s = 0, e0 = 0, e1 = 0;
        for (let i = 0; i < w; i++) { const y = sim.outL[a + i]!, x = noise[a + i - lag]!; s += y * x; e0 += y * y; e1 += x * x; }
        const r = s / Math.sqrt(e0 * e1);
        if (r > best) { best = r; bestLag = lag; }
      }
      expect(best).toBeGreaterThan(0.95);
      expect(bestLag / sr).toBeLessThan(0.01);
    });

    it('autotune: the input 40 cents flat of A4 comes out on A4 with no note held', () => {
      const sim = psolaSim(sr, 1.2);
      sim.e.setParam('autotune', 'on');
      sim.e.setParam('scale_mode', 'major');
      sim.e.setParam('root_note', 57); // A major: A4 is in it
      sim.run(1.2, pitchedSignal(sr, () => 440 * 2 ** (-40 / 1200), () => 0.4));
      const cs = centsTrack(sim, 0.4, 1.15, 440);
      expect(within(cs, 10), cs.join(' ')).toBe(1);
    });

    it('a MIDI note overrides the autotune target', () => {
      const sim = psolaSim(sr, 1.2);
      sim.e.setParam('autotune', 'on');
      sim.at(0.5, (e) => e.midi([0x90, 76, 100]));
      sim.run(1.2, pitchedSignal(sr, () => 440, () => 0.4));
      expect(within(centsTrack(sim, 0.25, 0.45, 440), 10)).toBe(1);
      const cs = centsTrack(sim, 0.6, 1.15, hzOf(76));
      expect(within(cs, 10), cs.join(' ')).toBe(1);
    });

    it('silence, NaN and absurd input never produce NaN', () => {
      const sim = psolaSim(sr, 1.0);
      sim.at(0, (e) => e.midi([0x90, 60, 100]));
      sim.run(1.0, (t) => (t > 0.5 && t < 0.51 ? NaN : t > 0.6 && t < 0.62 ? 1e9 : 0.3 * Math.sin(2 * Math.PI * 200 * t)));
      for (const v of sim.slice(0, 1.0)) expect(Number.isFinite(v)).toBe(true);
    });
  });
}

describe('the tune preset (E1 4)', () => {
  it('selects the shifter and autotune; the follower preset switches them back off', () => {
    const sim = new Sim({ sampleRate: 48000, blockSize: 128 }, 1);
    sim.e.setMode(4);
    expect(sim.e.state().modeName).toBe('tune');
    expect(sim.e.paramInfo('shifter').formatted).toBe('psola');
    expect(sim.e.paramInfo('autotune').formatted).toBe('on');
    sim.e.setMode(2);
    expect(sim.e.paramInfo('shifter').formatted).toBe('varispeed');
    expect(sim.e.paramInfo('autotune').formatted).toBe('off');
  });

  it('the same bits in any block size (32, 100, 128, 256), autotune and notes, glide + vibrato + gap', () => {
    const sr = 48000;
    const run = (block: number) => {
      const sim = new Sim({ sampleRate: sr, blockSize: block }, 2.5);
      sim.e.setMode(4); // tune: shifter + autotune
      sim.at(25600 / sr, (e) => e.midi([0x90, 64, 100])); // events on multiples of every block size
      sim.at(51200 / sr, (e) => e.midi([0x80, 64, 0]));
      sim.at(76800 / sr, (e) => e.midi([0x90, 79, 100]));
      sim.run(2.0, pitchedSignal(sr, (t) => (180 + 150 * t) * 2 ** ((30 / 1200) * Math.sin(2 * Math.PI * 5 * t)), (t) => (t > 1.2 && t < 1.35 ? 0 : 0.4)));
      return Buffer.from(sim.slice(0, 2.0).slice().buffer);
    };
    const ref = run(128);
    for (const b of [32, 100, 256]) expect(run(b).equals(ref), `block ${b}`).toBe(true);
  });

  it('renders the same bits twice (deterministic)', () => {
    const run = () => {
      const sim = psolaSim(48000, 1.0);
      sim.at(0.1, (e) => e.midi([0x90, 64, 100]));
      sim.run(1.0, pitchedSignal(48000, (t) => 200 + 40 * t, () => 0.4));
      return sim.slice(0, 1.0).slice();
    };
    expect(Buffer.from(run().buffer).equals(Buffer.from(run().buffer))).toBe(true);
  });
});

describe('the detector in the tune mode: chords', () => {
  // C4 + E4 + G4: the faithful detector hears the notes' common period (C2, two octaves under C4); with shifter =
  // psola the chord rule names the lowest note; switching back to varispeed gives the faithful detector back
  const chord = (sr: number) => (t: number) => 0.15 * [261.63, 329.63, 392.0].reduce((a, f) => a + Math.sin(2 * Math.PI * f * t) + 0.5 * Math.sin(4 * Math.PI * f * t), 0);
  for (const sr of [44100, 48000]) {
    it(`@ ${sr} Hz: C4 + E4 + G4 is C4 with shifter = psola, the common period without`, () => {
      const sim = new Sim({ sampleRate: sr, blockSize: 128 }, 3.5);
      const seen: [number, number][] = [];
      sim.probe((s, t) => seen.push([t, s.pitchHz]));
      sim.at(1.0, (e) => e.setParam('shifter', 'psola'));
      sim.at(2.0, (e) => e.setParam('shifter', 'varispeed'));
      sim.run(3.0, chord(sr));
      const share = (t0: number, t1: number, f: number) => {
        const xs = seen.filter(([t]) => t >= t0 && t < t1);
        return xs.filter(([, h]) => h > 0 && Math.abs(cents(h, f)) <= 50).length / xs.length;
      };
      expect(share(0.3, 1.0, 261.63), 'varispeed: C4').toBeLessThan(0.1);
      expect(share(1.2, 2.0, 261.63), 'psola: C4').toBeGreaterThan(0.9);
      expect(share(2.2, 3.0, 261.63), 'varispeed again: C4').toBeLessThan(0.1);
    });
  }
});

describe('piwip render --preset tune (the command line)', () => {
  it('sings the events\' note from the input and says so in the summary', async () => {
    const { runCli, tempDir, toneBurst, ensureWasm } = await import('./cli-helpers.ts');
    const { encodeWav, readWav } = await import('../host/io/wav.ts');
    const { writeFileSync } = await import('node:fs');
    ensureWasm();
    const tmp = tempDir('tune');
    try {
      const sr = 48000;
      writeFileSync(tmp.path('in.wav'), encodeWav([toneBurst(sr, 220, 1.5, 0.5, 0.4)], sr, '32f'));
      writeFileSync(tmp.path('ev.json'), JSON.stringify({ events: [{ t: 0.2, note: 64, vel: 100 }, { t: 1.3, note: 64, vel: 0 }] }));
      const r = await runCli(['render', tmp.path('in.wav'), '--preset', 'tune', '--events', tmp.path('ev.json'), '--no-progress', '-o', tmp.path('out.wav')]);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(/in the tune preset: .*1 note played/);
      const out = readWav(tmp.path('out.wav'));
      const ch0 = out.channels[0]!;
      const hz = measurePitch(ch0.subarray(Math.round(0.6 * sr), Math.round(1.0 * sr)), sr, 40, 3000);
      expect(Math.abs(cents(hz, hzOf(64)))).toBeLessThan(10);
    } finally { tmp.cleanup(); }
  });
});
