// The beat clock the harmonizer syncs to, like norns' clock: "internal" runs at the tempo param; "midi" follows
// MIDI clock (24 ppqn, start / continue / stop), its tempo estimated from the spacing of F8 bytes. Time is counted
// in samples, so a tick lands where the host delivered its byte and every host renders the same beats.
import { State } from "./state";
import { P_CLOCK_SOURCE, P_TEMPO } from "./params";

export const PPQN: i32 = 24;
const TICK: f64 = 1.0 / <f64>PPQN;
// Jitter smoothing: the period is the span of the last beat of ticks (24 intervals) / 24, so a late or early byte
// (USB frames, a busy sender) moves it by 1/24 of its error; then a light one-pole over those estimates.
const SPAN: i32 = 24;
const SMOOTH: f64 = 1.0 / 8.0;
const MIN_BPM: f64 = 20;
const MAX_BPM: f64 = 300;

export class Clock {
  running: bool = true; // ticks move the beat until a STOP; many senders never send START
  tickBeat: f64 = 0; // beat of the last MIDI tick
  lastTick: i64 = -1; // sample time of the last tick, -1 = none yet
  period: f64 = 0; // smoothed samples per tick, 0 = unknown
  ticks: i64 = 0; // ticks seen (all, running or not)
  times: StaticArray<i64> = new StaticArray<i64>(SPAN + 1); // the last SPAN + 1 tick times, a ring
  head: i32 = 0;
  held: i32 = 0; // tick times in the ring since the last pause
  // The internal clock's beat is a function of the sample count, beatBase + (samples − baseSample)·tempo/(60·sr),
  // never a running sum of block lengths: the same beat at every sample whatever the hosts' block sizes.
  // baseTempo < 0: rebase at the next advance (tempo or source changed, or MIDI moved the beat).
  beatBase: f64 = 0;
  baseSample: i64 = 0;
  baseTempo: f64 = -1;

  midi(s: State): bool { return s.params.opt(P_CLOCK_SOURCE) == 2; }

  /** Is the beat moving? Internal: always. MIDI: once ticks arrive, until STOP (no beats before the first tick). */
  moving(s: State): bool { return !this.midi(s) || (this.running && this.lastTick >= 0); }

  /** Beats per minute the harmonizer runs at now: the tempo param, or the estimate from MIDI clock (0 = none yet). */
  bpm(s: State): f64 {
    if (!this.midi(s)) return s.params.get(P_TEMPO);
    return this.period > 0 ? 60.0 * <f64>s.sampleRate / (this.period * <f64>PPQN) : 0;
  }

  /** Advance the beat over the n samples just rendered (s.samples already counts them). */
  advance(s: State, n: i32): void {
    if (!this.midi(s)) {
      const tempo = s.params.get(P_TEMPO);
      if (tempo != this.baseTempo) { // the change took effect at the start of these n samples
        this.beatBase = s.beat;
        this.baseSample = s.samples - <i64>n;
        this.baseTempo = tempo;
      }
      s.beat = this.internalBeat(s, s.samples);
      return;
    }
    this.baseTempo = -1;
    if (!this.running || this.period <= 0 || this.lastTick < 0) return;
    const b = this.glide(s.samples);
    if (b > s.beat) s.beat = b;
  }

  /** The internal clock's beat at sample t (valid from baseSample on, at baseTempo). */
  private internalBeat(s: State, t: i64): f64 {
    return this.beatBase + <f64>(t - this.baseSample) * this.baseTempo / (60.0 * <f64>s.sampleRate);
  }

  /**
   * MIDI clock: glide between ticks at the estimated tempo, stopping just short of the next tick's beat: a late
   * tick holds the beat instead of letting it run ahead and step back, and a beat line is crossed only by a tick.
   */
  private glide(t: i64): f64 {
    const since = <f64>(t - this.lastTick);
    const b = this.tickBeat + since / this.period * TICK;
    const cap = this.tickBeat + TICK * 0.999;
    return b > cap ? cap : b;
  }

  /**
   * The first sample at or after `now` at which the beat reaches `end` without a MIDI byte arriving, or -1 (not
   * before the next tick, or the beat stands). The engine ends a block there, so a harmonizer note ends at the
   * same sample whatever the block size.
   */
  sampleOfBeat(s: State, end: f64): i64 {
    const now = s.samples;
    if (s.beat >= end) return now;
    if (!isFinite(end)) return -1;
    if (!this.midi(s)) {
      const tempo = s.params.get(P_TEMPO);
      if (!(tempo > 0)) return -1;
      if (tempo != this.baseTempo) { // rebase now, exactly as advance() will for the samples from here
        this.beatBase = s.beat;
        this.baseSample = now;
        this.baseTempo = tempo;
      }
      const per = tempo / (60.0 * <f64>s.sampleRate);
      const d = Math.ceil((end - this.beatBase) / per);
      if (!(d < 1e15)) return -1;
      let t = this.baseSample + <i64>d;
      if (t <= now) t = now + 1;
      // the estimate may be a sample off in f64: settle on the exact first sample by the very formula advance uses
      while (t > now + 1 && this.internalBeat(s, t - 1) >= end) t--;
      while (this.internalBeat(s, t) < end) t++;
      return t;
    }
    if (!this.running || this.period <= 0 || this.lastTick < 0) return -1;
    if (end > this.tickBeat + TICK * 0.999) return -1;
    const d = Math.ceil((end - this.tickBeat) / TICK * this.period);
    if (!(d < 1e15)) return -1;
    let t = this.lastTick + <i64>d;
    if (t <= now) t = now + 1;
    while (t > now + 1 && this.glide(t - 1) >= end) t--;
    while (this.glide(t) < end) t++;
    return t;
  }

  tick(s: State): void {
    const now = s.samples;
    const hi = 2.0 * 60.0 * <f64>s.sampleRate / (MIN_BPM * <f64>PPQN);
    if (this.lastTick >= 0 && <f64>(now - this.lastTick) > hi) this.held = 0; // a pause: estimate afresh
    unchecked(this.times[this.head] = now);
    if (this.held < SPAN + 1) this.held++;
    if (this.held >= 2) {
      const n = this.held - 1;
      const oldest = (this.head + SPAN + 1 - n) % (SPAN + 1);
      const est = <f64>(now - unchecked(this.times[oldest])) / <f64>n;
      const lo = 60.0 * <f64>s.sampleRate / (MAX_BPM * <f64>PPQN) * 0.5;
      if (est >= lo) this.period = this.period <= 0 || n < SPAN ? est : this.period + SMOOTH * (est - this.period);
    }
    this.head = (this.head + 1) % (SPAN + 1);
    this.lastTick = now;
    this.ticks++;
    if (!this.running || !this.midi(s)) return;
    this.baseTempo = -1;
    this.tickBeat += TICK;
    if (this.tickBeat < s.beat) this.tickBeat = s.beat; // never step the beat back
    s.beat = this.tickBeat;
  }

  /** FA: the song starts again from beat 0. */
  start(s: State): void {
    this.running = true;
    if (!this.midi(s)) return;
    // the next tick is the downbeat: one tick before 0 so that tick lands exactly on beat 0
    this.rebase(s, -TICK);
    this.tickBeat = -TICK;
  }

  continueAt(s: State): void { this.running = true; }
  /** FC: the beat holds; harmonizer notes waiting for a beat that will not come end now. */
  stop(s: State): void {
    this.running = false;
    if (!this.midi(s)) return;
    for (let i = 0; i < s.pendCount; i++) unchecked(s.pendEnd[i] = s.beat);
  }

  /** Move the beat to b, keeping the remaining length of notes waiting for their end. */
  private rebase(s: State, b: f64): void {
    this.baseTempo = -1;
    const shift = b - s.beat;
    for (let i = 0; i < s.pendCount; i++) unchecked(s.pendEnd[i] += shift);
    s.beat = b;
    s.lastBeat = <i64>Math.floor(b);
  }
}
