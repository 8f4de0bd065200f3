// The beat clock the harmonizer syncs to, like norns' clock: "internal" runs at the tempo param; "midi" follows
// MIDI clock (24 ppqn, start / continue / stop), its tempo estimated from the spacing of F8 bytes. Time is counted
// in samples, so a tick lands where the host delivered its byte and every host renders the same beats.
import { State } from "./state";
import { P_CLOCK_SOURCE, P_TEMPO } from "./params";

export const PPQN: i32 = 24;
const TICK: f64 = 1.0 / <f64>PPQN;
// Jitter smoothing of the tick period: a one-pole over about one beat of ticks, after a median of the last three
// intervals so a single late/early byte (USB frames, a busy sender) does not pull the estimate.
const SMOOTH: f64 = 1.0 / 24.0;
const MIN_BPM: f64 = 20;
const MAX_BPM: f64 = 300;

export class Clock {
  running: bool = true; // ticks move the beat until a STOP; many senders never send START
  tickBeat: f64 = 0; // beat of the last MIDI tick
  lastTick: i64 = -1; // sample time of the last tick, -1 = none yet
  period: f64 = 0; // smoothed samples per tick, 0 = unknown
  ticks: i64 = 0; // ticks seen (all, running or not)
  i0: f64 = 0; // last three tick intervals, for the median
  i1: f64 = 0;
  i2: f64 = 0;
  nIntervals: i32 = 0;

  midi(s: State): bool { return s.params.opt(P_CLOCK_SOURCE) == 2; }

  /** Beats per minute the harmonizer runs at now: the tempo param, or the estimate from MIDI clock (0 = none yet). */
  bpm(s: State): f64 {
    if (!this.midi(s)) return s.params.get(P_TEMPO);
    return this.period > 0 ? 60.0 * <f64>s.sampleRate / (this.period * <f64>PPQN) : 0;
  }

  /** Advance the beat over n samples rendered. */
  advance(s: State, n: i32): void {
    if (!this.midi(s)) {
      s.beat += <f64>n * s.params.get(P_TEMPO) / (60.0 * <f64>s.sampleRate);
      return;
    }
    if (!this.running || this.period <= 0 || this.lastTick < 0) return;
    // glide between ticks at the estimated tempo, never past the next tick's beat: a late tick holds the beat
    // instead of letting it run ahead and step back
    const since = <f64>(s.samples - this.lastTick);
    let b = this.tickBeat + since / this.period * TICK;
    const cap = this.tickBeat + TICK;
    if (b > cap) b = cap;
    if (b > s.beat) s.beat = b;
  }

  tick(s: State): void {
    const now = s.samples;
    if (this.lastTick >= 0) {
      const iv = <f64>(now - this.lastTick);
      const lo = 60.0 * <f64>s.sampleRate / (MAX_BPM * <f64>PPQN);
      const hi = 60.0 * <f64>s.sampleRate / (MIN_BPM * <f64>PPQN);
      if (iv >= lo * 0.5 && iv <= hi * 2) {
        this.i0 = this.i1; this.i1 = this.i2; this.i2 = iv;
        if (this.nIntervals < 3) this.nIntervals++;
        const m = this.nIntervals < 3 ? iv : median3(this.i0, this.i1, this.i2);
        this.period = this.period <= 0 ? m : this.period + SMOOTH * (m - this.period);
      } else this.nIntervals = 0; // a pause: start the estimate over from the next intervals
    }
    this.lastTick = now;
    this.ticks++;
    if (!this.running || !this.midi(s)) return;
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
    const shift = b - s.beat;
    for (let i = 0; i < s.pendCount; i++) unchecked(s.pendEnd[i] += shift);
    s.beat = b;
    s.lastBeat = <i64>Math.floor(b);
  }
}

@inline function median3(a: f64, b: f64, c: f64): f64 {
  return a > b ? (b > c ? b : a > c ? c : a) : (a > c ? a : b > c ? c : b);
}
