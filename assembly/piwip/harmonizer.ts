// The harmonizer (spec §9.1): on each new clock beat, with `probability` %, play a random note from the 20-note
// scale list (or note1..note8) and end it at the next multiple of N beats (faithful) or after exactly N beats.
import { State, MAX_PENDING } from "./state";
import { P_PROBABILITY, P_SPECIFIC, P_NOTE1, P_SCALE, P_ROOT, P_MIN_LENGTH, P_MAX_LENGTH, P_NOTE_LENGTH } from "./params";
import { generateScale } from "./scales";
import { notePlay, noteStop } from "./players";

export const CANDIDATES = 20;

export class Harmonizer {
  scale: StaticArray<i32> = new StaticArray<i32>(CANDIDATES);
  notes: i32 = 0; // notes played (accepted)

  /** Rebuild the candidate list (the action of scale_mode / root_note). */
  rebuild(s: State): void {
    generateScale(s.params.opt(P_ROOT), s.params.opt(P_SCALE) - 1, this.scale, CANDIDATES);
  }

  private pick(s: State): i32 {
    if (s.params.yes(P_SPECIFIC)) {
      let n = 0;
      for (let i = 0; i < 8; i++) if (s.params.opt(P_NOTE1 + i) > 0) n++;
      if (n == 0) return 0;
      let k = s.prng.int(1, n);
      for (let i = 0; i < 8; i++) {
        const note = s.params.opt(P_NOTE1 + i);
        if (note > 0) { k--; if (k == 0) return note; }
      }
      return 0;
    }
    return unchecked(this.scale[s.prng.int(0, CANDIDATES - 1)]);
  }

  /** Beat check, once per main tick. */
  tick(s: State): void {
    const beat = <i64>Math.floor(s.beat);
    const p = s.params.get(P_PROBABILITY);
    if (beat == s.lastBeat || p <= 0 || !s.clock.moving(s)) return;
    s.lastBeat = beat;
    if (s.prng.random() * 100.0 >= p) return;
    const note = this.pick(s);
    if (note <= 0) return;
    let lo = s.params.opt(P_MIN_LENGTH);
    let hi = s.params.opt(P_MAX_LENGTH);
    if (lo > hi) { const t = lo; lo = hi; hi = t; } // A7: the original's coroutine crashed here
    const beats = <f64>s.prng.int(lo, hi);
    if (!notePlay(s, note, 127, true)) return;
    this.notes++;
    const end = s.params.opt(P_NOTE_LENGTH) == 2 ? s.beat + beats : (Math.floor(s.beat / beats) + 1) * beats;
    if (s.pendCount < MAX_PENDING) {
      unchecked(s.pendNote[s.pendCount] = note);
      unchecked(s.pendEnd[s.pendCount] = end);
      s.pendCount++;
    }
  }

  /** End the notes whose clock.sync has come. */
  release(s: State): void {
    let i = 0;
    while (i < s.pendCount) {
      if (s.beat >= unchecked(s.pendEnd[i])) {
        noteStop(s, unchecked(s.pendNote[i]));
        s.pendCount--;
        unchecked(s.pendNote[i] = s.pendNote[s.pendCount]);
        unchecked(s.pendEnd[i] = s.pendEnd[s.pendCount]);
      } else i++;
    }
  }
}
