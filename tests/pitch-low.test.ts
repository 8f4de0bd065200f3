// Low notes on the follower detector (issue 14: octave errors on a contrabass E1-D3 and a piano below B1), on
// generated tones at 44.1 and 48 kHz through the real wasm's pitchTest* exports: a bass-like spectrum whose
// fundamental is 16 dB under its second harmonic, and a piano-like one with stretched (inharmonic) partials
// decaying faster the higher they are, so the note's tail changes its spectrum under the detector.
import { describe, it, expect } from 'vitest';
import { track, trackHops } from './helpers/pitch-track.ts';


/** Partials h·f0·sqrt(1 + B h²) with amplitudes amps[h-1]·exp(-t·decay·h), below 0.45 sr. */
function partials(sr: number, seconds: number, f0: number, amps: number[], B: number, decay: number): Float32Array {
  const n = Math.round(sr * seconds), x = new Float32Array(n);
  const norm = amps.reduce((a, b) => a + b, 0);
  amps.forEach((a0, i) => {
    const h = i + 1, f = h * f0 * Math.sqrt(1 + B * h * h);
    if (f > 0.45 * sr) return;
    const a = (0.5 * a0) / norm, k = Math.exp(-decay * h / sr);
    let g = a;
    for (let j = 0; j < n; j++) { x[j]! += g * Math.sin((2 * Math.PI * f * j) / sr + h); g *= k; }
  });
  return x;
}

/** Voiced hops within ±50 ¢, and hops a whole number of octaves off, after the first 120 ms. */
function score(sr: number, hz: number[], f0: number): { ok: number; octave: number; n: number } {
  let ok = 0, octave = 0, n = 0;
  hz.forEach((h, k) => {
    if (((k + 1) * 256) / sr < 0.12) return;
    n++;
    if (!(h > 0)) return;
    const c = 1200 * Math.log2(h / f0);
    if (Math.abs(c) <= 50) ok++;
    else if (Math.round(c / 1200) !== 0 && Math.abs(c - 1200 * Math.round(c / 1200)) <= 50) octave++;
  });
  return { ok: ok / n, octave, n };
}

const BASS = [0.15, 1, 0.8, 0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.1, 0.08, 0.06];
const PIANO = Array.from({ length: 30 }, (_, h) => 1 / (h + 1) ** 0.7);
const hzOf = (m: number) => 440 * 2 ** ((m - 69) / 12);
/** P_CHORD in assembly/dsp/pitch/follower.ts: the chord rule of the tune mode. */
const P_CHORD = 25;
const piano = (n: number, tilt: number, first: number) => [first, ...Array.from({ length: n - 1 }, (_, k) => 1 / (k + 2) ** tilt)];
/** Harder low notes: [MIDI, partial amplitudes, inharmonicity B, decay (partial h at decay·h per second)]. The chord
 *  rule's hardest cases: a series whose fundamental is missing still has 2, 3, 4, 5, … (a chord's common period does
 *  not), and a clarinet's odd-only series has its fundamental. */
const HARD: [string, number, number[], number, number][] = [
  ['E1, no fundamental', 28, [0, 1, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2], 0, 0],
  ['A1, fundamental 30 dB under the 2nd partial', 33, [0.03, 1, 0.5, 0.4, 0.3, 0.2, 0.1, 0.1], 0, 0],
  ['E2, 2nd partial 10 dB over the fundamental', 40, [0.3, 1, 0.2, 0.3, 0.1, 0.1], 0, 0],
  ['D3, odd partials only (clarinet-like)', 50, [1, 0, 0.6, 0, 0.4, 0, 0.25, 0, 0.15], 0, 0],
  ['A0 piano, fundamental 30 dB down, B = 3e-4, decaying', 21, piano(24, 0.5, 0.03), 3e-4, 1.0],
  ['B1 piano, weak fundamental, B = 4e-4, decaying', 35, piano(20, 0.7, 0.1), 4e-4, 1.5],
  ['G2, no fundamental, decaying', 43, [0, 1, 0.7, 0.5, 0.35, 0.25, 0.15, 0.1], 0, 0.5],
];

for (const sr of [44100, 48000]) {
  describe(`low notes @ ${sr} Hz`, () => {
    it.each([28, 31, 33, 36, 40, 45, 50])('contrabass-like MIDI %i (weak fundamental): no octave error', (m) => {
      const s = score(sr, track(sr, partials(sr, 1, hzOf(m), BASS, 0, 0)), hzOf(m));
      expect(s.octave).toBe(0);
      expect(s.ok).toBeGreaterThan(0.97);
    });

    it.each([23, 28, 33, 35])('piano-like MIDI %i (stretched partials, decaying tail): no octave error', (m) => {
      // B = 4e-4: a low piano string's inharmonicity; partial h decays at 1.5·h per second
      const s = score(sr, track(sr, partials(sr, 1.5, hzOf(m), PIANO, 4e-4, 1.5)), hzOf(m));
      expect(s.octave).toBe(0);
      expect(s.ok).toBeGreaterThan(0.95);
    });
  });

  for (const [rule, params] of [['off', []], ['on (tune mode)', [[P_CHORD, 1]]]] as [string, [number, number][]][]) {
    describe(`harder low notes @ ${sr} Hz, chord rule ${rule}`, () => {
      // KNOWN MISS (issue 14, a piano below B1): the A0 string flips between 27.5 and 55 Hz; McLeod's rule takes the
      // half period whose NSDF is within 0.9 of the whole one (partials 2, 4, 6, … in phase), and the octave anchor
      // only holds after 8 frames on one pitch
      for (const [name, m, amps, B, decay] of HARD) (name.startsWith('A0') ? it.fails : it)(`${name}: no octave error`, () => {
        // the first partial's stretched frequency is the pitch a listener (and the harness's truth) takes
        const f0 = hzOf(m) * Math.sqrt(1 + B);
        const hz = trackHops(sr, partials(sr, 1.5, hzOf(m), amps, B, decay), 256, params).hz;
        const s = score(sr, hz, f0);
        expect(s.octave, `${hz.slice(-8).map((h) => h.toFixed(1)).join(' ')}`).toBe(0);
        expect(s.ok).toBeGreaterThan(0.95);
      });
    });
  }
}
