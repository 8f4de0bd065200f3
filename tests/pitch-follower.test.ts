// PitchFollower (engine default pitch detector) on generated signals, through the real engine wasm and its
// pitchTest* exports, at 44.1 and 48 kHz, fed in hops of 256 samples like the evaluation harness.
import { describe, it, expect } from 'vitest';
import { trackHops as track } from './helpers/pitch-track.ts';

/** Synthesis from an instantaneous-frequency function: sum of harmonics with the given amplitudes. */
function synth(sr: number, seconds: number, freq: (t: number) => number, amps: number[], level = 0.5): Float32Array {
  const n = Math.round(sr * seconds); const x = new Float32Array(n);
  let phase = 0;
  const norm = amps.reduce((a, b) => a + Math.abs(b), 0);
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let h = 0; h < amps.length; h++) v += (amps[h] ?? 0) * Math.sin(2 * Math.PI * (h + 1) * phase);
    x[i] = (level * v) / norm;
    phase += freq(i / sr) / sr;
    phase -= Math.floor(phase);
  }
  return x;
}
const saw = Array.from({ length: 20 }, (_, h) => 1 / (h + 1));
const cents = (a: number, b: number) => 1200 * Math.log2(a / b);

/** Share of hops in [t0, t1) s whose estimate is within tol cents of truth(t) (t = end of the hop). */
function within(sr: number, hz: number[], truth: (t: number) => number, t0: number, t1: number, tol: number): number {
  let ok = 0, n = 0;
  hz.forEach((h, k) => {
    const t = ((k + 1) * 256) / sr;
    if (t < t0 || t >= t1) return;
    n++;
    if (h > 0 && Math.abs(cents(h, truth(t))) <= tol) ok++;
  });
  return n ? ok / n : 0;
}

function lcgNoise(n: number, level: number, seed = 12345): Float32Array {
  const x = new Float32Array(n); let s = seed >>> 0;
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; x[i] = level * ((s / 4294967296) * 2 - 1); }
  return x;
}

for (const sr of [44100, 48000]) {
  describe(`PitchFollower @ ${sr} Hz`, () => {
    it.each([27.5, 55, 110, 440, 1000, 2000])('sine %f Hz: voiced and within 5 cents after 120 ms', (f) => {
      const { hz } = track(sr, synth(sr, 1, () => f, [1]));
      expect(within(sr, hz, () => f, 0.12, 1, 5)).toBeGreaterThan(0.97);
    });

    it.each([41.2, 110, 330, 880])('sawtooth %f Hz: within 5 cents', (f) => {
      const { hz } = track(sr, synth(sr, 1, () => f, saw));
      expect(within(sr, hz, () => f, 0.1, 1, 5)).toBeGreaterThan(0.97);
    });

    it('missing fundamental (harmonics 2..6 of 200 Hz) is heard at 200 Hz', () => {
      const { hz } = track(sr, synth(sr, 1, () => 200, [0, 1, 0.8, 0.6, 0.5, 0.4]));
      expect(within(sr, hz, () => 200, 0.1, 1, 10)).toBeGreaterThan(0.95);
    });

    it('vibrato (440 Hz ± 50 cents at 5.5 Hz) is followed within 20 cents', () => {
      const f = (t: number) => 440 * 2 ** ((50 * Math.sin(2 * Math.PI * 5.5 * t)) / 1200);
      const { hz } = track(sr, synth(sr, 2, f, [1, 0.5, 0.3]));
      // judged against the frequency a few ms back (the window's centre), the follower's inherent delay
      expect(within(sr, hz, (t) => f(t - 0.004), 0.1, 2, 20)).toBeGreaterThan(0.95);
    });

    it('glide 100 -> 1600 Hz over 2 s (2 octaves/s) is followed within 25 cents', () => {
      const f = (t: number) => 100 * 2 ** (2 * Math.min(t, 2));
      const { hz } = track(sr, synth(sr, 2.2, f, saw));
      expect(within(sr, hz, (t) => f(t - 0.004), 0.15, 2.2, 25)).toBeGreaterThan(0.9);
    });

    it('two-octave jumps (110 -> 440 -> 110 Hz) are followed within 60 ms, no stale octave', () => {
      const f = (t: number) => (t >= 0.5 && t < 1 ? 440 : 110);
      const { hz } = track(sr, synth(sr, 1.5, f, saw));
      for (const [a, b] of [[0.06, 0.5], [0.56, 1], [1.06, 1.5]] as const) {
        expect(within(sr, hz, f, a, b, 10)).toBeGreaterThan(0.97);
      }
    });

    it('legato octave leaps (220 -> 440 -> 220 Hz) are followed within 40 ms (the octave rule does not stick)', () => {
      const f = (t: number) => (t >= 0.5 && t < 1 ? 440 : 220);
      const { hz } = track(sr, synth(sr, 1.5, f, saw));
      for (const [a, b] of [[0.06, 0.5], [0.54, 1], [1.04, 1.5]] as const) {
        expect(within(sr, hz, f, a, b, 10)).toBe(1);
      }
    });

    it('an 8 ms burst of loud noise inside a note does not unvoice it (one-frame hangover, P_HOLD)', () => {
      const x = synth(sr, 1, () => 220, saw);
      const noise = lcgNoise(Math.round(0.008 * sr), 2, 1);
      const i0 = Math.round(0.5 * sr);
      noise.forEach((v, i) => { x[i0 + i] = (x[i0 + i] ?? 0) + v; });
      const unvoiced = (hz: number[]) => hz.filter((h, k) => ((k + 1) * 256) / sr > 0.2 && !(h > 0)).length;
      expect(unvoiced(track(sr, x).hz)).toBe(0);
      // the same signal without the hangover loses a frame: the burst is a real dropout
      expect(unvoiced(track(sr, x, 256, [[22, 0]]).hz)).toBeGreaterThan(0);
    });

    it('white noise (-20 dBFS) and pink-ish noise are never voiced', () => {
      const white = lcgNoise(sr * 2, 0.17);
      expect(track(sr, white).hz.filter((h) => h > 0).length).toBe(0);
      const brown = lcgNoise(sr * 2, 0.5, 777);
      for (let i = 1; i < brown.length; i++) brown[i] = 0.98 * (brown[i - 1] ?? 0) + 0.05 * (brown[i] ?? 0);
      expect(track(sr, brown).hz.filter((h) => h > 0).length).toBe(0);
    });

    it('digital silence is unvoiced, and a note after it is found', () => {
      const x = new Float32Array(sr * 2);
      x.set(synth(sr, 1, () => 220, saw), sr);
      const { hz } = track(sr, x);
      expect(hz.slice(0, Math.floor(sr / 256)).every((h) => h === 0)).toBe(true);
      expect(within(sr, hz, () => 220, 1.06, 2, 5)).toBeGreaterThan(0.97);
    });

    it('blocks of any size give the same estimates, and memory does not grow after init', () => {
      const x = synth(sr, 0.5, () => 330, saw);
      const a = track(sr, x, 256);
      const b = track(sr, x, 64);
      // 3 and 5 do not divide the hop nor the input stage's 4-sample blocks
      const c = track(sr, x.subarray(0, Math.floor(x.length / 15) * 15), 3);
      const d = track(sr, x.subarray(0, Math.floor(x.length / 15) * 15), 5);
      expect(b.hz).toEqual(a.hz);
      expect(c.hz).toEqual(a.hz.slice(0, c.hz.length));
      expect(d.hz).toEqual(a.hz.slice(0, d.hz.length));
      expect(c.hz.length).toBeGreaterThan(80);
      expect(a.pages[1]).toBe(a.pages[0]);
    });

    it('NaN and Inf in the input do not stick: the note after them is found', () => {
      const x = synth(sr, 1.5, () => 196, saw);
      for (let i = 1000; i < 1100; i++) x[i] = i % 2 ? NaN : Infinity;
      const { hz } = track(sr, x);
      expect(hz.every((h) => Number.isFinite(h))).toBe(true);
      expect(within(sr, hz, () => 196, 0.5, 1.5, 5)).toBeGreaterThan(0.97);
    });

    it('a 2.5 kHz note (the top of the range) is voiced and in tune', () => {
      const { hz } = track(sr, synth(sr, 1, () => 2500, [1, 0.3]));
      expect(within(sr, hz, () => 2500, 0.1, 1, 10)).toBeGreaterThan(0.95);
    });
  });
}
