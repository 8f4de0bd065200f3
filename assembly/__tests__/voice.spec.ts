// Tests for the softcut-like player voice (assembly/dsp/softcut/voice.ts): exact playback, varispeed,
// loop-wrap and cut crossfades, level/rate slews, pan, play flag and degenerate windows, and render within 1e-6
// against the per-sample reference voice (RefVoice, at the end).
import { Voice, MAX_LEVEL } from "../dsp/softcut/voice";
import { hermite, peek } from "../dsp/softcut/interp";
import { fadeIn, fadeOut, initFadeTable } from "../dsp/softcut/fade";
import { slewPole } from "../dsp/softcut/slew";

const SR: f32 = 48000;
const CENTRE: f32 = 0.70710677; // cos(π/4) in f32
const LN1000: f64 = 6.907755278982137;

function ptr(a: StaticArray<f32>, offset: i32 = 0): usize {
  return changetype<usize>(a) + (<usize>offset << 2);
}

/** Deterministic noise in [-0.5, 0.5): an LCG, so the tests need no Math.random. */
function noiseBuf(n: i32, seed: u32): StaticArray<f32> {
  const b = new StaticArray<f32>(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = s * 1664525 + 1013904223;
    b[i] = <f32>(<f64>(s >> 8) / 16777216.0 - 0.5);
  }
  return b;
}

function sineBuf(n: i32, hz: f64, amp: f64): StaticArray<f32> {
  const b = new StaticArray<f32>(n);
  for (let i = 0; i < n; i++) b[i] = <f32>(amp * Math.sin((2.0 * Math.PI * hz * <f64>i) / <f64>SR));
  return b;
}

function constBuf(n: i32, v: f32): StaticArray<f32> {
  const b = new StaticArray<f32>(n);
  for (let i = 0; i < n; i++) b[i] = v;
  return b;
}

/** A voice playing at level 1 (no level slew), rate 1 (no rate slew), from `pos` seconds. */
function playing(buf: StaticArray<f32>, pos: f64): Voice {
  const v = new Voice();
  v.init(SR, buf, buf.length);
  v.setLevelSlewTime(0);
  v.setRateSlewTime(0);
  v.setLevel(1);
  v.setPosition(pos);
  v.setPlay(true);
  return v;
}

/** Render `total` samples into outL/outR from index `from`, in blocks of `block`. */
function renderInto(v: Voice, outL: StaticArray<f32>, outR: StaticArray<f32>, total: i32, block: i32 = 256, from: i32 = 0): void {
  let done = 0;
  while (done < total) {
    const n = min(block, total - done);
    v.render(ptr(outL, from + done), ptr(outR, from + done), n);
    done += n;
  }
}

function zeroCrossings(a: StaticArray<f32>, from: i32, to: i32): i32 {
  let c = 0;
  for (let i = from + 1; i < to; i++) {
    if ((a[i - 1] < 0 && a[i] >= 0) || (a[i - 1] >= 0 && a[i] < 0)) c++;
  }
  return c;
}

function maxStep(a: StaticArray<f32>, from: i32, to: i32): f32 {
  let m: f32 = 0;
  for (let i = from + 1; i < to; i++) m = max(m, Mathf.abs(a[i] - a[i - 1]));
  return m;
}

function allFinite(a: StaticArray<f32>, bound: f32): bool {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    if (!isFinite(x) || Mathf.abs(x) > bound) return false;
  }
  return true;
}

describe("voice playback", () => {
  it("reproduces the buffer exactly at rate 1 from an integer position (times level × pan)", () => {
    const buf = noiseBuf(8192, 1);
    const v = playing(buf, 0);
    const outL = new StaticArray<f32>(5000);
    const outR = new StaticArray<f32>(5000);
    renderInto(v, outL, outR, 5000, 100);
    let mismatches = 0;
    for (let i = 0; i < 5000; i++) {
      if (outL[i] != buf[i] * CENTRE || outR[i] != buf[i] * CENTRE) mismatches++;
    }
    expect<i32>(mismatches).toBe(0);
    expect<f64>(v.position()).toBe(5000.0 / <f64>SR);
  });

  it("interpolates between samples with the 4-point Hermite (Catmull-Rom) cubic", () => {
    const buf = noiseBuf(4096, 2);
    // 1000.5 frames: the read sits half-way between samples 1000 and 1001 for every sample at rate 1
    const v = playing(buf, 1000.5 / <f64>SR);
    v.setPan(-1); // left gain exactly 1
    const outL = new StaticArray<f32>(256);
    const outR = new StaticArray<f32>(256);
    v.render(ptr(outL), ptr(outR), 256);
    for (let k = 0; k < 256; k++) {
      const i = 1000 + k;
      // Catmull-Rom at x = 1/2: (−y0 + 9·y1 + 9·y2 − y3) / 16
      const want = (-buf[i - 1] + 9 * buf[i] + 9 * buf[i + 1] - buf[i + 2]) / 16;
      expect<f32>(outL[k]).toBeCloseTo(want, 5);
    }
    // and the kernel passes through its knots
    expect<f32>(hermite(0, 0.3, -0.7, 0.9, 0.1)).toBe(-0.7);
    expect<f32>(hermite(1, 0.3, -0.7, 0.9, 0.1)).toBeCloseTo(0.9, 6);
  });

  it("doubles a sine's frequency at rate 2", () => {
    const buf = sineBuf(48000 * 3, 200, 0.5);
    const outL = new StaticArray<f32>(48000);
    const outR = new StaticArray<f32>(48000);
    const v1 = playing(buf, 0.0012);
    renderInto(v1, outL, outR, 48000);
    const c1 = zeroCrossings(outL, 0, 48000);
    const outL2 = new StaticArray<f32>(48000);
    const outR2 = new StaticArray<f32>(48000);
    const v2 = playing(buf, 0.0012);
    v2.setRate(2);
    renderInto(v2, outL2, outR2, 48000);
    const c2 = zeroCrossings(outL2, 0, 48000);
    expect<i32>(abs(c1 - 400)).toBeLessThanOrEqual(1);
    expect<i32>(abs(c2 - 800)).toBeLessThanOrEqual(1);
    expect<f64>(v2.position()).toBeCloseTo(0.0012 + 2.0, 9);
  });

  it("plays backwards at rate −1", () => {
    const buf = noiseBuf(8192, 3);
    const v = playing(buf, 3000.0 / <f64>SR); // 1/16 s: exact in binary
    v.setRate(-1);
    const outL = new StaticArray<f32>(2500);
    const outR = new StaticArray<f32>(2500);
    renderInto(v, outL, outR, 2500);
    let mismatches = 0;
    for (let k = 0; k < 2500; k++) if (outL[k] != buf[3000 - k] * CENTRE) mismatches++;
    expect<i32>(mismatches).toBe(0);
    expect<f64>(v.position()).toBe(500.0 / <f64>SR);
  });

  it("rate 0 holds the position and gives a steady, finite output", () => {
    const buf = noiseBuf(4096, 4);
    const v = playing(buf, 1500.0 / <f64>SR);
    v.setRate(0);
    const outL = new StaticArray<f32>(512);
    const outR = new StaticArray<f32>(512);
    renderInto(v, outL, outR, 512);
    for (let k = 0; k < 512; k++) expect<f32>(outL[k]).toBe(buf[1500] * CENTRE);
    expect<f64>(v.position()).toBe(1500.0 / <f64>SR);
  });

  it("centres the equal-power pan at 0.70710678 per side, and pans hard left/right", () => {
    const buf = constBuf(1024, 1);
    const outL = new StaticArray<f32>(16);
    const outR = new StaticArray<f32>(16);
    const v = playing(buf, 0.001);
    v.render(ptr(outL), ptr(outR), 16);
    expect<f32>(outL[15]).toBeCloseTo(0.70710678, 7);
    expect<f32>(outR[15]).toBeCloseTo(0.70710678, 7);
    const l2 = new StaticArray<f32>(16);
    const r2 = new StaticArray<f32>(16);
    v.setPan(-1);
    v.render(ptr(l2), ptr(r2), 16);
    expect<f32>(l2[0]).toBeCloseTo(1, 7);
    expect<f32>(r2[0]).toBeCloseTo(0, 7);
    const l3 = new StaticArray<f32>(16);
    const r3 = new StaticArray<f32>(16);
    v.setPan(0.5); // angle 3π/8
    v.render(ptr(l3), ptr(r3), 16);
    expect<f32>(l3[0]).toBeCloseTo(<f32>Math.cos((3 * Math.PI) / 8), 6);
    expect<f32>(r3[0]).toBeCloseTo(<f32>Math.sin((3 * Math.PI) / 8), 6);
  });

  it("adds into the output instead of overwriting it", () => {
    const buf = constBuf(1024, 0.5);
    const v = playing(buf, 0.001);
    const outL = constBuf(32, 0.25);
    const outR = constBuf(32, -0.25);
    v.render(ptr(outL), ptr(outR), 32);
    expect<f32>(outL[7]).toBe(0.25 + 0.5 * CENTRE);
    expect<f32>(outR[7]).toBe(-0.25 + 0.5 * CENTRE);
  });
});

// 440 Hz at amplitude 0.5: loop start on a zero crossing, loop end on a peak, so a hard wrap jumps ~0.35.
const HZ: f64 = 440;
const AMP: f64 = 0.5;
const LOOP_START: f64 = 0.1;
const LOOP_END: f64 = 0.3 + 1.0 / (4.0 * HZ);

function loopRun(fade: f32, total: i32, outL: StaticArray<f32>, outR: StaticArray<f32>): i32 {
  const buf = sineBuf(48000, HZ, AMP);
  const v = playing(buf, LOOP_START);
  v.setFadeTime(fade);
  v.setLoopStart(LOOP_START);
  v.setLoopEnd(LOOP_END);
  let wraps = 0;
  let last = v.position();
  for (let done = 0; done < total; done += 64) {
    v.render(ptr(outL, done), ptr(outR, done), 64);
    const p = v.position();
    if (p < last) wraps++;
    last = p;
    // the newest head never leaves the window by more than one fade of overshoot
    expect<f64>(p).toBeGreaterThanOrEqual(LOOP_START);
    expect<f64>(p).toBeLessThanOrEqual(LOOP_END + <f64>fade + 0.002);
  }
  return wraps;
}

describe("voice loop and cuts", () => {
  it("wraps with a crossfade and no step larger than the sine's own slope allows", () => {
    const total = 48000;
    const outL = new StaticArray<f32>(total);
    const outR = new StaticArray<f32>(total);
    const wraps = loopRun(0.05, total, outL, outR);
    expect<i32>(wraps).toBeGreaterThanOrEqual(4);
    const slope = <f32>((2.0 * Math.PI * HZ * AMP) / <f64>SR) * CENTRE;
    // two equal-power heads of the same sine can sum to √2 × its amplitude and slope
    expect<f32>(maxStep(outL, 0, total)).toBeLessThan(1.5 * slope);
    for (let i = 0; i < total; i++) expect<f32>(Mathf.abs(outL[i])).toBeLessThan(<f32>(1.42 * AMP) * CENTRE);
  });

  it("with piwip's 0.2 s fade the wrap is smooth too", () => {
    const total = 48000 * 2;
    const outL = new StaticArray<f32>(total);
    const outR = new StaticArray<f32>(total);
    const wraps = loopRun(0.2, total, outL, outR);
    expect<i32>(wraps).toBeGreaterThanOrEqual(4);
    const slope = <f32>((2.0 * Math.PI * HZ * AMP) / <f64>SR) * CENTRE;
    expect<f32>(maxStep(outL, 0, total)).toBeLessThan(1.5 * slope);
  });

  it("clicks without the fade (the control for the test above)", () => {
    const total = 48000;
    const outL = new StaticArray<f32>(total);
    const outR = new StaticArray<f32>(total);
    const wraps = loopRun(0, total, outL, outR);
    expect<i32>(wraps).toBeGreaterThanOrEqual(4);
    const slope = <f32>((2.0 * Math.PI * HZ * AMP) / <f64>SR) * CENTRE;
    expect<f32>(maxStep(outL, 0, total)).toBeGreaterThan(5 * slope);
  });

  it("wraps on the next sample when the loop end moves behind the head", () => {
    const buf = noiseBuf(48000, 5);
    const v = playing(buf, 0.5);
    v.setLoopStart(0.125);
    const outL = new StaticArray<f32>(256);
    const outR = new StaticArray<f32>(256);
    v.render(ptr(outL), ptr(outR), 16);
    v.setLoopEnd(0.25);
    v.render(ptr(outL), ptr(outR), 1);
    expect<f64>(v.position()).toBe(0.125);
  });

  it("wraps backwards to the loop end at negative rate", () => {
    const buf = noiseBuf(48000, 6);
    const v = playing(buf, 0.125 + 10.0 / <f64>SR);
    v.setLoopStart(0.125);
    v.setLoopEnd(0.25);
    v.setRate(-1);
    const outL = new StaticArray<f32>(256);
    const outR = new StaticArray<f32>(256);
    v.render(ptr(outL), ptr(outR), 11); // 10 steps reach the start, the 11th leaves the window
    expect<f64>(v.position()).toBe(0.25);
  });

  it("crossfades a cut over fadeTime with equal-power gains", () => {
    // 0 in the first half, 1 in the second: the output traces the fade-in gain sin(u·π/2), u = (1 − cos πx)/2
    const buf = new StaticArray<f32>(48000);
    for (let i = 24000; i < 48000; i++) buf[i] = 1;
    const v = playing(buf, 0.1);
    v.setFadeTime(0.2);
    v.setPan(-1);
    const total = 12000;
    const outL = new StaticArray<f32>(total);
    const outR = new StaticArray<f32>(total);
    v.render(ptr(outL), ptr(outR), 256);
    expect<f32>(outL[255]).toBe(0);
    v.setPosition(0.5);
    expect<f64>(v.position()).toBe(0.5); // position() reports the newest head at once
    renderInto(v, outL, outR, total);
    let reached = -1;
    let half = -1;
    let falls = 0;
    for (let k = 0; k < total; k++) {
      if (k > 0 && outL[k] < outL[k - 1]) falls++;
      if (half < 0 && outL[k] >= 0.70710678) half = k;
      if (reached < 0 && outL[k] == 1) reached = k; // unity: the gain's flat top rounds to 1 in f32 near the end
    }
    expect<i32>(falls).toBe(0); // a monotonic rise: no click, no dip
    expect<i32>(abs(half - 4800)).toBeLessThanOrEqual(2); // equal power at the midpoint of 0.2 s at 48 kHz
    // 1 − g ≈ 7.5·(1 − x)⁴ is below an f32 ulp for the last ~0.8 % of the fade
    expect<i32>(reached).toBeLessThanOrEqual(9602);
    expect<i32>(reached).toBeGreaterThan(9600 - 100);
    expect<f32>(outL[4800]).toBeCloseTo(0.70710678, 4);
    expect<f32>(outL[2400]).toBeCloseTo(<f32>Math.sin(Math.PI / 2 * (0.5 - 0.5 * Math.cos(Math.PI / 4))), 4);
  });

  it("a cut during a fade waits for the fade to end, then fades again without a click", () => {
    const buf = new StaticArray<f32>(48000);
    for (let i = 24000; i < 48000; i++) buf[i] = 1;
    const v = playing(buf, 0.1);
    v.setFadeTime(0.2);
    v.setPan(-1);
    const total = 24000;
    const outL = new StaticArray<f32>(total);
    const outR = new StaticArray<f32>(total);
    v.setPosition(0.5);
    renderInto(v, outL, outR, 2000);
    v.setPosition(0.125); // back into the silent half, mid-fade
    expect<f64>(v.position()).toBeGreaterThan(0.5); // still the head that is fading in
    renderInto(v, outL, outR, 7000, 256, 2000);
    expect<f64>(v.position()).toBeGreaterThan(0.5); // 9000 samples: the first fade is not over yet
    renderInto(v, outL, outR, 15000, 256, 9000);
    expect<f64>(v.position()).toBeLessThan(0.5);
    // up to 1 at the end of the first fade, then back down to 0 at the end of the second
    expect<f32>(outL[9599]).toBeGreaterThan(0.9999);
    expect<f32>(outL[total - 1]).toBeLessThan(1e-6);
    // the steepest step of a 9600-frame fade is max g′/9600 = 2.017/9600 ≈ 2.10e-4
    expect<f32>(maxStep(outL, 0, total)).toBeLessThan(2.15e-4);
  });

  it("a fade spans fadeTime of buffer material (softcut): half as long at rate 2, and it ends even at rate 0", () => {
    const buf = new StaticArray<f32>(96000);
    for (let i = 48000; i < 96000; i++) buf[i] = 1;
    const total = 12000;
    for (let pass = 0; pass < 2; pass++) {
      const v = playing(buf, 0.1);
      v.setPan(-1);
      v.setFadeTime(pass == 0 ? 0.2 : 0.01);
      v.setRate(pass == 0 ? 2 : 0);
      const l = new StaticArray<f32>(total);
      const r = new StaticArray<f32>(total);
      v.render(ptr(l), ptr(r), 1); // rate slew time 0: the rate is reached on this sample
      v.setPosition(1.25);
      renderInto(v, l, r, total);
      let half = -1;
      for (let k = 0; k < total; k++) if (half < 0 && l[k] >= 0.70710678) half = k;
      // rate 2: 9600 frames of fade at 2 frames per sample; rate 0: held at 1/8 rate, 480 × 8 samples; the
      // equal-power midpoint comes at half of that
      expect<i32>(abs(half - (pass == 0 ? 2400 : 1920))).toBeLessThanOrEqual(2);
    }
  });

  it("an inverted window is widened to one frame at loopStart: grains of one fade from there, either direction", () => {
    const buf = noiseBuf(9600, 11);
    const fade: f64 = 0.01;
    for (let dir = 0; dir < 2; dir++) {
      const v = playing(buf, 0.05);
      v.setFadeTime(<f32>fade);
      v.setLoopStart(0.08);
      v.setLoopEnd(0.02);
      v.setRate(dir == 0 ? 1 : -1);
      const l = new StaticArray<f32>(64);
      const r = new StaticArray<f32>(64);
      let nearStart = 0;
      for (let k = 0; k < 200; k++) {
        v.render(ptr(l), ptr(r), 64);
        const p = v.position();
        // after the first re-entry, the newest head never strays more than one fade (+1 frame) from loopStart
        if (k >= 10) {
          expect<f64>(Math.abs(p - 0.08)).toBeLessThanOrEqual(fade + 2.0 / <f64>SR);
          if (Math.abs(p - 0.08) < 0.002) nearStart++;
        }
      }
      expect<i32>(nearStart).toBeGreaterThan(5); // it keeps coming back
    }
  });

  it("a silent voice cuts at once (nothing can click), keeps running and wraps", () => {
    const buf = noiseBuf(48000, 7);
    const v = playing(buf, 0.1);
    v.setFadeTime(0.2);
    v.setLoopStart(0.125);
    v.setLoopEnd(0.25);
    v.setPosition(0.2); // starts a fade
    v.setLevel(0);
    const outL = new StaticArray<f32>(256);
    const outR = new StaticArray<f32>(256);
    v.render(ptr(outL), ptr(outR), 4); // level snaps to 0 (slew time 0)
    expect<f32>(v.level()).toBe(0);
    v.setPosition(0.125); // during the fade, but silent: immediate
    expect<f64>(v.position()).toBe(0.125);
    const l2 = new StaticArray<f32>(48000);
    const r2 = new StaticArray<f32>(48000);
    let wraps = 0;
    let last = v.position();
    for (let done = 0; done < 48000; done += 128) {
      v.render(ptr(l2, done), ptr(r2, done), 128);
      if (v.position() < last) wraps++;
      last = v.position();
    }
    expect<i32>(wraps).toBeGreaterThanOrEqual(4);
    let nonzero = 0;
    for (let i = 0; i < 48000; i++) if (l2[i] != 0) nonzero++;
    expect<i32>(nonzero).toBe(0);
  });
});

describe("voice slews", () => {
  it("level slew (2 s to −60 dB) reaches 90 % in ~0.67 s and −60 dB of the start in 2 s (±2 %)", () => {
    const buf = constBuf(48000 * 2, 1); // long enough not to wrap during the attack
    const v = new Voice();
    v.init(SR, buf, buf.length);
    v.setLevelSlewTime(2);
    v.setPosition(0.1);
    v.setPlay(true);
    v.setLevel(1);
    const l = new StaticArray<f32>(1);
    const r = new StaticArray<f32>(1);
    let t90 = -1;
    const pole = <f64>(<f32>Math.exp(-LN1000 / (2.0 * <f64>SR))); // the level slew runs in f32
    let worst = 0.0;
    for (let k = 0; k < 48000; k++) {
      l[0] = 0;
      v.render(ptr(l), ptr(r), 1);
      // the output follows the analytic one-pole curve, sample by sample
      const want = (1.0 - Math.pow(pole, <f64>(k + 1))) * <f64>CENTRE;
      worst = Math.max(worst, Math.abs(<f64>l[0] - want));
      if (t90 < 0 && v.level() >= 0.9) t90 = k + 1;
    }
    expect<f64>(worst).toBeLessThan(2e-6);
    const tau = 2.0 / LN1000;
    expect<f64>(Math.abs(<f64>t90 / <f64>SR - tau * Math.log(10)) / (tau * Math.log(10))).toBeLessThan(0.02);
    expect<f64>(<f64>t90 / <f64>SR).toBeCloseTo(0.667, 2);
    // settle at 1, then release
    const sl = new StaticArray<f32>(256);
    const sr = new StaticArray<f32>(256);
    for (let k = 0; k < 48000 * 4; k += 256) v.render(ptr(sl), ptr(sr), 256);
    expect<f32>(v.level()).toBe(1);
    v.setLevel(0);
    let t60 = -1;
    for (let k = 0; k < 48000 * 3; k++) {
      v.render(ptr(l), ptr(r), 1);
      if (t60 < 0 && v.level() <= 0.001) t60 = k + 1;
    }
    expect<f64>(Math.abs(<f64>t60 / <f64>SR - 2.0) / 2.0).toBeLessThan(0.02);
  });

  it("a slow level slew rendered in blocks (16-sample segments) stays on the analytic one-pole curve", () => {
    const buf = constBuf(48000 * 2, 1);
    const v = new Voice();
    v.init(SR, buf, buf.length);
    v.setLevelSlewTime(2);
    v.setPosition(0.1);
    v.setPlay(true);
    v.setLevel(1);
    const l = new StaticArray<f32>(100);
    const r = new StaticArray<f32>(100);
    const pole = <f64>(<f32>Math.exp(-LN1000 / (2.0 * <f64>SR)));
    let worst = 0.0;
    let k = 0;
    for (let b = 0; b < 480; b++) { // 100-sample blocks: whole and partial segments
      for (let i = 0; i < 100; i++) l[i] = 0;
      v.render(ptr(l), ptr(r), 100);
      for (let i = 0; i < 100; i++) {
        k++;
        const want = (1.0 - Math.pow(pole, <f64>k)) * <f64>CENTRE;
        worst = Math.max(worst, Math.abs(<f64>l[i] - want));
      }
    }
    expect<f64>(worst).toBeLessThan(2e-6);
  });

  it("a released level snaps to exactly 0 and then adds nothing while the phase runs on", () => {
    const buf = constBuf(48000, 1);
    const v = playing(buf, 0.1);
    v.setLevelSlewTime(0.05);
    v.setLevel(0);
    const l = new StaticArray<f32>(256);
    const r = new StaticArray<f32>(256);
    for (let k = 0; k < 20; k++) v.render(ptr(l), ptr(r), 256); // > 0.1 s: below 1e-6
    expect<f32>(v.level()).toBe(0);
    const before = v.position();
    const l2 = constBuf(256, 0.5);
    const r2 = constBuf(256, 0.5);
    v.render(ptr(l2), ptr(r2), 256);
    for (let i = 0; i < 256; i++) {
      expect<f32>(l2[i]).toBe(0.5);
      expect<f32>(r2[i]).toBe(0.5);
    }
    expect<f64>(v.position()).toBeCloseTo(before + 256.0 / <f64>SR, 12);
  });

  it("rate slew (5 ms) follows the one-pole curve and settles within −60 dB in 5 ms (±2 %)", () => {
    const buf = noiseBuf(48000, 8);
    const v = playing(buf, 0.25);
    v.setRateSlewTime(0.005);
    v.setRate(2);
    const l = new StaticArray<f32>(1);
    const r = new StaticArray<f32>(1);
    const pole = Math.exp(-LN1000 / (<f64>(<f32>0.005) * <f64>SR)); // the setter takes f32 seconds
    let travelled = 0.0;
    let settled = -1;
    for (let k = 0; k < 480; k++) {
      const p0 = v.position();
      v.render(ptr(l), ptr(r), 1);
      expect<f64>(v.rate()).toBeCloseTo(2.0 - Math.pow(pole, <f64>(k + 1)), 9);
      travelled += v.rate();
      expect<f64>((v.position() - p0) * <f64>SR).toBeCloseTo(v.rate(), 9); // the head moves by the slewed rate
      if (settled < 0 && Math.abs(v.rate() - 2.0) <= 0.001) settled = k + 1;
    }
    expect<i32>(abs(settled - 240)).toBeLessThanOrEqual(5);
    expect<f64>(v.position()).toBeCloseTo(0.25 + travelled / <f64>SR, 9);
  });

  it("clamps the rate to ±64", () => {
    const buf = noiseBuf(48000 * 4, 9);
    const v = playing(buf, 0.5);
    v.setRate(100);
    const l = new StaticArray<f32>(256);
    const r = new StaticArray<f32>(256);
    v.render(ptr(l), ptr(r), 10);
    expect<f64>(v.rate()).toBe(64);
    expect<f64>(v.position()).toBeCloseTo(0.5 + 640.0 / <f64>SR, 9);
    v.setRate(-1e9);
    v.render(ptr(l), ptr(r), 1);
    expect<f64>(v.rate()).toBe(-64);
  });
});

describe("voice play flag and robustness", () => {
  it("play off adds nothing and the phase does not move", () => {
    const buf = constBuf(48000, 1);
    const v = playing(buf, 0.2);
    const l = new StaticArray<f32>(256);
    const r = new StaticArray<f32>(256);
    v.render(ptr(l), ptr(r), 256);
    expect<f32>(l[100]).toBe(CENTRE); // it was sounding
    v.setPlay(false);
    expect<bool>(v.playing()).toBe(false);
    const p = v.position();
    const l2 = constBuf(256, 0.125);
    const r2 = constBuf(256, 0.125);
    for (let k = 0; k < 10; k++) v.render(ptr(l2), ptr(r2), 256);
    for (let i = 0; i < 256; i++) {
      expect<f32>(l2[i]).toBe(0.125);
      expect<f32>(r2[i]).toBe(0.125);
    }
    expect<f64>(v.position()).toBe(p);
    v.setPlay(true);
    expect<bool>(v.playing()).toBe(true);
    v.render(ptr(l2), ptr(r2), 1);
    expect<f64>(v.position()).toBeGreaterThan(p);
  });

  it("a fresh voice is silent and stopped", () => {
    const buf = constBuf(1024, 1);
    const v = new Voice();
    v.init(SR, buf, buf.length);
    expect<bool>(v.playing()).toBe(false);
    expect<f32>(v.level()).toBe(0);
    expect<f64>(v.rate()).toBe(1);
    const l = new StaticArray<f32>(256);
    const r = new StaticArray<f32>(256);
    v.setPlay(true);
    v.render(ptr(l), ptr(r), 256); // level 0: nothing added
    for (let i = 0; i < 256; i++) expect<f32>(l[i]).toBe(0);
  });

  it("degenerate windows, extreme settings and bad numbers give finite, bounded output", () => {
    const buf = noiseBuf(4800, 10);
    const bound: f32 = MAX_LEVEL * 0.5 * 2.5; // |buf| < 0.5, Hermite overshoot < 1.25×, two heads ≤ √2
    const v = playing(buf, 0.05);
    v.setLevel(1e30);
    v.setFadeTime(0.01);
    const l = new StaticArray<f32>(256 * 40);
    const r = new StaticArray<f32>(256 * 40);
    let block = 0;
    for (let round = 0; round < 8; round++) {
      if (round == 0) { v.setLoopStart(0.05); v.setLoopEnd(0.05); }            // empty window
      if (round == 1) { v.setLoopStart(0.08); v.setLoopEnd(0.02); }            // inverted window
      if (round == 2) { v.setRate(0); v.setPosition(0.09); }                   // rate 0 outside the window
      if (round == 3) { v.setRate(64); v.setFadeTime(0); v.setLoopEnd(0.0801); } // fastest, no fade, tiny loop
      if (round == 4) { v.setPosition(1e300); v.setLoopEnd(-1e300); v.setRate(-64); }
      if (round == 5) { v.setPosition(NaN); v.setRate(NaN); v.setLevel(NaN); v.setLoopStart(Infinity); v.setPan(NaN); }
      if (round == 6) { v.setFadeTime(<f32>1e30); v.setPosition(0.01); v.setRateSlewTime(<f32>1e30); v.setRate(0.0); }
      if (round == 7) { v.setLevelSlewTime(-1); v.setRateSlewTime(NaN); v.setRate(-0.001); v.setPosition(0); }
      for (let k = 0; k < 5; k++) {
        v.render(ptr(l, block * 256), ptr(r, block * 256), 256);
        block++;
        const p = v.position();
        expect<bool>(isFinite(p)).toBe(true);
        // a fading head may overshoot the window by up to one fade (60 s max) of buffer time, as in softcut
        expect<f64>(Math.abs(p)).toBeLessThan(61.0);
      }
    }
    expect<bool>(allFinite(l, bound)).toBe(true);
    expect<bool>(allFinite(r, bound)).toBe(true);
    expect<bool>(isFinite(v.rate())).toBe(true);
    expect<bool>(isFinite(v.level())).toBe(true);
    expect<f32>(v.level()).toBe(MAX_LEVEL);
  });

  it("tiny and empty buffers are safe", () => {
    const l = new StaticArray<f32>(256);
    const r = new StaticArray<f32>(256);
    const one = constBuf(1, 0.25);
    const v1 = playing(one, 0);
    v1.setRate(-3.3);
    v1.render(ptr(l), ptr(r), 256);
    // every read is the single sample; the 1-frame loop crossfades constantly, and an equal-power fade of two
    // identical signals rises up to √2 (+3 dB), as in softcut
    for (let i = 0; i < 256; i++) {
      expect<f32>(l[i]).toBeGreaterThanOrEqual(0.25 * CENTRE * 0.99999);
      expect<f32>(l[i]).toBeLessThanOrEqual(0.25 * CENTRE * 1.41422);
    }
    const none = new StaticArray<f32>(0);
    const v0 = playing(none, 0.5);
    const l0 = new StaticArray<f32>(256);
    v0.render(ptr(l0), ptr(r), 256);
    for (let i = 0; i < 256; i++) expect<f32>(l0[i]).toBe(0);
    expect<bool>(isFinite(v0.position())).toBe(true);
  });
});

// The per-sample softcut voice exactly as it was before Voice.render got its specialised loops (one sample, one pass
// through every test): the reference the test below compares the optimised render with, bit for bit. Keep it as is.
const REF_MAX_RATE: f64 = 64.0;
const REF_MAX_LEVEL: f32 = 16.0;
const REF_MAX_FADE_TIME: f32 = 60.0;
const REF_FADE_MIN_RATE: f32 = 0.125;
const REF_LEVEL_SNAP: f32 = 1e-6;
const REF_RATE_SNAP: f64 = 1e-9;

class RefVoice {
  private sr: f32 = 48000;
  private bufRef: StaticArray<f32> | null = null; // keeps the buffer reachable; the loop uses `buf`
  private buf: usize = 0;
  private frames: i32 = 0;
  private play: bool = false;

  // Sub-heads. `phase` is the newest (active) head; `fadePhase` is the head fading out while xfade < 1.
  // The two gains are sin/cos of one crossfade progress, so they are always an exact equal-power pair.
  private phase: f64 = 0;
  private fadePhase: f64 = 0;
  private xfade: f32 = 1; // 0 → 1 over one fade; 1 = one head only
  private fadeUnit: f32 = 1; // 1 / fade length in frames
  // A cut asked for while a fade runs waits for it to finish (softcut's queued crossfade).
  private pending: bool = false;
  private pendingPhase: f64 = 0;

  // Loop window in frames; loopEnd is the effective end (>= loopStart + 1), loopEndReq the one asked for.
  private loopStart: f64 = 0;
  private loopEnd: f64 = 1;
  private loopEndReq: f64 = 0;

  // Slews keep the distance to the target (now = target + dist, dist *= pole each sample): the one-pole of
  // softcut's smooth1pole, but dist keeps full relative precision, so an f32 level stays on the exponential
  // curve (the textbook y += (x − y)·(1 − b) in f32 drifts by ~0.3 % and stalls near the target).
  private rateNow: f64 = 1;
  private rateTarget: f64 = 1;
  private rateDist: f64 = 0;
  private ratePole: f64 = 0;
  private levelNow: f32 = 0;
  private levelTarget: f32 = 0;
  private levelDist: f32 = 0;
  private levelPole: f32 = 0;
  private panL: f32 = 0.70710677;
  private panR: f32 = 0.70710677;

  /**
   * Attach the shared buffer and reset to softcut's defaults: play off, position 0, rate 1, level 0,
   * pan centre, fade 0.01 s, rate and level slews 0.001 s, loop = the whole buffer.
   * bufFrames is clamped to buf.length; a buffer of 0 frames makes the voice silent.
   */
  init(sampleRate: f32, buf: StaticArray<f32>, bufFrames: i32): void {
    initFadeTable();
    this.sr = sampleRate > 0 && sampleRate < 1e7 ? sampleRate : 48000;
    this.bufRef = buf;
    this.buf = changetype<usize>(buf);
    let n = bufFrames < buf.length ? bufFrames : buf.length;
    this.frames = n > 0 ? n : 0;
    this.play = false;
    this.phase = 0;
    this.fadePhase = 0;
    this.xfade = 1;
    this.pending = false;
    this.rateNow = 1;
    this.rateTarget = 1;
    this.rateDist = 0;
    this.levelNow = 0;
    this.levelTarget = 0;
    this.levelDist = 0;
    this.loopStart = 0;
    this.loopEndReq = <f64>(this.frames - 1);
    this.applyLoop();
    this.setFadeTime(0.01);
    this.setRateSlewTime(0.001);
    this.setLevelSlewTime(0.001);
    this.setPan(0);
  }

  /** Play flag. Off: render adds nothing and the heads, slews and fades are frozen. On: resumes at once with
   *  the active head only (softcut run(): no fade-in; the level slew is the envelope). */
  setPlay(on: bool): void {
    if (on && !this.play) this.xfade = 1;
    this.play = on;
  }

  /** Loop start in seconds (clamped to the buffer). The loop is always on. */
  setLoopStart(sec: f64): void {
    if (!isFinite(sec)) return;
    this.loopStart = this.clampFrame(sec * <f64>this.sr);
    this.applyLoop();
  }

  /** Loop end in seconds (clamped to the buffer). A window shorter than one frame (or inverted) is widened to
   *  [loopStart, loopStart + 1 frame]; the head then plays fade-length grains from loopStart, as softcut does
   *  with a window shorter than its fade. */
  setLoopEnd(sec: f64): void {
    if (!isFinite(sec)) return;
    this.loopEndReq = this.clampFrame(sec * <f64>this.sr);
    this.applyLoop();
  }

  /**
   * Cut to `sec` (clamped to the buffer): the new position fades in while the old one fades out, over fadeTime.
   * If a fade is still running the cut waits for it to end (softcut's queue; a newer cut replaces a waiting one),
   * except when the voice is silent (level exactly 0): then it restarts the fade at once, since nothing can click.
   * With play off the position is set directly.
   */
  setPosition(sec: f64): void {
    if (!isFinite(sec)) return;
    const p = this.clampFrame(sec * <f64>this.sr);
    if (!this.play) {
      this.phase = p;
      this.xfade = 1;
      this.pending = false;
    } else if (this.xfade >= 1 || this.levelNow == 0) {
      this.fadePhase = this.phase;
      this.phase = p;
      this.xfade = 0;
      this.pending = false;
    } else {
      this.pending = true;
      this.pendingPhase = p;
    }
  }

  /** Target rate (1 = original speed, negative = backwards), clamped to ±64; reached through the rate slew. */
  setRate(rate: f64): void {
    if (isNaN(rate)) return;
    this.rateTarget = rate > REF_MAX_RATE ? REF_MAX_RATE : rate < -REF_MAX_RATE ? -REF_MAX_RATE : rate;
    this.rateDist = this.rateNow - this.rateTarget;
  }

  /** Rate slew: one-pole reaching −60 dB of a step in `sec` s (0 = instant). */
  setRateSlewTime(sec: f32): void {
    if (isNaN(sec)) return;
    this.ratePole = slewPole(<f64>sec, <f64>this.sr);
  }

  /** Target output level, linear (may exceed 1; clamped to ±16); reached through the level slew. */
  setLevel(level: f32): void {
    if (isNaN(level)) return;
    this.levelTarget = level > REF_MAX_LEVEL ? REF_MAX_LEVEL : level < -REF_MAX_LEVEL ? -REF_MAX_LEVEL : level;
    this.levelDist = this.levelNow - this.levelTarget;
  }

  /** Level slew: one-pole reaching −60 dB of a step in `sec` s (2 s → tau ≈ 0.2895 s; 0 = instant). */
  setLevelSlewTime(sec: f32): void {
    if (isNaN(sec)) return;
    this.levelPole = <f32>slewPole(<f64>sec, <f64>this.sr);
  }

  /** Crossfade time (s, 0..60) for loop wraps and cuts, in buffer time: it lasts sec/|rate| of real time. */
  setFadeTime(sec: f32): void {
    if (isNaN(sec)) return;
    const t: f32 = sec < 0 ? 0 : sec > REF_MAX_FADE_TIME ? REF_MAX_FADE_TIME : sec;
    const frames = t * this.sr;
    this.fadeUnit = frames > 1 ? <f32>1 / frames : 1;
  }

  /** Pan −1 (left) .. 1 (right), equal power: 0 gives 0.70710678 per side. */
  setPan(pan: f32): void {
    let p: f64 = isNaN(pan) ? 0 : <f64>pan;
    if (p < -1) p = -1;
    if (p > 1) p = 1;
    const a = (p + 1) * (Math.PI * 0.25);
    this.panL = <f32>Math.cos(a);
    this.panR = <f32>Math.sin(a);
  }

  /** Position of the newest (active) head, in seconds. */
  position(): f64 { return this.phase / <f64>this.sr; }
  /** Current (slewed) rate. */
  rate(): f64 { return this.rateNow; }
  /** Current (slewed) level. */
  level(): f32 { return this.levelNow; }
  playing(): bool { return this.play; }

  /**
   * ADD min(n, 256) samples of this voice into outL/outR (f32 pointers). Per sample: slews (only while moving),
   * one Hermite read per sounding sub-head (none while the level is 0), the phase step and the loop check.
   */
  render(outL: usize, outR: usize, n: i32): void {
    if (!this.play || n <= 0) return;
    if (n > 256) n = 256;
    const buf = this.buf;
    const frames = this.frames;
    const audible = frames > 0;
    const safeEnd = <f64>(frames - 2);
    let pending = this.pending;
    const loopStart = this.loopStart;
    const loopEnd = this.loopEnd;
    const fadeUnit = this.fadeUnit;
    const rateTarget = this.rateTarget;
    const ratePole = this.ratePole;
    const levelTarget = this.levelTarget;
    const levelPole = this.levelPole;
    const panL = this.panL;
    const panR = this.panR;
    let phase = this.phase;
    let fadePhase = this.fadePhase;
    let xfade = this.xfade;
    let rate = this.rateNow;
    let level = this.levelNow;
    let rateDist = this.rateDist;
    let levelDist = this.levelDist;
    let gainL = level * panL;
    let gainR = level * panR;

    for (let i = 0; i < n; i++) {
      if (rateDist != 0) {
        rateDist *= ratePole;
        if (Math.abs(rateDist) < REF_RATE_SNAP) rateDist = 0;
        rate = rateTarget + rateDist;
      }
      if (levelDist != 0) {
        levelDist *= levelPole;
        if (Mathf.abs(levelDist) < REF_LEVEL_SNAP) levelDist = 0;
        level = levelTarget + levelDist;
        gainL = level * panL;
        gainR = level * panR;
      }

      // Silent voices skip the reads but keep moving and wrapping (piwip's released voices run on, spec §6.2).
      if (level != 0 && audible) {
        let s = peek(buf, frames, safeEnd, phase);
        if (xfade < 1) s = s * fadeIn(xfade) + peek(buf, frames, safeEnd, fadePhase) * fadeOut(xfade);
        const l = outL + (<usize>i << 2);
        const r = outR + (<usize>i << 2);
        store<f32>(l, load<f32>(l) + s * gainL);
        store<f32>(r, load<f32>(r) + s * gainR);
      }

      phase += rate;
      if (xfade < 1) {
        fadePhase += rate;
        let speed = <f32>Math.abs(rate);
        if (speed < REF_FADE_MIN_RATE) speed = REF_FADE_MIN_RATE;
        xfade += speed * fadeUnit;
        if (xfade > 1) xfade = 1;
      }
      // Cuts only start once the previous fade is over (softcut's dequeueCrossfade), so at most two heads sound.
      if (xfade >= 1) {
        if (pending) {
          pending = false;
          fadePhase = phase;
          phase = this.pendingPhase;
          xfade = 0;
        } else if (phase > loopEnd || phase < loopStart) {
          // softcut: positive rate re-enters at the loop start, zero or negative rate at the loop end
          fadePhase = phase;
          phase = rate > 0 ? loopStart : loopEnd;
          xfade = 0;
        }
      }
    }

    this.pending = pending;
    this.phase = phase;
    this.fadePhase = fadePhase;
    this.xfade = xfade;
    this.rateNow = rate;
    this.rateDist = rateDist;
    this.levelNow = level;
    this.levelDist = levelDist;
  }

  private clampFrame(f: f64): f64 {
    const last = <f64>(this.frames > 0 ? this.frames - 1 : 0);
    return f < 0 ? 0 : f > last ? last : f;
  }

  private applyLoop(): void {
    const minEnd = this.loopStart + 1.0;
    this.loopEnd = this.loopEndReq >= minEnd ? this.loopEndReq : minEnd;
  }
}

/** A deterministic LCG in [0, 1). */
class Lcg {
  s: u32;
  constructor(seed: u32) { this.s = seed; }
  next(): f64 {
    this.s = this.s * 1664525 + 1013904223;
    return <f64>(this.s >> 8) / 16777216.0;
  }
  int(n: i32): i32 { return <i32>(this.next() * <f64>n); }
}

/** Applies the same random control change to both voices; returns whether the next render is left-only. */
function randomControl(rnd: Lcg, v: Voice, r: RefVoice, seconds: f64): void {
  const what = rnd.int(13);
  const x = rnd.next();
  if (what == 0) { const p = x * seconds * 1.1 - 0.05 * seconds; v.setPosition(p); r.setPosition(p); }
  else if (what == 1) {
    // rates: stills, slow, unity, fast, backwards, and exactly 1 (the common case)
    const k = rnd.int(6);
    const rate = k == 0 ? 0.0 : k == 1 ? 1.0 : k == 2 ? -1.0 : k == 3 ? (x - 0.5) * 0.2 : (x - 0.5) * 6.0;
    v.setRate(rate); r.setRate(rate);
  } else if (what == 2) { const l = <f32>(rnd.int(3) == 0 ? 0.0 : (x - 0.2) * 1.5); v.setLevel(l); r.setLevel(l); }
  else if (what == 3) { // instant, fast (per-sample slew steps) or slow (16-sample segments, piwip's 2 s)
    const k = rnd.int(3);
    const t = <f32>(k == 0 ? 0.0 : k == 1 ? x * 0.05 : 0.5 + x * 2.0);
    v.setLevelSlewTime(t); r.setLevelSlewTime(t);
  }
  else if (what == 4) { const t = <f32>(rnd.int(3) == 0 ? 0.0 : x * 0.02); v.setRateSlewTime(t); r.setRateSlewTime(t); }
  else if (what == 5) { const t = <f32>(x * 0.03); v.setFadeTime(t); r.setFadeTime(t); }
  else if (what == 6) { const t = x * seconds * 0.8; v.setLoopStart(t); r.setLoopStart(t); }
  else if (what == 7) { const t = x * seconds * 1.05; v.setLoopEnd(t); r.setLoopEnd(t); }
  else if (what == 8) { const on = rnd.int(4) != 0; v.setPlay(on); r.setPlay(on); }
  else if (what == 9) { const pan = <f32>(rnd.int(2) == 0 ? 0.0 : x * 2.0 - 1.0); v.setPan(pan); r.setPan(pan); }
  else if (what == 10) { // a cut while a fade runs (queued), then another
    const p = x * seconds; v.setPosition(p); r.setPosition(p);
    const q = rnd.next() * seconds; v.setPosition(q); r.setPosition(q);
  } else if (what == 11) { // a tiny window: constant crossfading, reads at the buffer edges
    const a = x * seconds; v.setLoopStart(a); r.setLoopStart(a); v.setLoopEnd(a + 0.0003); r.setLoopEnd(a + 0.0003);
  } else { // the whole buffer again
    v.setLoopStart(0); r.setLoopStart(0); v.setLoopEnd(seconds); r.setLoopEnd(seconds);
  }
}

/**
 * render's constant-rate runs step a slow level slew once per segment (distance × pole^K in f64, gains ramped
 * linearly in between) where the reference multiplies by the f32 pole every sample: two roundings of the same
 * one-pole curve (both within 2e-6 of the analytic curve, tested above). Heads, rates and fades are the same
 * arithmetic. Full scale is 1 (the mixes here reach ~2); measured worst difference 6.6e-7.
 */
const TOLERANCE: f32 = 1e-6;

describe("voice render against the per-sample reference", () => {
  it("the specialised loops match the reference in every state within 1e-6 (random controls, blocks, left-only mixes)", () => {
    const FRAMES = 3000;
    const seconds = <f64>FRAMES / <f64>SR;
    const buf = noiseBuf(FRAMES, 77);
    const outL = new StaticArray<f32>(256);
    const outR = new StaticArray<f32>(256);
    const refL = new StaticArray<f32>(256);
    const refR = new StaticArray<f32>(256);
    const base = new StaticArray<f32>(256);
    let mismatches = 0;
    let worst: f32 = 0;
    let rendered = 0;
    let leftOnly = 0;
    for (let seed: u32 = 1; seed <= 24; seed++) {
      const rnd = new Lcg(seed);
      const v = new Voice();
      const r = new RefVoice();
      v.init(SR, buf, FRAMES);
      r.init(SR, buf, FRAMES);
      v.setFadeTime(0.005); r.setFadeTime(0.005);
      v.setLevel(1); r.setLevel(1);
      v.setPlay(true); r.setPlay(true);
      for (let step = 0; step < 300; step++) {
        const changes = rnd.int(3);
        for (let c = 0; c < changes; c++) randomControl(rnd, v, r, seconds);
        const n = 1 + rnd.int(rnd.int(2) == 0 ? 256 : 24);
        // the mix is added to whatever the outputs hold
        for (let i = 0; i < 256; i++) {
          const x = <f32>(rnd.next() - 0.5);
          outL[i] = x; refL[i] = x; outR[i] = -x; refR[i] = -x; base[i] = -x;
        }
        const left = v.centred() && rnd.int(2) == 0;
        v.render(ptr(outL), left ? 0 : ptr(outR), n);
        r.render(ptr(refL), ptr(refR), n);
        for (let i = 0; i < 256; i++) {
          const d = Mathf.abs(outL[i] - refL[i]);
          if (!(d <= TOLERANCE)) mismatches++;
          if (d > worst) worst = d;
          // left-only leaves the right channel alone (bit for bit); the caller copies the left for a centred voice
          if (left) { if (reinterpret<u32>(outR[i]) != reinterpret<u32>(base[i])) mismatches++; }
          else {
            const e = Mathf.abs(outR[i] - refR[i]);
            if (!(e <= TOLERANCE)) mismatches++;
            if (e > worst) worst = e;
          }
        }
        // heads and rate: the same arithmetic, bit for bit; the level as the outputs, plus its snap onto the target
        // (|distance| < 1e-6), which a segment takes at its end
        if (reinterpret<u64>(v.position()) != reinterpret<u64>(r.position())) mismatches++;
        if (reinterpret<u64>(v.rate()) != reinterpret<u64>(r.rate())) mismatches++;
        if (!(Mathf.abs(v.level() - r.level()) <= 2 * TOLERANCE)) mismatches++;
        rendered += n;
        if (left) leftOnly++;
      }
    }
    expect<i32>(mismatches).toBe(0);
    expect<i32>(rendered).toBeGreaterThan(500000);
    expect<i32>(leftOnly).toBeGreaterThan(100);
  });
});
