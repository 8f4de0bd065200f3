// The per-sample softcut voice exactly as it was before Voice.render got its specialised loops (one sample, one
// pass through every test): the reference that voice.spec.ts compares the optimised render against bit for bit.
// Test-only; keep it unchanged so that the comparison stays meaningful.
import { peek } from "../dsp/softcut/interp";
import { fadeIn, fadeOut, initFadeTable } from "../dsp/softcut/fade";
import { slewPole } from "../dsp/softcut/slew";

const MAX_RATE: f64 = 64.0;
const MAX_LEVEL: f32 = 16.0;
const MAX_FADE_TIME: f32 = 60.0;
const FADE_MIN_RATE: f32 = 0.125;
const LEVEL_SNAP: f32 = 1e-6;
const RATE_SNAP: f64 = 1e-9;

export class RefVoice {
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
    this.levelTarget = level > MAX_LEVEL ? MAX_LEVEL : level < -MAX_LEVEL ? -MAX_LEVEL : level;
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
    const t: f32 = sec < 0 ? 0 : sec > MAX_FADE_TIME ? MAX_FADE_TIME : sec;
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
        if (Math.abs(rateDist) < RATE_SNAP) rateDist = 0;
        rate = rateTarget + rateDist;
      }
      if (levelDist != 0) {
        levelDist *= levelPole;
        if (Mathf.abs(levelDist) < LEVEL_SNAP) levelDist = 0;
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
        if (speed < FADE_MIN_RATE) speed = FADE_MIN_RATE;
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
