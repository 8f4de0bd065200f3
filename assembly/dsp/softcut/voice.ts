// A softcut-like player voice: varispeed Hermite reads of the shared mono buffer with two crossfaded sub-heads
// (loop wraps and cuts), one-pole rate and level slews, equal-power pan. Follows softcut-lib's Voice /
// ReadWriteHead / SubHead, play-only (the recorder writes the buffer).
import { peek, peekClamped, clampedRead, hermiteC, hermiteC1, hermiteC2, hermiteC3 } from "./interp";
import { fadeIn, fadeOut, fadeTap, initFadeTable, FADE_SEGMENTS } from "./fade";
import { slewPole } from "./slew";
import { sincRead, initSincTable, SINC_BEFORE, SINC_AFTER } from "./sinc";

/** softcut clamps rates to ±64. */
export const MAX_RATE: f64 = 64.0;
/** Output levels are clamped to ±MAX_LEVEL so no finite input can overflow the mix. */
export const MAX_LEVEL: f32 = 16.0;
/** Longest fade accepted by setFadeTime (s). */
export const MAX_FADE_TIME: f32 = 60.0;
/**
 * Fades advance by |rate|/fadeFrames per sample, as in softcut, so a fade always spans fadeTime of *buffer*
 * material (it lasts fadeTime/|rate| s). Below this |rate| the fade speed is held, so that a cut at rate 0
 * still completes (softcut would stay mid-fade for ever); the longest fade is thus fadeTime/FADE_MIN_RATE.
 */
export const FADE_MIN_RATE: f32 = 0.125;
/** Below this distance a slewing level snaps onto its target (−120 dB: inaudible; stops denormals). */
const LEVEL_SNAP: f32 = 1e-6;
const RATE_SNAP: f64 = 1e-9;
/** Above the largest rounding of one f32 step of a crossfade's progress below 1 (2^-25). */
const FADE_STEP_ERR: f64 = 3e-8;
/** Longest level-slew segment (samples) and K·ln(1/pole) bound for a chord error (K·ln(1/pole))²/8 <= 2e-7. */
const LEVEL_SEG_MAX: i32 = 16;
const LEVEL_CHORD: f64 = 1.2649e-3;
/**
 * Safety margin (frames) of runLength. A run adds a constant rate to a phase at most 256 times; each f64 add is off
 * by at most half an ulp, under 2.5e-7 frames for any phase below 2^31, so the run's end is within 6.4e-5 frames
 * of phase + k·rate: 1e-3 keeps it strictly inside the window.
 */
const RUN_MARGIN: f64 = 1e-3;
/** After a run attempt found no sample it could take (a head within reach of the moving write head, near a loop
 *  end), the general sample goes on this many samples before the next attempt: a failed attempt costs about a
 *  quarter of a general sample under an interpreter. Runs and general samples compute the same bits. */
const RUN_RETRY: i32 = 4;

/**
 * pole^steps (steps >= 0) by squaring, in f64: a slew's distance after `steps` samples in one product. f64, so the
 * segment's factor carries no systematic f32 rounding (that would drift the curve by ~1 ulp per segment).
 */
function powSteps(pole: f64, steps: i32): f64 {
  let q = pole;
  let r: f64 = 1;
  for (let k = steps; k > 0; k >>= 1) {
    if (k & 1) r *= q;
    q *= q;
  }
  return r;
}

/**
 * How many samples (at most `limit`) heads at phases in [pMin, pMax], stepping by rates in [rLo, rUp] (a constant
 * rate, or a slew between the rate and its target: the one-pole never overshoots), certainly stay inside [lo, hi):
 * then neither the read-range nor the loop test can fire and the loop may skip them. 0 = unsure.
 */
// @ts-ignore: decorator
@inline function runLength(pMin: f64, pMax: f64, rLo: f64, rUp: f64, lo: f64, hi: f64, limit: i32): i32 {
  if (!(pMin >= lo && pMax < hi)) return 0;
  let room = <f64>limit;
  if (rUp > 0) {
    const r = (hi - RUN_MARGIN - pMax) / rUp;
    if (!(r >= room)) room = r;
  }
  if (rLo < 0) {
    const r = (pMin - lo - RUN_MARGIN) / -rLo;
    if (!(r >= room)) room = r;
  }
  if (room >= <f64>limit) return limit;
  return room >= 1.0 ? <i32>room : 0; // also 0 for NaN
}

/**
 * How many samples (at most `limit`) a head at pMax, stepping by at most rUp, certainly stays `reach` frames behind
 * the end of the written material min(l0 + i + k, lE) at each sample i + k while that end rises (the write head
 * moves one frame a sample): a head no faster than the write head never catches it. The stopped end lE is a
 * constant bound the caller gives runLength. 0 = unsure.
 */
// @ts-ignore: decorator
@inline function chaseLength(pMax: f64, rUp: f64, l0: f64, lE: f64, reach: f64, i: i32, limit: i32): i32 {
  const l = l0 + <f64>i;
  if (!(l < lE)) return limit;
  const gap = l - reach - RUN_MARGIN - pMax;
  if (!(gap > 0)) return 0;
  if (rUp <= 1.0) return limit;
  const room = gap / (rUp - 1.0);
  if (room >= <f64>limit) return limit;
  return room >= 1.0 ? <i32>room : 0;
}

/** peek() with the sinc read in range (phase in [SINC_BEFORE, safeEnd)); the clamped Hermite elsewhere. */
// @ts-ignore: decorator
@inline function peekSinc(buf: usize, frames: i32, safeEnd: f64, phase: f64): f32 {
  if (phase >= <f64>SINC_BEFORE && phase < safeEnd) {
    const j = <i32>phase;
    return sincRead(buf, j, <f32>(phase - <f64>j));
  }
  return peekClamped(buf, frames, phase);
}

/** "No limit": a voice nobody told where the written material ends reads its whole buffer (softcut). */
const UNLIMITED: f64 = 1e18;
/** Frames of slack (per unit of rate) between a wrap's fading-out head and the write head: f32 fade steps and the
 *  last sample's overshoot. */
const WRAP_MARGIN: f64 = 4.0;

/** Frames of the buffer holding written material at sample i of this render (see setWritten). */
// @ts-ignore: decorator
@inline function writtenAt(lim0: f64, limEnd: f64, i: i32): f64 {
  const l = lim0 + <f64>i;
  return l < limEnd ? l : limEnd;
}

/**
 * The latest phase from which a head moving forward at `rate` may start a loop crossfade of fadeLen buffer frames
 * and have its fading-out sub-head stay on written material to the end: behind a moving write head (rate 1) a head
 * faster than 1 gains fadeLen·(1 − 1/rate) on it during the fade; behind a stopped one it covers all of fadeLen.
 */
// @ts-ignore: decorator
@inline function wrapGuard(lim0: f64, limEnd: f64, fadeLen: f64, rate: f64, i: i32): f64 {
  const l = lim0 + <f64>i;
  const margin = WRAP_MARGIN * (1.0 + rate);
  if (l < limEnd) return l - (rate > 1.0 ? fadeLen * (1.0 - 1.0 / rate) : 0.0) - margin;
  return limEnd - fadeLen - margin;
}

/** The lowest wrapGuard over samples i.. of this render (a constant-rate run may skip them all untested): the
 *  guard only rises while the write head moves, and drops once where it stops. */
// @ts-ignore: decorator
@inline function runGuard(lim0: f64, limEnd: f64, fadeLen: f64, rate: f64, i: i32): f64 {
  const g = wrapGuard(lim0, limEnd, fadeLen, rate, i);
  const stopped = limEnd - fadeLen - WRAP_MARGIN * (1.0 + rate);
  return stopped < g ? stopped : g;
}

/**
 * 1 / the length (buffer frames) of a crossfade whose fading-out head starts at phase p moving at `rate` (the
 * faster of rate and target): fadeLen, or shorter when the written material ahead of p cannot hold a whole fade
 * (a head already past the guard: a note started close behind the write head, a cut near it).
 */
// @ts-ignore: decorator
@inline function fadeUnitFor(p: f64, rate: f64, lim0: f64, limEnd: f64, fadeLen: f64, fadeUnit: f32, i: i32): f32 {
  if (!(rate > 0)) return fadeUnit;
  const l = lim0 + <f64>i;
  const margin = WRAP_MARGIN * (1.0 + rate);
  let room: f64;
  if (l < limEnd) {
    if (rate <= 1.0) return fadeUnit;
    room = (l - p - margin) / (1.0 - 1.0 / rate);
  } else room = limEnd - p - margin;
  if (room >= fadeLen) return fadeUnit;
  return room > 1.0 ? <f32>(1.0 / room) : 1;
}

/**
 * Where a cut may land for a head moving forward at `rate`: far enough behind the end of the written material for
 * the cut's own crossfade and then a loop crossfade (2 × fadeLen) to stay on it; a later target is moved back here.
 */
// @ts-ignore: decorator
@inline function cutGuard(lim0: f64, limEnd: f64, fadeLen: f64, rate: f64, i: i32): f64 {
  const l = lim0 + <f64>i;
  const margin = WRAP_MARGIN * (1.0 + rate);
  if (l < limEnd) return l - (rate > 1.0 ? 2.0 * fadeLen * (1.0 - 1.0 / rate) : 0.0) - margin;
  return limEnd - 2.0 * fadeLen - margin;
}

/**
 * outside() with the guard computed only where it can matter: guardLow (per render) is below every wrapGuard of
 * the render (any rate up to MAX_RATE), so a head at or below it skips the division. Same result, less work.
 */
// @ts-ignore: decorator
@inline function outsideLazy(phase: f64, rate: f64, rateTarget: f64, loopStart: f64, loopEnd: f64, guardLow: f64,
  hl0: f64, hlE: f64, fadeLen: f64, i: i32): bool {
  if (phase > loopEnd || phase < loopStart) return true;
  if (!(rate > 0) || phase <= guardLow) return false;
  return phase > wrapGuard(hl0, hlE, fadeLen, rate > rateTarget ? rate : rateTarget, i);
}

/** Loop test: outside the window, or (moving forward) too close to the end of the written material to fade.
 *  The guard is computed for the faster of the rate and its target, as a fade started while the rate slews up
 *  ends at the target rate. */
// @ts-ignore: decorator
@inline function outside(phase: f64, rate: f64, loopStart: f64, loopEnd: f64, guard: f64): bool {
  return phase > loopEnd || phase < loopStart || (rate > 0 && phase > guard);
}

export class Voice {
  private sr: f32 = 48000;
  private bufRef: StaticArray<f32> | null = null; // keeps the buffer reachable; the loop uses `buf`
  private buf: usize = 0;
  private frames: i32 = 0;
  private play: bool = false;
  private sinc: bool = false; // interpolation = sinc (sinc.ts) instead of softcut's Hermite

  // Sub-heads. `phase` is the newest (active) head; `fadePhase` is the head fading out while xfade < 1.
  // The two gains are sin/cos of one crossfade progress, so they are always an exact equal-power pair.
  private phase: f64 = 0;
  private fadePhase: f64 = 0;
  private xfade: f32 = 1; // 0 → 1 over one fade; 1 = one head only
  private fadeUnit: f32 = 1; // 1 / fade length in frames
  private xfadeUnit: f32 = 1; // 1 / length of the running crossfade (fadeUnit, or shorter: fadeUnitFor)
  private fadeFresh: bool = false; // setPosition started a fade: its length is chosen at the next render
  private fadeLen: f64 = 1; // fade length in buffer frames
  // Where the written material ends (setWritten): frames written at sample i of the next render are
  // min(lim0 + i, limEnd); limEnd = UNLIMITED while the write head keeps moving through the whole render.
  private lim0: f64 = UNLIMITED;
  private limEnd: f64 = UNLIMITED;
  // A head that started at or ahead of the write head reads the previous take's material there (as softcut
  // does): the limit is for heads on this take's material only. One flag per sub-head.
  private headFree: bool = false;
  private fadeFree: bool = false;
  private limSeen: f64 = 0; // the written length the last render saw: a shorter one is a new take
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
  // Constant-rate runs apply the level slew in segments of levelSeg samples: the exact one-pole value at each
  // segment end (distance × levelPoleSeg = pole^levelSeg) and a linear gain ramp inside, within 2e-7 of the
  // per-sample curve for a unit step (levelSeg = 1 for fast slews: per sample).
  private levelSeg: i32 = 1;
  private levelPoleSeg: f64 = 0;
  // The open segment (segLeft samples still to go), carried across renders so a slew takes the same segments
  // whatever the block sizes: every path steps the gains by dGain per sample and lands on segLevel at its end.
  private segLeft: i32 = 0;
  private segLevel: f32 = 0;
  private segDist: f32 = 0;
  private segFrom: f32 = 0; // the level the segment started from (level() interpolates)
  private gainL: f32 = 0;
  private gainR: f32 = 0;
  private dGainL: f32 = 0;
  private dGainR: f32 = 0;
  private panL: f32 = 0.70710677;
  private panR: f32 = 0.70710677;

  /**
   * Attach the shared buffer and reset to softcut's defaults: play off, position 0, rate 1, level 0,
   * pan centre, fade 0.01 s, rate and level slews 0.001 s, loop = the whole buffer.
   * bufFrames is clamped to buf.length; a buffer of 0 frames makes the voice silent.
   */
  init(sampleRate: f32, buf: StaticArray<f32>, bufFrames: i32): void {
    initFadeTable();
    initSincTable();
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
    this.segLeft = 0;
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

  /** Interpolation of the reads: false = softcut's 4-point Hermite, true = the 12-tap windowed sinc (sinc.ts). */
  setInterpolation(sinc: bool): void { this.sinc = sinc; }

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
      this.fadeFresh = true;
    } else if (this.xfade >= 1 || this.levelNow == 0) {
      this.fadePhase = this.phase;
      this.phase = p;
      this.xfade = 0;
      this.fadeFresh = true;
      this.pending = false;
    } else {
      this.pending = true;
      this.pendingPhase = p;
    }
  }

  /** Target rate (1 = original speed, negative = backwards), clamped to ±64; reached through the rate slew. */
  setRate(rate: f64): void {
    if (isNaN(rate)) return;
    this.rateTarget = rate > MAX_RATE ? MAX_RATE : rate < -MAX_RATE ? -MAX_RATE : rate;
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
    this.settle();
    // targets below −120 dB are silence: a denormal target would make every sample a denormal (soak finding)
    this.levelTarget = level > MAX_LEVEL ? MAX_LEVEL : level < -MAX_LEVEL ? -MAX_LEVEL : Mathf.abs(level) < LEVEL_SNAP ? 0 : level;
    this.levelDist = this.levelNow - this.levelTarget;
  }

  /** Close an open level segment where it stands (a new target, slew time or pan starts afresh from here). */
  private settle(): void {
    if (this.segLeft == 0) return;
    this.levelNow = this.level();
    this.levelDist = this.levelNow - this.levelTarget;
    this.segLeft = 0;
  }

  /** Level slew: one-pole reaching −60 dB of a step in `sec` s (2 s → tau ≈ 0.2895 s; 0 = instant). */
  setLevelSlewTime(sec: f32): void {
    if (isNaN(sec)) return;
    const pole = <f32>slewPole(<f64>sec, <f64>this.sr);
    this.settle();
    this.levelPole = pole;
    // A chord of the exponential over K samples is off by at most (K·ln(1/pole))²/8 of the step.
    let seg = 1;
    if (pole > 0) {
      const k = LEVEL_CHORD / -Math.log(<f64>pole);
      seg = k >= <f64>LEVEL_SEG_MAX ? LEVEL_SEG_MAX : k >= 1.0 ? <i32>k : 1;
    }
    this.levelSeg = seg;
    this.levelPoleSeg = powSteps(<f64>pole, seg);
  }

  /** Crossfade time (s, 0..60) for loop wraps and cuts, in buffer time: it lasts sec/|rate| of real time. */
  setFadeTime(sec: f32): void {
    if (isNaN(sec)) return;
    const t: f32 = sec < 0 ? 0 : sec > MAX_FADE_TIME ? MAX_FADE_TIME : sec;
    const frames = t * this.sr;
    this.fadeUnit = frames > 1 ? <f32>1 / frames : 1;
    this.fadeLen = frames > 1 ? <f64>frames : 1;
    this.xfadeUnit = this.fadeUnit; // a running fade takes the new time at once, as in softcut
  }

  /**
   * Where the material written into the buffer ends, for the next render only: at its sample i the frames
   * [0, min(first + i, last)) hold written audio (a write head at rate 1 that stops at `last`; last = first: it
   * stands). No head reads past it: loop crossfades start early enough that the fading-out head stays on written
   * material, and a read that would still reach past it (the write head stopped mid-fade) holds the last written
   * sample. `moving` = the write head runs on through the whole render (last is then ignored).
   * Never called: the whole buffer counts as written (softcut).
   */
  setWritten(first: f64, last: f64, moving: bool): void {
    this.lim0 = first < 1 ? 1 : first;
    this.limEnd = moving ? UNLIMITED : last < 1 ? 1 : last;
  }

  /** Pan −1 (left) .. 1 (right), equal power: 0 gives 0.70710678 per side. */
  setPan(pan: f32): void {
    let p: f64 = isNaN(pan) ? 0 : <f64>pan;
    if (p < -1) p = -1;
    if (p > 1) p = 1;
    const a = (p + 1) * (Math.PI * 0.25);
    this.settle();
    this.panL = <f32>Math.cos(a);
    this.panR = <f32>Math.sin(a);
  }

  /** Position of the newest (active) head, in seconds. */
  position(): f64 { return this.phase / <f64>this.sr; }
  /** Current (slewed) rate. */
  rate(): f64 { return this.rateNow; }
  /** Current (slewed) level. */
  level(): f32 {
    if (this.segLeft == 0) return this.levelNow;
    const k = <f32>(this.levelSeg - this.segLeft) / <f32>this.levelSeg;
    return this.segFrom + (this.segLevel - this.segFrom) * k;
  }
  playing(): bool { return this.play; }
  /** Both channels get the same gain (bit for bit), so they receive identical samples. */
  centred(): bool { return reinterpret<u32>(this.panL) == reinterpret<u32>(this.panR); }

  /**
   * ADD min(n, 256) samples of this voice into outL/outR (f32 pointers; outR = 0: the left channel only, for a
   * centred voice whose right channel the caller copies). Per sample: slews (only while moving), one Hermite read
   * per sounding sub-head (none while the level is 0), the phase step and the loop check.
   * The same per-sample arithmetic runs in loops specialised by state, so the common cases test little and keep
   * their Hermite taps and fade-table entries in locals: silent with one head, one head, crossfading, and the
   * general sample (a queued cut waits for the fade to end) that the others fall back to. At a constant rate the
   * one-head and crossfade loops first take the run of samples that provably stays inside the loop window and the
   * fast-read range (runLength), without testing it per sample.
   */
  render(outL: usize, outR: usize, n: i32): void {
    if (!this.play || n <= 0) return;
    // one compiled copy per interpolation (K = f64: sinc), so neither pays for the other's branches and registers
    if (this.sinc) this.renderAs<f64>(outL, outR, n);
    else this.renderAs<f32>(outL, outR, n);
  }

  private renderAs<K>(outL: usize, outR: usize, n: i32): void {
    if (n > 256) n = 256;
    const buf = this.buf;
    const frames = this.frames;
    const audible = frames > 0;
    // the fast reads' reach around the read frame: Hermite j − 1 .. j + 2, sinc j − 5 .. j + 6 (nearer the buffer's
    // edges or the written material's end a read takes the clamped Hermite: a few frames, once per pass)
    // a compile-time constant: the other interpolation's code is not emitted (sinc reads its own taps, so the sinc
    // copy keeps no Hermite taps or coefficients: every `!sinc && j != tap` block is `false` there)
    const sinc = sizeof<K>() == 8;
    const reachLo: f64 = sinc ? <f64>SINC_BEFORE : 1.0;
    const reachHi: f64 = sinc ? <f64>SINC_AFTER : 2.0;
    const safeEnd = <f64>frames - reachHi;
    let pending = this.pending;
    const levelSeg = this.levelSeg;
    const levelPoleSeg = this.levelPoleSeg;
    const loopStart = this.loopStart;
    const loopEnd = this.loopEnd;
    const fadeUnit = this.fadeUnit;
    let xunit = this.xfadeUnit;
    const rateTarget = this.rateTarget;
    const ratePole = this.ratePole;
    const levelTarget = this.levelTarget;
    const panL = this.panL;
    const panR = this.panR;
    let phase = this.phase;
    let fadePhase = this.fadePhase;
    let xfade = this.xfade;
    let rate = this.rateNow;
    let level = this.levelNow;
    let rateDist = this.rateDist;
    let levelDist = this.levelDist;
    let segLeft = this.segLeft;
    let segLevel = this.segLevel;
    let segDist = this.segDist;
    let segFrom = this.segFrom;
    let gainL = segLeft != 0 ? this.gainL : level * panL;
    let gainR = segLeft != 0 ? this.gainR : level * panR;
    let dGainL = this.dGainL;
    let dGainR = this.dGainR;
    const invSeg = <f32>1 / <f32>levelSeg;
    // left channel only and centred: gainR and dGainR are bit for bit gainL and dGainL (same level, same pan
    // factor, same ops), so the hot loops skip them and copy the left one
    const mono = outR == 0 && reinterpret<u32>(panL) == reinterpret<u32>(panR);
    // the one-head window: reads take peek()'s in-range case and the loop check passes
    const runLo = loopStart > reachLo ? loopStart : reachLo;
    const runHi = loopEnd < safeEnd ? loopEnd : safeEnd;
    const lim0 = this.lim0;
    const limEnd = this.limEnd;
    const fadeLen = this.fadeLen;
    const framesF = <f64>frames;
    const rateUp = rateTarget > this.rateNow ? rateTarget : this.rateNow;
    let headFree = this.headFree;
    let fadeFree = this.fadeFree;
    const w0 = writtenAt(lim0, limEnd, 0);
    // below these no head's wrap guard or read limit can bite during this render (see outsideLazy)
    const limLow = lim0 < limEnd ? lim0 : limEnd;
    const guardLow = limLow - fadeLen - WRAP_MARGIN * (1.0 + MAX_RATE);
    const readLow = limLow - reachHi;
    // a new take writes from 0 again: heads now ahead of its write head read the previous take there
    const newTake = w0 < this.limSeen;
    this.limSeen = writtenAt(lim0, limEnd, n);
    if (this.fadeFresh) {
      // a cut (setPosition) since the last render: a target on this take's material stays far enough behind the
      // write head, and the fade is no longer than the fading-out head's written material allows
      this.fadeFresh = false;
      // the cut moved the old active head to fadePhase: it keeps its flag, or is tested afresh at a new take
      fadeFree = newTake ? fadePhase >= w0 : headFree;
      headFree = phase >= w0;
      if (rateUp > 0 && !headFree) {
        let g = cutGuard(lim0, limEnd, this.fadeLen, rateUp, 0);
        if (g < loopStart) g = loopStart;
        if (phase > g) phase = g;
      }
      if (xfade < 1 && !fadeFree) xunit = fadeUnitFor(fadePhase, rateUp, lim0, limEnd, fadeLen, fadeUnit, 0);
    } else if (newTake) {
      headFree = phase >= w0;
      fadeFree = fadePhase >= w0;
    }
    // the active head's and the fading head's limits (UNLIMITED for a free head)
    let hl0 = headFree ? UNLIMITED : lim0, hlE = headFree ? UNLIMITED : limEnd;
    let fl0 = fadeFree ? UNLIMITED : lim0, flE = fadeFree ? UNLIMITED : limEnd;

    let i = 0;
    while (i < n) {
      if (!pending && xfade >= 1) {
        if (levelDist == 0 && segLeft == 0 && (level == 0 || !audible)) {
          // Silent and settled: only the head moves (piwip's released voices run on, spec §6.2).
          {
            // a slewing rate stays between the rate and its target: the run is bounded with the extremes
            const rUp = rate > rateTarget ? rate : rateTarget;
            const rLo = rate < rateTarget ? rate : rateTarget;
            let hi = loopEnd;
            if (rUp > 0) {
              const g = runGuard(hl0, hlE, fadeLen, rUp, i);
              if (g < hi) hi = g;
            }
            const end = i + runLength(phase, phase, rLo, rUp, loopStart, hi, n - i);
            if (rateDist == 0) {
              for (; i < end; i++) phase += rate;
            } else {
              for (; i < end; i++) {
                rateDist *= ratePole;
                if (rateDist < RATE_SNAP && rateDist > -RATE_SNAP) rateDist = 0;
                rate = rateTarget + rateDist;
                phase += rate;
              }
            }
          }
          while (i < n) {
            if (rateDist != 0) {
              rateDist *= ratePole;
              if (rateDist < RATE_SNAP && rateDist > -RATE_SNAP) rateDist = 0;
              rate = rateTarget + rateDist;
            }
            phase += rate;
            i++;
            if (outsideLazy(phase, rate, rateTarget, loopStart, loopEnd, guardLow, hl0, hlE, fadeLen, i)) break;
          }
        } else {
          // One head. y0..y3 are the Hermite taps of the last read: at |rate| <= 1 the next read shares 3 or 4.
          let tap = -2;
          let y0: f32 = 0, y1: f32 = 0, y2: f32 = 0, y3: f32 = 0;
          let c1: f32 = 0, c2: f32 = 0, c3: f32 = 0; // the Hermite coefficients of the taps
          let retry = 0; // samples before the next run attempt (see RUN_RETRY)
          while (i < n) {
            if (retry != 0) retry--;
            else {
              const rUp = rate > rateTarget ? rate : rateTarget;
              const rLo = rate < rateTarget ? rate : rateTarget;
              let hi = runHi;
              const rd = hlE - reachHi;
              if (rd < hi) hi = rd;
              if (rUp > 0) {
                const g = runGuard(hl0, hlE, fadeLen, rUp, i);
                if (g < hi) hi = g;
              }
              const end = i + chaseLength(phase, rUp, hl0, hlE, reachHi, i, runLength(phase, phase, rLo, rUp, runLo, hi, n - i));
              if (end == i) retry = RUN_RETRY;
              while (i < end) {
                // up to the open level segment's end (or the run's): gains ramped, the exact value at the end
                let segEnd = end;
                let dL: f32 = 0, dR: f32 = 0;
                if (segLeft == 0 && levelDist != 0) { // open a level segment: the slew's exact value at its end
                  let nd = <f32>(<f64>levelDist * levelPoleSeg);
                  if (nd < LEVEL_SNAP && nd > -LEVEL_SNAP) nd = 0;
                  segDist = nd;
                  segLevel = levelTarget + nd;
                  segFrom = level;
                  dGainL = (segLevel * panL - gainL) * invSeg;
                  dGainR = (segLevel * panR - gainR) * invSeg;
                  segLeft = levelSeg;
                }
                if (segLeft != 0) {
                  if (i + segLeft < segEnd) segEnd = i + segLeft;
                  dL = dGainL;
                  dR = dGainR;
                }
                const taken = segEnd - i;
                if (rateDist == 0 && mono) {
                  // one channel: the output pointer steps, no right gain (it equals the left one, see `mono`)
                  let o = outL + (<usize>i << 2);
                  const oEnd = outL + (<usize>segEnd << 2);
                  do { // o < oEnd here: a do-while tests once per sample (a for loop twice under wasm3)
                    gainL += dL;
                    const j = <i32>phase;
                    if (!sinc && j != tap) {
                      // the next frame (|rate| near 1): one load, its address without a stored pointer
                      if (j == tap + 1) { y0 = y1; y1 = y2; y2 = y3; y3 = load<f32>(buf + (<usize>j << 2), 8); }
                      else {
                        const p = buf + (<usize>(j - 1) << 2);
                        if (j == tap - 1) { y3 = y2; y2 = y1; y1 = y0; y0 = load<f32>(p); }
                        else { y0 = load<f32>(p); y1 = load<f32>(p, 4); y2 = load<f32>(p, 8); y3 = load<f32>(p, 12); }
                      }
                      tap = j;
                      c1 = hermiteC1(y0, y2); c3 = hermiteC3(y0, y1, y2, y3); c2 = hermiteC2(y0, y1, c1, c3);
                    }
                    const s = (sinc ? sincRead(buf, j, <f32>(phase - <f64>j)) : hermiteC(<f32>(phase - <f64>j), c1, c2, c3, y1));
                    store<f32>(o, load<f32>(o) + s * gainL);
                    phase += rate;
                    o += 4;
                  } while (o < oEnd);
                  i = segEnd;
                  gainR = gainL;
                } else {
                  // the rate slew, per sample as in the general sample below: same bits; also a constant rate on two
                  // channels (never in piwip, whose voices are centred), where the slew step leaves the rate as it is
                  for (; i < segEnd; i++) {
                    rateDist *= ratePole;
                    if (rateDist < RATE_SNAP && rateDist > -RATE_SNAP) rateDist = 0;
                    rate = rateTarget + rateDist;
                    gainL += dL;
                    gainR += dR;
                    const j = <i32>phase;
                    if (!sinc && j != tap) {
                      if (j == tap + 1) { y0 = y1; y1 = y2; y2 = y3; y3 = load<f32>(buf + (<usize>j << 2), 8); }
                      else {
                        const p = buf + (<usize>(j - 1) << 2);
                        if (j == tap - 1) { y3 = y2; y2 = y1; y1 = y0; y0 = load<f32>(p); }
                        else { y0 = load<f32>(p); y1 = load<f32>(p, 4); y2 = load<f32>(p, 8); y3 = load<f32>(p, 12); }
                      }
                      tap = j;
                      c1 = hermiteC1(y0, y2); c3 = hermiteC3(y0, y1, y2, y3); c2 = hermiteC2(y0, y1, c1, c3);
                    }
                    const s = (sinc ? sincRead(buf, j, <f32>(phase - <f64>j)) : hermiteC(<f32>(phase - <f64>j), c1, c2, c3, y1));
                    const o = <usize>i << 2;
                    store<f32>(outL + o, load<f32>(outL + o) + s * gainL);
                    if (outR != 0) store<f32>(outR + o, load<f32>(outR + o) + s * gainR);
                    phase += rate;
                  }
                }
                if (segLeft != 0) {
                  segLeft -= taken;
                  if (segLeft == 0) { levelDist = segDist; level = segLevel; gainL = level * panL; gainR = level * panR; }
                }
              }
              if (i >= n) break;
            }
            if (rateDist != 0) {
              rateDist *= ratePole;
              if (rateDist < RATE_SNAP && rateDist > -RATE_SNAP) rateDist = 0;
              rate = rateTarget + rateDist;
            }
            if (segLeft == 0 && levelDist != 0) { // open a level segment: the slew's exact value at its end
              let nd = <f32>(<f64>levelDist * levelPoleSeg);
              if (nd < LEVEL_SNAP && nd > -LEVEL_SNAP) nd = 0;
              segDist = nd;
              segLevel = levelTarget + nd;
              segFrom = level;
              dGainL = (segLevel * panL - gainL) * invSeg;
              dGainR = (segLevel * panR - gainR) * invSeg;
              segLeft = levelSeg;
            }
            if (segLeft != 0) { gainL += dGainL; gainR += dGainR; }
            if ((level != 0 || segLeft != 0) && audible) {
              let s: f32;
              let inRange = phase >= reachLo && phase < safeEnd; // peek()'s in-range case, on written material
              if (inRange && !(phase < readLow)) inRange = phase < writtenAt(hl0, hlE, i) - reachHi;
              if (inRange) {
                const j = <i32>phase;
                if (!sinc && j != tap) {
                  if (j == tap + 1) { y0 = y1; y1 = y2; y2 = y3; y3 = load<f32>(buf + (<usize>j << 2), 8); }
                  else {
                    const p = buf + (<usize>(j - 1) << 2);
                    if (j == tap - 1) { y3 = y2; y2 = y1; y1 = y0; y0 = load<f32>(p); }
                    else { y0 = load<f32>(p); y1 = load<f32>(p, 4); y2 = load<f32>(p, 8); y3 = load<f32>(p, 12); }
                  }
                  tap = j;
                  c1 = hermiteC1(y0, y2); c3 = hermiteC3(y0, y1, y2, y3); c2 = hermiteC2(y0, y1, c1, c3);
                }
                s = (sinc ? sincRead(buf, j, <f32>(phase - <f64>j)) : hermiteC(<f32>(phase - <f64>j), c1, c2, c3, y1));
              } else {
                const w = writtenAt(hl0, hlE, i);
                s = peekClamped(buf, w < framesF ? <i32>w : frames, phase);
              }
              const o = <usize>i << 2;
              store<f32>(outL + o, load<f32>(outL + o) + s * gainL);
              if (outR != 0) store<f32>(outR + o, load<f32>(outR + o) + s * gainR);
            }
            if (segLeft != 0) {
              segLeft--;
              if (segLeft == 0) { levelDist = segDist; level = segLevel; gainL = level * panL; gainR = level * panR; }
            }
            phase += rate;
            i++;
            if (outsideLazy(phase, rate, rateTarget, loopStart, loopEnd, guardLow, hl0, hlE, fadeLen, i)) break;
          }
        }
        if (outsideLazy(phase, rate, rateTarget, loopStart, loopEnd, guardLow, hl0, hlE, fadeLen, i)) {
          // softcut: positive rate re-enters at the loop start, zero or negative rate at the loop end
          fadePhase = phase;
          phase = rate > 0 ? loopStart : loopEnd;
          xfade = 0;
          fadeFree = headFree; fl0 = hl0; flE = hlE;
          headFree = phase >= writtenAt(lim0, limEnd, i);
          hl0 = headFree ? UNLIMITED : lim0; hlE = headFree ? UNLIMITED : limEnd;
          xunit = fadeFree ? fadeUnit : fadeUnitFor(fadePhase, rate > rateTarget ? rate : rateTarget, fl0, flE, fadeLen, fadeUnit, i);
        }
        continue;
      }

      if (xfade < 1) {
        // (a cut waiting for the fade is taken where it ends, below: softcut's dequeueCrossfade)
        // Crossfading. Taps of both heads as above, and the fade table's four entries around the current segment
        // (a segment lasts many samples): fadeIn(xfade) = inA + (inB − inA)·fr, fadeOut(xfade) likewise.
        let speed = <f32>Math.abs(rate);
        if (speed < FADE_MIN_RATE) speed = FADE_MIN_RATE;
        let fadeStep = speed * xunit;
        let tap = -2;
        let y0: f32 = 0, y1: f32 = 0, y2: f32 = 0, y3: f32 = 0;
        let c1: f32 = 0, c2: f32 = 0, c3: f32 = 0;
        let tapF = -2;
        let z0: f32 = 0, z1: f32 = 0, z2: f32 = 0, z3: f32 = 0;
        let d1: f32 = 0, d2: f32 = 0, d3: f32 = 0;
        let seg = -1;
        let inA: f32 = 0, inB: f32 = 0, outA: f32 = 0, outB: f32 = 0;
        let retry = 0; // samples before the next run attempt (see RUN_RETRY)
        while (i < n) {
          if (retry != 0) retry--;
          else {
            const rUp = rate > rateTarget ? rate : rateTarget;
            const rLo = rate < rateTarget ? rate : rateTarget;
            const lo = phase < fadePhase ? phase : fadePhase;
            const hi = phase < fadePhase ? fadePhase : phase;
            // the reads stay on written material: below the stopped end (a constant) and behind the moving one
            let top = safeEnd;
            const rdA = hlE - reachHi;
            const rdB = flE - reachHi;
            if (rdA < top) top = rdA;
            if (rdB < top) top = rdB;
            let room = runLength(lo, hi, rLo, rUp, reachLo, top, n - i);
            room = chaseLength(phase, rUp, hl0, hlE, reachHi, i, room);
            room = chaseLength(fadePhase, rUp, fl0, flE, reachHi, i, room);
            if (room == 0) retry = RUN_RETRY;
            const end = i + room;
            while (i < end) {
              let segEnd = end;
              let dL: f32 = 0, dR: f32 = 0;
              if (segLeft == 0 && levelDist != 0) { // open a level segment: the slew's exact value at its end
                let nd = <f32>(<f64>levelDist * levelPoleSeg);
                if (nd < LEVEL_SNAP && nd > -LEVEL_SNAP) nd = 0;
                segDist = nd;
                segLevel = levelTarget + nd;
                segFrom = level;
                dGainL = (segLevel * panL - gainL) * invSeg;
                dGainR = (segLevel * panR - gainR) * invSeg;
                segLeft = levelSeg;
              }
              if (segLeft != 0) {
                if (i + segLeft < segEnd) segEnd = i + segLeft;
                dL = dGainL;
                dR = dGainR;
              }
              const segStart = i;
              if (rateDist == 0 && mono) {
                let o = outL + (<usize>i << 2);
                const oEnd = outL + (<usize>segEnd << 2);
                while (o < oEnd) {
                  // One fade-table segment at a time: its entries and slopes once, then the samples that provably
                  // stay in it and short of the fade's end, with no per-sample segment or end test. xfade·256 is
                  // exact (a power of two), so the segment changes exactly where xfade reaches (k + 1)/256; each f32
                  // step of xfade (< 1) rounds by at most 2^-25, so m samples with m·(step + 3e-8) <= that distance
                  // stay inside. fr and the sums are the per-sample loop's: the same bits.
                  const k = <i32>(xfade * <f32>FADE_SEGMENTS);
                  if (k != seg) {
                    inA = fadeTap(k); inB = fadeTap(k + 1);
                    outA = fadeTap(FADE_SEGMENTS - k); outB = fadeTap(FADE_SEGMENTS - k - 1);
                    seg = k;
                  }
                  const kF = <f32>k;
                  const dIn = inB - inA;
                  const dOut = outB - outA;
                  const room = (<f64>(k + 1) / <f64>FADE_SEGMENTS - <f64>xfade) / (<f64>fadeStep + FADE_STEP_ERR);
                  const left = <f64>(<i32>((oEnd - o) >> 2));
                  const m = room < 1.0 ? 1 : <i32>(room < left ? room : left);
                  const stop = o + (<usize>m << 2);
                  do { // m >= 1
                    gainL += dL;
                    const j = <i32>phase;
                    if (!sinc && j != tap) {
                      // the next frame (|rate| near 1): one load, its address without a stored pointer
                      if (j == tap + 1) { y0 = y1; y1 = y2; y2 = y3; y3 = load<f32>(buf + (<usize>j << 2), 8); }
                      else {
                        const p = buf + (<usize>(j - 1) << 2);
                        if (j == tap - 1) { y3 = y2; y2 = y1; y1 = y0; y0 = load<f32>(p); }
                        else { y0 = load<f32>(p); y1 = load<f32>(p, 4); y2 = load<f32>(p, 8); y3 = load<f32>(p, 12); }
                      }
                      tap = j;
                      c1 = hermiteC1(y0, y2); c3 = hermiteC3(y0, y1, y2, y3); c2 = hermiteC2(y0, y1, c1, c3);
                    }
                    const a = (sinc ? sincRead(buf, j, <f32>(phase - <f64>j)) : hermiteC(<f32>(phase - <f64>j), c1, c2, c3, y1));
                    const jf = <i32>fadePhase;
                    if (!sinc && jf != tapF) {
                      // the next frame (|rate| near 1): one load, its address without a stored pointer
                      if (jf == tapF + 1) { z0 = z1; z1 = z2; z2 = z3; z3 = load<f32>(buf + (<usize>jf << 2), 8); }
                      else {
                        const p = buf + (<usize>(jf - 1) << 2);
                        if (jf == tapF - 1) { z3 = z2; z2 = z1; z1 = z0; z0 = load<f32>(p); }
                        else { z0 = load<f32>(p); z1 = load<f32>(p, 4); z2 = load<f32>(p, 8); z3 = load<f32>(p, 12); }
                      }
                      tapF = jf;
                      d1 = hermiteC1(z0, z2); d3 = hermiteC3(z0, z1, z2, z3); d2 = hermiteC2(z0, z1, d1, d3);
                    }
                    const b = (sinc ? sincRead(buf, jf, <f32>(fadePhase - <f64>jf)) : hermiteC(<f32>(fadePhase - <f64>jf), d1, d2, d3, z1));
                    const fr = xfade * <f32>FADE_SEGMENTS - kF;
                    const s = a * (inA + dIn * fr) + b * (outA + dOut * fr);
                    store<f32>(o, load<f32>(o) + s * gainL);
                    phase += rate;
                    fadePhase += rate;
                    xfade += fadeStep;
                    o += 4;
                  } while (o < stop);
                  if (xfade >= 1) break;
                }
                i = <i32>((o - outL) >> 2);
                gainR = gainL;
              } else {
                // the rate slew and the fade speed, per sample as in the general crossfade sample below; also a
                // constant rate on two channels (never in piwip), where the slew step leaves rate and speed as they are
                while (i < segEnd) {
                  rateDist *= ratePole;
                  if (rateDist < RATE_SNAP && rateDist > -RATE_SNAP) rateDist = 0;
                  rate = rateTarget + rateDist;
                  speed = <f32>Math.abs(rate);
                  if (speed < FADE_MIN_RATE) speed = FADE_MIN_RATE;
                  fadeStep = speed * xunit;
                  gainL += dL;
                  gainR += dR;
                  const j = <i32>phase;
                  if (!sinc && j != tap) {
                    if (j == tap + 1) { y0 = y1; y1 = y2; y2 = y3; y3 = load<f32>(buf + (<usize>j << 2), 8); }
                    else {
                      const p = buf + (<usize>(j - 1) << 2);
                      if (j == tap - 1) { y3 = y2; y2 = y1; y1 = y0; y0 = load<f32>(p); }
                      else { y0 = load<f32>(p); y1 = load<f32>(p, 4); y2 = load<f32>(p, 8); y3 = load<f32>(p, 12); }
                    }
                    tap = j;
                    c1 = hermiteC1(y0, y2); c3 = hermiteC3(y0, y1, y2, y3); c2 = hermiteC2(y0, y1, c1, c3);
                  }
                  const a = (sinc ? sincRead(buf, j, <f32>(phase - <f64>j)) : hermiteC(<f32>(phase - <f64>j), c1, c2, c3, y1));
                  const jf = <i32>fadePhase;
                  if (!sinc && jf != tapF) {
                    if (jf == tapF + 1) { z0 = z1; z1 = z2; z2 = z3; z3 = load<f32>(buf + (<usize>jf << 2), 8); }
                    else {
                      const p = buf + (<usize>(jf - 1) << 2);
                      if (jf == tapF - 1) { z3 = z2; z2 = z1; z1 = z0; z0 = load<f32>(p); }
                      else { z0 = load<f32>(p); z1 = load<f32>(p, 4); z2 = load<f32>(p, 8); z3 = load<f32>(p, 12); }
                    }
                    tapF = jf;
                    d1 = hermiteC1(z0, z2); d3 = hermiteC3(z0, z1, z2, z3); d2 = hermiteC2(z0, z1, d1, d3);
                  }
                  const b = (sinc ? sincRead(buf, jf, <f32>(fadePhase - <f64>jf)) : hermiteC(<f32>(fadePhase - <f64>jf), d1, d2, d3, z1));
                  const xi = xfade * <f32>FADE_SEGMENTS;
                  const k = <i32>xi;
                  if (k != seg) {
                    inA = fadeTap(k); inB = fadeTap(k + 1);
                    outA = fadeTap(FADE_SEGMENTS - k); outB = fadeTap(FADE_SEGMENTS - k - 1);
                    seg = k;
                  }
                  const fr = xi - <f32>k;
                  const s = a * (inA + (inB - inA) * fr) + b * (outA + (outB - outA) * fr);
                  const o = <usize>i << 2;
                  store<f32>(outL + o, load<f32>(outL + o) + s * gainL);
                  if (outR != 0) store<f32>(outR + o, load<f32>(outR + o) + s * gainR);
                  phase += rate;
                  fadePhase += rate;
                  xfade += fadeStep;
                  i++;
                  if (xfade >= 1) break;
                }
              }
              if (segLeft != 0) { // the fade may end inside the segment: it stays open for the next loop
                segLeft -= i - segStart;
                if (segLeft == 0) { levelDist = segDist; level = segLevel; gainL = level * panL; gainR = level * panR; }
              }
              if (xfade >= 1) break;
            }
            if (xfade >= 1 || i >= n) break;
          }
          if (rateDist != 0) {
            rateDist *= ratePole;
            if (rateDist < RATE_SNAP && rateDist > -RATE_SNAP) rateDist = 0;
            rate = rateTarget + rateDist;
            speed = <f32>Math.abs(rate);
            if (speed < FADE_MIN_RATE) speed = FADE_MIN_RATE;
            fadeStep = speed * xunit;
          }
          if (segLeft == 0 && levelDist != 0) { // open a level segment: the slew's exact value at its end
            let nd = <f32>(<f64>levelDist * levelPoleSeg);
            if (nd < LEVEL_SNAP && nd > -LEVEL_SNAP) nd = 0;
            segDist = nd;
            segLevel = levelTarget + nd;
            segFrom = level;
            dGainL = (segLevel * panL - gainL) * invSeg;
            dGainR = (segLevel * panR - gainR) * invSeg;
            segLeft = levelSeg;
          }
          if (segLeft != 0) { gainL += dGainL; gainR += dGainR; }
          if ((level != 0 || segLeft != 0) && audible) {
            let a: f32;
            let okA = phase >= reachLo && phase < safeEnd;
            if (okA && !(phase < readLow)) okA = phase < writtenAt(hl0, hlE, i) - reachHi;
            if (okA) {
              const j = <i32>phase;
              if (!sinc && j != tap) {
                if (j == tap + 1) { y0 = y1; y1 = y2; y2 = y3; y3 = load<f32>(buf + (<usize>j << 2), 8); }
                else {
                  const p = buf + (<usize>(j - 1) << 2);
                  if (j == tap - 1) { y3 = y2; y2 = y1; y1 = y0; y0 = load<f32>(p); }
                  else { y0 = load<f32>(p); y1 = load<f32>(p, 4); y2 = load<f32>(p, 8); y3 = load<f32>(p, 12); }
                }
                tap = j;
                c1 = hermiteC1(y0, y2); c3 = hermiteC3(y0, y1, y2, y3); c2 = hermiteC2(y0, y1, c1, c3);
              }
              a = (sinc ? sincRead(buf, j, <f32>(phase - <f64>j)) : hermiteC(<f32>(phase - <f64>j), c1, c2, c3, y1));
            } else {
              const w = writtenAt(hl0, hlE, i);
              a = clampedRead(buf, w < framesF ? <i32>w : frames, phase);
            }
            let b: f32;
            let okB = fadePhase >= reachLo && fadePhase < safeEnd;
            if (okB && !(fadePhase < readLow)) okB = fadePhase < writtenAt(fl0, flE, i) - reachHi;
            if (okB) {
              const j = <i32>fadePhase;
              if (!sinc && j != tapF) {
                if (j == tapF + 1) { z0 = z1; z1 = z2; z2 = z3; z3 = load<f32>(buf + (<usize>j << 2), 8); }
                else {
                  const p = buf + (<usize>(j - 1) << 2);
                  if (j == tapF - 1) { z3 = z2; z2 = z1; z1 = z0; z0 = load<f32>(p); }
                  else { z0 = load<f32>(p); z1 = load<f32>(p, 4); z2 = load<f32>(p, 8); z3 = load<f32>(p, 12); }
                }
                tapF = j;
                d1 = hermiteC1(z0, z2); d3 = hermiteC3(z0, z1, z2, z3); d2 = hermiteC2(z0, z1, d1, d3);
              }
              b = (sinc ? sincRead(buf, j, <f32>(fadePhase - <f64>j)) : hermiteC(<f32>(fadePhase - <f64>j), d1, d2, d3, z1));
            } else {
              const wB = writtenAt(fl0, flE, i);
              b = clampedRead(buf, wB < framesF ? <i32>wB : frames, fadePhase);
            }
            const xi = xfade * <f32>FADE_SEGMENTS;
            const k = <i32>xi;
            if (k != seg) {
              inA = fadeTap(k); inB = fadeTap(k + 1);
              outA = fadeTap(FADE_SEGMENTS - k); outB = fadeTap(FADE_SEGMENTS - k - 1);
              seg = k;
            }
            const fr = xi - <f32>k;
            const s = a * (inA + (inB - inA) * fr) + b * (outA + (outB - outA) * fr);
            const o = <usize>i << 2;
            store<f32>(outL + o, load<f32>(outL + o) + s * gainL);
            if (outR != 0) store<f32>(outR + o, load<f32>(outR + o) + s * gainR);
          }
          if (segLeft != 0) {
            segLeft--;
            if (segLeft == 0) { levelDist = segDist; level = segLevel; gainL = level * panL; gainR = level * panR; }
          }
          phase += rate;
          fadePhase += rate;
          xfade += fadeStep;
          i++;
          if (xfade >= 1) break;
        }
        if (xfade >= 1) {
          xfade = 1;
          if (pending) {
            pending = false;
            fadePhase = phase;
            phase = this.pendingPhase;
            fadeFree = headFree; fl0 = hl0; flE = hlE;
            headFree = phase >= writtenAt(lim0, limEnd, i);
            hl0 = headFree ? UNLIMITED : lim0; hlE = headFree ? UNLIMITED : limEnd;
            if ((rate > 0 || rateTarget > 0) && !headFree) {
              let g = cutGuard(lim0, limEnd, fadeLen, rate > rateTarget ? rate : rateTarget, i);
              if (g < loopStart) g = loopStart;
              if (phase > g) phase = g;
            }
            xfade = 0;
            xunit = fadeFree ? fadeUnit : fadeUnitFor(fadePhase, rate > rateTarget ? rate : rateTarget, fl0, flE, fadeLen, fadeUnit, i);
          } else if (outsideLazy(phase, rate, rateTarget, loopStart, loopEnd, guardLow, hl0, hlE, fadeLen, i)) {
            fadePhase = phase;
            phase = rate > 0 ? loopStart : loopEnd;
            xfade = 0;
            fadeFree = headFree; fl0 = hl0; flE = hlE;
            headFree = phase >= writtenAt(lim0, limEnd, i);
            hl0 = headFree ? UNLIMITED : lim0; hlE = headFree ? UNLIMITED : limEnd;
            xunit = fadeFree ? fadeUnit : fadeUnitFor(fadePhase, rate > rateTarget ? rate : rateTarget, fl0, flE, fadeLen, fadeUnit, i);
          }
        }
        continue;
      }

      // The general sample: the fade state is not a number (a cut waiting for a fade is taken in the crossfade loop).
      if (rateDist != 0) {
        rateDist *= ratePole;
        if (rateDist < RATE_SNAP && rateDist > -RATE_SNAP) rateDist = 0;
        rate = rateTarget + rateDist;
      }
      if (segLeft == 0 && levelDist != 0) { // open a level segment: the slew's exact value at its end
        let nd = <f32>(<f64>levelDist * levelPoleSeg);
        if (nd < LEVEL_SNAP && nd > -LEVEL_SNAP) nd = 0;
        segDist = nd;
        segLevel = levelTarget + nd;
        segFrom = level;
        dGainL = (segLevel * panL - gainL) * invSeg;
        dGainR = (segLevel * panR - gainR) * invSeg;
        segLeft = levelSeg;
      }
      if (segLeft != 0) { gainL += dGainL; gainR += dGainR; }
      if ((level != 0 || segLeft != 0) && audible) {
        const w = writtenAt(hl0, hlE, i);
        const top = w - reachHi < safeEnd ? w - reachHi : safeEnd;
        const wf = w < framesF ? <i32>w : frames;
        let s = sinc ? peekSinc(buf, wf, top, phase) : peek(buf, wf, top, phase);
        if (xfade < 1) {
          const wB = writtenAt(fl0, flE, i);
          const topB = wB - reachHi < safeEnd ? wB - reachHi : safeEnd;
          const wfB = wB < framesF ? <i32>wB : frames;
          s = s * fadeIn(xfade) + (sinc ? peekSinc(buf, wfB, topB, fadePhase) : peek(buf, wfB, topB, fadePhase)) * fadeOut(xfade);
        }
        const o = <usize>i << 2;
        store<f32>(outL + o, load<f32>(outL + o) + s * gainL);
        if (outR != 0) store<f32>(outR + o, load<f32>(outR + o) + s * gainR);
      }
      if (segLeft != 0) {
        segLeft--;
        if (segLeft == 0) { levelDist = segDist; level = segLevel; gainL = level * panL; gainR = level * panR; }
      }
      phase += rate;
      if (xfade < 1) {
        fadePhase += rate;
        let speed = <f32>Math.abs(rate);
        if (speed < FADE_MIN_RATE) speed = FADE_MIN_RATE;
        xfade += speed * xunit;
        if (xfade > 1) xfade = 1;
      }
      // Cuts only start once the previous fade is over (softcut's dequeueCrossfade), so at most two heads sound.
      if (xfade >= 1) {
        if (pending) {
          pending = false;
          fadePhase = phase;
          phase = this.pendingPhase;
          fadeFree = headFree; fl0 = hl0; flE = hlE;
          headFree = phase >= writtenAt(lim0, limEnd, i + 1);
          hl0 = headFree ? UNLIMITED : lim0; hlE = headFree ? UNLIMITED : limEnd;
          if ((rate > 0 || rateTarget > 0) && !headFree) {
            let g = cutGuard(lim0, limEnd, fadeLen, rate > rateTarget ? rate : rateTarget, i + 1);
            if (g < loopStart) g = loopStart;
            if (phase > g) phase = g;
          }
          xfade = 0;
          xunit = fadeFree ? fadeUnit : fadeUnitFor(fadePhase, rate > rateTarget ? rate : rateTarget, fl0, flE, fadeLen, fadeUnit, i + 1);
        } else if (outsideLazy(phase, rate, rateTarget, loopStart, loopEnd, guardLow, hl0, hlE, fadeLen, i + 1)) {
          fadePhase = phase;
          phase = rate > 0 ? loopStart : loopEnd;
          xfade = 0;
          fadeFree = headFree; fl0 = hl0; flE = hlE;
          headFree = phase >= writtenAt(lim0, limEnd, i + 1);
          hl0 = headFree ? UNLIMITED : lim0; hlE = headFree ? UNLIMITED : limEnd;
          xunit = fadeFree ? fadeUnit : fadeUnitFor(fadePhase, rate > rateTarget ? rate : rateTarget, fl0, flE, fadeLen, fadeUnit, i + 1);
        }
      }
      i++;
    }

    this.pending = pending;
    this.phase = phase;
    this.fadePhase = fadePhase;
    this.xfade = xfade;
    this.xfadeUnit = xunit;
    this.headFree = headFree;
    this.fadeFree = fadeFree;
    this.rateNow = rate;
    this.rateDist = rateDist;
    this.levelNow = level;
    this.levelDist = levelDist;
    this.segLeft = segLeft;
    this.segLevel = segLevel;
    this.segDist = segDist;
    this.segFrom = segFrom;
    this.gainL = gainL;
    this.gainR = gainR;
    this.dGainL = dGainL;
    this.dGainR = dGainR;
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
