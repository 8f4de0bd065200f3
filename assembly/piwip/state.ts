// Everything piwip's control logic shares: params, the buffer, recorder, analysis, pitch map and the five players.
import { Params, PARAM_COUNT } from "./params";
import { TextBuf } from "./text";
import { Prng } from "../dsp/util/prng";
import { Recorder } from "../dsp/softcut/recorder";
import { Voice } from "../dsp/softcut/voice";
import { AmpEnv } from "../dsp/analysis/amp_env";
import { PitchMap } from "./pitch_map";
import { PitchDetector } from "../dsp/pitch/detector";
import { Clock } from "./clock";
import { PsetSlots, PsetReport, PSET_NAME_CAP } from "./pset";
import { ShiftBank } from "./shifter_voice";

export const VOICES = 5;
export const ENSEMBLE_NOTE = 160; // sentinel "note" of ensembler voices (spec §9.2)
export const MIDDLE_C_HZ: f64 = 261.63;
export const FADE_TIME: f32 = 0.2;
export const LEVEL_SLEW: f32 = 2.0;
/** A stolen voice's fade-out (§12.12), in STEAL_STAGES level slews: the first reaches −60 dB in STEAL_FADE s, each
 *  next one twice as fast once the level has halved. A one-pole fade starts with a kink (its slope jumps from 0 to
 *  level·ln(1000)/time), heard as a click in proportion; the ladder keeps every kink at the first one's size
 *  (the level halves as the slope doubles) and still reaches silence in about 30 ms. */
export const STEAL_FADE: f64 = 0.1;
export const STEAL_STAGES: i32 = 6;
export const STEAL_SPEEDUP: f64 = 1.5;
export const STEAL_DROP: f64 = 3.0;
/** While a stolen voice's level is not yet exactly 0 after its last stage, its new note looks again this many
 *  samples later. */
export const STEAL_RETRY: i64 = 48;
export const MAX_PENDING = 16;

/** Bookkeeping piwip keeps per player voice (the Lua `s.voice[i]`), beside the softcut voice itself. */
export class Player {
  voice: Voice = new Voice();
  midi: i32 = 0; // 0 = free
  freq: f64 = 0;
  refUsed: f64 = 0; // reference the current rate was computed from (0 = none yet)
  started: bool = false;
  loopStart: f64 = -1; // the window this voice last wrote
  loopEnd: f64 = -1;
  order: i64 = 0; // allocation order, for stealing the oldest note
  velocity: i32 = 127;
  ever: bool = false; // has ever played (its head runs from then on, spec §6.2)
  jitterA: f64 = 0.5; // smooth-LFO jitter: previous and next random point, and the phase between them
  jitterB: f64 = 0.5;
  jitterPhase: f64 = 0;
  slewSec: f32 = LEVEL_SLEW; // the level slew time the voice runs now (note attack, or the 2 s release)
  // A stolen voice fades its old note out before the new one starts (§12.12): the sample at which the new note
  // may start, once the level has reached 0 (-1 = none waiting)
  startAt: i64 = -1;
  stealStage: i32 = 0; // the fade-out's stage now running (1..STEAL_STAGES; 0 = no fade-out)
}

export class State {
  sampleRate: f32 = 48000;
  blockSize: i32 = 128;
  params: Params = new Params();
  text: TextBuf = new TextBuf();
  prng: Prng = new Prng();

  buf: StaticArray<f32> = new StaticArray<f32>(0);
  bufFrames: i32 = 0;
  recorder: Recorder = new Recorder();
  ampL: AmpEnv = new AmpEnv();
  ampR: AmpEnv = new AmpEnv();
  follower: PitchDetector | null = null;
  classic: PitchDetector | null = null;
  pitchMap: PitchMap = new PitchMap();
  shifter: ShiftBank = new ShiftBank(); // `shifter = psola` voices (live input)
  amps: StaticArray<f32> = new StaticArray<f32>(0); // amplitude history of the take, one per poll
  ampCount: i32 = 0;
  players: StaticArray<Player> = new StaticArray<Player>(VOICES);
  allocations: i64 = 0;

  // recording state (spec §3.1)
  armed: bool = false;
  recording: bool = false;
  forceRecording: bool = false;
  stopManual: bool = false; // the pending stop came from K3 / buffer end (no silence subtracted, A2)
  loopEnd: f64 = 0;
  startTrim: f64 = 0;
  endTrim: f64 = 0;
  silenceTime: f64 = 0;
  lastLoudFrame: i32 = 0;
  takes: i32 = 0;
  lastHz: f32 = 0; // detector value seen at the last poll (0 = no pitch)

  // UI state
  mode: i32 = 0;
  shift: bool = false;
  monitor: bool = false;
  messageId: i32 = 0; // 0 none, 1 monitor enabled, 2 monitor disabled
  messageUntil: i64 = 0;
  snapshot: StaticArray<f64> = new StaticArray<f64>(0); // mode-0 user settings (piwip_temp.pset)
  hasSnapshot: bool = false;
  // PSETs: the slots the host reported, the last read's report, scratch for reading/writing
  psets: PsetSlots = new PsetSlots();
  psetReport: PsetReport = new PsetReport();
  psetSeen: StaticArray<bool> = new StaticArray<bool>(PARAM_COUNT);
  psetName: StaticArray<u8> = new StaticArray<u8>(PSET_NAME_CAP);

  // time
  samples: i64 = 0;
  nextTick: i64 = 0;
  beat: f64 = 0; // clock position in beats
  clock: Clock = new Clock();
  lastBeat: i64 = -1;
  // harmonizer notes waiting for their clock.sync end
  pendNote: StaticArray<i32> = new StaticArray<i32>(MAX_PENDING);
  pendEnd: StaticArray<f64> = new StaticArray<f64>(MAX_PENDING);
  pendCount: i32 = 0;
  // MIDI notes waiting for the take (note wait = yes): note, velocity
  waitNote: StaticArray<i32> = new StaticArray<i32>(VOICES);
  waitVel: StaticArray<i32> = new StaticArray<i32>(VOICES);
  waitCount: i32 = 0;
  // ensembler entries waiting for their random delay
  ensStart: StaticArray<i64> = new StaticArray<i64>(VOICES);
  ensPending: i32 = 0;
  ensActive: bool = false;

  @inline seconds(frames: f64): f64 { return frames / <f64>this.sampleRate; }
  @inline resolution(): f64 { return this.params.get(0) / 1000.0; }
  /** softcut's phase report: the position floored to a multiple of phase_quant = resolution / 2. */
  quantize(sec: f64): f64 {
    const q = this.resolution() * 0.5;
    return Math.floor(sec / q + 1e-9) * q;
  }
}
