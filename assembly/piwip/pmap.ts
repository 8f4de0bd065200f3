// The MIDI map, after norns' PMAP (monome/norns 529b4e39: lua/core/pmap.lua, and the CC handler
// norns.menu_midi_event in lua/core/menu/params.lua:710-758): a target gets a CC number and channel, an input range
// in_lo..in_hi, an output range out_lo..out_hi and `accum` (relative encoders). Besides every param, the targets
// K1-K3, E1-E3, the E1 preset (spec §4: "Presets / modes (E1)") and the PSET slot to load, so a keyboard with knobs
// and pads plays the module with no screen. One binding per (channel, CC) and one per target, as norns.
// Differences: the map is per channel and CC on every MIDI input (norns also keys on the vport, but a shell numbers
// its sources as it finds them, so a saved device number would not mean the same port); no `echo` (there is no
// MIDI out); the map is saved inside the PSET text (pset.ts) instead of a separate .pmap file.
// Fixed-size tables, no allocation after start-up, O(1) work per CC (a preset change applies its preset column).
import { Engine } from "./engine";
import { PARAM_COUNT, PType, Params } from "./params";
import { MODES } from "./controls";
import { PSET_SLOTS } from "./pset";
import { TextBuf, putField } from "./text";

export const T_K1: i32 = PARAM_COUNT; // K1, K2, K3
export const T_E1: i32 = PARAM_COUNT + 3; // E1, E2, E3
export const T_PRESET: i32 = PARAM_COUNT + 6; // the E1 mode 0..4 (user, sampler, follower, ensemble, tune)
export const T_PSET: i32 = PARAM_COUNT + 7; // the PSET slot to load
export const CONTROL_TARGETS: i32 = 8;
export const TARGETS: i32 = PARAM_COUNT + CONTROL_TARGETS;
export const CONTROL_NAMES: string = "K1|K2|K3|E1|E2|E3|preset|pset";

// pmap.new (pmap.lua:10-23): cc 100, channel 1, in 0..127, out 0..1, accum off, value 0
export const DEFAULT_CC: i32 = 100;
export const DEFAULT_CH: i32 = 1;
const NO_LAST: i32 = -0x7fffffff;
/** Encoder detents a full sweep of an absolute knob mapped to E1-E3 gives by default (out 0..127). */
export const ENC_SWEEP: f64 = 127;
/** Slots a knob mapped to `pset` sweeps by default (out 1..8: one per pad of an 8-pad controller). */
export const PSET_SWEEP: f64 = 8;

/** util.linlin (lua/lib/util.lua:150-158): clamps to the output ends outside the input range. */
export function linlin(slo: f64, shi: f64, dlo: f64, dhi: f64, f: f64): f64 {
  if (f <= slo) return dlo;
  if (f >= shi) return dhi;
  return (f - slo) / (shi - slo) * (dhi - dlo) + dlo;
}
/** util.round(x) = math.floor(x + 0.5). */
@inline function luaRound(x: f64): f64 { return Math.floor(x + 0.5); }
@inline function clampi(v: i32, lo: i32, hi: i32): i32 { return v < lo ? lo : v > hi ? hi : v; }

export class Pmap {
  cc: StaticArray<i32> = new StaticArray<i32>(TARGETS); // -1 = not mapped
  ch: StaticArray<i32> = new StaticArray<i32>(TARGETS); // 1..16
  inLo: StaticArray<i32> = new StaticArray<i32>(TARGETS);
  inHi: StaticArray<i32> = new StaticArray<i32>(TARGETS);
  outLo: StaticArray<f64> = new StaticArray<f64>(TARGETS); // raw 0..1 for control/taper params, values otherwise
  outHi: StaticArray<f64> = new StaticArray<f64>(TARGETS);
  accum: StaticArray<bool> = new StaticArray<bool>(TARGETS);
  value: StaticArray<i32> = new StaticArray<i32>(TARGETS); // norns pm.value: the accum position
  // keys: last state sent (0 up / 1 down); E absolute: last knob position in detents; preset/pset: last choice
  last: StaticArray<i32> = new StaticArray<i32>(TARGETS);
  rev: StaticArray<i16> = new StaticArray<i16>(16 * 128); // (channel-1)*128 + cc → target, -1 none (pmap.rev)
  /** Target the next CC binds to (norns m.midilearn), -1 = not learning. */
  learning: i32 = -1;
  count: i32 = 0;
  /** Counts changes (learn, assign, clear, PSET read) so the menu and hosts can tell the map moved. */
  changes: i32 = 0;

  constructor() {
    for (let i = 0; i < 16 * 128; i++) unchecked(this.rev[i] = -1);
    for (let t = 0; t < TARGETS; t++) { unchecked(this.cc[t] = -1); this.reset(t); }
  }

  @inline mapped(t: i32): bool { return t >= 0 && t < TARGETS && unchecked(this.cc[t]) >= 0; }

  /** The target's output range when it is first mapped: pmap.new, then the param's range for number and option
   *  params (params.lua:215-220); for the controls, the range each one reads (see apply). */
  defaultOut(p: Params, t: i32, hi: bool): f64 {
    if (t < PARAM_COUNT) {
      const d = unchecked(p.defs[t]);
      if (d.type == PType.NUMBER || d.type == PType.OPTION) return hi ? d.max : d.min;
      return hi ? 1 : 0;
    }
    if (t >= T_E1 && t < T_E1 + 3) return hi ? ENC_SWEEP : 0;
    if (t == T_PRESET) return hi ? <f64>MODES : 0;
    if (t == T_PSET) return hi ? PSET_SWEEP : 1;
    return hi ? 1 : 0;
  }

  /** Back to pmap.new's fields (out 0..1; the engine-aware range comes from fresh()). */
  reset(t: i32): void {
    unchecked(this.ch[t] = DEFAULT_CH);
    unchecked(this.inLo[t] = 0);
    unchecked(this.inHi[t] = 127);
    unchecked(this.outLo[t] = 0);
    unchecked(this.outHi[t] = 1);
    unchecked(this.accum[t] = false);
    unchecked(this.value[t] = 0);
    unchecked(this.last[t] = t >= T_K1 && t < T_K1 + 3 ? 0 : NO_LAST);
  }

  /** pmap.new plus the output range of the target's type. */
  fresh(p: Params, t: i32): void {
    this.reset(t);
    unchecked(this.outLo[t] = this.defaultOut(p, t, false));
    unchecked(this.outHi[t] = this.defaultOut(p, t, true));
  }

  /** pmap.assign (pmap.lua:31-41): a (channel, CC) another target held is taken from it. */
  assign(t: i32, ch: i32, cc: i32): bool {
    if (t < 0 || t >= TARGETS || ch < 1 || ch > 16 || cc < 0 || cc > 127) return false;
    const k = (ch - 1) * 128 + cc;
    const prev = <i32>unchecked(this.rev[k]);
    if (prev >= 0 && prev != t) this.remove(prev);
    if (this.mapped(t)) unchecked(this.rev[(unchecked(this.ch[t]) - 1) * 128 + unchecked(this.cc[t])] = -1);
    else this.count++;
    unchecked(this.cc[t] = cc);
    unchecked(this.ch[t] = ch);
    unchecked(this.rev[k] = <i16>t);
    this.changes++;
    return true;
  }

  /** pmap.remove (pmap.lua:25-29). */
  remove(t: i32): void {
    if (!this.mapped(t)) return;
    unchecked(this.rev[(unchecked(this.ch[t]) - 1) * 128 + unchecked(this.cc[t])] = -1);
    unchecked(this.cc[t] = -1);
    this.count--;
    if (this.learning == t) this.learning = -1;
    this.changes++;
  }

  /** pmap.clear (pmap.lua:49-59). */
  clear(): void {
    for (let t = 0; t < TARGETS; t++) { this.remove(t); this.reset(t); }
    this.learning = -1;
    this.changes++;
  }

  /** Start learning for target t (the next CC binds it), or stop (t = -1). */
  learn(t: i32): bool {
    if (t < -1 || t >= TARGETS) return false;
    this.learning = t;
    this.changes++;
    return true;
  }

  /** Set every field at once (hosts, the PSET reader); NaN out ends keep the current (or default) ones. Ranges are clamped as the MAP edit page clamps them
   *  (params.lua:362-385): in_lo <= in_hi within 0..127, out within the target's range. */
  set(p: Params, t: i32, cc: i32, ch: i32, inLo: i32, inHi: i32, outLo: f64, outHi: f64, accum: bool): bool {
    if (t < 0 || t >= TARGETS || cc < 0 || cc > 127 || ch < 1 || ch > 16) return false;
    if (!this.mapped(t)) this.fresh(p, t);
    if (!(outLo == outLo)) outLo = unchecked(this.outLo[t]); // NaN keeps the range it has
    if (!(outHi == outHi)) outHi = unchecked(this.outHi[t]);
    inLo = clampi(inLo, 0, 127);
    inHi = clampi(inHi, inLo, 127);
    const lo = this.outMin(p, t);
    const hi = this.outMax(p, t);
    unchecked(this.inLo[t] = inLo);
    unchecked(this.inHi[t] = inHi);
    unchecked(this.outLo[t] = outLo < lo ? lo : outLo > hi ? hi : outLo);
    unchecked(this.outHi[t] = outHi < lo ? lo : outHi > hi ? hi : outHi);
    unchecked(this.accum[t] = accum);
    unchecked(this.value[t] = clampi(unchecked(this.value[t]), inLo, inHi));
    return this.assign(t, ch, cc);
  }

  /** The output range's bounds: the param's range for number/option params, raw 0..1 for control/taper
   *  (params.lua:369-380), the controls' own ranges. */
  outMin(p: Params, t: i32): f64 {
    if (t < PARAM_COUNT) {
      const d = unchecked(p.defs[t]);
      return d.type == PType.NUMBER || d.type == PType.OPTION ? d.min : 0;
    }
    if (t >= T_E1 && t < T_E1 + 3) return -ENC_SWEEP * 8;
    if (t == T_PSET) return 1;
    return 0;
  }
  outMax(p: Params, t: i32): f64 {
    if (t < PARAM_COUNT) {
      const d = unchecked(p.defs[t]);
      return d.type == PType.NUMBER || d.type == PType.OPTION ? d.max : 1;
    }
    if (t >= T_E1 && t < T_E1 + 3) return ENC_SWEEP * 8;
    if (t == T_PRESET) return <f64>MODES;
    if (t == T_PSET) return <f64>PSET_SLOTS;
    return 1;
  }

  /** A CC arrived (channel 1..16). Returns true when it did something (a learn, a move). */
  onCC(e: Engine, ch: i32, cc: i32, v: i32): bool {
    if (ch < 1 || ch > 16) return false;
    cc &= 127; v &= 127;
    if (this.learning >= 0) { // params.lua:715-723: the CC binds and does nothing else
      const t = this.learning;
      if (!this.mapped(t)) this.fresh(e.s.params, t);
      this.learning = -1;
      return this.assign(t, ch, cc);
    }
    const t = <i32>unchecked(this.rev[(ch - 1) * 128 + cc]);
    if (t < 0) return false;
    this.apply(e, t, v);
    return true;
  }

  /** params.lua:726-741 for params; the controls read the same scaled value as below. */
  apply(e: Engine, t: i32, v: i32): void {
    const lo = <f64>unchecked(this.inLo[t]);
    const hi = <f64>unchecked(this.inHi[t]);
    const s = e.s;
    if (t >= T_E1 && t < T_E1 + 3) { this.encoder(e, t, v); return; }
    let x = <f64>v;
    if (unchecked(this.accum[t]) && !(t >= T_K1 && t < T_K1 + 3)) {
      // params.lua:730-733: one step per message, up when v > 64 (a 64-centred relative encoder)
      const p = clampi(unchecked(this.value[t]) + (v > 64 ? 1 : -1), <i32>lo, <i32>hi);
      unchecked(this.value[t] = p);
      x = <f64>p;
    }
    x = x < lo ? lo : x > hi ? hi : x;
    const y = linlin(lo, hi, unchecked(this.outLo[t]), unchecked(this.outHi[t]), x);
    if (t < PARAM_COUNT) {
      const d = unchecked(s.params.defs[t]);
      // control/taper: params:set_raw (the out range is raw 0..1); number/option: util.round then params:set
      if (d.type == PType.CONTROL || d.type == PType.TAPER) e.setParam(t, s.params.fromRaw(t, y));
      else e.setParam(t, luaRound(y));
      return;
    }
    if (t < T_K1 + 3) {
      // a pad or sustain pedal: the upper half of the input range is down (>= 64 with in 0..127); only changes act
      const z = linlin(lo, hi, 0, 1, x) >= 0.5 ? 1 : 0;
      if (z == unchecked(this.last[t])) return;
      unchecked(this.last[t] = z);
      e.controls.key(s, t - T_K1 + 1, z);
      return;
    }
    const pick = <i32>luaRound(y);
    if (t == T_PRESET) {
      const m = clampi(pick, 0, MODES);
      if (m != s.mode) e.controls.setMode(s, m);
      unchecked(this.last[t] = m);
      return;
    }
    // T_PSET: queue a load of an existing slot when the choice changes; a knob swept fast leaves one request for
    // the slot it stopped on (PsetSlots.requestLoad replaces a load still queued)
    const slot = clampi(pick, 1, PSET_SLOTS);
    if (slot == unchecked(this.last[t])) return;
    unchecked(this.last[t] = slot);
    if (s.psets.used(slot)) s.psets.requestLoad(slot);
  }

  /**
   * E1-E3. accum (relative / endless encoder): the value is a 64-centred delta (65 = +1, 63 = -1, 70 = +6): the
   * sign convention of norns' accum (v > 64 = up, params.lua:731) but keeping the size a fast turn sends, so a trim
   * moves as far as the hand did. Absolute (the default, a knob with ends): its position through in → out is a
   * number of detents, and each CC sends the difference from the last one; the first CC after mapping only sets
   * where the knob is, so picking a knob up never jumps the trims.
   */
  private encoder(e: Engine, t: i32, v: i32): void {
    const n = t - T_E1 + 1;
    let d = 0;
    if (unchecked(this.accum[t])) d = v - 64;
    else {
      const lo = <f64>unchecked(this.inLo[t]);
      const hi = <f64>unchecked(this.inHi[t]);
      const x = <f64>v < lo ? lo : <f64>v > hi ? hi : <f64>v;
      const pos = <i32>luaRound(linlin(lo, hi, unchecked(this.outLo[t]), unchecked(this.outHi[t]), x));
      const was = unchecked(this.last[t]);
      unchecked(this.last[t] = pos);
      if (was == NO_LAST) return;
      d = pos - was;
    }
    if (d == 0) return;
    e.controls.enc(e.s, n, d < -64 ? -64 : d > 64 ? 64 : d);
  }

  /** Writes target t's name (a param id, or K1..K3, E1..E3, preset, pset). */
  putName(p: Params, tb: TextBuf, t: i32): void {
    if (t < 0 || t >= TARGETS) return;
    if (t < PARAM_COUNT) tb.putStr(unchecked(p.defs[t]).id);
    else putField(tb, CONTROL_NAMES, t - PARAM_COUNT);
  }

  /** The target named by tb[start, start+n), or -1. */
  indexOf(p: Params, tb: TextBuf, start: i32, n: i32): i32 {
    const i = p.indexOf(tb, start, n);
    if (i >= 0) return i;
    let pos = 0;
    for (let f = 0; f < CONTROL_TARGETS; f++) {
      let end = pos;
      while (end < CONTROL_NAMES.length && CONTROL_NAMES.charCodeAt(end) != 124) end++;
      if (end - pos == n) {
        let same = true;
        for (let i = 0; i < n; i++) if (CONTROL_NAMES.charCodeAt(pos + i) != <i32>unchecked(tb.data[start + i])) { same = false; break; }
        if (same) return PARAM_COUNT + f;
      }
      pos = end + 1;
    }
    return -1;
  }
}

export const pmap = new Pmap();
