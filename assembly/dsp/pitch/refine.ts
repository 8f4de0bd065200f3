// Lag refinement for the pitch follower: the exact NSDF at 7 lags around a coarse period, on a faster-rate ring,
// then a parabolic fit through the best lag and its neighbours (McLeod & Wyvill 2005, section 5).

export class LagRefiner {
  /** Refined lag in samples of the ring's rate, 0 if none. */
  lag: f64 = 0;
  /** NSDF at the refined peak (the clarity), -1..1. */
  clarity: f32 = 0;
  /** Normalisation, as LagTier.cosine. */
  cosine: bool = false;
  private r: StaticArray<f64> = new StaticArray<f64>(7);

  /**
   * ring/mask/last: the signal (newest sample at index last); center: the coarse lag at this rate (>= 4);
   * w: window (the caller keeps w + center + 4 within the ring).
   */
  refine(ring: StaticArray<f32>, mask: i32, last: i32, center: i32, w: i32): void {
    this.scan(ring, mask, last, center, w, 3);
  }

  /** Like refine() over center ± half (1..3) lags. */
  scan(ring: StaticArray<f32>, mask: i32, last: i32, center: i32, w: i32, half: i32): void {
    const lo = center - half;
    const count = 2 * half + 1;
    let e0: f64 = 0;
    for (let j = 0; j < w; j++) {
      const x = <f64>unchecked(ring[(last - j) & mask]);
      e0 += x * x;
    }
    // energy of the lagged window, slid one sample per lag
    let el: f64 = 0;
    for (let j = 0; j < w; j++) {
      const y = <f64>unchecked(ring[(last - j - lo) & mask]);
      el += y * y;
    }
    for (let k = 0; k < count; k++) {
      const lag = lo + k;
      if (k > 0) {
        const gone = <f64>unchecked(ring[(last - lag + 1) & mask]);
        const come = <f64>unchecked(ring[(last - lag - w + 1) & mask]);
        el += come * come - gone * gone;
        if (el < 0) el = 0;
      }
      let acc: f64 = 0;
      for (let j = 0; j < w; j++) {
        const t = last - j;
        acc += <f64>unchecked(ring[t & mask]) * <f64>unchecked(ring[(t - lag) & mask]);
      }
      if (this.cosine) {
        const den = e0 * el;
        unchecked(this.r[k] = den > 0 ? acc / Math.sqrt(den) : 0);
      } else {
        const den = e0 + el;
        unchecked(this.r[k] = den > 0 ? 2.0 * acc / den : 0);
      }
    }
    let best = 1;
    for (let k = 2; k < count - 1; k++) if (unchecked(this.r[k]) > unchecked(this.r[best])) best = k;
    const a = unchecked(this.r[best - 1]);
    const b = unchecked(this.r[best]);
    const c = unchecked(this.r[best + 1]);
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
