// Lag refinement for the pitch follower: the exact NSDF at 5 lags around a coarse period on a faster octave level,
// then a parabolic fit through the best lag and its neighbours (McLeod & Wyvill 2005, section 5).
import { Block5, SlideRing, nsdf5 } from "./octave";

export class LagRefiner {
  /** Refined lag in samples of the ring's rate, 0 if none. */
  lag: f64 = 0;
  /** NSDF at the refined peak (the clarity), -1..1. */
  clarity: f32 = 0;
  /** Mean square of the window (full scale = 1). */
  level: f32 = 0;
  /** An edge value below this does not move the scan (the frame is noise). */
  minPeak: f32 = 0.35;
  /** Normalisation: false = McLeod's 2r/(E0+Eτ), true = r/sqrt(E0·Eτ). */
  cosine: bool = false;
  /** Windows end this many samples before the ring's newest (an earlier look at the same signal). */
  back: i32 = 0;
  private r: StaticArray<f32> = new StaticArray<f32>(5);
  private blk: Block5 = new Block5();

  /**
   * Peak near center (>= 5; w + center + 16 < ring size): one 5-lag pass over center-2 .. center+2, and a pass to
   * either side while the best lag is at an edge (rare: the coarse estimate is within a sample here).
   */
  scan(ring: SlideRing, center: i32, w: i32): void {
    let lo = center - 2;
    this.pass(ring, lo, w);
    this.level = this.blk.e0 / <f32>this.blk.w;
    const r = this.r;
    for (let tries = 0; tries < 2; tries++) {
      // no peak worth chasing in noise
      if (Mathf.max(unchecked(r[0]), unchecked(r[4])) < this.minPeak) break;
      if (unchecked(r[0]) > unchecked(r[1]) && lo > 3) { lo -= 3; this.pass(ring, lo, w); }
      else if (unchecked(r[4]) > unchecked(r[3])) { lo += 3; this.pass(ring, lo, w); }
      else break;
    }
    this.fit(lo, this.best());
  }

  /** Peak over lag-2 .. lag+2, best of the middle three (lag >= 3), same window rules as scan(). */
  scanNear(ring: SlideRing, lag: i32, w: i32): void {
    this.pass(ring, lag - 2, w);
    this.fit(lag - 2, this.best());
  }

  private best(): i32 {
    const r = this.r;
    let b = 1;
    if (unchecked(r[2]) > unchecked(r[b])) b = 2;
    if (unchecked(r[3]) > unchecked(r[b])) b = 3;
    return b;
  }

  private pass(ring: SlideRing, lo: i32, w: i32): void {
    const b = this.blk;
    nsdf5(ring, this.back, lo, w, this.cosine, b);
    const r = this.r;
    unchecked(r[0] = b.n0); unchecked(r[1] = b.n1); unchecked(r[2] = b.n2); unchecked(r[3] = b.n3);
    unchecked(r[4] = b.n4);
  }

  private fit(lo: i32, best: i32): void {
    const a = <f64>unchecked(this.r[best - 1]);
    const b = <f64>unchecked(this.r[best]);
    const c = <f64>unchecked(this.r[best + 1]);
    const den = a - 2.0 * b + c;
    let d: f64 = 0;
    let peak = b;
    if (den < 0) {
      d = 0.5 * (a - c) / den;
      if (d > 0.5) d = 0.5; else if (d < -0.5) d = -0.5;
      peak = b - 0.25 * (a - c) * d;
    }
    this.lag = <f64>(lo + best) + d;
    this.clarity = <f32>(peak > 1.0 ? 1.0 : peak);
  }
}
