// The follower detector on hard generated cases from issue 14: low notes whose fundamental is weaker than its
// upper partials (a contrabass E1-D3), stretched partials (a low piano string), staccato with gaps, an unvoiced
// consonant before a vowel, and two-note chords, at 44.1 and 48 kHz, through the real wasm's pitchTest* exports.
import { describe, it, expect } from 'vitest';
import { track, trackHops } from './helpers/pitch-track.ts';

/** P_CHORD in assembly/dsp/pitch/follower.ts: the chord rule (on in the tune mode). */
const P_CHORD = 25;


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

/** Equally loud notes with the same 1/n spectrum (tempered, so their common period is only nearly periodic). */
function chord(sr: number, ms: number[], seconds: number): Float32Array {
  const parts = ms.map((m) => partials(sr, seconds, hzOf(m), [1, 0.5, 0.33, 0.25, 0.2, 0.16]));
  return parts[0]!.map((_, i) => parts.reduce((a, p) => a + p[i]!, 0));
}
const CHORDS: [string, string][] = [
  ['60+64', 'major third'], ['52+56', 'major third'], ['65+69', 'major third'],
  ['57+60', 'minor third'], ['64+67', 'minor third'], ['50+53', 'minor third'], ['69+72', 'minor third'],
  ['48+55', 'fifth'], ['62+69', 'fifth'], ['52+59', 'fifth'], ['55+62', 'fifth'],
  ['64+69', 'fourth'], ['52+57', 'fourth'],
  ['48+67', 'octave + fifth'], ['45+64', 'octave + fifth'], ['50+62', 'octave'],
  ['60+64+67', 'major triad'], ['55+59+62+67', 'major triad + octave'], ['45+52+57+61', 'open A major'],
];
// KNOWN MISSES (issue 14), kept measured by it.fails:
// - minor thirds (6:5): the two notes beat, and a window of two periods sees one clear tone between them (A3 + C4 ->
//   238 Hz) whenever they are in phase; no harmonic series test on that window can tell it from a note. The beat rule
//   (P_CHORD_BEAT: a steady pick's longer, clearer, non-multiple candidate is tested as the common period) names a
//   chord note in 41-86 % of these frames, not 90 %.
// - F4 + A4 and, at 44.1 kHz, E3 + G#3 (major thirds): the common period lies on a slow level whose band no longer
//   holds the notes; the coarse pick there is an alias, which refines to nothing or to the notes' beat (the faithful
//   detector has the same miss; the chord rule only judges a refined pick).
const MISSES = new Set([
  '44100:52+56', '44100:65+69', '48000:65+69',
  ...[44100, 48000].flatMap((sr) => ['57+60', '64+67', '69+72'].map((c) => `${sr}:${c}`)), '48000:50+53',
]);

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

    // Chords (issue 14): the detector that drives the tune mode names a note of the chord, not the notes' common
    // period (C4 + E4 -> 65.4 Hz = C2, two octaves under C4); the chord rule is on in the tune mode (P_CHORD here).
    for (const [notes, kind] of CHORDS) (MISSES.has(`${sr}:${notes}`) ? it.fails : it)(`chord MIDI ${notes} (${kind}), chord rule on: a note of the chord`, () => {
      const ms = notes.split('+').map(Number);
      const x = chord(sr, ms, 1.0);
      const hz = trackHops(sr, x, 256, [[P_CHORD, 1]]).hz;
      const s = score(sr, hz, ms.map(hzOf), 0.2, 1.0);
      const tail = hz.slice(-8).map((h) => h.toFixed(1)).join(' ');
      expect(s.voiced, `voiced ${s.voiced.toFixed(2)}: ${tail}`).toBeGreaterThan(0.9);
      expect(s.right, `right ${s.right.toFixed(2)}: ${tail}`).toBeGreaterThan(0.9);
    });

    it('chord rule on: the lowest note when the notes are equally loud (C4 + E4 + G4 -> C4; D3 + A3 -> D3)', () => {
      for (const [ms, low] of [[[60, 64, 67], 60], [[50, 57], 50]] as const) {
        const hz = trackHops(sr, chord(sr, [...ms], 1.0), 256, [[P_CHORD, 1]]).hz;
        expect(score(sr, hz, [hzOf(low)], 0.2, 1.0).right, `${ms.join('+')}`).toBeGreaterThan(0.9);
      }
    });

    it('chord rule off (the faithful presets keep their detector): C4 + E4 is still no note of the chord', () => {
      const hz = track(sr, chord(sr, [60, 64], 1.0));
      const s = score(sr, hz, [hzOf(60), hzOf(64)], 0.2, 1.0);
      expect(s.voiced).toBeGreaterThan(0.9);
      expect(s.right).toBeLessThan(0.1);
    });

  });
}
