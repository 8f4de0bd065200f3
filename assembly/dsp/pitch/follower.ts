// PitchFollower: the engine's default pitch detector. A McLeod NSDF computed once per hop on an octave pyramid of
// halfband-decimated signals (lags 8..16 per level, pitch-synchronous windows), key-maximum picking across the levels
// with an exact early stop, refinement four times finer, and a causal voicing tracker. See docs/pitch-detector.md.
import { PitchDetector } from "./detector";
import { Block5, Decimator4, Halfband, SlideRing, nsdf5 } from "./octave";
import { LagRefiner } from "./refine";
import { HarmonicSeries } from "./series";

/** Analysis interval in input samples (the harness hop; 5.3 ms at 48 kHz). */
const HOP: i32 = 256;
const MAX_CAND: i32 = 64;
const MAX_LEVELS: i32 = 9;
/** Coarse lags per level: LAG_FIRST .. LAG_FIRST + 9 (two 5-lag passes); [8, 16) are the level's own. Level 0 also
 * holds the top octave (down to 4.2 samples per period): LAG0_FIRST .. LAG0_FIRST + 14 (three passes). */
const LAG_FIRST: i32 = 7;
const LAG0_FIRST: i32 = 3;
const NLAG: i32 = 15;
/** Lag multiple used to time high notes: refine at k·P >= this many samples. */
const LONG_LAG: f64 = 24;
const RING: i32 = 512;
/** Longest refinement window, samples of the refinement level. */
const WREF_MAX: i32 = 320;
/** Largest divisor of the sub-multiple check. */
const MAX_DIV: i32 = 8;
/** At most this many sub-multiples are measured per analysis (bounds the worst hop). */
const MAX_SUB_SCANS: i32 = 3;

export const P_KEY: i32 = 0;       // McLeod k: first key maximum >= k * highest
export const P_ON: i32 = 1;        // clarity to become voiced
export const P_OFF: i32 = 2;       // clarity to stay voiced
export const P_GATE_DB: i32 = 3;   // level gate, dBFS (mean square of the refinement window)
export const P_WMIN_HI: i32 = 4;   // minimum refinement window, ms
export const P_WFACTOR: i32 = 5;   // window = factor * lag
export const P_AGREE_CENTS: i32 = 6; // frame-to-frame agreement needed to turn voiced
export const P_JUMP_ON: i32 = 7;   // clarity to accept a jump while voiced
export const P_WMIN_LO: i32 = 8;   // minimum coarse window, samples of each level
export const P_SUBK: i32 = 9;     // sub-multiple check: accept lag/m if its NSDF >= subK x the pick's (0 = off)
export const P_FAST_ON: i32 = 10;  // clarity to become voiced without frame-to-frame agreement
export const P_COSINE: i32 = 11;   // 1 = normalised cross-correlation instead of McLeod's NSDF
export const P_LOBE: i32 = 12;     // 1 = ignore maxima in the lobe around lag 0
export const P_REFINE: i32 = 13;   // octaves between the coarse level and the refinement level (1..3)
export const P_SUBALL: i32 = 14;   // sub-multiple check: divisors up to this are tried without a coarse candidate there
export const P_SUBCLAR: i32 = 15;  // ... and only below this clarity (a clear pick's true period is a candidate anyway)
export const P_SKIP: i32 = 16;     // coarse clarity below which the pick is not refined (unvoiced at once)
export const P_REFINE_LO: i32 = 17; // as P_REFINE, for picks on level 3 and below (under ~190 Hz)
export const P_SPLIT: i32 = 18;    // levels from this one down are analysed at mid-hop (0 = none; spreads the work)
export const P_WMIN_MS: i32 = 19;  // minimum coarse window, ms
export const P_ALT_BELOW: i32 = 20; // refined clarity below which other coarse candidates are refined too (0 = off)
export const P_ALT_N: i32 = 21;    // ... at most this many of them (the highest coarse NSDF first)
export const P_HOLD: i32 = 22;     // frames a voiced pitch is held through unclear frames (hangover)
export const P_OCT_AGREE: i32 = 23; // an octave jump away from a pitch followed this many frames needs two agreeing frames (0 = off)
export const P_CONFIRM: i32 = 24;  // clarity from which a first frame may be confirmed half a hop earlier (> 1 = off)
export const P_CHORD: i32 = 25;    // 1 = chord rule (also on while the detector's `chords` flag is set, i.e. in tune mode)
export const P_CHORD_BEAT: i32 = 26; // chord rule: also name a steady beating pair's note from a longer common period (0 = off)
export const P_CHORD_PRESENT: i32 = 27; // chord rule: a harmonic this strong (power re the strongest) is present
export const P_COUNT: i32 = 28;

export class PitchFollower extends PitchDetector {
  sampleRate: f64 = 0;
  params: StaticArray<f32> = new StaticArray<f32>(P_COUNT);
  /** Octave levels in use; level L runs at sampleRate / 2^(L+1). */
  levels: i32 = 0;

  /** Halfband stages from the input rate down to level 0 (about 12 kHz). */
  preStages: i32 = 1;
  private pre: Array<Halfband> = new Array<Halfband>();
  // 44.1 / 48 kHz (two octaves to level 0): one polyphase stage instead of two halfbands
  private dec4: Decimator4 = new Decimator4();
  private scratch: StaticArray<f32> = new StaticArray<f32>(HOP / 2);
  // rings[l]: level l; bands[l - 1] makes level l from level l - 1
  private rings: Array<SlideRing> = new Array<SlideRing>();
  private bands: Array<Halfband> = new Array<Halfband>();
  private rates: StaticArray<f64> = new StaticArray<f64>(MAX_LEVELS);
  private nsdf: StaticArray<f32> = new StaticArray<f32>(MAX_LEVELS * NLAG);
  private blk: Block5 = new Block5();
  private refiner: LagRefiner = new LagRefiner();
  private series: HarmonicSeries = new HarmonicSeries();
  private hopCount: i32 = 0;
  private refLevel: i32 = 0;
  private refW: i32 = 0;
  private minLag0: f64 = 8;
  private maxLagLast: f64 = 16;

  private candLag: StaticArray<f64> = new StaticArray<f64>(MAX_CAND);
  private candN: StaticArray<f32> = new StaticArray<f32>(MAX_CAND);
  private candLevel: StaticArray<i32> = new StaticArray<i32>(MAX_CAND);
  private nCand: i32 = 0;
  // candidates of the slow levels, found at mid-hop; sure = their own levels had opened the lobe
  private slowLag: StaticArray<f64> = new StaticArray<f64>(MAX_CAND);
  private slowN: StaticArray<f32> = new StaticArray<f32>(MAX_CAND);
  private slowLevel: StaticArray<i32> = new StaticArray<i32>(MAX_CAND);
  private slowSure: StaticArray<bool> = new StaticArray<bool>(MAX_CAND);
  private nSlow: i32 = 0;
  /** Slow candidates McLeod's pick sees (-1: all): those up to the early stop. */
  private slowPickable: i32 = -1;
  /** Candidates McLeod's pick and the alternates see: those up to the early stop (the chord mode scans on). */
  private nPickable: i32 = 0;
  private slowRun: i32 = 1;
  /** The slow candidates are from this hop's mid-point; wantSlow: the last hop needed them (so this one likely will). */
  private slowValid: bool = false;
  private wantSlow: bool = false;
  /** P_SPLIT: the first level analysed at mid-hop (0 = none). */
  private splitLevel: i32 = 3;
  private gate: f32 = 1e-7;
  /** Levels computed by the last analysis (the early stop skips the rest). */
  levelsRun: i32 = 0;

  private voiced: bool = false;
  private holdLeft: i32 = 0;
  /** The pitch followed for P_OCT_AGREE frames (octave jumps away from it need agreement); frames on the current one. */
  private anchorHz: f32 = 0;
  private stable: i32 = 0;
  private prevRaw: f32 = 0;
  /** The last analysis' pick before the chord rule named a note (Hz). */
  private prevPick: f32 = 0;
  private prevClarity: f32 = 0;

  constructor() {
    super();
    this.defaults();
  }

  defaults(): void {
    const p = this.params;
    p[P_KEY] = 0.9;
    p[P_ON] = 0.75;
    p[P_OFF] = 0.5;
    p[P_GATE_DB] = -70;
    p[P_WMIN_HI] = 5.3;
    p[P_WFACTOR] = 2.0;
    p[P_AGREE_CENTS] = 50;
    p[P_JUMP_ON] = 0.85;
    p[P_WMIN_LO] = 32;
    p[P_SUBK] = 0.9;
    p[P_FAST_ON] = 2;
    p[P_COSINE] = 0;
    p[P_LOBE] = 1;
    p[P_REFINE] = 2;
    p[P_SUBALL] = 4;
    p[P_SUBCLAR] = 0.9;
    p[P_SKIP] = 0.35;
    p[P_REFINE_LO] = 2;
    p[P_SPLIT] = 3;
    p[P_WMIN_MS] = 0;
    p[P_ALT_BELOW] = 0.75;
    p[P_ALT_N] = 2;
    p[P_HOLD] = 1;
    p[P_OCT_AGREE] = 8;
    p[P_CONFIRM] = 0.85;
    p[P_CHORD] = 0;
    p[P_CHORD_BEAT] = 1;
    p[P_CHORD_PRESENT] = 3.2e-4;
  }

  init(sampleRate: f32): void {
    this.sampleRate = <f64>sampleRate;
    let ps = 1;
    while (ps < 4 && <f64>sampleRate / <f64>(1 << ps) >= 16000.0) ps++;
    this.preStages = ps;
    for (let i = 0; i < ps; i++) this.pre.push(new Halfband());
    this.pre[0].dcR = <f32>(1.0 - 2.0 * Math.PI * 15.0 / <f64>sampleRate);
    this.dec4.dcR = <f32>(1.0 - 2.0 * Math.PI * 15.0 * 4.0 / <f64>sampleRate);
    const r0 = <f64>sampleRate / <f64>(1 << ps);
    // enough levels that the slowest one's lag 16 reaches below 26 Hz
    let nl = 1;
    while (nl < MAX_LEVELS && r0 / <f64>(1 << (nl - 1)) / 16.0 > 26.0) nl++;
    this.levels = nl;
    for (let l = 0; l < nl; l++) {
      const r = new SlideRing();
      r.alloc(RING);
      this.rings.push(r);
      unchecked(this.rates[l] = r0 / <f64>(1 << l));
      if (l > 0) this.bands.push(new Halfband());
    }
    this.minLag0 = Math.max(<f64>(LAG0_FIRST + 1), r0 / 2600.0);
    this.maxLagLast = Math.min(16.0, unchecked(this.rates[nl - 1]) / 26.0);
    this.reset();
  }

  /** Set a tuning parameter (see P_*). */
  setParam(id: i32, v: f32): void {
    if (id < 0 || id >= P_COUNT) return;
    this.params[id] = v;
    if (id == P_GATE_DB) this.gate = Mathf.pow(10, v / 10);
    if (id == P_SKIP) this.refiner.minPeak = v;
    if (id == P_SPLIT) this.splitLevel = <i32>v;
    if (id == P_COSINE) this.refiner.cosine = v >= 0.5;
  }

  reset(): void {
    for (let i = 0; i < this.rings.length; i++) this.rings[i].clear();
    for (let i = 0; i < this.bands.length; i++) this.bands[i].reset();
    for (let i = 0; i < this.pre.length; i++) this.pre[i].reset();
    this.dec4.reset();
    this.hopCount = 0;
    this.nCand = 0;
    this.nSlow = 0;
    this.slowRun = 1;
    this.slowValid = false;
    this.wantSlow = false;
    this.levelsRun = 0;
    this.voiced = false;
    this.holdLeft = 0;
    this.anchorHz = 0;
    this.stable = 0;
    this.prevRaw = 0;
    this.prevClarity = 0;
    this.prevPick = 0;
    this.hz = 0;
    this.rawHz = 0;
    this.confidence = 0;
    this.estimates = 0;
  }

  process(ptr: usize, n: i32): void {
    const rings = this.rings;
    const ring0 = unchecked(rings[0]);
    const scratch = changetype<usize>(this.scratch);
    const ps = this.preStages;
    let i = 0;
    while (i < n) {
      // up to the next hop boundary, so the analysis sees exactly the samples of its hop
      let seg = (this.hopCount < HOP / 2 ? HOP / 2 : HOP) - this.hopCount;
      if (seg > n - i) seg = n - i;
      if (ps == 2) {
        this.dec4.run(ptr + (<usize>i << 2), seg, ring0);
      } else {
        let m = unchecked(this.pre[0]).run(ptr + (<usize>i << 2), seg, ps == 1 ? ring0 : null, scratch, true);
        for (let s = 1; s < ps; s++) {
          m = unchecked(this.pre[s]).run(scratch, m, s == ps - 1 ? ring0 : null, scratch, false);
        }
      }
      // the slower levels follow in every block, so the hop's work is spread over its blocks
      for (let l = 1; l < this.levels; l++) {
        unchecked(this.bands[l - 1]).fromRing(unchecked(rings[l - 1]), unchecked(rings[l]));
      }
      i += seg;
      this.hopCount += seg;
      if (this.hopCount == HOP / 2 && this.splitOn() && this.wantSlow) { this.analyseSlow(); this.slowValid = true; }
      if (this.hopCount >= HOP) { this.hopCount = 0; this.analyse(); }
    }
  }

  /** Coarse NSDF of level l (lags LAG_FIRST..LAG_FIRST+11) into its row of this.nsdf. */
  private coarse(l: i32): void {
    const ring = unchecked(this.rings[l]);
    const b = this.blk;
    // at least P_WMIN_LO samples, and P_WMIN_MS of time (which matters on the fast levels only)
    const wms = <i32>Math.ceil(<f64>this.params[P_WMIN_MS] * 0.001 * unchecked(this.rates[l]));
    const wmin = max(<i32>this.params[P_WMIN_LO], wms);
    const wf = <f64>this.params[P_WFACTOR];
    const cos = this.params[P_COSINE] >= 0.5;
    const row = changetype<usize>(this.nsdf) + (<usize>(l * NLAG) << 2);
    const first = l == 0 ? LAG0_FIRST : LAG_FIRST;
    const groups = l == 0 ? 3 : 2;
    for (let g = 0; g < groups; g++) {
      const lag0 = first + 5 * g;
      // pitch-synchronous: at least wfactor periods of the group's longest lag
      let w = <i32>Math.ceil(wf * <f64>(lag0 + 4));
      if (w < wmin) w = wmin;
      if (w > RING - 32) w = RING - 32;
      nsdf5(ring, 0, lag0, w, cos, b);
      const o = row + (<usize>(5 * g) << 2);
      store<f32>(o, b.n0); store<f32>(o, b.n1, 4); store<f32>(o, b.n2, 8); store<f32>(o, b.n3, 12);
      store<f32>(o, b.n4, 16);
    }
  }

  /**
   * Candidates of level l's coarse NSDF (every positive strict local maximum with its parabolic peak, periods in the
   * level's own octave) appended to the slow or the final set; returns whether the lobe around lag 0 is open after it.
   */
  private scanLevel(l: i32, lobeOpen: bool, slow: bool): bool {
    const row = changetype<usize>(this.nsdf) + (<usize>(l * NLAG) << 2);
    const lo = l == 0 ? this.minLag0 : 8.0;
    const hi = l == this.levels - 1 ? this.maxLagLast : 16.0;
    const first = l == 0 ? LAG0_FIRST : LAG_FIRST;
    const count = l == 0 ? 15 : 10;
    const lagA = slow ? this.slowLag : this.candLag;
    const nA = slow ? this.slowN : this.candN;
    const levA = slow ? this.slowLevel : this.candLevel;
    let a: f32 = 0;
    let v = load<f32>(row);
    let c = load<f32>(row, 4);
    for (let i = 1; i < count - 1; i++) {
      a = v;
      v = c;
      c = load<f32>(row + (<usize>(i + 1) << 2));
      // maxima of the lobe around lag 0 (not yet gone <= 0) are the spectrum's tilt, not a period; a slow candidate
      // before its own levels open the lobe survives only if level 0 opens it (decided at the hop's end)
      if (a <= 0) lobeOpen = true;
      if ((!lobeOpen && !slow) || !(v > 0 && v >= a && v > c)) continue;
      const den = <f64>a - 2.0 * <f64>v + <f64>c;
      let dd: f64 = 0;
      let peak = <f64>v;
      if (den < 0) { dd = 0.5 * (<f64>a - <f64>c) / den; peak = <f64>v - 0.25 * (<f64>a - <f64>c) * dd; }
      const lag = <f64>(first + i) + dd;
      const k = slow ? this.nSlow : this.nCand;
      if (lag < lo || lag >= hi || k >= MAX_CAND) continue;
      unchecked(lagA[k] = lag);
      unchecked(nA[k] = <f32>(peak > 1.0 ? 1.0 : peak));
      unchecked(levA[k] = l);
      if (slow) { unchecked(this.slowSure[k] = lobeOpen); this.nSlow++; } else this.nCand++;
    }
    return lobeOpen;
  }

  /** McLeod's pick over a candidate set: the first maximum >= key * highest (-1 if none positive). */
  private mcleod(nA: StaticArray<f32>, count: i32): i32 {
    let nmax: f32 = 0;
    for (let k = 0; k < count; k++) nmax = Mathf.max(nmax, unchecked(nA[k]));
    if (nmax <= 0) return -1;
    const thr = this.params[P_KEY] * nmax;
    for (let k = 0; k < count; k++) if (unchecked(nA[k]) >= thr) return k;
    return -1;
  }

  /**
   * Mid-hop half of the analysis: the slow levels (1 and below) on their windows ending here, 2.9 ms before the hop's
   * end, so the two blocks of a hop share the work. Stops at the first level whose pick is >= key and sure to survive.
   */
  @inline private splitOn(): bool { return this.splitLevel > 0 && this.splitLevel < this.levels; }

  private analyseSlow(): void {
    this.nSlow = 0;
    this.slowPickable = -1;
    const s0 = this.splitLevel;
    this.slowRun = s0;
    let lobeOpen = this.params[P_LOBE] <= 0;
    const key = this.params[P_KEY];
    for (let l = s0; l < this.levels; l++) {
      this.coarse(l);
      this.slowRun = l + 1;
      if (l == s0 && this.blk.e0 < this.gate * <f32>this.blk.w) { this.nSlow = 0; return; }
      lobeOpen = this.scanLevel(l, lobeOpen, true);
      if (this.slowPickable >= 0) continue;
      const p = this.mcleod(this.slowN, this.nSlow);
      if (p >= 0 && unchecked(this.slowN[p]) >= key && unchecked(this.slowSure[p])) {
        // the early stop; the chord rule's beat check goes on with the slower levels, which the pick never sees
        if (!this.chordMode() || this.params[P_CHORD_BEAT] < 0.5) return;
        this.slowPickable = this.nSlow;
      }
    }
  }

  private analyse(): void {
    this.nCand = 0;
    // the chord rule's last pick, kept only by an analysis that reaches the rule
    const lastPick = this.prevPick;
    this.prevPick = 0;
    this.estimates++;
    const key = this.params[P_KEY];
    let lobeOpen = this.params[P_LOBE] <= 0;
    let pick = -1;
    let l = 0;
    this.coarse(0);
    // level gate on the fastest level's window: silence costs one pass
    if (this.blk.e0 < this.gate * <f32>this.blk.w) {
      this.levelsRun = 1;
      this.slowValid = false;
      this.wantSlow = false;
      this.unvoice(0, 0);
      return;
    }
    lobeOpen = this.scanLevel(0, lobeOpen, false);
    pick = this.mcleod(this.candN, this.nCand);
    l = 1;
    const fastEnd = this.splitOn() ? this.splitLevel : this.levels;
    // Once the pick is >= key itself no later (longer) lag can raise the highest above 1: the pick is final and
    // the slower levels are skipped. The chord rule's beat check needs them: a beating pair's common period is longer
    // than the clear pick (McLeod's pick is still made over the candidates up to the early stop).
    const chords = this.chordMode();
    const scanOn = chords && this.params[P_CHORD_BEAT] >= 0.5;
    let early = pick >= 0 && unchecked(this.candN[pick]) >= key;
    let final = early && !scanOn;
    this.nPickable = early ? this.nCand : -1;
    for (; l < fastEnd && !final; l++) {
      this.coarse(l);
      lobeOpen = this.scanLevel(l, lobeOpen, false);
      if (early) continue;
      pick = this.mcleod(this.candN, this.nCand);
      early = pick >= 0 && unchecked(this.candN[pick]) >= key;
      final = early && !scanOn;
      if (early) this.nPickable = this.nCand;
    }
    this.wantSlow = !final;
    if (!final && fastEnd < this.levels) {
      // the slow levels were scanned at mid-hop, or (not foreseen) are scanned now
      if (!this.slowValid) this.analyseSlow();
      for (let k = 0; k < this.nSlow && this.nCand < MAX_CAND; k++) {
        if (!early && k == this.slowPickable) this.nPickable = this.nCand;
        if (!lobeOpen && !unchecked(this.slowSure[k])) continue;
        const j = this.nCand++;
        unchecked(this.candLag[j] = unchecked(this.slowLag[k]));
        unchecked(this.candN[j] = unchecked(this.slowN[k]));
        unchecked(this.candLevel[j] = unchecked(this.slowLevel[k]));
      }
      l = this.slowRun;
      if (!early) pick = this.mcleod(this.candN, this.nPickable >= 0 ? this.nPickable : this.nCand);
    }
    if (this.nPickable < 0) this.nPickable = this.nCand;
    this.slowValid = false;
    let nmax: f32 = 0;
    for (let k = 0; k < this.nCand; k++) nmax = Mathf.max(nmax, unchecked(this.candN[k]));
    this.levelsRun = l;
    if (pick < 0 || nmax <= 0) { this.weak(0, 0); return; }

    const coarse = unchecked(this.candLag[pick]);
    const lp = unchecked(this.candLevel[pick]);
    // too weak to become voiced even after refinement: save the refinement
    if (unchecked(this.candN[pick]) < this.params[P_SKIP]) {
      this.weak(<f32>(unchecked(this.rates[lp]) / coarse), unchecked(this.candN[pick]));
      return;
    }
    const rf = this.refiner;
    this.refineCandidate(pick);
    let ri = this.refLevel;
    let w = this.refW;
    let lag = rf.lag;
    let clarity = rf.clarity;
    let level = rf.level;
    // a harmonic pick in noise: its short window is noisier than the refinement's; other key maxima may refine to a
    // clearer period, and McLeod's rule is applied again over the refined clarities
    const altN = <i32>this.params[P_ALT_N];
    if (clarity < this.params[P_ALT_BELOW] && clarity >= this.params[P_SKIP] && altN > 0) {
      let bestHz = unchecked(this.rates[ri]) / lag;
      let done = 0;
      let last: f32 = 2;  // coarse NSDF of the last alternate (they are taken in falling order)
      let lastK = -1;
      while (done < altN) {
        // next alternate: the highest coarse NSDF below the last one, away from the pick's period
        let k = -1;
        let nk: f32 = -1;
        for (let j = 0; j < this.nPickable; j++) {
          const nj = unchecked(this.candN[j]);
          if (j == pick || nj > last || (nj == last && j <= lastK) || nj <= nk) continue;
          const fj = unchecked(this.rates[unchecked(this.candLevel[j])]) / unchecked(this.candLag[j]);
          if (Math.abs(fj / bestHz - 1.0) < 0.03) continue;
          k = j; nk = nj;
        }
        if (k < 0 || nk < this.params[P_SKIP]) break;
        last = nk; lastK = k;
        done++;
        this.refineCandidate(k);
        const c = rf.clarity;
        const hzK = unchecked(this.rates[this.refLevel]) / rf.lag;
        // McLeod over the two: the longer period must beat the shorter by the key ratio
        const longer = hzK < bestHz;
        if ((longer && this.params[P_KEY] * c > clarity) || (!longer && c >= this.params[P_KEY] * clarity)) {
          ri = this.refLevel; w = this.refW; lag = rf.lag; clarity = c; level = rf.level; bestHz = hzK; pick = k;
        }
      }
    }
    let ring = unchecked(this.rings[ri]);
    let refRate = unchecked(this.rates[ri]);
    // sub-multiple check on the same window: a short window at the true period is noisier than the long one at a
    // multiple of it, so a breathy note can lose its key maximum to a subharmonic
    const subK = this.params[P_SUBK];
    const minLag = <i32>Math.ceil(refRate / 2600.0) + 1;
    // a pick this unclear stays unvoiced whatever its sub-multiples say: save their scans
    const useful = clarity >= this.params[P_SKIP];
    if (subK > 0 && useful) {
      // divisors 2..4 always; larger ones only where a shorter coarse candidate sits (a level whose band holds
      // only the top harmonics sees a clean sine there and can outscore the true period by far)
      const pickHz = unchecked(this.rates[unchecked(this.candLevel[pick])]) / unchecked(this.candLag[pick]);
      let scans = 0;
      for (let m = MAX_DIV; m >= 2 && scans < MAX_SUB_SCANS; m--) {
        const blind = <f32>m <= this.params[P_SUBALL] && clarity < this.params[P_SUBCLAR];
        if (!blind && !this.hasCandidateNear(pickHz * <f64>m, pick)) continue;
        const sc = <i32>Math.round(lag / <f64>m);
        if (sc - 2 < minLag) continue;
        rf.scanNear(ring, sc, w);
        scans++;
        if (rf.clarity >= subK * clarity) {
          lag = rf.lag;
          clarity = rf.clarity;
          break;
        }
      }
    }
    // a common period of the notes of a chord is no note of it: name its lowest note instead (the clarity stays the
    // chord's, which is clearly periodic)
    if (chords && clarity >= this.params[P_OFF]) {
      const pickHz = <f32>(refRate / lag);
      const steady = lastPick > 0 && Mathf.abs(1200 * Mathf.log2(pickHz / lastPick)) <= this.params[P_AGREE_CENTS];
      this.prevPick = pickHz;
      const a = this.chordNote(ri, lag);
      if (a > 1) lag /= <f64>a;
      // (only on a steady pick: in a legato change the old and the new note are a chord for a hop or two)
      else if (this.params[P_CHORD_BEAT] >= 0.5 && steady) {
        // Two notes close together (a minor third, 6:5) beat: a window of two periods sees one tone between them,
        // clear whenever they are in phase. Their common period is longer, no multiple of that tone, and clearer
        // (coarse NSDF); the first two such candidates, shortest first, are tried.
        const hz = refRate / lag;
        let from = 0;
        for (let tries = 0; tries < 2; tries++) {
          const g = this.longerCommon(hz, pick, from);
          if (g < 0) break;
          from = g + 1;
          this.refineCandidate(g);
          const b = this.chordNote(this.refLevel, rf.lag);
          if (b > 1) {
            ri = this.refLevel; lag = rf.lag / <f64>b; w = this.refW;
            break;
          }
        }
      }
    }
    ring = unchecked(this.rings[ri]);
    refRate = unchecked(this.rates[ri]);
    // a short period is timed on a multiple of it: the same peak-fit error, divided by k
    if (lag < LONG_LAG && clarity >= this.params[P_OFF]) {
      const k = <i32>Math.ceil(LONG_LAG / lag);
      const c = <i32>Math.round(lag * <f64>k);
      if (w > RING - c - 16) w = RING - c - 16;
      rf.scan(ring, c, w);
      if (rf.clarity >= 0.9 * clarity && Math.abs(rf.lag / <f64>k - lag) < 0.5) lag = rf.lag / <f64>k;
    }
    const raw = <f32>(refRate / lag);
    this.rawHz = raw;
    this.confidence = clarity < 0 ? 0 : clarity;

    if (level < this.gate) { this.unvoice(raw, clarity); return; }

    const agree = this.prevRaw > 0 && Mathf.abs(1200 * Mathf.log2(raw / this.prevRaw)) <= this.params[P_AGREE_CENTS];
    if (this.voiced) {
      const same = this.hz > 0 && Mathf.abs(1200 * Mathf.log2(raw / this.hz)) <= this.params[P_AGREE_CENTS];
      // an octave is the classic McLeod ambiguity (a strong second harmonic, a chorus): one clear frame is not
      // enough to leave the octave that has been followed for a while (the way back to it is not held up)
      let jumpOk = clarity >= this.params[P_JUMP_ON];
      if (jumpOk && !agree && this.params[P_OCT_AGREE] >= 1 && this.anchorHz > 0) {
        const oc = Mathf.abs(Mathf.abs(1200 * Mathf.log2(raw / this.anchorHz)) - 1200);
        if (oc <= this.params[P_AGREE_CENTS]) jumpOk = false;
      }
      if (clarity >= this.params[P_OFF] && (same || jumpOk || agree)) {
        this.follow(raw, same);
        this.holdLeft = <i32>this.params[P_HOLD];
      } else if (clarity < this.params[P_OFF]) {
        if (this.holdLeft > 0) this.holdLeft--;
        else { this.voiced = false; this.hz = 0; this.anchorHz = 0; this.stable = 0; }
      }
      // else: an unconfirmed jump at middling clarity holds the last pitch for this frame
    } else if ((clarity >= this.params[P_ON] && agree && this.prevClarity >= this.params[P_OFF]) ||
               clarity >= this.params[P_FAST_ON] || (clarity >= this.params[P_CONFIRM] && this.confirm(ri, lag, w))) {
      this.voiced = true;
      this.follow(raw, false);
      this.holdLeft = <i32>this.params[P_HOLD];
    }
    this.prevRaw = raw;
    this.prevClarity = clarity;
  }

  /**
   * Exact refinement of candidate k on a faster level (refLevel), with a window (refW) of at least P_WMIN_HI ms and
   * wfactor periods; low notes already have 16..32 samples per period one octave up, and their windows are the long
   * ones. The result is in this.refiner.
   */
  private refineCandidate(k: i32): void {
    const lp = unchecked(this.candLevel[k]);
    let steps = <i32>(lp >= 3 ? this.params[P_REFINE_LO] : this.params[P_REFINE]);
    if (steps < 0) steps = 0;
    let ri = lp - steps;
    if (ri < 0) ri = 0;
    const refRate = unchecked(this.rates[ri]);
    const center = <i32>Math.round(unchecked(this.candLag[k]) * <f64>(1 << (lp - ri)));
    let w = <i32>Math.ceil(Math.max(<f64>this.params[P_WMIN_HI] * 0.001 * refRate,
      <f64>this.params[P_WFACTOR] * <f64>center));
    if (w > WREF_MAX) w = WREF_MAX;
    if (w > RING - center - 16) w = RING - center - 16;
    if (w < 8) w = 8;
    this.refLevel = ri;
    this.refW = w;
    this.refiner.scan(unchecked(this.rings[ri]), center, w);
  }

  /**
   * The chord rule: 1 if `lag` (samples of level ri) is a note's period, else the divisor a whose period lag/a is the
   * lowest note of the chord it is the common period of. A note has its fundamental (within 35 dB of its strongest
   * harmonic), or lacks only that one (a low string or pipe with a weak fundamental still has 2, 3, 4, 5, …). A
   * common period has only its notes' harmonics (a major third 4:5 has 4, 5, 8, …; a fifth 2:3 has 2, 3, 4, 6, 8):
   * its fundamental and others are missing, and the first present harmonic is the lowest note.
   */
  private chordNote(ri: i32, lag: f64): i32 {
    const hs = this.series;
    // on the level where the period is 27..80 samples: eight harmonics below 0.3 of its rate, four periods in 320
    let r = ri;
    let p = lag;
    while (p < 27 && r > 0) { r--; p *= 2; }
    while (p > 80 && r < this.levels - 1) { r++; p *= 0.5; }
    // a fundamental with 1 % of the window's power is above the floor whatever the other harmonics (the strongest
    // is at most the window's power over the smoother's gain, 8.4x): the other seven need not be measured
    hs.measure(unchecked(this.rings[r]), p, 0.01);
    const k = hs.count;
    const peak = hs.peak;
    // a fundamental that is plainly there (count 1), fewer than 5 harmonics below the level's roll-off, or most of the
    // sound above them: a note, or not enough to judge
    if (k < 5 || !(peak > 0) || hs.held < 0.5) return 1;
    const pw = hs.power;
    const floor = this.params[P_CHORD_PRESENT] * peak;
    // a fundamental that is there at all (a bass's may be 16 dB under its octave) makes this a note
    if (unchecked(pw[1]) >= floor) return 1;
    // holes in the series below its last present harmonic: one (the fundamental) is a note with a missing
    // fundamental, whose 2, 3, 4, 5, … are all there; a chord's common period misses more (a fifth: 1, 5, 7)
    let last = 0;
    for (let h = k; h >= 1 && last == 0; h--) if (unchecked(pw[h]) >= floor) last = h;
    let holes = 0;
    let first = 0;
    for (let h = 1; h <= last; h++) {
      if (unchecked(pw[h]) < floor) holes++;
      else if (first == 0) first = h;
    }
    return holes >= 2 ? first : 1;
  }

  @inline private chordMode(): bool { return this.chords || this.params[P_CHORD] >= 0.5; }

  /** The first candidate from `from` on, clearer than the pick, whose period is longer than 1/hz and no multiple of
   *  it (-1: none). */
  private longerCommon(hz: f64, pick: i32, from: i32): i32 {
    const np = unchecked(this.candN[pick]);
    for (let k = from; k < this.nCand; k++) {
      if (unchecked(this.candN[k]) <= np) continue;
      const r = hz / (unchecked(this.rates[unchecked(this.candLevel[k])]) / unchecked(this.candLag[k]));
      if (r < 1.03 || Math.abs(r / Math.round(r) - 1.0) < 0.03) continue;
      return k;
    }
    return -1;
  }

  /** Is one of the candidates before `before` within 3 % of hz? */
  private hasCandidateNear(hz: f64, before: i32): bool {
    for (let k = 0; k < before; k++) {
      const f = unchecked(this.rates[unchecked(this.candLevel[k])]) / unchecked(this.candLag[k]);
      if (Math.abs(f / hz - 1.0) < 0.03) return true;
    }
    return false;
  }

  /** Candidates of the last analysis, for tests and diagnostics: count, period in Hz, NSDF peak. */
  candidateCount(): i32 { return this.nCand; }
  candidateHz(k: i32): f32 {
    if (k < 0 || k >= this.nCand) return 0;
    return <f32>(unchecked(this.rates[unchecked(this.candLevel[k])]) / unchecked(this.candLag[k]));
  }
  candidateClarity(k: i32): f32 { return k < 0 || k >= this.nCand ? 0 : unchecked(this.candN[k]); }

  /**
   * The second agreeing frame of the voicing rule, half a hop earlier instead of one hop: the same period measured on
   * the refinement level's window ending HOP/2 input samples before this one.
   */
  private confirm(ri: i32, lag: f64, w: i32): bool {
    const back = (HOP / 2) >> (this.preStages + ri);
    const c = <i32>Math.round(lag);
    if (back < 1 || c - 2 < 3 || back + w + c + 16 >= RING) return false;
    const rf = this.refiner;
    rf.back = back;
    rf.scanNear(unchecked(this.rings[ri]), c, w);
    rf.back = 0;
    return rf.clarity >= this.params[P_OFF] &&
      Mathf.abs(1200 * Mathf.log2(<f32>(rf.lag / lag))) <= this.params[P_AGREE_CENTS];
  }

  /** Take raw as the pitch; after P_OCT_AGREE frames on one pitch it becomes the octave anchor. */
  private follow(raw: f32, same: bool): void {
    this.hz = raw;
    this.stable = same ? this.stable + 1 : 1;
    if (this.stable >= <i32>this.params[P_OCT_AGREE]) this.anchorHz = raw;
  }

  /** An unclear frame: a voiced pitch is held for up to P_HOLD such frames, then dropped. */
  private weak(raw: f32, clarity: f32): void {
    if (this.voiced && this.holdLeft > 0) {
      this.holdLeft--;
      this.rawHz = raw;
      this.confidence = clarity < 0 ? 0 : clarity;
      this.prevRaw = raw;
      this.prevClarity = clarity;
      return;
    }
    this.unvoice(raw, clarity);
  }

  private unvoice(raw: f32, clarity: f32): void {
    this.voiced = false;
    this.anchorHz = 0;
    this.stable = 0;
    this.hz = 0;
    this.rawHz = raw;
    this.confidence = clarity < 0 ? 0 : clarity;
    this.prevRaw = raw;
    this.prevClarity = clarity;
  }
}
