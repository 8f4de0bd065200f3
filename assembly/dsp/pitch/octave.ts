// One octave level of the pitch follower: a sliding f32 window fed by a halfband decimator from the level above, and
// a register-blocked NSDF (McLeod & Wyvill 2005) of five consecutive lags per pass over the window.

// 11-tap equiripple halfband (Parks-McClellan, band edges 0.15 / 0.35 of the input rate, about 45 dB), taps ±1, ±3, ±5;
// the even taps are zero and the centre is 1/2, so an output costs three multiplies.
const HB1: f32 = 0.30181328803495033;
const HB3: f32 = -0.07057550820635337;
const HB5: f32 = 0.018762220171403075;
// 7-tap equiripple halfband (band edges 0.1 / 0.4 of the input rate, 41 dB) for the levels below level 0: four loads
// per output; the [1 2 1] smoother after it empties the band it leaves open near the new Nyquist.
const HQ1: f32 = 0.2927046582025856;
const HQ3: f32 = -0.042704658202585656;

/**
 * A sliding window over a signal: samples are appended to a buffer of 2·size; when it is full, its newer half is copied
 * to the front (one memory.copy per `size` samples). Any window of up to `size` samples is then contiguous memory, at
 * one store per sample.
 */
export class SlideRing {
  size: i32 = 0;
  /** Total samples written (wraps; only differences are used). */
  count: i32 = 0;
  /** Index of the newest sample in the buffer, size-1 .. 2·size-1. */
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
    this.pos = this.size - 1;
    this.count = 0;
  }

  /** Address of the sample `back` samples before the newest (0 = newest); back < size. */
  @inline at(back: i32): usize {
    return this.base + (<usize>(this.pos - back) << 2);
  }
}

/** Writer for a batch of samples into a SlideRing, its state in locals. */
@inline function slideStore(base: usize, pos: i32, size: i32, v: f32): i32 {
  pos++;
  if (pos == 2 * size) {
    const half = <usize>size << 2;
    memory.copy(base, base + half, half);
    pos = size;
  }
  store<f32>(base + (<usize>pos << 2), v);
  return pos;
}

/** NSDF results of one 5-lag pass. */
export class Block5 {
  n0: f32 = 0; n1: f32 = 0; n2: f32 = 0; n3: f32 = 0; n4: f32 = 0;
  /** Energy of the newest window and its length (w rounded up to a multiple of 4). */
  e0: f32 = 0;
  w: i32 = 0;
}

/**
 * NSDF at lags lag0..lag0+4 over the newest w samples of ring ending `back` samples before its newest:
 * n(τ) = 2 Σ x[t]x[t-τ] / (Σ x[t]² + Σ x[t-τ]²), or r / sqrt(E0·Eτ) when cosine. w is rounded up to a multiple of 4.
 * Needs back + w + lag0 + 8 < size.
 */
export function nsdf5(ring: SlideRing, back: i32, lag0: i32, w: i32, cosine: bool, out: Block5): void {
  w = (w + 3) & ~3;
  // unrolled by four steps so the lagged samples rotate through named registers instead of being moved
  let px = ring.at(back);
  let py = px - (<usize>(lag0 + 4) << 2);
  // y0..y4: x[t-lag0] .. x[t-lag0-4] for the current step t (py points at y4)
  let y0 = load<f32>(py, 16);
  let y1 = load<f32>(py, 12);
  let y2 = load<f32>(py, 8);
  let y3 = load<f32>(py, 4);
  let y4 = load<f32>(py);
  let a0: f32 = 0, a1: f32 = 0, a2: f32 = 0, a3: f32 = 0, a4: f32 = 0, e0: f32 = 0, el: f32 = 0;
  // qx, qy: the lowest of the four x and of the four next lagged samples of a step (positive load offsets: no
  // address arithmetic per load; f32 loads, not 64-bit pairs, which an interpreter unpacks op by op)
  let qx = px - 12;
  let qy = py - 16;
  const end = qx - (<usize>w << 2);
  while (qx > end) {
    const x0 = load<f32>(qx, 12), x1 = load<f32>(qx, 8), x2 = load<f32>(qx, 4), x3 = load<f32>(qx);
    const y5 = load<f32>(qy, 12), y6 = load<f32>(qy, 8), y7 = load<f32>(qy, 4), y8 = load<f32>(qy);
    a0 += x0 * y0 + x1 * y1 + x2 * y2 + x3 * y3;
    a1 += x0 * y1 + x1 * y2 + x2 * y3 + x3 * y4;
    a2 += x0 * y2 + x1 * y3 + x2 * y4 + x3 * y5;
    a3 += x0 * y3 + x1 * y4 + x2 * y5 + x3 * y6;
    a4 += x0 * y4 + x1 * y5 + x2 * y6 + x3 * y7;
    e0 += x0 * x0 + x1 * x1 + x2 * x2 + x3 * x3;
    el += y0 * y0 + y1 * y1 + y2 * y2 + y3 * y3;
    y0 = y4; y1 = y5; y2 = y6; y3 = y7; y4 = y8;
    qx -= 16;
    qy -= 16;
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
  t = load<f32>(top - 12); b = load<f32>(bot - 12);
  const el4 = Mathf.max(0, el3 - t * t + b * b);
  out.e0 = e0;
  out.w = w;
  if (cosine) {
    out.n0 = norm(a0, Mathf.sqrt(e0 * el)); out.n1 = norm(a1, Mathf.sqrt(e0 * el1));
    out.n2 = norm(a2, Mathf.sqrt(e0 * el2)); out.n3 = norm(a3, Mathf.sqrt(e0 * el3));
    out.n4 = norm(a4, Mathf.sqrt(e0 * el4));
  } else {
    out.n0 = norm(2 * a0, e0 + el); out.n1 = norm(2 * a1, e0 + el1);
    out.n2 = norm(2 * a2, e0 + el2); out.n3 = norm(2 * a3, e0 + el3);
    out.n4 = norm(2 * a4, e0 + el4);
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
  /** Samples of the source consumed so far (SlideRing sources). */
  taken: i32 = 0;
  // the last six odd-phase inputs (o0 newest) and three even-phase inputs (e0 newest)
  private o0: f32 = 0; private o1: f32 = 0; private o2: f32 = 0; private o3: f32 = 0; private o4: f32 = 0;
  private o5: f32 = 0; private e0: f32 = 0; private e1: f32 = 0; private e2: f32 = 0;
  private odd: bool = false;
  // the last two outputs, for the [1 2 1]/4 smoother that empties the top of the band (see run)
  private v1: f32 = 0; private v2: f32 = 0;
  // one-pole DC blocker of the first stage (a DC offset keeps the NSDF positive everywhere)
  dcR: f32 = 0;
  private dcX: f32 = 0;
  private dcY: f32 = 0;

  reset(): void {
    this.taken = 0;
    this.o0 = 0; this.o1 = 0; this.o2 = 0; this.o3 = 0; this.o4 = 0; this.o5 = 0;
    this.e0 = 0; this.e1 = 0; this.e2 = 0;
    this.odd = false;
    this.v1 = 0; this.v2 = 0;
    this.dcX = 0; this.dcY = 0;
  }

  /**
   * Decimate the source's samples not yet taken into dst, a whole number of pairs (an odd one waits). Reads the taps
   * straight from the contiguous source window (a delay line in locals spills to the stack after wasm2c).
   */
  fromRing(src: SlideRing, dst: SlideRing): void {
    const n = (src.count - this.taken) & ~1;
    if (n <= 0) return;
    // the first new pair; an output's centre is the even input 2 pairs back, its newest tap the new odd input
    let p = src.at(src.count - this.taken - 1);
    this.taken += n;
    let v1 = this.v1, v2 = this.v2;
    let dpos = dst.pos;
    const dsize = dst.size;
    const dbase = dst.base;
    // q = p − 28 for the even input x[2k] at p: centre c = 2k − 4 at q + 12, taps c±1 at q + 8 / q + 16, c±3 at q /
    // q + 24 (positive load offsets, f32 loads: no per-load address arithmetic or 64-bit unpacking)
    let q = p - 28;
    const end = q + (<usize>n << 2);
    for (; q < end; q += 8) {
      const h: f32 = <f32>0.5 * load<f32>(q, 12) + HQ1 * (load<f32>(q, 8) + load<f32>(q, 16)) +
        HQ3 * (load<f32>(q) + load<f32>(q, 24));
      // The halfband leaves its transition band and aliases just below the new Nyquist; a level's NSDF sampled at
      // whole lags then misses sharp peaks. [1 2 1]/4 has a zero at Nyquist and keeps the peaks smooth.
      const v: f32 = <f32>0.25 * (h + v2) + <f32>0.5 * v1;
      v2 = v1;
      v1 = h;
      dpos = slideStore(dbase, dpos, dsize, v);
    }
    this.v1 = v1; this.v2 = v2;
    dst.pos = dpos;
    dst.count += n >> 1;
  }

  /**
   * n samples from contiguous memory at p; outputs go to dst if given, else to contiguous memory at out.
   * Returns the number of outputs.
   */
  run(p: usize, n: i32, dst: SlideRing | null, out: usize, first: bool): i32 {
    let o0 = this.o0, o1 = this.o1, o2 = this.o2, o3 = this.o3, o4 = this.o4, o5 = this.o5;
    let e0 = this.e0, e1 = this.e1, e2 = this.e2;
    let odd = this.odd;
    let v1 = this.v1, v2 = this.v2;
    let dx = this.dcX, dy = this.dcY;
    const r = this.dcR;
    const end = p + (<usize>n << 2);
    let k = 0;
    const toRing = dst != null;
    let dpos = 0, dsize = 0;
    let dbase: usize = 0;
    if (toRing) {
      const d = dst as SlideRing;
      dpos = d.pos; dsize = d.size; dbase = d.base;
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
        const h: f32 = <f32>0.5 * e2 + HB1 * (o2 + o3) + HB3 * (o1 + o4) + HB5 * (o0 + o5);
        // The halfband leaves its transition band and aliases just below the new Nyquist; a level's NSDF sampled at
        // whole lags then misses sharp peaks. [1 2 1]/4 has a zero at Nyquist and keeps the peaks smooth.
        const v: f32 = <f32>0.25 * (h + v2) + <f32>0.5 * v1;
        v2 = v1;
        v1 = h;
        if (toRing) {
          dpos = slideStore(dbase, dpos, dsize, v);
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
    this.v1 = v1; this.v2 = v2;
    this.dcX = dx; this.dcY = dy;
    if (toRing) { const d = dst as SlideRing; d.pos = dpos; d.count += k; }
    return k;
  }
}

// 12-tap equiripple lowpass for decimation by 4 (Parks-McClellan, pass 0.065, stop 0.185 of the input rate, 31 dB);
// symmetric, so F0..F5 are h[0..5] = h[11..6].
const F0: f32 = -0.0196627645; const F1: f32 = -0.00264393331; const F2: f32 = 0.0351287471;
const F3: f32 = 0.0997865628; const F4: f32 = 0.170483825; const F5: f32 = 0.216907563;

/**
 * The input stage at 44.1 / 48 kHz: decimation by 4 as a 12-tap polyphase FIR. Each block of 4 inputs adds its four
 * partial dot products to the next outputs, so there is half a load and three multiplies per input sample and no delay
 * line. The output then gets the DC blocker, NaN / Inf recovery and the [1 2 1]/4 smoother, and goes to level 0.
 */
export class Decimator4 {
  dcR: f32 = 0;
  private p1: f32 = 0; private p2: f32 = 0;
  private dcX: f32 = 0; private dcY: f32 = 0;
  private v1: f32 = 0; private v2: f32 = 0;
  // up to 3 inputs waiting for a whole block
  private pend: StaticArray<f32> = new StaticArray<f32>(4);
  private npend: i32 = 0;

  reset(): void {
    this.p1 = 0; this.p2 = 0;
    this.dcX = 0; this.dcY = 0; this.v1 = 0; this.v2 = 0;
    this.npend = 0;
  }

  run(p: usize, n: i32, dst: SlideRing): void {
    let i = 0;
    if (this.npend > 0) {
      const q = changetype<usize>(this.pend);
      while (this.npend < 4 && i < n) { store<f32>(q + (<usize>this.npend << 2), load<f32>(p + (<usize>i << 2))); this.npend++; i++; }
      if (this.npend < 4) return;
      this.blocks(q, 1, dst);
      this.npend = 0;
    }
    const whole = (n - i) >> 2;
    if (whole > 0) this.blocks(p + (<usize>i << 2), whole, dst);
    i += whole << 2;
    const q = changetype<usize>(this.pend);
    while (i < n) { store<f32>(q + (<usize>this.npend << 2), load<f32>(p + (<usize>i << 2))); this.npend++; i++; }
  }

  private blocks(p: usize, count: i32, dst: SlideRing): void {
    let p1 = this.p1, p2 = this.p2;
    let dx = this.dcX, dy = this.dcY, v1 = this.v1, v2 = this.v2;
    const r = this.dcR;
    let dpos = dst.pos;
    const dsize = dst.size;
    const dbase = dst.base;
    const end = p + (<usize>count << 4);
    for (; p < end; p += 16) {
      const a0 = load<f32>(p), a1 = load<f32>(p, 4), a2 = load<f32>(p, 8), a3 = load<f32>(p, 12);
      // newest input a3 meets h[0] in this output, h[4] in the next, h[8] in the one after
      let y = p1 + F3 * a0 + F2 * a1 + F1 * a2 + F0 * a3;
      p1 = p2 + F4 * a0 + F5 * a1 + F5 * a2 + F4 * a3;
      p2 = F0 * a0 + F1 * a1 + F2 * a2 + F3 * a3;
      if (!(Mathf.abs(y) <= 8)) { y = 0; p1 = 0; p2 = 0; } // NaN or Inf would poison the filters for good
      const h = y - dx + r * dy;
      dx = y;
      dy = h;
      const v: f32 = <f32>0.25 * (h + v2) + <f32>0.5 * v1;
      v2 = v1;
      v1 = h;
      dpos = slideStore(dbase, dpos, dsize, v);
    }
    if (Mathf.abs(dy) < 1e-20) dy = 0;
    this.p1 = p1; this.p2 = p2;
    this.dcX = dx; this.dcY = dy; this.v1 = v1; this.v2 = v2;
    dst.pos = dpos;
    dst.count += count;
  }
}
