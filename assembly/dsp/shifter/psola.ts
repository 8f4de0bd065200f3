// Pitch-synchronous overlap-add (TD-PSOLA) on the live input. LiveInput keeps a short ring of the input and
// places analysis pitch marks one detected period apart; each PsolaVoice overlap-adds Hann grains of the input,
// taken at the latest mark a small constant delay behind the write head, placed one TARGET period apart. The
// output pitch is the synthesis spacing (so a detector octave slip does not move it), the grains keep the input's
// spectral envelope (formants), and the output never drifts from the input: every grain is read at most one
// analysis period + DELAY behind the sample being written. Unvoiced input is copied through at the same delay
// (ratio 1 with a fixed pseudo-period: Hann windows at half overlap sum to one).
// Moulines & Charpentier 1990; realtime form as in Bristow-Johnson's "pitch-synchronous" notes.

export const HANN_N: i32 = 1024; // window table points over one grain (+1 guard)
export const MAX_GRAINS: i32 = 12; // per voice; at ratio 4 (two octaves up) at most 9 grains overlap
const MARKS: i32 = 128; // analysis marks kept (power of two)
const MIN_HZ: f64 = 40;
const MAX_HZ: f64 = 2500;
export const MAX_RATIO: f64 = 4;
/** Normalised match of two consecutive periods for a mark to be a grain source (below: hold the last such). */
const STEADY: f64 = 0.9;
/** Samples between the points where the analysis period may change (the detector's half hop). */
export const CHUNK: i32 = 128;

/** One Hann period, 0.5 - 0.5 cos(2π i / N), i = 0..N (generated at init, not hand-written). */
export const HANN: StaticArray<f32> = new StaticArray<f32>(HANN_N + 2);
let hannReady = false;
function makeHann(): void {
  if (hannReady) return;
  for (let i = 0; i <= HANN_N + 1; i++) {
    unchecked(HANN[i] = <f32>(0.5 - 0.5 * Math.cos(2.0 * Math.PI * <f64>i / <f64>HANN_N)));
  }
  hannReady = true;
}

/** The input ring and its pitch marks: the analysis side shared by every shifter voice. */
export class LiveInput {
  sampleRate: f64 = 48000;
  ring: StaticArray<f32> = new StaticArray<f32>(0);
  mask: i32 = 0;
  head: f64 = 0; // samples written so far (absolute time of the next input sample)
  markPos: StaticArray<f64> = new StaticArray<f64>(MARKS);
  markClear: StaticArray<bool> = new StaticArray<bool>(MARKS); // its period matched the previous one
  markQuiet: StaticArray<bool> = new StaticArray<bool>(MARKS); // far below the last steady period (a note's end)
  /** Energy of the reference period of the last steady mark (the quiet test's reference). */
  steadyEnergy: f64 = 0;
  /** How far back a clear mark may stand in for unclear ones (samples). */
  freeze: f64 = 0;
  marks: i32 = 0; // marks placed so far
  lastMark: f64 = 0; // the newest mark (the next one is placed one period after it)
  /** Analysis period now, samples (the detected one while voiced, else `unvoicedPeriod`). */
  period: f64 = 240;
  voiced: bool = false;
  unvoicedPeriod: f64 = 240;
  /** Keep the last voiced period this long through detector dropouts (samples). */
  hang: f64 = 0;
  lastVoiced: f64 = -1e18;
  minPeriod: f64 = 1;
  maxPeriod: f64 = 1;

  /** Reserve the ring: a power of two holding at least 0.125 s (grain + delay + block at 40 Hz). */
  init(sampleRate: f32): void {
    makeHann();
    this.sampleRate = <f64>sampleRate;
    let size = 1024;
    while (<f64>size < 0.125 * <f64>sampleRate) size <<= 1;
    this.ring = new StaticArray<f32>(size);
    this.mask = size - 1;
    this.unvoicedPeriod = Math.round(0.0025 * <f64>sampleRate); // short: unvoiced input passes ~2.5-5 ms late
    this.hang = 0.06 * <f64>sampleRate;
    this.freeze = 0.08 * <f64>sampleRate;
    this.minPeriod = <f64>sampleRate / MAX_HZ;
    this.maxPeriod = <f64>sampleRate / MIN_HZ;
    this.reset();
  }

  reset(): void {
    memory.fill(changetype<usize>(this.ring), 0, <usize>this.ring.length << 2);
    this.head = 0;
    this.marks = 0;
    this.lastMark = 0;
    this.period = this.unvoicedPeriod;
    this.voiced = false;
    this.lastVoiced = -1e18;
    this.steadyEnergy = 0;
  }

  /**
   * Append n samples (f32 pointer). hz: the detector's estimate valid from the current head (0 = none). The period,
   * the voicing and the marks change only when the head is on a CHUNK boundary (the caller cuts its spans there
   * and passes the estimate as it was at that boundary), so any partition of the input gives the same marks.
   */
  write(ptr: usize, n: i32, hz: f32): void {
    if ((<i64>this.head & <i64>(CHUNK - 1)) == 0) {
      if (hz > 0) {
        let p = this.sampleRate / <f64>hz;
        if (p < this.minPeriod) p = this.minPeriod;
        if (p > this.maxPeriod) p = this.maxPeriod;
        this.period = p;
        this.voiced = true;
        this.lastVoiced = this.head;
      } else if (this.head - this.lastVoiced > this.hang) {
        this.period = this.unvoicedPeriod;
        this.voiced = false;
      }
      this.placeMarks();
    }
    const ring = changetype<usize>(this.ring);
    const mask = this.mask;
    let w = <i32>(<i64>this.head & <i64>mask);
    for (let i = 0; i < n; i++) {
      store<f32>(ring + (<usize>w << 2), load<f32>(ptr + (<usize>i << 2)));
      w = (w + 1) & mask;
    }
    this.head += <f64>n;
  }

  /**
   * Marks one period apart up to what the ring holds. While voiced, each mark is moved (±10 % of the period) to
   * where one period of the input around it best matches the period around the previous mark (normalised
   * cross-correlation, parabolic peak): the marks follow the waveform through glides, vibrato and a detector
   * that lags or slips, so consecutive grains line up and the output pitch is the synthesis spacing.
   */
  private placeMarks(): void {
    const limit = this.head; // samples < head are in the ring
    for (let guard = 0; guard < 64; guard++) {
      const p = this.period;
      const cand = this.lastMark + p;
      if (!this.voiced) {
        if (cand > limit) return;
        this.addMark(cand, true, false);
        continue;
      }
      let D = <i32>Math.ceil(0.1 * p);
      if (D < 1) D = 1;
      let W = <i32>p;
      if (W > 256) W = 256;
      const half = W >> 1;
      const step = W > 64 ? W >> 6 : 1;
      const c0 = Math.round(cand);
      if (c0 + <f64>(D + half + 2) > limit) return;
      const pr = Math.round(this.lastMark);
      const ls = D > 12 ? 2 : 1;
      let best = -1e30, bestD = 0;
      for (let d = -D; d <= D; d += ls) {
        const sc = this.score(pr, c0 + <f64>d, half, step);
        if (sc > best) { best = sc; bestD = d; }
      }
      if (ls > 1) {
        for (let d = bestD - 1; d <= bestD + 1; d += 2) {
          if (d < -D - 1 || d > D + 1) continue;
          const sc = this.score(pr, c0 + <f64>d, half, step);
          if (sc > best) { best = sc; bestD = d; }
        }
      }
      // energy of the reference period: accept the move only for a clear match (a consonant or a new note's
      // attack keeps the detector's spacing)
      let er: f64 = 0;
      const ring = changetype<usize>(this.ring);
      const mask = this.mask;
      for (let i = -half; i < half; i += step) {
        const x = <f64>load<f32>(ring + (<usize>(<i32>(<i64>(pr + <f64>i) & <i64>mask)) << 2));
        er += x * x;
      }
      let mark = cand;
      const clear = er > 1e-12 && best > 0.6 * Math.sqrt(er);
      if (clear) {
        const sm = this.score(pr, c0 + <f64>(bestD - 1), half, step);
        const sp = this.score(pr, c0 + <f64>(bestD + 1), half, step);
        const den = sm - 2 * best + sp;
        let fr = den < 0 ? 0.5 * (sm - sp) / den : 0;
        if (fr > 0.5) fr = 0.5;
        if (fr < -0.5) fr = -0.5;
        mark = this.lastMark + (c0 + <f64>bestD + fr - pr);
      }
      // a grain source only where two periods really repeat; a note dying away (20 dB under the last source) is
      // no transition to bridge: flagged quiet, so no voice sustains a held grain into the gap after it
      const steady = clear && best > STEADY * Math.sqrt(er);
      const quiet = er < 0.01 * this.steadyEnergy;
      if (steady) this.steadyEnergy = er;
      this.addMark(mark, steady || quiet, quiet);
    }
  }

  /** Σ x[pr+i]·x[c+i] / sqrt(Σ x[c+i]²) over i in [-half, half) by `step`. */
  private score(pr: f64, c: f64, half: i32, step: i32): f64 {
    const ring = changetype<usize>(this.ring);
    const mask = <i64>this.mask;
    const a0 = <i64>pr, c0 = <i64>c;
    let xy: f64 = 0, yy: f64 = 0;
    for (let i = -half; i < half; i += step) {
      const x = <f64>load<f32>(ring + (<usize>(<i32>((a0 + <i64>i) & mask)) << 2));
      const y = <f64>load<f32>(ring + (<usize>(<i32>((c0 + <i64>i) & mask)) << 2));
      xy += x * y;
      yy += y * y;
    }
    return yy > 1e-12 ? xy / Math.sqrt(yy) : 0;
  }

  private addMark(pos: f64, clear: bool, quiet: bool): void {
    unchecked(this.markPos[this.marks & (MARKS - 1)] = pos);
    unchecked(this.markQuiet[this.marks & (MARKS - 1)] = quiet);
    unchecked(this.markClear[this.marks & (MARKS - 1)] = clear);
    this.marks++;
    this.lastMark = pos;
  }

  /** Index (into the mark ring) of the latest mark at or before t, or -1 if none is kept. */
  markAtOrBefore(t: f64): i32 {
    let m = this.marks - 1;
    const oldest = this.marks - MARKS;
    while (m >= 0 && m >= oldest) {
      const k = m & (MARKS - 1);
      if (unchecked(this.markPos[k]) <= t) {
        // through a voiced stretch whose periods do not match (a legato change, an attack), keep taking the last
        // clear period for up to `freeze`: the voice sustains at its pitch instead of sounding the mess
        if (!unchecked(this.markClear[k]) && this.voiced) {
          for (let q = m - 1; q >= 0 && q >= oldest; q--) {
            const kq = q & (MARKS - 1);
            if (unchecked(this.markPos[kq]) < t - this.freeze || unchecked(this.markQuiet[kq])) break;
            if (unchecked(this.markClear[kq])) return kq;
          }
        }
        return k;
      }
      m--;
    }
    return -1;
  }
}

/** One re-pitched copy of the live input. */
export class PsolaVoice {
  gStart: StaticArray<f64> = new StaticArray<f64>(MAX_GRAINS); // absolute output time of the grain's first sample
  gLen: StaticArray<f64> = new StaticArray<f64>(MAX_GRAINS); // samples (fractional)
  gDelay: StaticArray<f64> = new StaticArray<f64>(MAX_GRAINS); // output time - input time, samples (>= delay)
  gGain: StaticArray<f32> = new StaticArray<f32>(MAX_GRAINS);
  gInc: StaticArray<f32> = new StaticArray<f32>(MAX_GRAINS); // window table points per output sample
  gPhase: StaticArray<f32> = new StaticArray<f32>(MAX_GRAINS); // window table position of the next sample
  grains: i32 = 0;
  nextS: f64 = -1; // centre of the next synthesis grain (-1 = resync at the next render)
  /** Smallest output-minus-input time a grain is read at, samples. */
  delay: f64 = 96;

  init(sampleRate: f32): void {
    makeHann();
    this.delay = Math.round(0.002 * <f64>sampleRate);
    this.reset();
  }

  /** Drop every grain; the next render starts afresh (used when the voice falls silent). */
  reset(): void {
    this.grains = 0;
    this.nextS = -1;
  }

  /**
   * Add n samples of output, starting at absolute time t0 (= the input head before this block's write), to out.
   * targetPeriod: the output pitch period in samples (0 = the input's own pitch). The LiveInput must already hold
   * this block. Bounded: at most MAX_GRAINS grains, each read once per sample.
   */
  render(inp: LiveInput, out: usize, n: i32, t0: f64, targetPeriod: f64): void {
    const end = t0 + <f64>n;
    if (this.nextS < t0) this.nextS = t0;
    // schedule every grain that starts inside this block; centres are fractional (high notes are a few tens of
    // samples per period: a whole-sample grid would jitter them by up to ±1/2 sample and add a sub-harmonic)
    while (true) {
      const pin = inp.period;
      let po = inp.voiced && targetPeriod > 0 ? targetPeriod : pin;
      if (po < pin / MAX_RATIO) po = pin / MAX_RATIO;
      if (po > pin * MAX_RATIO) po = pin * MAX_RATIO;
      const s = this.nextS;
      // the grain spans 2L: two analysis periods (the one now), or two synthesis periods when shifting down
      let L = pin > po ? pin : po;
      if (s - L >= end) break;
      if (s - L < t0) L = s - t0; // the period grew since the last call: a shorter grain, still a whole window
      // its source: the latest mark at least `delay` behind the centre and not after the grain's first sample
      // (always written by now, whatever the call partition: the same marks, the same bits, in any block size)
      let lim = s - this.delay;
      if (lim > s - L) lim = s - L;
      // unvoiced: a mark a whole chunk further back, always placed by now, so the copy keeps one constant delay
      if (!inp.voiced && lim > s - L - <f64>CHUNK) lim = s - L - <f64>CHUNK;
      const k = inp.markAtOrBefore(lim);
      let a = lim;
      if (k >= 0) a = unchecked(inp.markPos[k]);
      this.nextS += po;
      if (L < 2) continue;
      if (this.grains >= MAX_GRAINS) continue;
      const g = this.grains++;
      unchecked(this.gStart[g] = s - L);
      unchecked(this.gLen[g] = 2 * L);
      unchecked(this.gDelay[g] = s - a);
      // overlap L/po: grains of a shifted-up voice overlap with unrelated phases, so they add in power more
      // than in amplitude; sqrt(po/L) keeps the level of a third up within ~2 dB (po/L lost 6-8 dB)
      let gain = Math.sqrt(po / L);
      if (gain > 1) gain = 1;
      unchecked(this.gGain[g] = <f32>gain);
      const inc = <f32>(<f64>HANN_N / (2 * L));
      unchecked(this.gInc[g] = inc);
      unchecked(this.gPhase[g] = <f32>(Math.ceil(s - L) - (s - L)) * inc);
    }
    // overlap-add: out[t] += gain · hann((t - start) / len) · x(t - delay), x read between samples (linear)
    const ring = changetype<usize>(inp.ring);
    const mask = inp.mask;
    const tab = changetype<usize>(HANN);
    let g = 0;
    while (g < this.grains) {
      const start = unchecked(this.gStart[g]);
      const len = unchecked(this.gLen[g]);
      const d = unchecked(this.gDelay[g]);
      const gain = unchecked(this.gGain[g]);
      const inc = unchecked(this.gInc[g]);
      let j0 = <i32>Math.ceil(start - t0); // first output index of this block inside the grain
      if (j0 < 0) j0 = 0;
      let j1 = <i32>Math.ceil(start + len - t0);
      if (j1 > n) j1 = n;
      const di = Math.floor(d);
      const df = <f32>(d - di); // x(t - d) = (1 - df)·x[t - di] + df·x[t - di - 1]
      let r = <i32>((<i64>(t0 + <f64>j0) - <i64>di) & <i64>mask);
      // the window phase is carried from the grain's first sample (a grain is created in the call holding that
      // sample), so a grain cut by a call edge gets the same bits as one that is not; x[t - di - 1] is the
      // previous sample's x[t - di]
      let ph = unchecked(this.gPhase[g]);
      let xp = load<f32>(ring + (<usize>((r - 1) & mask) << 2));
      for (let j = j0; j < j1; j++) {
        const ip = <i32>ph; // < HANN_N + 1 (the table has a guard point)
        const fr = ph - <f32>ip;
        const w0 = load<f32>(tab + (<usize>ip << 2));
        const w1 = load<f32>(tab + (<usize>(ip + 1) << 2));
        const x0 = load<f32>(ring + (<usize>r << 2));
        const o = out + (<usize>j << 2);
        store<f32>(o, load<f32>(o) + gain * (w0 + fr * (w1 - w0)) * (x0 + df * (xp - x0)));
        xp = x0;
        r = (r + 1) & mask;
        ph += inc;
      }
      unchecked(this.gPhase[g] = ph);
      if (start + len <= end) { // finished: close the gap, keeping the order (the order of the sums: same bits
        // whether a grain ends inside this call or the next)
        const last = --this.grains;
        for (let h = g; h < last; h++) {
          unchecked(this.gStart[h] = this.gStart[h + 1]);
          unchecked(this.gLen[h] = this.gLen[h + 1]);
          unchecked(this.gDelay[h] = this.gDelay[h + 1]);
          unchecked(this.gGain[h] = this.gGain[h + 1]);
          unchecked(this.gInc[h] = this.gInc[h + 1]);
          unchecked(this.gPhase[h] = this.gPhase[h + 1]);
        }
      } else g++;
    }
  }
}
