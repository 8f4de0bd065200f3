// One octave level of the pitch follower: a mirrored f32 ring fed by an 11-tap halfband decimator from the level
// above, and a register-blocked NSDF (McLeod & Wyvill 2005) of four consecutive lags per pass over the window.

// 11-tap equiripple halfband (Parks-McClellan, band edges 0.15 / 0.35 of the input rate, about 45 dB), taps ±1, ±3, ±5;
// the even taps are zero and the centre is 1/2, so an output costs three multiplies.
const HB1: f32 = 0.30181328803495033;
const HB3: f32 = -0.07057550820635337;
const HB5: f32 = 0.018762220171403075;

/** A power-of-two ring whose samples are written twice (at p and p + size), so any window is contiguous memory. */
export class MirrorRing {
  size: i32 = 0;
  /** Total samples written (wraps; only differences are used). */
  count: i32 = 0;
  /** Position of the newest sample, 0..size-1. */
  pos: i32 = 0;
  base: usize = 0;
  private data: StaticArray<f32> = new StaticArray<f32>(0);

  alloc(size: i32): void {
    this.size = size;
    this.data = new StaticArray<f32>(2 * size);
    this.base = changetype<usize>(this.data);
    this.clear();
  }

  clear(): void {
    for (let i = 0; i < this.data.length; i++) unchecked(this.data[i] = 0);
    this.pos = 0;
    this.count = 0;
  }

  @inline push(x: f32): void {
    const p = (this.pos + 1) & (this.size - 1);
    this.pos = p;
    const a = this.base + (<usize>p << 2);
    store<f32>(a, x);
    store<f32>(a + (<usize>this.size << 2), x);
    this.count++;
  }

  /** Address of the sample `back` samples before the newest (0 = newest); back < size. */
  @inline at(back: i32): usize {
    return this.base + (<usize>(this.pos + this.size - back) << 2);
  }
}

/** NSDF results of one 4-lag pass. */
export class Block4 {
  n0: f32 = 0; n1: f32 = 0; n2: f32 = 0; n3: f32 = 0;
  /** Energy of the newest window (mean square = e0 / w). */
  e0: f32 = 0;
}

/**
 * NSDF at lags lag0..lag0+3 over the newest w samples of ring ending `back` samples before its newest:
 * n(τ) = 2 Σ x[t]x[t-τ] / (Σ x[t]² + Σ x[t-τ]²), or r / sqrt(E0·Eτ) when cosine. Needs back + w + lag0 + 3 < size.
 * One load of x and one of the oldest lagged sample per step; the other lagged samples shift through registers.
 */
export function nsdf4(ring: MirrorRing, back: i32, lag0: i32, w: i32, cosine: bool, out: Block4): void {
  let px = ring.at(back);
  let py = px - (<usize>(lag0 + 3) << 2);
  let y0 = load<f32>(py, 12);
  let y1 = load<f32>(py, 8);
  let y2 = load<f32>(py, 4);
  let y3 = load<f32>(py);
  let a0: f32 = 0, a1: f32 = 0, a2: f32 = 0, a3: f32 = 0, e0: f32 = 0, el: f32 = 0;
  const end = px - (<usize>w << 2);
  while (px > end) {
    const x = load<f32>(px);
    a0 += x * y0; a1 += x * y1; a2 += x * y2; a3 += x * y3;
    e0 += x * x; el += y0 * y0;
    px -= 4;
    py -= 4;
    y0 = y1; y1 = y2; y2 = y3;
    y3 = load<f32>(py);
  }
  // energies of the other lagged windows: slide by one sample per lag
  const top = ring.at(back) - (<usize>lag0 << 2);   // newest sample of lag0's lagged window
  const bot = top - (<usize>w << 2);                // first sample past its oldest
  let t = load<f32>(top); let b = load<f32>(bot);
  const el1 = Mathf.max(0, el - t * t + b * b);
  t = load<f32>(top - 4); b = load<f32>(bot - 4);
  const el2 = Mathf.max(0, el1 - t * t + b * b);
  t = load<f32>(top - 8); b = load<f32>(bot - 8);
  const el3 = Mathf.max(0, el2 - t * t + b * b);
  out.e0 = e0;
  if (cosine) {
    out.n0 = norm(a0, Mathf.sqrt(e0 * el)); out.n1 = norm(a1, Mathf.sqrt(e0 * el1));
    out.n2 = norm(a2, Mathf.sqrt(e0 * el2)); out.n3 = norm(a3, Mathf.sqrt(e0 * el3));
  } else {
    out.n0 = norm(2 * a0, e0 + el); out.n1 = norm(2 * a1, e0 + el1);
    out.n2 = norm(2 * a2, e0 + el2); out.n3 = norm(2 * a3, e0 + el3);
  }
}

@inline function norm(num: f32, den: f32): f32 {
  return den > 1e-20 ? num / den : 0;
}

/**
 * Streaming halfband decimator by 2 (11 taps) with its delay line in locals for a whole batch: one load per input
 * sample, one output per input pair. The first stage (`first`) also blocks DC and drops NaN / Inf.
 */
export class Halfband {
  /** Samples of the source consumed so far (MirrorRing sources). */
  taken: i32 = 0;
  // the last six odd-phase inputs (o0 newest) and three even-phase inputs (e0 newest)
  private o0: f32 = 0; private o1: f32 = 0; private o2: f32 = 0; private o3: f32 = 0; private o4: f32 = 0;
  private o5: f32 = 0; private e0: f32 = 0; private e1: f32 = 0; private e2: f32 = 0;
  private odd: bool = false;
  // one-pole DC blocker of the first stage (a DC offset keeps the NSDF positive everywhere)
  dcR: f32 = 0;
  private dcX: f32 = 0;
  private dcY: f32 = 0;

  reset(): void {
    this.taken = 0;
    this.o0 = 0; this.o1 = 0; this.o2 = 0; this.o3 = 0; this.o4 = 0; this.o5 = 0;
    this.e0 = 0; this.e1 = 0; this.e2 = 0;
    this.odd = false;
    this.dcX = 0; this.dcY = 0;
  }

  /** Decimate the source's samples not yet taken into dst. */
  fromRing(src: MirrorRing, dst: MirrorRing): void {
    const n = src.count - this.taken;
    if (n <= 0) return;
    this.taken = src.count;
    this.run(src.at(n - 1), n, dst, 0, false);
  }

  /**
   * n samples from contiguous memory at p; outputs go to dst if given, else to contiguous memory at out.
   * Returns the number of outputs.
   */
  run(p: usize, n: i32, dst: MirrorRing | null, out: usize, first: bool): i32 {
    let o0 = this.o0, o1 = this.o1, o2 = this.o2, o3 = this.o3, o4 = this.o4, o5 = this.o5;
    let e0 = this.e0, e1 = this.e1, e2 = this.e2;
    let odd = this.odd;
    let dx = this.dcX, dy = this.dcY;
    const r = this.dcR;
    const end = p + (<usize>n << 2);
    let k = 0;
    const toRing = dst != null;
    let dpos = 0, dmask = 0;
    let dbase: usize = 0, dmirror: usize = 0;
    if (toRing) {
      const d = dst as MirrorRing;
      dpos = d.pos; dmask = d.size - 1; dbase = d.base; dmirror = <usize>d.size << 2;
    }
    for (; p < end; p += 4) {
      let x = load<f32>(p);
      if (first) {
        if (!(Mathf.abs(x) <= 8)) x = 0; // NaN or Inf would poison the filters for good
        const y = x - dx + r * dy;
        dx = x;
        dy = y;
        x = y;
      }
      if (odd) {
        o5 = o4; o4 = o3; o3 = o2; o2 = o1; o1 = o0; o0 = x;
        // centre: the even input two pairs back, between o2 and o3
        const v: f32 = <f32>0.5 * e2 + HB1 * (o2 + o3) + HB3 * (o1 + o4) + HB5 * (o0 + o5);
        if (toRing) {
          dpos = (dpos + 1) & dmask;
          const a = dbase + (<usize>dpos << 2);
          store<f32>(a, v);
          store<f32>(a + dmirror, v);
        } else {
          store<f32>(out + (<usize>k << 2), v);
        }
        k++;
      } else {
        e2 = e1; e1 = e0; e0 = x;
      }
      odd = !odd;
    }
    if (first && Mathf.abs(dy) < 1e-20) dy = 0;
    this.o0 = o0; this.o1 = o1; this.o2 = o2; this.o3 = o3; this.o4 = o4; this.o5 = o5;
    this.e0 = e0; this.e1 = e1; this.e2 = e2;
    this.odd = odd;
    this.dcX = dx; this.dcY = dy;
    if (toRing) { const d = dst as MirrorRing; d.pos = dpos; d.count += k; }
    return k;
  }
}
