// `shifter = psola`: notes are sung by pitch-synchronous voices from the live input (dsp/shifter/psola.ts) instead
// of the softcut players reading the take. A note held before the sound waits for it, sounds at once when the input
// is voiced, keeps sounding across takes and gaps, with its own short attack/release; `autotune = on` adds a voice
// that sings the input at the nearest note of scale_mode/root_note (retune speed, tune amount) while no note is held.
import { LiveInput, PsolaVoice, CHUNK } from "../dsp/shifter/psola";
import { PitchDetector } from "../dsp/pitch/detector";
import { generateScale } from "./scales";
import { State } from "./state";
import { P_ATTACK, P_RELEASE, P_AUTOTUNE, P_RETUNE, P_TUNE_AMOUNT, P_NOTES_VOL, P_VELOCITY } from "./params";

export const SHIFT_VOICES = 5;
const TUNE = SHIFT_VOICES; // index of the autotune voice
const MAX_BLOCK = 256;

export class ShiftVoice {
  psola: PsolaVoice = new PsolaVoice();
  note: i32 = 0; // MIDI note held (0 = gate off); the autotune voice keeps 0
  gate: bool = false;
  env: f32 = 0; // 0..1 linear attack/release
  level: f32 = 1;
  order: i64 = 0;
  hz: f64 = 0; // target frequency
  /** Input time (samples) when this voice was let go. */
  releasedAt: f64 = -1e18;
}

export class ShiftBank {
  input: LiveInput = new LiveInput();
  voices: StaticArray<ShiftVoice> = new StaticArray<ShiftVoice>(SHIFT_VOICES + 1);
  scratch: StaticArray<f32> = new StaticArray<f32>(MAX_BLOCK);
  mix: StaticArray<f32> = new StaticArray<f32>(MAX_BLOCK); // this span's voices, added to the output by shifterMix
  sampleRate: f64 = 48000;
  orders: i64 = 0;
  /** Pitch classes of the autotune scale (bit c = pitch class c is in it). */
  scaleMask: i32 = 0xfff;
  tuneNotes: StaticArray<i32> = new StaticArray<i32>(24);
  /** Autotune's smoothed target, in semitones (MIDI numbers); NaN until the input is first voiced. */
  tuneSemis: f64 = NaN;
  attack: f64 = 0.005;
  release: f64 = 0.03;
  autotune: bool = false;
  retune: f64 = 0.02; // seconds, time constant of the target's glide (0 = jump)
  amount: f64 = 1;
  /** A note-on this soon after a note-off is legato (samples; 20 ms). */
  legato: f64 = 960;

  init(sampleRate: f32): void {
    this.sampleRate = <f64>sampleRate;
    this.input.init(sampleRate);
    this.legato = 0.02 * <f64>sampleRate;
    for (let i = 0; i <= SHIFT_VOICES; i++) {
      const v = new ShiftVoice();
      v.psola.init(sampleRate);
      this.voices[i] = v;
    }
  }

  /** The autotune scale from root_note and scale_mode (0-based index). */
  setScale(root: i32, scale: i32): void {
    generateScale(root, scale, this.tuneNotes, 24);
    let m = 0;
    for (let i = 0; i < 24; i++) m |= 1 << (unchecked(this.tuneNotes[i]) % 12);
    this.scaleMask = m == 0 ? 0xfff : m;
  }

  noteOn(note: i32, level: f32): void {
    let slot = -1;
    for (let i = 0; i < SHIFT_VOICES; i++) { // a retriggered note takes its own voice back
      const v = unchecked(this.voices[i]);
      if (v.note == note && v.gate) { slot = i; break; }
    }
    // legato (the last note let go while this one comes in): the new note takes over the voice still sounding
    // the released one, gate and grains carried on, so the line moves at once to the new pitch instead of the
    // old note's release masking the new one's attack
    if (slot < 0) for (let i = 0; i < SHIFT_VOICES; i++) {
      const v = unchecked(this.voices[i]);
      if (!v.gate && v.env > 0 && this.input.head - v.releasedAt <= this.legato &&
          (slot < 0 || v.env > unchecked(this.voices[slot]).env)) slot = i;
    }
    const takeOver = slot >= 0;
    if (slot < 0) for (let i = 0; i < SHIFT_VOICES; i++) { // a silent voice, else the quietest released one
      const v = unchecked(this.voices[i]);
      if (!v.gate && (slot < 0 || v.env < unchecked(this.voices[slot]).env)) slot = i;
    }
    if (slot < 0) { // all five held: steal the oldest note (as the players, spec §12.12)
      let oldest = i64.MAX_VALUE;
      for (let i = 0; i < SHIFT_VOICES; i++) {
        const o = unchecked(this.voices[i]).order;
        if (o < oldest) { oldest = o; slot = i; }
      }
    }
    const v = unchecked(this.voices[slot]);
    // a voice not held starts afresh (from silence, no old grains): the same bits however the blocks fell before
    if (!v.gate && !takeOver) { v.env = 0; v.psola.reset(); }
    v.note = note;
    v.gate = true;
    v.level = level;
    v.order = ++this.orders;
    v.hz = 440.0 * Math.pow(2.0, (<f64>note - 69.0) / 12.0);
  }

  noteOff(note: i32): void {
    for (let i = 0; i < SHIFT_VOICES; i++) {
      const v = unchecked(this.voices[i]);
      if (v.note == note) { v.gate = false; v.note = 0; v.releasedAt = this.input.head; }
    }
  }

  allOff(): void {
    for (let i = 0; i < SHIFT_VOICES; i++) { const v = unchecked(this.voices[i]); v.gate = false; v.note = 0; }
  }

  held(): bool {
    for (let i = 0; i < SHIFT_VOICES; i++) if (unchecked(this.voices[i]).gate) return true;
    return false;
  }

  /** Nearest scale note (MIDI number) to `semis`, searching ±6 semitones. */
  private nearestScale(semis: f64): f64 {
    const c = Math.round(semis);
    for (let d = 0; d <= 6; d++) {
      const lo = <i32>c - d, hi = <i32>c + d;
      const loIn = ((this.scaleMask >> (((lo % 12) + 12) % 12)) & 1) != 0;
      const hiIn = ((this.scaleMask >> (((hi % 12) + 12) % 12)) & 1) != 0;
      if (loIn && hiIn) return Math.abs(semis - <f64>lo) <= Math.abs(<f64>hi - semis) ? <f64>lo : <f64>hi;
      if (loIn) return <f64>lo;
      if (hiIn) return <f64>hi;
    }
    return c;
  }

  /** Autotune: glide the target towards the nearest scale note of hz, once per CHUNK (at its first sample). */
  private tuneUpdate(hz: f32): void {
    if (!(hz > 0)) return; // unvoiced: hold the last target
    const semis = 69.0 + 12.0 * Math.log2(<f64>hz / 440.0);
    const want = semis + this.amount * (this.nearestScale(semis) - semis);
    if (this.tuneSemis != this.tuneSemis || this.retune <= 0) this.tuneSemis = want;
    else this.tuneSemis += (1.0 - Math.exp(-<f64>CHUNK / (this.retune * this.sampleRate))) * (want - this.tuneSemis);
  }

  /**
   * One span inside one CHUNK: its input (mono f32 at `inp`) enters the ring, each sounding voice adds its copy
   * into mix[off..off+n). hz: the detector's estimate at the span's first sample (0 = unvoiced).
   */
  step(inp: usize, off: i32, n: i32, hz: f32): void {
    const t0 = this.input.head;
    const boundary = (<i64>t0 & <i64>(CHUNK - 1)) == 0;
    this.input.write(inp, n, hz);
    const tune = unchecked(this.voices[TUNE]);
    const tuneGate = this.autotune && !this.held();
    if (tuneGate && !tune.gate && tune.env <= 0) tune.psola.reset();
    tune.gate = tuneGate;
    if (this.autotune && boundary) this.tuneUpdate(hz);
    const tuneHz = this.tuneSemis == this.tuneSemis ? 440.0 * Math.pow(2.0, (this.tuneSemis - 69.0) / 12.0) : 0;
    const up = <f32>(1.0 / (this.attack * this.sampleRate + 1.0));
    const down = <f32>(1.0 / (this.release * this.sampleRate + 1.0));
    const sc = changetype<usize>(this.scratch);
    const out = changetype<usize>(this.mix) + (<usize>off << 2);
    for (let i = 0; i <= SHIFT_VOICES; i++) {
      const v = unchecked(this.voices[i]);
      if (!v.gate && v.env <= 0) continue;
      const target = i == TUNE ? tuneHz : v.hz;
      memory.fill(sc, 0, <usize>n << 2);
      v.psola.render(this.input, sc, n, t0, target > 0 ? this.sampleRate / target : 0);
      let env = v.env;
      const lvl = v.level;
      for (let j = 0; j < n; j++) {
        if (v.gate) { env += up; if (env > 1) env = 1; } else { env -= down; if (env < 0) env = 0; }
        const k = <usize>j << 2;
        store<f32>(out + k, load<f32>(out + k) + load<f32>(sc + k) * env * lvl);
      }
      v.env = env;
    }
  }
}

/**
 * The engine's hook in place of the detector's call while `shifter = psola`: the span is cut at every CHUNK
 * boundary of input time; each piece takes the detector's estimate as it stands at its start, goes through the
 * bank, then through the detector. So the shifter sees the same estimates at the same samples in any block size.
 * det = null: the detector is off.
 */
export function shifterProcess(s: State, det: PitchDetector | null, mono: usize, n: i32): void {
  const b = s.shifter;
  const p = s.params;
  b.attack = p.get(P_ATTACK) / 1000.0;
  b.release = p.get(P_RELEASE) / 1000.0;
  b.autotune = p.yes(P_AUTOTUNE);
  b.retune = p.get(P_RETUNE) / 1000.0;
  b.amount = p.get(P_TUNE_AMOUNT) / 100.0;
  unchecked(b.voices[TUNE]).level = <f32>p.get(P_NOTES_VOL);
  memory.fill(changetype<usize>(b.mix), 0, <usize>n << 2);
  let off = 0;
  while (off < n) {
    let m = CHUNK - <i32>(<i64>b.input.head & <i64>(CHUNK - 1));
    if (m > n - off) m = n - off;
    const ptr = mono + (<usize>off << 2);
    b.step(ptr, off, m, det ? det.hz : 0);
    // the tune mode follows what is played into it, chords too: the detector names a chord's lowest note instead of
    // its common period (the flag is cleared again so the faithful presets' detector stays as it was)
    if (det) { det.chords = true; det.process(ptr, m); det.chords = false; }
    off += m;
  }
}

/** Adds the span's shifter voices (centred) into outL, and outR when it is not 0. */
export function shifterMix(s: State, outL: usize, outR: usize, n: i32): void {
  const mix = changetype<usize>(s.shifter.mix);
  for (let i = 0; i < n; i++) {
    const k = <usize>i << 2;
    const y = load<f32>(mix + k);
    store<f32>(outL + k, load<f32>(outL + k) + y);
    if (outR != 0) store<f32>(outR + k, load<f32>(outR + k) + y);
  }
}

/** notePlay's route while `shifter = psola`: every note is taken (no recording gate), at notes vol (× velocity). */
export function shifterNoteOn(s: State, note: i32, velocity: i32): bool {
  let level = s.params.get(P_NOTES_VOL);
  if (s.params.yes(P_VELOCITY)) level *= <f64>velocity / 127.0;
  s.shifter.noteOn(note, <f32>level);
  return true;
}
