// One analysis rate of the pitch follower: a running normalised square difference function (McLeod & Wyvill 2005,
// "NSDF") with a pitch-synchronous window per lag, W(lag) = max(Wmin, c·lag), kept exact with wrapping integer sums.

/** Samples are stored as integers at 2^20 per full scale so running sums add and subtract exactly (no drift). */
export const TIER_SCALE: f32 = 1048576.0;
const CLAMP: f32 = 8388607.0; // ±8.0 full scale; squares stay < 2^46, window sums < 2^56

export class LagTier {
  rate: f64 = 0;
  lagLo: i32 = 0;
  lagHi: i32 = 0;
  /** NSDF per lag, index lag - lagLo; valid after update(). */
  nsdf: StaticArray<f32> = new StaticArray<f32>(0);
  /** Same samples as float, for the refinement pass of the next-slower tier. */
  fring: StaticArray<f32> = new StaticArray<f32>(0);
  mask: i32 = 0;
  /** Index of the newest sample (ring position, unmasked counter). */
  last: i32 = -1;

  private ring: StaticArray<i32> = new StaticArray<i32>(0);
  private pre: StaticArray<i64> = new StaticArray<i64>(0);
  private acc: StaticArray<i64> = new StaticArray<i64>(0);
  private win: StaticArray<i32> = new StaticArray<i32>(0);
  private pending: i32 = 0;
  /** false: McLeod's 2r/(E0+El); true: normalised cross-correlation r/sqrt(E0·El), blind to level changes. */
  cosine: bool = false;

  /** Allocates; ringSize a power of two > max(W + lag) + samples per update. */
  init(rate: f64, lagLo: i32, lagHi: i32, wMin: i32, wFactor: f64, ringSize: i32): void {
    this.rate = rate;
    this.lagLo = lagLo;
    this.lagHi = lagHi;
    const n = lagHi - lagLo + 1;
    this.nsdf = new StaticArray<f32>(n);
    this.acc = new StaticArray<i64>(n);
    this.win = new StaticArray<i32>(n);
    this.ring = new StaticArray<i32>(ringSize);
    this.fring = new StaticArray<f32>(ringSize);
    this.pre = new StaticArray<i64>(ringSize);
    this.mask = ringSize - 1;
    this.setWindows(wMin, wFactor);
  }

  /** Window per lag; resets the sums (their meaning changes with the window). */
  setWindows(wMin: i32, wFactor: f64): void {
    const n = this.lagHi - this.lagLo + 1;
    const limit = this.mask + 1 - this.lagHi - 80;
    for (let i = 0; i < n; i++) {
      let w = <i32>Math.ceil(wFactor * <f64>(this.lagLo + i));
      if (w < wMin) w = wMin;
      if (w > limit) w = limit;
      unchecked(this.win[i] = w);
    }
    this.reset();
  }

  reset(): void {
    for (let i = 0; i < this.ring.length; i++) {
      unchecked(this.ring[i] = 0); unchecked(this.fring[i] = 0); unchecked(this.pre[i] = 0);
    }
    for (let i = 0; i < this.acc.length; i++) { unchecked(this.acc[i] = 0); unchecked(this.nsdf[i] = 0); }
    this.last = -1;
    this.pending = 0;
  }

  @inline windowOf(lag: i32): i32 { return unchecked(this.win[lag - this.lagLo]); }

  push(x: f32): void {
    let q = x * TIER_SCALE;
    if (q > CLAMP) q = CLAMP; else if (q < -CLAMP) q = -CLAMP;
    const qi = <i32>nearest<f32>(q);
    const m = this.mask;
    const prev = unchecked(this.pre[this.last & m]);
    this.last++;
    const p = this.last & m;
    unchecked(this.ring[p] = qi);
    unchecked(this.fring[p] = x);
    unchecked(this.pre[p] = prev + <i64>qi * <i64>qi); // wraps mod 2^64; differences stay exact
    this.pending++;
  }

  /** Fold the pending samples into the per-lag sums, then compute the NSDF. */
  update(): void {
    const m = this.mask;
    const ring = this.ring;
    const n = this.lagHi - this.lagLo + 1;
    const t1 = this.last;
    const t0 = t1 - this.pending + 1;
    const count = this.pending;
    for (let i = 0; i < n; i++) {
      const lag = this.lagLo + i;
      const w = unchecked(this.win[i]);
      let a = unchecked(this.acc[i]);
      for (let k = 0; k < count; k++) {
        const t = t0 + k;
        a += <i64>unchecked(ring[t & m]) * <i64>unchecked(ring[(t - lag) & m])
           - <i64>unchecked(ring[(t - w) & m]) * <i64>unchecked(ring[(t - w - lag) & m]);
      }
      unchecked(this.acc[i] = a);
    }
    this.pending = 0;
    const pre = this.pre;
    for (let i = 0; i < n; i++) {
      const lag = this.lagLo + i;
      const w = unchecked(this.win[i]);
      const e0 = unchecked(pre[t1 & m]) - unchecked(pre[(t1 - w) & m]);
      const el = unchecked(pre[(t1 - lag) & m]) - unchecked(pre[(t1 - lag - w) & m]);
      const a = <f64>unchecked(this.acc[i]);
      if (this.cosine) {
        const den = <f64>e0 * <f64>el;
        unchecked(this.nsdf[i] = den > 0 ? <f32>(a / Math.sqrt(den)) : 0);
      } else {
        const den = <f64>(e0 + el);
        unchecked(this.nsdf[i] = den > 0 ? <f32>(2.0 * a / den) : 0);
      }
    }
  }

  /** Mean square (full scale = 1) of the newest W(lag) samples. */
  meanSquare(lag: i32): f32 {
    const m = this.mask;
    const w = this.windowOf(lag);
    const e = unchecked(this.pre[this.last & m]) - unchecked(this.pre[(this.last - w) & m]);
    return <f32>(<f64>e / (<f64>w * <f64>TIER_SCALE * <f64>TIER_SCALE));
  }
}
