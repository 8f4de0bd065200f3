// The harmonic series of a period, for the chord rule of the pitch follower: the powers of harmonics 1..K of a period
// P on one octave level, by one Goertzel recursion per harmonic over four periods. Two notes played
// together are periodic at their common period (C4 + E4: 65.4 Hz, two octaves under C4), and the NSDF has its
// clearest peak there; but of that period's series only the notes' own harmonics are present (4, 5, 8, 10, 12, …),
// while a single note, even one with a weak fundamental, has most of 1..K present.
import { SlideRing } from "./octave";

/** Most harmonics measured. */
export const SERIES_MAX: i32 = 8;

/** Periods the window spans, and its longest length (4 periods of 80 samples, the longest the caller passes). */
const PERIODS: i32 = 4;
const MAX_N: i32 = 320;

export class HarmonicSeries {
  /** power[h], h = 1..count: harmonic h's power (arbitrary unit, the level's smoother undone); power[0] unused. */
  power: StaticArray<f32> = new StaticArray<f32>(SERIES_MAX + 1);
  /** Harmonics measured by the last call (0: the period is too short on this level). */
  count: i32 = 0;
  /** The strongest of them. */
  peak: f32 = 0;
  /** Share of the window's power that harmonics 1..count hold (about 1 for a tone whose partials are all there). */
  held: f32 = 0;
  private x: StaticArray<f32> = new StaticArray<f32>(MAX_N);

  /**
   * Harmonics 1..K of `period` (samples of the ring's rate) on the newest four periods, Hann-windowed; K is what lies
   * below 0.3 of the rate (higher ones are in the decimators' roll-off). With four periods harmonic h falls on bin 4h
   * and its neighbours four bins away, where the Hann window's leakage is under -60 dB: a harmonic a chord does not
   * have measures 45-65 dB under the strongest one, while an instrument's weakest ones (a cello's fundamental) stay
   * within about 30 dB. Work: (K + 1) · 4 · period samples, at most 9 · 320; 2 · 4 · period when the fundamental
   * holds at least `enough` of the window's power (then count = 1: the rest cannot make it absent).
   */
  measure(ring: SlideRing, period: f64, enough: f32): void {
    this.count = 0;
    this.peak = 0;
    this.held = 0;
    let k = <i32>Math.floor(0.3 * period);
    if (k > SERIES_MAX) k = SERIES_MAX;
    let n = <i32>Math.round(<f64>PERIODS * period);
    if (k < 1 || period < 3 || n > MAX_N || n > ring.size - 1) return;
    // the window, oldest sample first (so each recursion ends on the newest): w_i = sin²(π(i + ½)/n) by a rotation
    const first = ring.at(n - 1);
    const x = changetype<usize>(this.x);
    const dr = Math.cos(Math.PI / <f64>n), di = Math.sin(Math.PI / <f64>n);
    let re = Math.cos(0.5 * Math.PI / <f64>n), im = Math.sin(0.5 * Math.PI / <f64>n);
    let e: f32 = 0;
    for (let i = 0; i < n; i++) {
      const v = load<f32>(first + (<usize>i << 2));
      e += v * v;
      store<f32>(x + (<usize>i << 2), v * <f32>(im * im));
      const r2 = re * dr - im * di;
      im = re * di + im * dr;
      re = r2;
    }
    const scale = <f32>(8.0 / (<f64>n * <f64>n));
    const theta = 2.0 * Math.PI / period;
    const c1 = Math.cos(theta);
    let cPrev: f64 = 1;   // cos((h-1)θ)
    let cCur: f64 = c1;   // cos(hθ)
    let peak: f32 = 0;
    let sum: f32 = 0;
    for (let h = 1; h <= k; h++) {
      const c = <f32>(2.0 * cCur);
      let s1: f32 = 0, s2: f32 = 0;
      for (let i = 0; i < n; i++) {
        const s = load<f32>(x + (<usize>i << 2)) + c * s1 - s2;
        s2 = s1;
        s1 = s;
      }
      // a harmonic of amplitude A on its bin gives |X| = A·n/4 through the Hann window: its power A²/2 = 8|X|²/n²
      let p = (s1 * s1 + s2 * s2 - c * s1 * s2) * scale;
      // each level's [1 2 1]/4 smoother has gain cos²(πf): undo it (h/period <= 0.3, so the gain is >= 0.35)
      const g = <f32>(0.5 + 0.5 * cCur);  // cos²(πh/P) = (1 + cos(2πh/P)) / 2
      p /= g * g;
      unchecked(this.power[h] = p);
      if (p > peak) peak = p;
      sum += p;
      if (h == 1 && e > 0 && p >= enough * (e / <f32>n)) { this.count = 1; this.peak = p; this.held = p / (e / <f32>n); return; }
      const cNext = 2.0 * c1 * cCur - cPrev;
      cPrev = cCur;
      cCur = cNext;
    }
    this.count = k;
    this.peak = peak;
    // against the window's mean power (of the smoothed level: the compensation can only raise the share)
    this.held = e > 0 ? sum / (e / <f32>n) : 0;
  }
}
