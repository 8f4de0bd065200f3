// The follower detector on hard generated cases from issue 14: low notes whose fundamental is weaker than its
// upper partials (a contrabass E1-D3), stretched partials (a low piano string), staccato with gaps, an unvoiced
// consonant before a vowel, and two-note chords, at 44.1 and 48 kHz, through the real wasm's pitchTest* exports.
import { describe, it, expect } from 'vitest';
import { track } from './helpers/pitch-track.ts';


/** Partials n = 1..amps.length at n·f0·sqrt(1 + B n²) (B = 0: harmonic), amplitude envelope env(t). */
function partials(sr: number, seconds: number, f0: number, amps: number[], B = 0, env: (t: number) => number = () => 1): Float32Array {
  const x = new Float32Array(Math.round(sr * seconds));
  const norm = amps.reduce((a, b) => a + b, 0);
  for (let i = 0; i < x.length; i++) {
    const t = i / sr, e = env(t);
    if (e === 0) continue;
    let v = 0;
    amps.forEach((a, k) => { const n = k + 1; v += a * Math.sin(2 * Math.PI * n * f0 * Math.sqrt(1 + B * n * n) * t + n); });
    x[i] = (0.5 * e * v) / norm;
  }
  return x;
}

const cents = (a: number, b: number) => 1200 * Math.log2(a / b);
const hopT = (sr: number, k: number) => ((k + 1) * 256) / sr;

/** Estimates in [t0, t1): share voiced, and share of the voiced ones within tol cents of one of `notes`. */
function score(sr: number, hz: number[], notes: number[], t0: number, t1: number, tol = 50) {
  let n = 0, v = 0, ok = 0;
  hz.forEach((h, k) => {
    const t = hopT(sr, k);
    if (t < t0 || t >= t1) return;
    n++;
    if (!(h > 0)) return;
    v++;
    if (notes.some((f) => Math.abs(cents(h, f)) <= tol)) ok++;
  });
  return { voiced: n ? v / n : 0, right: v ? ok / v : 0 };
}

const hzOf = (m: number) => 440 * 2 ** ((m - 69) / 12);
// a bowed contrabass: the fundamental 12 dB under the 2nd partial, strong 3rd-6th
const BASS = [0.25, 1, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2, 0.15, 0.1];

for (const sr of [44100, 48000]) {
  describe(`follower, hard cases @ ${sr} Hz`, () => {
    it.each([28, 31, 33, 36, 40, 45, 50])('contrabass-like MIDI %i (weak fundamental): the note, not its octave', (m) => {
      const hz = track(sr, partials(sr, 1.0, hzOf(m), BASS));
      const s = score(sr, hz, [hzOf(m)], 0.2, 1.0);
      expect(s.voiced, `voiced ${s.voiced}`).toBeGreaterThan(0.95);
      expect(s.right, `right ${s.right}: ${hz.slice(-10).map((h) => h.toFixed(1)).join(' ')}`).toBeGreaterThan(0.95);
    });

    it.each([23, 28, 33, 35])('low piano string MIDI %i (stretched partials, B = 4e-4, decaying)', (m) => {
      const amps = Array.from({ length: 16 }, (_, k) => 1 / (k + 1) ** 0.7);
      const hz = track(sr, partials(sr, 1.2, hzOf(m), amps, 4e-4, (t) => Math.exp(-1.5 * t)));
      const s = score(sr, hz, [hzOf(m)], 0.15, 1.2, 60);
      expect(s.voiced, `voiced ${s.voiced}`).toBeGreaterThan(0.9);
      expect(s.right, `right ${s.right}: ${hz.slice(-10).map((h) => h.toFixed(1)).join(' ')}`).toBeGreaterThan(0.9);
    });

    it('staccato with gaps (80 ms notes, 120 ms rests): every note found, every rest unvoiced', () => {
      const on = (t: number) => (t % 0.2) < 0.08 && t > 0.1;
      const x = partials(sr, 1.3, 262, [1, 0.5, 0.33, 0.25, 0.2], 0, (t) => (on(t) ? 1 : 0));
      const hz = track(sr, x);
      for (let s0 = 0.2; s0 < 1.2; s0 += 0.2) {
        expect(score(sr, hz, [262], s0 + 0.03, s0 + 0.08).right, `note at ${s0}`).toBe(1);
        expect(score(sr, hz, [262], s0 + 0.08 + 0.03, s0 + 0.2).voiced, `rest after ${s0}`).toBe(0);
      }
    });

    it('an unvoiced consonant (80 ms of noise) before a vowel: unvoiced, then the vowel within 30 ms', () => {
      const n = Math.round(sr * 0.9);
      const x = partials(sr, 0.9, 196, [1, 0.8, 0.6, 0.5, 0.3, 0.2], 0, (t) => (t >= 0.3 ? 1 : 0));
      let s = 99;
      for (let i = Math.round(0.22 * sr); i < Math.round(0.3 * sr) && i < n; i++) {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
        x[i] = x[i]! + 0.2 * ((s / 4294967296) * 2 - 1);
      }
      const hz = track(sr, x);
      expect(score(sr, hz, [196], 0.23, 0.3).voiced).toBe(0);
      const after = score(sr, hz, [196], 0.33, 0.9);
      expect(after.voiced).toBe(1);
      expect(after.right).toBe(1);
    });

    // KNOWN MISS (issue 14, chords): the follower reports the two notes' common period (C4 + E4 -> 65.4 Hz = C2,
    // A3 + C4 -> 37 Hz), no note of the chord, in every hop; `it.fails` keeps the case measured until a two-note
    // rule lands (then make it `it`)
    it.fails.each([[60, 64], [57, 60], [48, 55], [64, 67], [52, 59]])('two-note chord MIDI %i + %i: a note of the chord', (a, b) => {
      const x = partials(sr, 1.0, hzOf(a), [1, 0.5, 0.33, 0.25, 0.2, 0.16]);
      const y = partials(sr, 1.0, hzOf(b), [1, 0.5, 0.33, 0.25, 0.2, 0.16]);
      const hz = track(sr, x.map((v, i) => v + y[i]!));
      const s = score(sr, hz, [hzOf(a), hzOf(b)], 0.2, 1.0);
      expect(s.right, `voiced ${s.voiced.toFixed(2)}: ${hz.slice(-8).map((h) => h.toFixed(1)).join(' ')}`).toBeGreaterThan(0.9);
    });
  });
}
