// The five player voices' control (spec §6): note gates and allocation with oldest-note stealing, release, and
// the per-tick update that sets loop windows, start positions, levels and rates.
import { State, Player, VOICES, ENSEMBLE_NOTE, MIDDLE_C_HZ, LEVEL_SLEW, STEAL_FADE, STEAL_STAGES, STEAL_SPEEDUP, STEAL_DROP, STEAL_RETRY } from "./state";
import {
  P_ONLY_DURING_REC, P_MIDI_DURING_REC, P_MIN_RECORDED, P_REFERENCE, P_LIVE_FOLLOW, P_START_AT_0, P_NOTES_VOL,
  P_SPREAD, P_VELOCITY, P_RT_FALLBACK, P_PROBABILITY, P_ROOT, P_JITTER, REF_MEDIAN, REF_REALTIME,
  P_SHIFTER, SHIFTER_PSOLA, P_NOTE_WAIT, P_NOTE_ATTACK,
} from "./params";
import { shifterNoteOn } from "./shifter_voice";

const JITTER_PERIOD: f64 = 0.8; // seconds between the smooth jitter's random points

export function noteHz(note: i32): f64 {
  return 440.0 / 32.0 * Math.pow(2.0, (<f64>note - 9.0) / 12.0);
}

/** note_play (spec §6.1). Returns true when a voice took the note. */
export function notePlay(s: State, note: i32, velocity: i32, steal: bool): bool {
  const p = s.params;
  // shifter = psola: the live-input voices take every note, recording or not (they wait for the sound)
  if (p.opt(P_SHIFTER) == SHIFTER_PSOLA && note != ENSEMBLE_NOTE) return shifterNoteOn(s, note, velocity);
  if (heldByRecording(s)) return false;
  let slot = -1;
  for (let i = 0; i < VOICES; i++) {
    if (unchecked(s.players[i]).midi == 0) { slot = i; break; }
  }
  if (slot < 0 && !steal) return false;
  if (slot < 0) { // steal the oldest note instead of dropping this one (spec §12.12)
    let oldest: i64 = i64.MAX_VALUE;
    for (let i = 0; i < VOICES; i++) {
      const o = unchecked(s.players[i]).order;
      if (o < oldest) { oldest = o; slot = i; }
    }
  }
  const v = unchecked(s.players[slot]);
  if (v.midi != 0 && v.started) {
    // A voice still sounding its old note: one softcut voice has one rate for both heads, so re-pitching it now
    // would slew the old note's pitch (and the cut's fading-out head) audibly. Fade the old note out first; the
    // new one starts at the sample the level reaches 0 (startStolen), from silence like any fresh note.
    v.stealStage = 0;
    v.voice.setLevel(0);
    fadeStage(s, v);
  }
  v.midi = note;
  v.freq = note == ENSEMBLE_NOTE ? 0 : noteHz(note);
  v.refUsed = 0;
  v.started = false;
  v.velocity = velocity;
  v.order = ++s.allocations;
  return true;
}

/** The recording state refuses notes now: only play during rec while not recording, or midi during rec =
 *  disabled while recording or armed (A17). */
export function heldByRecording(s: State): bool {
  const p = s.params;
  if (p.yes(P_ONLY_DURING_REC) && !s.recording) return true;
  return !p.yes(P_MIDI_DURING_REC) && (s.recording || s.armed);
}

/** A MIDI note-on. With note wait = yes, a note the recording state refuses waits for the take (up to one per
 *  voice, the oldest dropped when full) instead of being dropped; its note-off cancels it. */
export function midiNoteOn(s: State, note: i32, velocity: i32): void {
  if (notePlay(s, note, velocity, true)) return;
  if (!s.params.yes(P_NOTE_WAIT) || !heldByRecording(s) || s.params.opt(P_SHIFTER) == SHIFTER_PSOLA) return;
  for (let i = 0; i < s.waitCount; i++) if (unchecked(s.waitNote[i]) == note) return;
  if (s.waitCount == VOICES) {
    for (let i = 1; i < VOICES; i++) { unchecked(s.waitNote[i - 1] = s.waitNote[i]); unchecked(s.waitVel[i - 1] = s.waitVel[i]); }
    s.waitCount--;
  }
  unchecked(s.waitNote[s.waitCount] = note);
  unchecked(s.waitVel[s.waitCount] = velocity);
  s.waitCount++;
}

/** Every tick (after the amplitude poll, which may start the take): the waiting notes play once they may. */
export function playWaiting(s: State): void {
  if (s.waitCount == 0) return;
  if (!s.params.yes(P_NOTE_WAIT)) { s.waitCount = 0; return; }
  if (heldByRecording(s)) return;
  const n = s.waitCount;
  s.waitCount = 0;
  for (let i = 0; i < n; i++) notePlay(s, unchecked(s.waitNote[i]), unchecked(s.waitVel[i]), true);
}

function unwait(s: State, note: i32): void {
  let k = 0;
  for (let i = 0; i < s.waitCount; i++) {
    if (unchecked(s.waitNote[i]) == note) continue;
    unchecked(s.waitNote[k] = s.waitNote[i]);
    unchecked(s.waitVel[k] = s.waitVel[i]);
    k++;
  }
  s.waitCount = k;
}

/** The level slew a voice runs: the note attack while it starts and plays, the faithful 2 s once released. */
function slewTo(v: Player, sec: f32): void {
  if (v.slewSec == sec) return; // unchanged: leave the running slew alone (bit for bit the faithful curve)
  v.slewSec = sec;
  v.voice.setLevelSlewTime(sec);
}

function release(v: Player): void {
  if (v.startAt >= 0) {
    // the note ends while its stolen voice still fades the old one out: the fade finishes (its stages go on), and
    // no note starts after it
    v.midi = 0;
  } else {
    slewTo(v, LEVEL_SLEW);
  }
  v.voice.setLevel(0);
  v.midi = 0;
  v.freq = 0;
  v.started = false;
}

/** note_stop: every voice holding that note number (spec §6.2). Play stays on: the head keeps running. */
export function noteStop(s: State, note: i32): void {
  s.shifter.noteOff(note);
  unwait(s, note);
  for (let i = 0; i < VOICES; i++) {
    const v = unchecked(s.players[i]);
    if (v.midi == note) release(v);
  }
}

export function killAll(s: State): void {
  for (let i = 0; i < VOICES; i++) {
    const v = unchecked(s.players[i]);
    if (v.midi != 0) release(v);
  }
}

/** Level a note starts at: notes vol, pitch-levelled while the harmonizer runs (A9), optionally by velocity. */
export function noteLevel(s: State, v: Player): f32 {
  const p = s.params;
  let level = p.get(P_NOTES_VOL);
  if (p.get(P_PROBABILITY) > 0 && v.midi != ENSEMBLE_NOTE && v.midi > 0) {
    level = level * p.get(P_ROOT) / <f64>v.midi;
    // A9: cap at 1 unless the user asked for more than 1 explicitly
    const cap = p.get(P_NOTES_VOL) > 1 ? p.get(P_NOTES_VOL) : 1.0;
    if (level > cap) level = cap;
  }
  if (p.yes(P_VELOCITY)) level *= <f64>v.velocity / 127.0;
  return <f32>level;
}

/** The action of "notes vol" (update_vol): re-level every active voice. */
export function updateVol(s: State): void {
  for (let i = 0; i < VOICES; i++) {
    const v = unchecked(s.players[i]);
    if (v.midi > 0 && v.started) v.voice.setLevel(noteLevel(s, v));
  }
}

function clamp(x: f64, lo: f64, hi: f64): f64 { return x < lo ? lo : x > hi ? hi : x; }

/** Reference frequency for a voice (spec §6.4); 0 = none (leave the rate unchanged). */
function reference(s: State, v: Player): f64 {
  const mode = s.params.opt(P_REFERENCE);
  if (mode == REF_MEDIAN) return <f64>s.pitchMap.median;
  if (mode != REF_REALTIME) return MIDDLE_C_HZ;
  const target = s.quantize(v.voice.position()) + 2.0 * s.resolution();
  const i = s.pitchMap.nearest(target);
  if (i < 0) return 0;
  let ref = <f64>unchecked(s.pitchMap.values[i]);
  if (s.params.yes(P_RT_FALLBACK)) { // A6 extras: far slots fall back to the median; octave jumps are ignored
    if (Math.abs(unchecked(s.pitchMap.times[i]) - target) > 0.25) ref = <f64>s.pitchMap.median;
    if (v.refUsed > 0) {
      const r = ref / v.refUsed;
      if (Math.abs(r - 2.0) < 0.06 || Math.abs(r - 0.5) < 0.015) ref = v.refUsed;
    }
  }
  return ref;
}

function jitterRate(s: State, v: Player): f64 {
  const spread = s.params.get(P_SPREAD) / 1000.0;
  if (s.params.opt(P_JITTER) == 2) {
    // the author's TODO "add modulation to the rates": a smooth random LFO, a new random target every
    // JITTER_PERIOD seconds, raised-cosine interpolated, instead of white noise per tick
    v.jitterPhase += s.resolution() / JITTER_PERIOD;
    if (v.jitterPhase >= 1) {
      v.jitterPhase -= Math.floor(v.jitterPhase);
      v.jitterA = v.jitterB;
      v.jitterB = s.prng.random();
    }
    const x = v.jitterA + (v.jitterB - v.jitterA) * (1 - Math.cos(Math.PI * v.jitterPhase)) * 0.5;
    return 1 + spread * 2.0 * (x - 0.5);
  }
  return 1 + spread * 2.0 * (s.prng.random() - 0.5);
}

/** The voice part of update_main (spec §6.3), run every tick. A stolen voice waiting for its fade-out is left
 *  to startStolen. */
export function updateVoices(s: State): void {
  const minRecorded = s.params.get(P_MIN_RECORDED) / 1000.0;
  for (let i = 0; i < VOICES; i++) {
    const v = unchecked(s.players[i]);
    if (v.midi == 0 || v.startAt >= 0) continue;
    updateVoice(s, v, minRecorded);
  }
}

/** The next sample at which a stolen voice's new note may start (i64.MAX_VALUE: none waits). */
export function nextStolen(s: State): i64 {
  let due = i64.MAX_VALUE;
  for (let i = 0; i < VOICES; i++) {
    const t = unchecked(s.players[i]).startAt;
    if (t >= 0 && t < due) due = t;
  }
  return due;
}

/** The next stage of a stolen voice's fade-out (STEAL_FADE): a slew twice as fast as the last, until the level
 *  has halved; the last stage runs until the level is 0. */
function fadeStage(s: State, v: Player): void {
  const sec = STEAL_FADE / Math.pow(STEAL_SPEEDUP, <f64>v.stealStage);
  v.stealStage++;
  slewTo(v, <f32>sec);
  // a one-pole reaching −60 dB in sec falls by STEAL_DROP in sec·ln(STEAL_DROP) / ln 1000
  const frames = v.stealStage < STEAL_STAGES ? Math.ceil(sec * Math.log(STEAL_DROP) / Math.log(1000.0) * <f64>s.sampleRate) : 1.0;
  v.startAt = s.samples + <i64>frames;
}

/** At its sample: a stolen voice's fade-out takes its next stage; once it has faded to exactly 0 its new note
 *  starts (then as at a tick); a level not there yet (above 1, an open slew segment) looks again STEAL_RETRY
 *  samples later. */
export function startStolen(s: State): void {
  const minRecorded = s.params.get(P_MIN_RECORDED) / 1000.0;
  for (let i = 0; i < VOICES; i++) {
    const v = unchecked(s.players[i]);
    if (v.startAt < 0 || v.startAt > s.samples) continue;
    if (v.stealStage < STEAL_STAGES) { fadeStage(s, v); continue; }
    if (v.voice.level() != 0) { v.startAt = s.samples + STEAL_RETRY; continue; }
    v.startAt = -1;
    v.stealStage = 0;
    if (v.midi != 0) updateVoice(s, v, minRecorded);
  }
}

function updateVoice(s: State, v: Player, minRecorded: f64): void {
  const p = s.params;
  if (s.loopEnd < minRecorded) return;
  const ls = s.startTrim;
  const le = s.loopEnd - s.endTrim;
  if (!v.started || v.loopStart != ls || v.loopEnd != le) {
    v.voice.setLoopStart(ls);
    v.voice.setLoopEnd(le);
    v.loopStart = ls;
    v.loopEnd = le;
  }
  const ref = reference(s, v);
  if (!v.started) {
    v.started = true;
    let pos: f64;
    if (s.recording && p.yes(P_LIVE_FOLLOW)) {
      pos = clamp(s.quantize(s.seconds(<f64>s.recorder.pos)) - minRecorded, ls, le);
    } else if (p.yes(P_START_AT_0)) {
      pos = ls;
    } else {
      pos = clamp(s.quantize(v.voice.position()), ls, le);
    }
    v.voice.setPosition(pos);
    v.voice.setPlay(true);
    v.ever = true;
    slewTo(v, <f32>(p.get(P_NOTE_ATTACK) / 1000.0));
    v.voice.setLevel(noteLevel(s, v));
  }
  if (v.midi == ENSEMBLE_NOTE) {
    v.voice.setRate(jitterRate(s, v));
  } else if (ref > 0 && ref != v.refUsed) {
    v.refUsed = ref;
    v.voice.setRate(v.freq / ref);
  }
}
