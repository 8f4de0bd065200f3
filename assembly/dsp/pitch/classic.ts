// Classic pitch follower: a re-creation of SuperCollider's Pitch.kr (James McCartney's time-domain
// autocorrelation tracker) with the arguments norns runs it with (piwip-spec §2.3). Written from a reading
// of the algorithm, not a copy of its code: same decimation, log-spaced lag grid, slide-to-peak and
// parabolic refinement, thresholds and execution rate.
//
// Cost (norns settings, 48 kHz): one estimate per 960 input samples; one lag = maxPeriod (800) MACs.
// An estimate sums lag 0, at most every lag of the grid (61 up to lag 800), the two neighbours of the best
// one and a slide of less than one grid step (< 64 lags): ≤ 127 lags ≈ 102k MACs ≈ 106 per input sample in
// the worst case. Measured (spec tests): 23k MACs per estimate at 880 Hz, 49k on white noise, 58k at 55 Hz,
// i.e. 24-61 MACs per input sample; `lastMacs` gives the latest figure. Plus a 1120-float shift per
// estimate. At 44.1 kHz the figures scale by about 735/800.

import { PitchDetector } from "./detector";

export class ClassicPitch extends PitchDetector {
  // Pitch.kr arguments; norns' values. Read at init(); change them before init() only.
  initFreq: f32 = 440;
  minFreq: f32 = 30;
  maxFreq: f32 = 10000;
  /** Estimates per second. */
  execFreq: f32 = 50;
  maxBinsPerOctave: i32 = 16;
  /** The gate as the source implements it: some |sample| of the reference window must reach it (the docs
   *  say peak-to-peak, the code compares |x|, so a sine needs amplitude ≥ 0.01, i.e. 0.02 peak-to-peak). */
  ampThreshold: f32 = 0.01;
  /** A candidate peak must exceed this fraction of the lag-0 sum. */
  peakThreshold: f32 = 0.5;
  /** Keep one input sample in downSample; no anti-alias filter, like the original. */
  downSample: i32 = 2;
  // median 1 (no median filter) and clar 0 (binary hasFreq) are the only modes implemented.

  /** Multiply-adds spent by the latest estimate (instrumentation for the cost budget). */
  lastMacs: i32 = 0;

  private buffer: StaticArray<f32> = new StaticArray<f32>(0);
  private analysisRate: f32 = 24000;
  private minPeriod: i32 = 2;
  private maxPeriod: i32 = 800;
  private execPeriod: i32 = 480;
  private size: i32 = 1600;
  private maxLog2Bins: i32 = 4;
  /** Next free slot of `buffer`; an estimate runs when it reaches `size`. */
  private fill: i32 = 0;
  /** Offset into the next block of the next input sample to keep (decimation phase across blocks). */
  private readPhase: i32 = 0;
  /** Pitch.kr's held frequency output. */
  private heldFreq: f32 = 440;

  init(sampleRate: f32): void {
    const down = max(this.downSample, 1);
    this.analysisRate = sampleRate / <f32>down;
    // Same truncations as the original, so periods match sample for sample.
    this.minPeriod = max(<i32>(this.analysisRate / this.maxFreq), 1);
    this.maxPeriod = max(<i32>(this.analysisRate / this.minFreq), 2);
    const exec = min(max(this.execFreq, this.minFreq), this.maxFreq);
    this.execPeriod = max(<i32>(this.analysisRate / exec), 1);
    this.size = max(this.maxPeriod << 1, this.execPeriod);
    this.maxLog2Bins = log2Ceil(max(this.maxBinsPerOctave, 1));
    // init() may be called again (new rate); only grow, so a second init at the same rate allocates nothing.
    if (this.buffer.length < this.size) this.buffer = new StaticArray<f32>(this.size);
    this.reset();
  }

  reset(): void {
    memory.fill(changetype<usize>(this.buffer), 0, <usize>this.buffer.length << 2);
    this.fill = 0;
    this.readPhase = 0;
    this.heldFreq = this.initFreq;
    this.hz = 0;
    this.rawHz = 0;
    this.confidence = 0;
    this.estimates = 0;
    this.lastMacs = 0;
  }

  process(ptr: usize, n: i32): void {
    const down = max(this.downSample, 1);
    const buf = changetype<usize>(this.buffer);
    let k = this.readPhase;
    while (k < n) {
      store<f32>(buf + (<usize>this.fill << 2), load<f32>(ptr + (<usize>k << 2)));
      this.fill++;
      if (this.fill >= this.size) {
        this.estimate();
        // Slide the window by one hop; the oldest execPeriod samples drop out.
        const keep = this.size - this.execPeriod;
        memory.copy(buf, buf + (<usize>this.execPeriod << 2), <usize>keep << 2);
        this.fill = keep;
      }
      k += down;
    }
    this.readPhase = k - n;
  }

  /** One analysis of the full window: the reference is its oldest maxPeriod samples. */
  private estimate(): void {
    const buf = changetype<usize>(this.buffer);
    const maxPeriod = this.maxPeriod;
    let hasFreq = false;
    this.lastMacs = 0;

    let loud = false;
    for (let j = 0; j < maxPeriod; j++) {
      if (Mathf.abs(load<f32>(buf + (<usize>j << 2))) >= this.ampThreshold) { loud = true; break; }
    }

    if (loud) {
      const zeroLag = this.lag(0);
      const threshold = zeroLag * this.peakThreshold;

      // Walk out of the lag-0 lobe: the first grid lag whose sum falls below the threshold.
      let i = 1;
      let exitSum: f32 = 0;
      while (i <= maxPeriod) {
        exitSum = this.lag(i);
        if (exitSum < threshold) break;
        i += this.binStep(i);
      }
      // The peak search starts at that lag; the original computes it twice, its sum is reused here.
      const exitLag = i;

      // First peak above the threshold: keep climbing while sums grow, stop once they fall back under it.
      let period = i;
      let best = threshold;
      let found = false;
      while (i <= maxPeriod) {
        if (i >= this.minPeriod) {
          const s = i == exitLag ? exitSum : this.lag(i);
          if (s > threshold) {
            if (s > best) { found = true; best = s; period = i; }
          } else if (found) break;
        }
        i += this.binStep(i);
      }

      if (found) {
        let prev: f32 = period > 0 ? this.lag(period - 1) : 0;
        let next: f32 = period < maxPeriod ? this.lag(period + 1) : 0;
        // On the coarse part of the grid the best lag need not be the true maximum: slide to it.
        // (The original can slide to lag 0 and read before the buffer; stopping at 1 changes no result,
        // since such short periods are above maxFreq anyway.)
        while (prev > best && period > 1) {
          next = best; best = prev; period--;
          prev = this.lag(period - 1);
        }
        while (next > best && period < maxPeriod) {
          prev = best; best = next; period++;
          next = this.lag(period + 1);
        }
        // Parabola through the three sums around the peak gives the fractional period.
        const beta: f32 = <f32>0.5 * (next - prev);
        const gamma: f32 = <f32>2 * best - next - prev;
        const fperiod: f32 = <f32>period + beta / gamma;
        const f: f32 = this.analysisRate / fperiod;
        if (f >= this.minFreq && f <= this.maxFreq) {
          this.heldFreq = f;
          hasFreq = true;
        }
      }
    }

    // rawHz mirrors Pitch.kr's freq output: 0 before the first estimate, then the held value (initFreq
    // until something is voiced); hz is what the norns poll passes on, with 0 for its -1.
    this.rawHz = this.heldFreq;
    this.hz = hasFreq ? this.heldFreq : 0;
    this.confidence = hasFreq ? 1 : 0;
    this.estimates++;
  }

  /** Unnormalised autocorrelation at `lagIndex` over the reference window, summed in order in f32. */
  private lag(lagIndex: i32): f32 {
    const a = changetype<usize>(this.buffer);
    const b = a + (<usize>lagIndex << 2);
    const n = this.maxPeriod;
    let s: f32 = 0;
    for (let j = 0; j < n; j++) {
      const o = <usize>j << 2;
      s += load<f32>(b + o) * load<f32>(a + o);
    }
    this.lastMacs += n;
    return s;
  }

  /** Grid spacing: every lag up to 2^maxLog2Bins, then maxBinsPerOctave lags per octave. */
  @inline private binStep(lagIndex: i32): i32 {
    const octave = log2Ceil(lagIndex);
    return octave <= this.maxLog2Bins ? 1 : 1 << (octave - this.maxLog2Bins);
  }
}

/** ceil(log2(x)) for x >= 1 (0 for 1). */
@inline function log2Ceil(x: i32): i32 {
  return 32 - <i32>clz<u32>(<u32>(x - 1));
}
