// piwip engine ABI: the flat facade every host (Node, AudioWorklet, wasm2c, wasm3) calls.
// Audio is planar f32: hosts write inputPtr(0/1), call process(frames), read outputPtr(0/1).
// Strings (param ids, info, formatted values) cross through one text buffer: textPtr()/textCap(), ASCII.
// Every function is safe to call with bad arguments: it returns an error code, it never traps.
import { engine } from "./piwip/engine";
import { display } from "./ui/display";
import { PARAM_COUNT, P_MONITOR } from "./piwip/params";
import { TEXT_CAP, putField } from "./piwip/text";
import { MODE_NAMES, MODES } from "./piwip/controls";
import { SHIFT_VOICES } from "./piwip/shifter_voice";
import { VOICES } from "./piwip/state";
import { ABI_VERSION } from "./link/module";
import { writePset, readPset, putMapLine, PSET_SLOTS, PSET_NAME_CAP } from "./piwip/pset";
import { pmap, TARGETS } from "./piwip/pmap";

export * from "./screen_abi";
export * from "./pitch_abi";
export * from "./link_abi";
export * from "./board_abi";

/** ABI version; bump when an export changes meaning or a shell must call new ones (2: the link). */
export function abiVersion(): i32 { return ABI_VERSION; }

/**
 * Reserve all memory and reset. sampleRate 8000..192000 Hz, blockSize 1..256 frames,
 * maxRecSeconds 1..600 s (the recording buffer), seed for the engine's PRNG.
 * Returns 0, or a negative error: -1 already initialised, -2 bad sample rate, -3 bad block size, -4 bad length.
 */
export function init(sampleRate: f32, blockSize: i32, maxRecSeconds: f32, seed: u32): i32 {
  return engine.init(sampleRate, blockSize, maxRecSeconds, seed);
}
export function inputPtr(ch: i32): usize { return engine.inputPtr(ch); }
export function outputPtr(ch: i32): usize { return engine.outputPtr(ch); }
/** Process `frames` (1..blockSize) frames. Returns 0, or -1 when not initialised / bad frame count. */
export function process(frames: i32): i32 { return engine.process(frames); }

// ---- events -------------------------------------------------------------------------------------------------
/** One raw MIDI byte (any value; malformed streams are ignored). Notes act at once, sound at the next tick. */
export function midiIn(byte: i32): void { if (engine.ready) engine.midiByte(byte); }
/** norns key n = 1..3, z = 1 down / 0 up. */
export function key(n: i32, z: i32): void {
  if (engine.ready && n >= 1 && n <= 3) { engine.controls.key(engine.s, n, z); display.touch(); }
}
/** norns encoder n = 1..3, d = detents (clamped to ±64). */
export function enc(n: i32, d: i32): void {
  if (!engine.ready || n < 1 || n > 3) return;
  engine.controls.enc(engine.s, n, d < -64 ? -64 : d > 64 ? 64 : d);
  display.touch();
}
/** Select a preset directly: 0 user, 1 sampler, 2 follower, 3 ensemble, 4 tune (as E1 would). Returns 0 or -1. */
export function setMode(m: i32): i32 {
  if (!engine.ready || m < 0 || m > MODES) return -1;
  engine.controls.setMode(engine.s, m);
  display.touch();
  return 0;
}

// ---- params -------------------------------------------------------------------------------------------------
export function textPtr(): usize { return engine.s.text.ptr(); }
export function textCap(): i32 { return TEXT_CAP; }
export function paramCount(): i32 { return PARAM_COUNT; }
/** Index of the param whose id is the first `len` bytes of the text buffer, or -1. */
export function paramIndex(len: i32): i32 { return engine.s.params.indexOf(engine.s.text, 0, len); }
/** 0 set, 1 clamped/snapped, -1 no such param, -2 NaN, -3 not initialised. */
export function paramSet(i: i32, v: f64): i32 {
  if (!engine.ready) return -3;
  display.touch();
  return engine.setParam(i, v);
}
export function paramGet(i: i32): f64 { return i >= 0 && i < PARAM_COUNT ? engine.s.params.get(i) : NaN; }
/** One encoder detent on param i, as the norns params menu moves it (fine = K3 held). */
export function paramDelta(i: i32, d: i32, fine: i32): i32 {
  if (!engine.ready || i < 0 || i >= PARAM_COUNT) return -1;
  engine.paramDelta(i, d, fine != 0);
  display.touch();
  return 0;
}
/** Writes the param's description as JSON into the text buffer; returns its length, or -1. */
export function paramInfo(i: i32): i32 {
  if (i < 0 || i >= PARAM_COUNT) return -1;
  const t = engine.s.text;
  t.clear();
  engine.s.params.info(t, i);
  return t.len;
}
/** Writes the value as the menu shows it ("50 ms", "dorian", "D1"); returns its length, or -1. */
export function paramFormat(i: i32): i32 {
  if (i < 0 || i >= PARAM_COUNT) return -1;
  const t = engine.s.text;
  t.clear();
  engine.s.params.format(t, i);
  return t.len;
}

// ---- PSETs (norns .pset text; the engine holds the text, hosts store the files) ------------------------------
/** Write every param as a norns PSET into the text buffer, named by its first nameLen bytes (0 = no `-- name`
 *  line, at most 48 bytes kept). Returns the text's length. */
export function psetWrite(nameLen: i32): i32 {
  const s = engine.s;
  const n = nameLen < 0 ? 0 : nameLen > PSET_NAME_CAP ? PSET_NAME_CAP : nameLen;
  for (let i = 0; i < n; i++) s.psetName[i] = s.text.data[i];
  writePset(s.params, s.text, s.psetName, n);
  return s.text.len;
}
/** Read the PSET text in the first len bytes of the text buffer and apply it (actions run). Returns the number of
 *  params applied, or -1 (not initialised / len out of range). Details: psetClamped/Unknown/Corrupt/... */
export function psetRead(len: i32): i32 {
  if (!engine.ready || len < 0 || len > TEXT_CAP) return -1;
  const s = engine.s;
  readPset(s, engine.controls, len, s.psetReport, s.psetSeen);
  engine.afterPset();
  display.touch();
  return s.psetReport.applied;
}
export function psetClamped(): i32 { return engine.s.psetReport.clamped; }
export function psetUnknown(): i32 { return engine.s.psetReport.unknown; }
export function psetCorrupt(): i32 { return engine.s.psetReport.corrupt; }
export function psetDuplicate(): i32 { return engine.s.psetReport.duplicate; }
/** 1-based line of the first corrupt line of the last read, 0 = none. */
export function psetFirstCorruptLine(): i32 { return engine.s.psetReport.firstCorruptLine; }
/** The `-- name` of the last read into the text buffer; returns its length (0 = none). */
export function psetName(): i32 {
  const r = engine.s.psetReport;
  const t = engine.s.text;
  t.clear();
  for (let i = 0; i < r.nameLen; i++) t.putByte(r.name[i]);
  return t.len;
}
export function psetSlots(): i32 { return PSET_SLOTS; }
/** The host tells the engine slot 1..99 holds a PSET named by the first nameLen bytes of the text buffer, or is
 *  empty (nameLen < 0). Returns 0 or -1. */
export function psetSlotSet(slot: i32, nameLen: i32): i32 {
  display.touch();
  return engine.s.psets.setSlot(slot, engine.s.text, 0, nameLen) ? 0 : -1;
}
export function psetSlotUsed(slot: i32): i32 { return engine.s.psets.used(slot) ? 1 : 0; }
/** Last slot saved or loaded (norns pset-last.txt), 0 = none; hosts set it after performing a request. */
export function psetLast(): i32 { return engine.s.psets.last; }
export function psetSetLast(slot: i32): i32 {
  if (slot < 0 || slot > PSET_SLOTS) return -1;
  engine.s.psets.last = slot;
  return 0;
}
/** The oldest PSET request the menu queued for the host: 0 none, 1 save, 2 load, 3 delete; then its slot. */
export function psetRequestOp(): i32 { return engine.s.psets.peekOp(); }
export function psetRequestSlot(): i32 { return engine.s.psets.peekSlot(); }
/** Done with the oldest request (whatever the outcome). */
export function psetRequestPop(): void { engine.s.psets.pop(); }
/** Queue a request as the menu's PSET page would (hosts and tests). Returns 0, or -1 for a bad op/slot/full queue. */
export function psetRequest(op: i32, slot: i32): i32 { return engine.s.psets.request(op, slot) ? 0 : -1; }

/** MIDI map lines the last psetRead applied (they replace the map; a PSET without any leaves it alone). */
export function psetMapped(): i32 { return engine.s.psetReport.mapped; }

// ---- MIDI map (norns PMAP, assembly/piwip/pmap.ts; saved in the PSET text) ----------------------------------
// Targets: 0..paramCount()-1 are the params, then K1 K2 K3 E1 E2 E3 preset pset (pmapTargets() in all).
export function pmapTargets(): i32 { return TARGETS; }
/** Writes target t's name (a param id, "K1".."K3", "E1".."E3", "preset", "pset"); returns its length, or -1. */
export function pmapTargetName(t: i32): i32 {
  if (t < 0 || t >= TARGETS) return -1;
  const tb = engine.s.text;
  tb.clear();
  pmap.putName(engine.s.params, tb, t);
  return tb.len;
}
/** The target named by the first len bytes of the text buffer, or -1. */
export function pmapTarget(len: i32): i32 {
  if (len < 0 || len > TEXT_CAP) return -1;
  return pmap.indexOf(engine.s.params, engine.s.text, 0, len);
}
/** The next CC (any channel) binds target t, as norns' LEARN; t = -1 stops learning. Returns 0 or -1. */
export function pmapLearn(t: i32): i32 { display.touch(); return pmap.learn(t) ? 0 : -1; }
/** The target being learned, -1 = none. */
export function pmapLearning(): i32 { return pmap.learning; }
/** Unmap target t; t = -1 clears the whole map. Returns 0 or -1. */
export function pmapClear(t: i32): i32 {
  if (t < -1 || t >= TARGETS) return -1;
  if (t == -1) pmap.clear(); else { pmap.remove(t); pmap.reset(t); }
  display.touch();
  return 0;
}
/** Map target t to CC cc (0..127) on channel ch (1..16), in inLo..inHi, out outLo..outHi (raw 0..1 for control and
 *  taper params, values for number/option params, detents per sweep for E1-E3, the mode for preset, the slot for
 *  pset; NaN keeps the target's range), accum != 0 = relative. Ranges are clamped; a (ch, cc) another target held moves here. 0, or -1. */
export function pmapSet(t: i32, cc: i32, ch: i32, inLo: i32, inHi: i32, outLo: f64, outHi: f64, accum: i32): i32 {
  display.touch();
  return pmap.set(engine.s.params, t, cc, ch, inLo, inHi, outLo, outHi, accum != 0) ? 0 : -1;
}
export function pmapCount(): i32 { return pmap.count; }
/** Counts changes to the map (learn, set, clear, a PSET with a map): poll it to re-read. */
export function pmapChanges(): i32 { return pmap.changes; }
/** Target t's CC, -1 = not mapped (or no such target). */
export function pmapCc(t: i32): i32 { return pmap.mapped(t) ? pmap.cc[t] : -1; }
export function pmapCh(t: i32): i32 { return pmap.mapped(t) ? pmap.ch[t] : -1; }
export function pmapInLo(t: i32): i32 { return pmap.mapped(t) ? pmap.inLo[t] : -1; }
export function pmapInHi(t: i32): i32 { return pmap.mapped(t) ? pmap.inHi[t] : -1; }
export function pmapOutLo(t: i32): f64 { return pmap.mapped(t) ? pmap.outLo[t] : NaN; }
export function pmapOutHi(t: i32): f64 { return pmap.mapped(t) ? pmap.outHi[t] : NaN; }
export function pmapAccum(t: i32): i32 { return pmap.mapped(t) ? (pmap.accum[t] ? 1 : 0) : -1; }
/** Writes target t's PSET line (`"pmap:<t>": "{cc=…}"`) into the text buffer; returns its length, -1 = not mapped. */
export function pmapGet(t: i32): i32 {
  if (!pmap.mapped(t)) return -1;
  const tb = engine.s.text;
  tb.clear();
  putMapLine(engine.s.params, tb, t);
  return tb.len;
}

// ---- clock --------------------------------------------------------------------------------------------------
/** The harmonizer clock's tempo now: the tempo param, or the MIDI clock estimate (0 = no ticks yet). */
export function clockBpm(): f64 { return engine.s.clock.bpm(engine.s); }
export function clockRunning(): i32 { return engine.s.clock.running ? 1 : 0; }
export function clockTicks(): i32 { return <i32>engine.s.clock.ticks; }

// ---- state (read-only views for hosts, tests and the UI mirror) ----------------------------------------------
export function time(): f64 { return <f64>engine.s.samples / <f64>engine.s.sampleRate; }
export function recording(): i32 { return engine.s.recording ? 1 : 0; }
export function armed(): i32 { return engine.s.armed ? 1 : 0; }
export function forced(): i32 { return engine.s.forceRecording ? 1 : 0; }
export function monitor(): i32 { return engine.s.params.yes(P_MONITOR) ? 1 : 0; }
export function mode(): i32 { return engine.s.mode; }
/** Writes the mode name ("", "sampler", "follower", "ensemble", "tune") into the text buffer; returns its length. */
export function modeName(): i32 { const t = engine.s.text; t.clear(); putField(t, MODE_NAMES, engine.s.mode); return t.len; }
export function takes(): i32 { return engine.s.takes; }
export function loopEnd(): f64 { return engine.s.loopEnd; }
export function startTrim(): f64 { return engine.s.startTrim; }
export function endTrim(): f64 { return engine.s.endTrim; }
/** Write head position in seconds (where the recorder is, recording or fading). */
export function writePos(): f64 { return engine.s.seconds(<f64>engine.s.recorder.pos); }
export function recLevel(): f32 { return engine.s.recorder.level; }
export function ampLevel(): f32 { const s = engine.s; return s.ampL.value > s.ampR.value ? s.ampL.value : s.ampR.value; }
/** Latest detector estimate (0 = no pitch) and the pitch map's median. */
export function pitchHz(): f32 { return engine.ready ? engine.pitchHz() : 0; }
export function medianHz(): f32 { return engine.s.pitchMap.median; }
export function pitchSlots(): i32 { return engine.s.pitchMap.count; }
export function ampCount(): i32 { return engine.s.ampCount; }
export function beats(): f64 { return engine.s.beat; }
export function harmonizerNotes(): i32 { return engine.controls.harmonizer.notes; }
export function voiceCount(): i32 { return VOICES; }
export function voiceNote(v: i32): i32 { return v >= 0 && v < VOICES ? engine.s.players[v].midi : -1; }
export function voiceStarted(v: i32): i32 { return v >= 0 && v < VOICES && engine.s.players[v].started ? 1 : 0; }
/** shifter = psola voice v (0..4): its held MIDI note, 0 when its gate is off (-1 = no such voice). */
export function shifterNote(v: i32): i32 { return v >= 0 && v < SHIFT_VOICES ? engine.s.shifter.voices[v].note : -1; }
export function voicePos(v: i32): f64 { return v >= 0 && v < VOICES && engine.ready ? engine.s.players[v].voice.position() : 0; }
export function voiceRate(v: i32): f64 { return v >= 0 && v < VOICES && engine.ready ? engine.s.players[v].voice.rate() : 0; }
export function voiceLevel(v: i32): f32 { return v >= 0 && v < VOICES && engine.ready ? engine.s.players[v].voice.level() : 0; }
export function voiceRef(v: i32): f64 { return v >= 0 && v < VOICES ? engine.s.players[v].refUsed : 0; }
