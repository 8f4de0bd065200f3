// The ensembler (spec §9.2): while recording, keep `voices` copies (note 160) entering after a random
// 0..time spread delay; they end with the take. Counts voices that really sound, not attempts (§12.11).
import { State, VOICES, ENSEMBLE_NOTE } from "./state";
import { P_ENSEMBLER, P_VOICES, P_TIME_SPREAD } from "./params";
import { notePlay, noteStop } from "./players";

export function ensembleVoices(s: State): i32 {
  let n = 0;
  for (let i = 0; i < VOICES; i++) if (unchecked(s.players[i]).midi == ENSEMBLE_NOTE) n++;
  return n;
}

export function stopEnsemble(s: State): void {
  noteStop(s, ENSEMBLE_NOTE);
  s.ensPending = 0;
  s.ensActive = false;
}

/** Once per main tick. */
export function ensemblerTick(s: State): void {
  if (!s.params.yes(P_ENSEMBLER)) {
    if (s.ensActive) stopEnsemble(s);
    return;
  }
  if (s.recording) {
    const want = s.params.opt(P_VOICES);
    let need = want - ensembleVoices(s) - s.ensPending;
    const spread = s.params.get(P_TIME_SPREAD);
    while (need > 0 && s.ensPending < VOICES) {
      const delay = <i64>Math.floor(s.prng.random() * spread * <f64>s.sampleRate);
      unchecked(s.ensStart[s.ensPending] = s.samples + delay);
      s.ensPending++;
      need--;
    }
    s.ensActive = true;
  } else if (s.ensActive) {
    stopEnsemble(s);
  }
}

/** Start the entries whose delay has passed (checked every block). Never steals a voice. */
export function ensemblerEntries(s: State): void {
  let i = 0;
  while (i < s.ensPending) {
    if (s.samples >= unchecked(s.ensStart[i])) {
      notePlay(s, ENSEMBLE_NOTE, 127, false);
      s.ensPending--;
      unchecked(s.ensStart[i] = s.ensStart[s.ensPending]);
    } else i++;
  }
}
