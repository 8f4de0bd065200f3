// piwip's parameter table (spec §11) plus the module's own additions, with norns types, ranges and formatting.
// Values are stored as f64; option params hold their 1-based choice, as in norns and its .pset files.
import { SCALE_NAMES } from "./scales";
import { TextBuf, putNoteName, putField, countFields } from "./text";

export const enum PType { CONTROL = 0, TAPER = 1, NUMBER = 2, OPTION = 3 }
export const enum Fmt { PLAIN = 0, NOTE = 1, OPTION = 2, CHANNEL = 3 }

// Indices. The order is the params menu order (separators/groups are in GROUPS below).
export const P_RESOLUTION = 0;
export const P_REC_THRESH = 1;
export const P_SILENCE = 2;
export const P_PINCH = 3;
export const P_NOTES_VOL = 4;
export const P_MIN_RECORDED = 5;
export const P_START_AT_0 = 6;
export const P_LIVE_FOLLOW = 7;
export const P_KEEP_ARMED = 8;
export const P_REFERENCE = 9;
export const P_ONLY_DURING_REC = 10;
export const P_MIDI_DURING_REC = 11;
export const P_PROBABILITY = 12;
export const P_SCALE = 13;
export const P_ROOT = 14;
export const P_MIN_LENGTH = 15;
export const P_MAX_LENGTH = 16;
export const P_SPECIFIC = 17;
export const P_NOTE1 = 18; // .. P_NOTE1 + 7
export const P_ENSEMBLER = 26;
export const P_VOICES = 27;
export const P_SPREAD = 28;
export const P_TIME_SPREAD = 29;
export const P_VELOCITY = 30;
export const P_RT_FALLBACK = 31;
export const P_DETECTOR = 32;
export const P_CLOCK_SOURCE = 33;
export const P_TEMPO = 34;
export const P_NOTE_LENGTH = 35;
export const P_JITTER = 36;
export const P_MIDI_CHANNEL = 37;
export const P_MONITOR = 38;
export const P_MONITOR_LEVEL = 39;
// the pitch-synchronous shifter (piwip/shifter_voice.ts), not in the original
export const P_SHIFTER = 40;
export const P_ATTACK = 41;
export const P_RELEASE = 42;
export const P_AUTOTUNE = 43;
export const P_RETUNE = 44;
export const P_TUNE_AMOUNT = 45;
// issue 12, for staccato phrases (defaults faithful): a note refused for the recording state waits instead of being
// dropped; the varispeed voices' attack (their level slew at note start; release keeps the 2 s)
export const P_NOTE_WAIT = 46;
export const P_NOTE_ATTACK = 47;
// issue 12: the varispeed voices' reads, softcut's Hermite (faithful) or a 12-tap windowed sinc (images < −85 dBc)
export const P_INTERPOLATION = 48;
export const PARAM_COUNT = 49;

// interpolation choices
export const INTERP_HERMITE = 1;
export const INTERP_SINC = 2;

// shifter choices
export const SHIFTER_VARISPEED = 1;
export const SHIFTER_PSOLA = 2;

// playback reference choices
export const REF_MIDDLE_C = 1;
export const REF_MEDIAN = 2;
export const REF_REALTIME = 3;

export class ParamDef {
  constructor(
    public id: string,
    public group: i32,
    public type: PType,
    public min: f64,
    public max: f64,
    public step: f64,
    public def: f64,
    public units: string,
    public options: string, // '|'-separated for OPTION
    public k: f64, // taper curve (TAPER) or 1 = exponential warp (CONTROL)
    public fmt: Fmt,
    public decimals: i32,
  ) {}
}

export const GROUP_NAMES: string = "recording|playback|harmonizer|ensembler|module";
export const GROUP_COUNT: i32 = 5;

function opt(id: string, group: i32, options: string, def: f64): ParamDef {
  return new ParamDef(id, group, PType.OPTION, 1, <f64>countFields(options), 1, def, "", options, 0, Fmt.OPTION, 0);
}
function taper(id: string, group: i32, min: f64, max: f64, def: f64, units: string, k: f64, decimals: i32): ParamDef {
  return new ParamDef(id, group, PType.TAPER, min, max, 0, def, units, "", k, Fmt.PLAIN, decimals);
}
function control(id: string, group: i32, min: f64, max: f64, step: f64, def: f64, units: string, expWarp: bool): ParamDef {
  return new ParamDef(id, group, PType.CONTROL, min, max, step, def, units, "", expWarp ? 1 : 0, Fmt.PLAIN, step >= 1 ? 0 : 2);
}
function number(id: string, group: i32, min: f64, max: f64, def: f64, units: string, fmt: Fmt): ParamDef {
  return new ParamDef(id, group, PType.NUMBER, min, max, 1, def, units, "", 0, fmt, 0);
}

export class Params {
  defs: StaticArray<ParamDef> = new StaticArray<ParamDef>(PARAM_COUNT);
  values: StaticArray<f64> = new StaticArray<f64>(PARAM_COUNT);

  constructor() {
    const d = this.defs;
    d[P_RESOLUTION] = taper("resolution", 0, 10, 200, 50, "ms", 0, 0);
    d[P_REC_THRESH] = control("rec thresh", 0, 1, 100, 1, 20, "amp/1k", true);
    d[P_SILENCE] = taper("silence to stop", 0, 10, 5000, 200, "ms", 0, 0);
    d[P_PINCH] = control("vol pinch", 0, 0, 1000, 1, 500, "ms", false);
    d[P_NOTES_VOL] = taper("notes vol", 1, 0, 10, 1, "", 0, 2);
    d[P_MIN_RECORDED] = taper("min recorded", 1, 10, 1000, 60, "ms", 0, 0);
    d[P_START_AT_0] = opt("notes start at 0", 1, "no|yes", 1);
    d[P_LIVE_FOLLOW] = opt("live follow", 1, "no|yes", 2);
    d[P_KEEP_ARMED] = opt("keep armed", 1, "no|yes", 1);
    d[P_REFERENCE] = opt("playback reference", 1, "middle C|median|realtime", 1);
    d[P_ONLY_DURING_REC] = opt("only play during rec", 1, "no|yes", 1);
    d[P_MIDI_DURING_REC] = opt("midi during rec", 1, "disabled|enabled", 1);
    d[P_PROBABILITY] = taper("probability", 2, 0, 100, 0, "%", 1, 1);
    d[P_SCALE] = opt("scale_mode", 2, SCALE_NAMES, 5);
    d[P_ROOT] = number("root_note", 2, 0, 127, 38, "", Fmt.NOTE);
    d[P_MIN_LENGTH] = control("min length", 2, 1, 16, 1, 1, "beats", false);
    d[P_MAX_LENGTH] = control("max length", 2, 1, 16, 1, 4, "beats", false);
    d[P_SPECIFIC] = opt("specific notes", 2, "disabled|enabled", 1);
    d[P_NOTE1 + 0] = number("note1", 2, 0, 127, 0, "", Fmt.NOTE);
    d[P_NOTE1 + 1] = number("note2", 2, 0, 127, 0, "", Fmt.NOTE);
    d[P_NOTE1 + 2] = number("note3", 2, 0, 127, 0, "", Fmt.NOTE);
    d[P_NOTE1 + 3] = number("note4", 2, 0, 127, 0, "", Fmt.NOTE);
    d[P_NOTE1 + 4] = number("note5", 2, 0, 127, 0, "", Fmt.NOTE);
    d[P_NOTE1 + 5] = number("note6", 2, 0, 127, 0, "", Fmt.NOTE);
    d[P_NOTE1 + 6] = number("note7", 2, 0, 127, 0, "", Fmt.NOTE);
    d[P_NOTE1 + 7] = number("note8", 2, 0, 127, 0, "", Fmt.NOTE);
    d[P_ENSEMBLER] = opt("ensembler_active", 3, "off|on", 1);
    d[P_VOICES] = control("voices", 3, 1, 5, 1, 5, "", false);
    d[P_SPREAD] = taper("spread", 3, 0, 100, 0, "%/10", 0, 1);
    d[P_TIME_SPREAD] = taper("time spread", 3, 0, 10, 0, "s", 0, 2);
    d[P_VELOCITY] = opt("velocity", 4, "off|on", 1);
    d[P_RT_FALLBACK] = opt("rt fallback", 4, "off|on", 1);
    d[P_DETECTOR] = opt("detector", 4, "follower|classic|off", 1);
    d[P_CLOCK_SOURCE] = opt("clock source", 4, "internal|midi", 1);
    d[P_TEMPO] = number("tempo", 4, 20, 300, 90, "bpm", Fmt.PLAIN);
    d[P_NOTE_LENGTH] = opt("note length", 4, "sync|exact", 1);
    d[P_JITTER] = opt("jitter", 4, "white|lfo", 1);
    d[P_MIDI_CHANNEL] = number("midi channel", 4, 0, 16, 0, "", Fmt.CHANNEL);
    d[P_MONITOR] = opt("monitor", 4, "off|on", 1);
    d[P_MONITOR_LEVEL] = control("monitor level", 4, 0, 1, 0.01, 1, "", false);
    d[P_SHIFTER] = opt("shifter", 4, "varispeed|psola", 1);
    d[P_ATTACK] = control("attack", 4, 1, 2000, 1, 5, "ms", false);
    d[P_RELEASE] = control("release", 4, 1, 2000, 1, 30, "ms", false);
    d[P_AUTOTUNE] = opt("autotune", 4, "off|on", 1);
    d[P_RETUNE] = control("retune speed", 4, 0, 500, 1, 20, "ms", false);
    d[P_TUNE_AMOUNT] = control("tune amount", 4, 0, 100, 1, 100, "%", false);
    d[P_NOTE_WAIT] = opt("note wait", 4, "no|yes", 1);
    d[P_NOTE_ATTACK] = control("note attack", 4, 1, 2000, 1, 2000, "ms", false);
    d[P_INTERPOLATION] = opt("interpolation", 4, "hermite|sinc", 1);
    for (let i = 0; i < PARAM_COUNT; i++) this.values[i] = d[i].def;
  }

  @inline get(i: i32): f64 { return unchecked(this.values[i]); }
  @inline opt(i: i32): i32 { return <i32>unchecked(this.values[i]); }
  @inline yes(i: i32): bool { return unchecked(this.values[i]) >= 2; }

  /** Clamp and snap v for param i (norns ControlSpec:constrain + quantum; numbers/options are integers). */
  constrain(i: i32, v: f64): f64 {
    const d = unchecked(this.defs[i]);
    if (v < d.min) v = d.min;
    if (v > d.max) v = d.max;
    if (d.type == PType.NUMBER || d.type == PType.OPTION) v = Math.round(v);
    else if (d.step > 0) {
      v = d.min + Math.round((v - d.min) / d.step) * d.step;
      if (v > d.max) v = d.max;
    }
    return v;
  }

  /** 0 = set as given, 1 = clamped or snapped, -1 = no such param, -2 = not a number. */
  set(i: i32, v: f64): i32 {
    if (i < 0 || i >= PARAM_COUNT) return -1;
    if (v != v) return -2;
    const c = this.constrain(i, v);
    unchecked(this.values[i] = c);
    return c == v ? 0 : 1;
  }

  indexOf(t: TextBuf, start: i32, n: i32): i32 {
    for (let i = 0; i < PARAM_COUNT; i++) if (t.equals(start, n, unchecked(this.defs[i]).id)) return i;
    return -1;
  }

  /** Normalised 0..1 position of a value, the inverse of fromRaw (norns taper/controlspec maps). */
  toRaw(i: i32, v: f64): f64 {
    const d = unchecked(this.defs[i]);
    const span = d.max - d.min;
    if (span <= 0) return 0;
    let x = (v - d.min) / span;
    if (d.type == PType.TAPER && d.k != 0) x = Math.log(x * (Math.exp(d.k) - 1) + 1) / d.k;
    else if (d.type == PType.CONTROL && d.k != 0 && d.min > 0) x = Math.log(v / d.min) / Math.log(d.max / d.min);
    return x < 0 ? 0 : x > 1 ? 1 : x;
  }

  fromRaw(i: i32, x: f64): f64 {
    const d = unchecked(this.defs[i]);
    if (x < 0) x = 0;
    if (x > 1) x = 1;
    if (d.type == PType.TAPER && d.k != 0) x = (Math.exp(x * d.k) - 1) / (Math.exp(d.k) - 1);
    else if (d.type == PType.CONTROL && d.k != 0 && d.min > 0) return d.min * Math.pow(d.max / d.min, x);
    return d.min + x * (d.max - d.min);
  }

  /** One encoder detent, as the norns params menu moves each type (spec §11). `fine` divides by 10. */
  delta(i: i32, d: i32, fine: bool): void {
    if (i < 0 || i >= PARAM_COUNT) return;
    const def = unchecked(this.defs[i]);
    const v = this.get(i);
    if (def.type == PType.NUMBER || def.type == PType.OPTION) { this.set(i, v + <f64>d); return; }
    let perDetent: f64 = 0.01;
    if (def.type == PType.TAPER) {
      const range = def.max - def.min;
      perDetent = 1.0 / (range < 200 ? 200 : range > 800 ? 800 : range);
    }
    if (fine) perDetent *= 0.1;
    let nv = this.fromRaw(i, this.toRaw(i, v) + <f64>d * perDetent);
    // A control with a step must still move by at least one step per detent.
    if (def.type == PType.CONTROL && def.step > 0 && this.constrain(i, nv) == v && d != 0) nv = v + <f64>d * def.step;
    this.set(i, nv);
  }

  /** The value as the params menu shows it. */
  format(t: TextBuf, i: i32): void {
    const d = unchecked(this.defs[i]);
    const v = this.get(i);
    if (d.fmt == Fmt.OPTION) { putField(t, d.options, <i32>v - 1); return; }
    if (d.fmt == Fmt.NOTE) { putNoteName(t, <i32>v); return; }
    if (d.fmt == Fmt.CHANNEL && v == 0) { t.putStr("omni"); return; } // 0 listens to every channel
    t.putNum(v, d.decimals);
    if (d.units.length > 0) { t.putByte(32); t.putStr(d.units); }
  }

  /** {"id","group","type","min","max","step","default","units","options":[..],"value"} as JSON. */
  info(t: TextBuf, i: i32): void {
    const d = unchecked(this.defs[i]);
    t.putStr("{\"index\":"); t.putInt(i);
    t.putStr(",\"id\":"); t.putJsonStr(d.id);
    t.putStr(",\"group\":\""); putField(t, GROUP_NAMES, d.group);
    t.putStr("\",\"type\":\"");
    t.putStr(d.type == PType.CONTROL ? "control" : d.type == PType.TAPER ? "taper" : d.type == PType.NUMBER ? "number" : "option");
    t.putStr("\",\"min\":"); t.putNum(d.min, 6);
    t.putStr(",\"max\":"); t.putNum(d.max, 6);
    t.putStr(",\"step\":"); t.putNum(d.step, 6);
    t.putStr(",\"default\":"); t.putNum(d.def, 6);
    t.putStr(",\"value\":"); t.putNum(this.get(i), 9);
    t.putStr(",\"k\":"); t.putNum(d.k, 6);
    t.putStr(",\"units\":"); t.putJsonStr(d.units);
    t.putStr(",\"note\":"); t.putStr(d.fmt == Fmt.NOTE ? "true" : "false");
    t.putStr(",\"options\":[");
    const n = d.type == PType.OPTION ? countFields(d.options) : 0;
    for (let o = 0; o < n; o++) {
      if (o > 0) t.putByte(44);
      t.putByte(34); putField(t, d.options, o); t.putByte(34);
    }
    t.putStr("],\"formatted\":\"");
    this.format(t, i);
    t.putStr("\"}");
  }
}
