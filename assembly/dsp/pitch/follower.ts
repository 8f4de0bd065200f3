// PitchFollower: the engine's default pitch detector. Two decimated rates of a running McLeod NSDF with
// pitch-synchronous windows, key-maximum picking across both, exact refinement at the faster rate, and a causal
// voicing tracker (clarity hysteresis + frame-to-frame agreement). See docs/pitch-detector.md.
import { PitchDetector } from "./detector";
import { Lowpass6 } from "./lowpass";
import { LagTier } from "./lagtier";
import { LagRefiner } from "./refine";

/** Analysis interval in input samples (the harness hop; 5.3 ms at 48 kHz). */
const HOP: i32 = 256;
const MAX_CAND: i32 = 96;
const FULL_RING: i32 = 2048;

export const P_KEY: i32 = 0;       // McLeod k: first key maximum >= k * highest
export const P_ON: i32 = 1;        // clarity to become voiced
export const P_OFF: i32 = 2;       // clarity to stay voiced
export const P_GATE_DB: i32 = 3;   // level gate, dBFS (mean square of the low-passed input)
export const P_WMIN_HI: i32 = 4;   // minimum window, samples at the fast rate
export const P_WFACTOR: i32 = 5;   // window = factor * lag
export const P_AGREE_CENTS: i32 = 6; // frame-to-frame agreement needed to turn voiced
export const P_JUMP_ON: i32 = 7;   // clarity to accept a jump while voiced
export const P_WMIN_LO: i32 = 8;   // minimum window, samples at the slow rate
export const P_SUBK: i32 = 9;     // sub-multiple check: accept lag/m if its NSDF >= subK x the pick's (0 = off)
export const P_FAST_ON: i32 = 10;  // clarity to become voiced without frame-to-frame agreement
export const P_COSINE: i32 = 11;   // 1 = normalised cross-correlation instead of McLeod's NSDF
export const P_LOBE: i32 = 12;     // 1 = ignore maxima in the lobe around lag 0
export const P_COUNT: i32 = 13;

export class PitchFollower extends PitchDetector {
  sampleRate: f64 = 0;
  /** Decimation from the input rate to the fast analysis rate (about 12 kHz). */
  down: i32 = 4;
  params: StaticArray<f32> = new StaticArray<f32>(P_COUNT);

  private lpIn: Lowpass6 = new Lowpass6();
  // DC / rumble blocker: 2nd-order Butterworth highpass at 20 Hz (a DC offset keeps the NSDF positive everywhere)
  private hb0: f32 = 1; private hb1: f32 = 0; private ha1: f32 = 0; private ha2: f32 = 0;
  private hz1: f32 = 0; private hz2: f32 = 0;
  private lpMid: Lowpass6 = new Lowpass6();
  private hi: LagTier = new LagTier();
  private lo: LagTier = new LagTier();
  private refiner: LagRefiner = new LagRefiner();
  private full: StaticArray<f32> = new StaticArray<f32>(0);
  private fullLast: i32 = -1;
  private phaseIn: i32 = 0;
  private phaseMid: i32 = 0;
  private hopCount: i32 = 0;

  private candLag: StaticArray<f64> = new StaticArray<f64>(MAX_CAND);
  private candN: StaticArray<f32> = new StaticArray<f32>(MAX_CAND);
  private candTier: StaticArray<i32> = new StaticArray<i32>(MAX_CAND);
  private nCand: i32 = 0;

  private voiced: bool = false;
  private prevRaw: f32 = 0;
  private prevClarity: f32 = 0;

  constructor() {
    super();
    this.defaults();
  }

  defaults(): void {
    const p = this.params;
    p[P_KEY] = 0.9;
    p[P_ON] = 0.7;
    p[P_OFF] = 0.5;
    p[P_GATE_DB] = -70;
    p[P_WMIN_HI] = 128;
    p[P_WFACTOR] = 2.0;
    p[P_AGREE_CENTS] = 50;
    p[P_JUMP_ON] = 0.85;
    p[P_WMIN_LO] = 16;
    p[P_SUBK] = 0.9;
    p[P_FAST_ON] = 2;
    p[P_COSINE] = 0;
    p[P_LOBE] = 1;
  }

  init(sampleRate: f32): void {
    this.sampleRate = <f64>sampleRate;
    let d = <i32>Math.round(<f64>sampleRate / 12000.0);
    if (d < 1) d = 1;
    this.down = d;
    this.full = new StaticArray<f32>(FULL_RING);
    const rateHi = <f64>sampleRate / <f64>d;
    const rateLo = rateHi / 4.0;
    // fast rate: 2.5 kHz .. 150 Hz; slow rate: from 250 Hz (overlap for lobe detection) down to 26 Hz
    this.hi.init(rateHi, <i32>Math.floor(rateHi / 2500.0), <i32>Math.ceil(rateHi / 150.0) + 1,
      128, 2.0, 1024);
    this.lo.init(rateLo, <i32>Math.floor(rateLo / 250.0), <i32>Math.ceil(rateLo / 26.0) + 1,
      16, 2.0, 512);
    this.lpIn.design(0.35 / <f64>d);
    {
      const w = 2.0 * Math.PI * 20.0 / <f64>sampleRate;
      const cw = Math.cos(w);
      const alpha = Math.sin(w) / (2.0 * 0.7071067811865476);
      const a0 = 1.0 + alpha;
      this.hb0 = <f32>((1.0 + cw) * 0.5 / a0);
      this.hb1 = <f32>(-(1.0 + cw) / a0);
      this.ha1 = <f32>(-2.0 * cw / a0);
      this.ha2 = <f32>((1.0 - alpha) / a0);
    }
    this.lpMid.design(0.35 / 4.0);
    this.applyWindows();
    this.reset();
  }

  /** Set a tuning parameter (see P_*); window changes reset the follower. */
  setParam(id: i32, v: f32): void {
    if (id < 0 || id >= P_COUNT) return;
    this.params[id] = v;
    if (id == P_COSINE) {
      const c = v >= 0.5;
      this.hi.cosine = c; this.lo.cosine = c; this.refiner.cosine = c;
    }
    if (id == P_WMIN_HI || id == P_WFACTOR || id == P_WMIN_LO) { this.applyWindows(); this.reset(); }
  }

  private applyWindows(): void {
    const f = <f64>this.params[P_WFACTOR];
    this.hi.setWindows(<i32>this.params[P_WMIN_HI], f);
    this.lo.setWindows(<i32>this.params[P_WMIN_LO], f);
  }

  reset(): void {
    this.lpIn.reset();
    this.lpMid.reset();
    this.hz1 = 0;
    this.hz2 = 0;
    this.hi.reset();
    this.lo.reset();
    for (let i = 0; i < this.full.length; i++) unchecked(this.full[i] = 0);
    this.fullLast = -1;
    this.phaseIn = 0;
    this.phaseMid = 0;
    this.hopCount = 0;
    this.voiced = false;
    this.prevRaw = 0;
    this.prevClarity = 0;
    this.hz = 0;
    this.rawHz = 0;
    this.confidence = 0;
    this.estimates = 0;
  }

  process(ptr: usize, n: i32): void {
    const d = this.down;
    const fmask = FULL_RING - 1;
    for (let i = 0; i < n; i++) {
      let x = load<f32>(ptr + (<usize>i << 2));
      if (x != x) x = 0; // NaN would poison the filter state for good
      // highpass (transposed DF-II; b2 == b0)
      const h = this.hb0 * x + this.hz1;
      this.hz1 = this.hb1 * x - this.ha1 * h + this.hz2;
      this.hz2 = this.hb0 * x - this.ha2 * h;
      const y = this.lpIn.tick(h);
      this.fullLast++;
      unchecked(this.full[this.fullLast & fmask] = y);
      if (++this.phaseIn >= d) {
        this.phaseIn = 0;
        this.hi.push(y);
        const z = this.lpMid.tick(y);
        if (++this.phaseMid >= 4) { this.phaseMid = 0; this.lo.push(z); }
      }
      if (++this.hopCount >= HOP) { this.hopCount = 0; this.analyse(); }
    }
  }

  /** Candidates of a tier: every positive strict local maximum of its NSDF, periods above minLag only. */
  private collect(tier: LagTier, id: i32, minLag: f64): void {
    const ns = tier.nsdf;
    const n = ns.length;
    // maxima of the lobe around lag 0 (still positive at the first lag) are the spectrum's tilt, not a period
    let i0 = 1;
    if (this.params[P_LOBE] > 0) { while (i0 < n - 1 && unchecked(ns[i0 - 1]) > 0) i0++; }
    for (let i = i0; i < n - 1; i++) {
      const v = unchecked(ns[i]);
      if (v > 0 && v >= unchecked(ns[i - 1]) && v > unchecked(ns[i + 1])) this.emit(tier, id, i, minLag);
    }
  }

  private emit(tier: LagTier, id: i32, i: i32, minLag: f64): void {
    if (this.nCand >= MAX_CAND) return;
    const ns = tier.nsdf;
    const a = <f64>unchecked(ns[i - 1]);
    const b = <f64>unchecked(ns[i]);
    const c = <f64>unchecked(ns[i + 1]);
    const den = a - 2.0 * b + c;
    let dd: f64 = 0;
    let peak = b;
    if (den < 0) { dd = 0.5 * (a - c) / den; peak = b - 0.25 * (a - c) * dd; }
    const lag = <f64>(tier.lagLo + i) + dd;
    if (lag <= minLag) return;
    const k = this.nCand++;
    unchecked(this.candLag[k] = lag);
    unchecked(this.candN[k] = <f32>peak);
    unchecked(this.candTier[k] = id);
  }

  private analyse(): void {
    const hi = this.hi;
    const lo = this.lo;
    hi.update();
    lo.update();
    this.nCand = 0;
    this.collect(hi, 0, 0);
    // slow-rate candidates only beyond the fast rate's lag range
    this.collect(lo, 1, <f64>(hi.lagHi - 1) / 4.0);
    this.estimates++;

    let nmax: f32 = 0;
    for (let k = 0; k < this.nCand; k++) nmax = Mathf.max(nmax, unchecked(this.candN[k]));
    let pick = -1;
    const thr = this.params[P_KEY] * nmax;
    for (let k = 0; k < this.nCand; k++) {
      if (unchecked(this.candN[k]) >= thr) { pick = k; break; }
    }
    if (pick < 0 || nmax <= 0) { this.unvoice(0, 0); return; }

    // exact refinement one rate up, with the window of the picked lag
    const coarse = unchecked(this.candLag[pick]);
    const tierId = unchecked(this.candTier[pick]);
    const ci = <i32>Math.round(coarse);
    const ratio = tierId == 0 ? this.down : 4;
    const refRate = tierId == 0 ? this.sampleRate : hi.rate;
    const level = tierId == 0 ? hi.meanSquare(ci) : lo.meanSquare(ci);
    const center = <i32>Math.round(coarse * <f64>ratio);
    let w = (tierId == 0 ? hi.windowOf(ci) : lo.windowOf(ci)) * ratio;
    const cap = (tierId == 0 ? FULL_RING : hi.mask + 1) - center - 8;
    if (w > 512) w = 512;
    if (w > cap) w = cap;
    this.refineOn(tierId, center, w, 3);
    let lag = this.refiner.lag;
    let clarity = this.refiner.clarity;
    // sub-multiple check on the same window: a short window at the true period is noisier than the long one at a
    // multiple of it, so a breathy note can lose its key maximum to a subharmonic
    const subK = this.params[P_SUBK];
    const minLag = <i32>Math.ceil(refRate / 2500.0) + 1;
    if (subK > 0) {
      for (let m = 4; m >= 2; m--) {
        const sc = <i32>Math.round(lag / <f64>m);
        if (sc - 1 < minLag) continue;
        this.refineOn(tierId, sc, w, 1);
        if (this.refiner.clarity >= subK * clarity) {
          lag = this.refiner.lag;
          clarity = this.refiner.clarity;
          break;
        }
      }
    }
    const raw = <f32>(refRate / lag);
    this.rawHz = raw;
    this.confidence = clarity < 0 ? 0 : clarity;

    const gate = Mathf.pow(10, this.params[P_GATE_DB] / 10);
    if (level < gate) { this.unvoice(raw, clarity); return; }

    const agree = this.prevRaw > 0 && Mathf.abs(1200 * Mathf.log2(raw / this.prevRaw)) <= this.params[P_AGREE_CENTS];
    if (this.voiced) {
      const same = this.hz > 0 && Mathf.abs(1200 * Mathf.log2(raw / this.hz)) <= this.params[P_AGREE_CENTS];
      if (clarity >= this.params[P_OFF] && (same || clarity >= this.params[P_JUMP_ON] || agree)) {
        this.hz = raw;
      } else if (clarity < this.params[P_OFF]) {
        this.voiced = false;
        this.hz = 0;
      }
      // else: an unconfirmed jump at middling clarity holds the last pitch for this frame
    } else if ((clarity >= this.params[P_ON] && agree && this.prevClarity >= this.params[P_OFF]) ||
               clarity >= this.params[P_FAST_ON]) {
      this.voiced = true;
      this.hz = raw;
    }
    this.prevRaw = raw;
    this.prevClarity = clarity;
  }

  /** Candidates of the last analysis, for tests and diagnostics: count, period in Hz, NSDF peak. */
  candidateCount(): i32 { return this.nCand; }
  candidateHz(k: i32): f32 {
    if (k < 0 || k >= this.nCand) return 0;
    const rate = unchecked(this.candTier[k]) == 0 ? this.hi.rate : this.lo.rate;
    return <f32>(rate / unchecked(this.candLag[k]));
  }
  candidateClarity(k: i32): f32 { return k < 0 || k >= this.nCand ? 0 : unchecked(this.candN[k]); }

  private refineOn(tierId: i32, center: i32, w: i32, half: i32): void {
    if (tierId == 0) this.refiner.scan(this.full, FULL_RING - 1, this.fullLast, center, w, half);
    else this.refiner.scan(this.hi.fring, this.hi.mask, this.hi.last, center, w, half);
  }

  private unvoice(raw: f32, clarity: f32): void {
    this.voiced = false;
    this.hz = 0;
    this.rawHz = raw;
    this.confidence = clarity < 0 ? 0 : clarity;
    this.prevRaw = raw;
    this.prevClarity = clarity;
  }
}
