// Tests for ClassicPitch (the Pitch.kr re-creation) on generated signals: accuracy, gate, timing, reset.
import { ClassicPitch } from "../dsp/pitch/classic";

const SIG_SINE = 0;
const SIG_SAW = 1;
const SIG_NOISE = 2;

/** Test signal source: phase-accumulating sine or naive sawtooth, or LCG white noise. */
class Source {
  kind: i32 = SIG_SINE;
  freq: f64 = 440;
  amp: f64 = 0.5;
  phase: f64 = 0.0;
  seed: u32 = 12345;
  sampleRate: f64 = 48000;

  constructor(kind: i32, freq: f64, amp: f64, sampleRate: f64) {
    this.kind = kind; this.freq = freq; this.amp = amp; this.sampleRate = sampleRate;
  }

  next(): f32 {
    let v: f64 = 0;
    if (this.kind == SIG_NOISE) {
      // Numerical Recipes LCG; top 24 bits to [-1, 1).
      this.seed = this.seed * 1664525 + 1013904223;
      v = <f64>(this.seed >> 8) / 8388608.0 - 1.0;
    } else if (this.kind == SIG_SAW) {
      v = 2.0 * this.phase - 1.0;
    } else {
      v = Math.sin(2.0 * Math.PI * this.phase);
    }
    this.phase += this.freq / this.sampleRate;
    if (this.phase >= 1.0) this.phase -= 1.0;
    return <f32>(v * this.amp);
  }
}

const block = new StaticArray<f32>(256);
const blockPtr = changetype<usize>(block);

/** Result of one run: what every fresh estimate after `settle` samples looked like. */
class Stats {
  count: i32 = 0;
  voiced: i32 = 0;
  maxCents: f64 = 0;
  sumCents: f64 = 0;
  meanMacs: f64 = 0;
}

function cents(hz: f64, ref: f64): f64 {
  return 1200.0 * Math.log2(hz / ref);
}

/** Feed `total` samples in blocks of `blockSize`; judge each new estimate made after `settle` samples. */
function run(det: ClassicPitch, src: Source, total: i32, blockSize: i32, settle: i32, ref: f64): Stats {
  const st = new Stats();
  let done = 0;
  let macs: f64 = 0;
  while (done < total) {
    const n = min(blockSize, total - done);
    for (let i = 0; i < n; i++) unchecked(block[i] = src.next());
    const before = det.estimates;
    det.process(blockPtr, n);
    done += n;
    if (det.estimates != before && done > settle) {
      st.count++;
      macs += <f64>det.lastMacs;
      if (det.hz > 0) {
        st.voiced++;
        const c = Math.abs(cents(<f64>det.hz, ref));
        st.sumCents += c;
        if (c > st.maxCents) st.maxCents = c;
      } else {
        st.maxCents = 1e9; // an unvoiced estimate on a steady tone is a failure for the accuracy tests
      }
    }
  }
  if (st.count > 0) st.meanMacs = macs / <f64>st.count;
  return st;
}

function makeDetector(rate: f32): ClassicPitch {
  const det = new ClassicPitch();
  det.init(rate);
  return det;
}

function checkTone(kind: i32, freq: f64, rate: f32, blockSize: i32): Stats {
  const det = makeDetector(rate);
  const src = new Source(kind, freq, 0.5, <f64>rate);
  // 100 ms settles the first full window (66.7 ms); then 0.5 s of estimates.
  const st = run(det, src, <i32>(rate * 0.6), blockSize, <i32>(rate * 0.1), freq);
  log<string>((kind == SIG_SAW ? "saw " : "sine ") + freq.toString() + " Hz @" + rate.toString() +
    ": estimates " + st.count.toString() + ", max |err| " + st.maxCents.toString() +
    " cents, mean " + (st.sumCents / <f64>max(st.voiced, 1)).toString() + " cents, MACs/estimate " +
    st.meanMacs.toString());
  return st;
}

// Pitch.kr correlates over a fixed reference window of maxPeriod samples (33 ms), which holds only 1.8
// periods of 55 Hz. The partial period biases the autocorrelation peak by an amount that depends on the
// phase: an independent f64 brute-force model of the same window gives at most 20.8 / 10.4 / 5.2 / 2.6 /
// 1.4 cents at 55 / 110 / 220 / 440 / 880 Hz. That bias is the original's, so it is kept (the spec asks
// for a faithful detector) and the low tones get the model's bound plus a margin instead of 10 cents.
const SINE_FREQS: f64[] = [55.0, 110.0, 220.0, 440.0, 880.0];
const SINE_MAX_CENTS: f64[] = [25.0, 12.0, 10.0, 10.0, 10.0];
const SINE_MEAN_CENTS: f64[] = [15.0, 8.0, 5.0, 3.0, 2.0];

function checkSines(rate: f32, blockSize: i32): void {
  for (let i = 0; i < SINE_FREQS.length; i++) {
    const st = checkTone(SIG_SINE, SINE_FREQS[i], rate, blockSize);
    expect(st.count).toBeGreaterThanOrEqual(24);
    expect(st.voiced).toBe(st.count);
    expect(st.maxCents).toBeLessThan(SINE_MAX_CENTS[i]);
    expect(st.sumCents / <f64>st.voiced).toBeLessThan(SINE_MEAN_CENTS[i]);
  }
}

describe("ClassicPitch accuracy on steady tones", () => {
  it("tracks sines 55..880 Hz at 48 kHz (10 cents from 220 Hz up)", () => {
    checkSines(48000, 64);
  });

  it("tracks sines 55..880 Hz at 44.1 kHz (10 cents from 220 Hz up)", () => {
    checkSines(44100, 128);
  });

  it("tracks off-grid pitches (73.4, 311.1, 659.3 Hz)", () => {
    const freqs: f64[] = [73.42, 311.13, 659.26];
    for (let i = 0; i < freqs.length; i++) {
      const st = checkTone(SIG_SINE, freqs[i], 48000, 256);
      expect(st.voiced).toBe(st.count);
      expect(st.maxCents).toBeLessThan(10.0);
    }
  });

  it("finds the fundamental of a sawtooth (110, 220, 440 Hz)", () => {
    const freqs: f64[] = [110.0, 220.0, 440.0];
    for (let i = 0; i < freqs.length; i++) {
      const st = checkTone(SIG_SAW, freqs[i], 48000, 64);
      expect(st.voiced).toBe(st.count);
      expect(st.maxCents).toBeLessThan(10.0);
    }
  });
});

describe("ClassicPitch gate and unvoiced input", () => {
  it("reports no pitch on silence", () => {
    const det = makeDetector(48000);
    const src = new Source(SIG_SINE, 440.0, 0.0, 48000);
    const st = run(det, src, 48000, 64, 0, 440.0);
    expect(st.count).toBeGreaterThan(40);
    expect(st.voiced).toBe(0);
    expect(det.hz).toBe(0);
    expect(det.confidence).toBe(0);
  });

  it("reports no pitch below the amplitude gate (peak-to-peak 0.008 and 0.018)", () => {
    const amps: f64[] = [0.004, 0.009];
    for (let i = 0; i < amps.length; i++) {
      const det = makeDetector(48000);
      const st = run(det, new Source(SIG_SINE, 220.0, amps[i], 48000), 24000, 64, 0, 220.0);
      expect(st.count).toBeGreaterThan(15);
      expect(st.voiced).toBe(0);
    }
  });

  it("tracks a quiet tone just above the gate (amplitude 0.012)", () => {
    const det = makeDetector(48000);
    const st = run(det, new Source(SIG_SINE, 220.0, 0.012, 48000), 24000, 64, 4800, 220.0);
    expect(st.voiced).toBe(st.count);
    expect(st.maxCents).toBeLessThan(10.0);
  });

  it("is mostly unvoiced on white noise", () => {
    const det = makeDetector(48000);
    const st = run(det, new Source(SIG_NOISE, 0.0, 0.5, 48000), 96000, 128, 0, 1.0);
    log<string>("white noise: " + st.voiced.toString() + " voiced of " + st.count.toString() +
      ", MACs/estimate " + st.meanMacs.toString());
    expect(st.count).toBeGreaterThan(90);
    expect(<f64>st.voiced).toBeLessThan(<f64>st.count * 0.1);
  });
});

describe("ClassicPitch timing and state", () => {
  it("makes its first estimate once the window is full, then one every 20 ms (48 kHz)", () => {
    const det = makeDetector(48000);
    const src = new Source(SIG_SINE, 440.0, 0.5, 48000);
    let first = -1;
    let last = -1;
    let spacingOk = true;
    for (let s = 1; s <= 48000; s++) {
      unchecked(block[0] = src.next());
      const before = det.estimates;
      det.process(blockPtr, 1);
      if (det.estimates != before) {
        if (first < 0) first = s;
        else if (s - last != 960) spacingOk = false;
        last = s;
      }
    }
    // 1600 kept samples (2 × 800-sample max period at 24 kHz) fill at input sample 3199.
    expect(first).toBe(3199);
    expect(spacingOk).toBe(true);
    expect(det.estimates).toBe(1 + (48000 - 3199) / 960);
  });

  it("runs one estimate every 20 ms at 44.1 kHz (882 samples)", () => {
    const det = makeDetector(44100);
    const src = new Source(SIG_SINE, 440.0, 0.5, 44100);
    let first = -1;
    let last = -1;
    let spacingOk = true;
    for (let s = 1; s <= 44100; s++) {
      unchecked(block[0] = src.next());
      const before = det.estimates;
      det.process(blockPtr, 1);
      if (det.estimates != before) {
        if (first < 0) first = s;
        else if (s - last != 882) spacingOk = false;
        last = s;
      }
    }
    expect(first).toBe(2939);
    expect(spacingOk).toBe(true);
  });

  it("gives identical results whatever the block size", () => {
    const a = makeDetector(48000);
    const b = makeDetector(48000);
    const sa = new Source(SIG_SAW, 196.0, 0.4, 48000);
    const sb = new Source(SIG_SAW, 196.0, 0.4, 48000);
    const total = 24000;
    let doneA = 0;
    let doneB = 0;
    let same = true;
    // a in blocks of 37, b in blocks of 256, compared whenever both have made the same number of estimates.
    while (doneA < total) {
      const n = min(37, total - doneA);
      for (let i = 0; i < n; i++) unchecked(block[i] = sa.next());
      a.process(blockPtr, n);
      doneA += n;
      while (doneB < doneA - 255) {
        for (let i = 0; i < 256; i++) unchecked(block[i] = sb.next());
        b.process(blockPtr, 256);
        doneB += 256;
      }
      if (a.estimates == b.estimates && a.hz != b.hz) same = false;
    }
    expect(a.estimates).toBeGreaterThan(15);
    expect(same).toBe(true);
  });

  it("follows a pitch change within a few estimates", () => {
    const det = makeDetector(48000);
    const src = new Source(SIG_SINE, 220.0, 0.5, 48000);
    run(det, src, 24000, 64, 0, 220.0);
    expect(Math.abs(cents(<f64>det.hz, 220.0))).toBeLessThan(10.0);
    src.freq = 330.0;
    let after = 0;
    let locked = -1;
    for (let s = 0; s < 9600 && locked < 0; s += 64) {
      for (let i = 0; i < 64; i++) unchecked(block[i] = src.next());
      const before = det.estimates;
      det.process(blockPtr, 64);
      if (det.estimates != before) {
        after++;
        if (det.hz > 0 && Math.abs(cents(<f64>det.hz, 330.0)) < 10.0) locked = after;
      }
    }
    log<string>("220 -> 330 Hz: locked after " + locked.toString() + " estimates");
    expect(locked).toBeGreaterThan(0);
    // The reference window is the oldest 33 ms of a 66.7 ms window, so the new pitch wins after 3-4 hops.
    expect(locked).toBeLessThanOrEqual(4);
  });

  it("holds the last frequency in rawHz when the pitch goes away", () => {
    const det = makeDetector(48000);
    expect(det.rawHz).toBe(0);
    const src = new Source(SIG_SINE, 330.0, 0.5, 48000);
    run(det, src, 12000, 64, 0, 330.0);
    expect(det.hz).toBeGreaterThan(0);
    // Fade to silence, remembering the last voiced estimate on the way.
    src.amp = 0.0;
    let lastVoiced: f32 = det.hz;
    let unvoiced = 0;
    for (let s = 0; s < 9600; s += 64) {
      for (let i = 0; i < 64; i++) unchecked(block[i] = src.next());
      const before = det.estimates;
      det.process(blockPtr, 64);
      if (det.estimates != before) {
        if (det.hz > 0) lastVoiced = det.hz;
        else unvoiced++;
      }
    }
    expect(unvoiced).toBeGreaterThan(3);
    expect(det.hz).toBe(0);
    expect(det.confidence).toBe(0);
    expect(det.rawHz).toBe(lastVoiced);
    expect(Math.abs(cents(<f64>det.rawHz, 330.0))).toBeLessThan(30.0);
  });

  it("starts rawHz at initFreq on silence, like Pitch.kr", () => {
    const det = makeDetector(48000);
    run(det, new Source(SIG_SINE, 0.0, 0.0, 48000), 4800, 64, 0, 1.0);
    expect(det.estimates).toBeGreaterThan(0);
    expect(det.rawHz).toBe(440.0);
    expect(det.hz).toBe(0);
  });

  it("reset() clears the window, the outputs and the count", () => {
    const det = makeDetector(48000);
    const src = new Source(SIG_SINE, 440.0, 0.5, 48000);
    run(det, src, 12000, 64, 0, 440.0);
    expect(det.hz).toBeGreaterThan(0);
    det.reset();
    expect(det.hz).toBe(0);
    expect(det.rawHz).toBe(0);
    expect(det.confidence).toBe(0);
    expect(det.estimates).toBe(0);
    // The old tone must be gone from the window: silence after reset gives no pitch at the first estimate.
    run(det, new Source(SIG_SINE, 0.0, 0.0, 48000), 3200, 64, 0, 1.0);
    expect(det.estimates).toBe(1);
    expect(det.hz).toBe(0);
    // And the first estimate of a fresh tone comes as late as after init (the window refills from empty).
    const d2 = new Source(SIG_SINE, 110.0, 0.5, 48000);
    det.reset();
    run(det, d2, 3198, 64, 0, 110.0);
    expect(det.estimates).toBe(0);
  });

  it("does not break at 8 kHz or 192 kHz", () => {
    const rates: f32[] = [8000, 192000];
    for (let i = 0; i < rates.length; i++) {
      // Blocks shorter than the 160-sample hop at 8 kHz, so run() sees every estimate.
      const st = checkTone(SIG_SINE, 220.0, rates[i], 64);
      expect(st.count).toBeGreaterThanOrEqual(24);
      expect(st.voiced).toBe(st.count);
      expect(st.maxCents).toBeLessThan(10.0);
    }
  });
});
