// Keys, encoders and presets (spec §4, §7, §8.4) with fixes: E1 is 0..4 (A13; 4 = tune, the module's own), trims clamp to a valid window
// (A12), the monitor state is explicit from start (A21). Param changes run their actions through setParam.
// A short K1 press toggles the params menu as on norns; while it is open it gets K2/K3/E1-E3.
import { State } from "./state";
import {
  PARAM_COUNT, P_NOTES_VOL, P_LIVE_FOLLOW, P_KEEP_ARMED, P_REFERENCE, P_ONLY_DURING_REC, P_START_AT_0,
  P_MIDI_DURING_REC, P_SILENCE, P_ENSEMBLER, P_VOICES, P_SPREAD, P_TIME_SPREAD, P_MIN_RECORDED, P_MONITOR,
  P_SCALE, P_ROOT, P_DETECTOR, P_PROBABILITY, P_SHIFTER, P_AUTOTUNE,
} from "./params";
import { recStart, recStop } from "./recording";
import { updateVol } from "./players";
import { Harmonizer } from "./harmonizer";
import { Menu } from "../ui/menu";

export const MODE_NAMES: string = "|sampler|follower|ensemble|tune";

// Spec §4, one row per param: the param, then its value in sampler / follower / ensemble / tune (NaN = left alone,
// so presets stay additive as in the original); applied in this order, each through its action. `tune` (E1 4) is
// the module's own: the pitch-synchronous shifter with autotune; the three originals switch it back off, so each
// of them is faithful whatever was selected before.
const PRESETS: StaticArray<f64> = [
  P_LIVE_FOLLOW, 1, 2, 2, NaN,
  P_KEEP_ARMED, 1, 2, 2, 2,
  P_REFERENCE, 1, 3, 1, NaN,
  P_ONLY_DURING_REC, 1, 2, 2, 1,
  P_START_AT_0, 2, 1, 2, NaN,
  P_MIDI_DURING_REC, 1, 2, 2, 2,
  P_SILENCE, NaN, 200, 500, 200,
  P_ENSEMBLER, NaN, NaN, 2, 1,
  P_VOICES, NaN, NaN, 5, NaN,
  P_SPREAD, NaN, NaN, 15, NaN,
  P_TIME_SPREAD, NaN, NaN, 1.5, NaN,
  P_NOTES_VOL, NaN, NaN, 0.5, NaN,
  P_MIN_RECORDED, NaN, NaN, 10, NaN,
  P_SHIFTER, 1, 1, 1, 2,
  P_AUTOTUNE, 1, 1, 1, 2,
];
export const MODES: i32 = 4; // E1 runs 0..MODES
const COLS: i32 = MODES + 1;
const PRESET_ROWS: i32 = PRESETS.length / COLS;
export const MIN_WINDOW: f64 = 0.01; // seconds a trimmed window keeps at least (A12)
export const MESSAGE_TIME: f64 = 0.5;
export const KEY_GUARD: f64 = 0.5; // keys are ignored this long after start
export const KEY1_HOLD_TIME: f64 = 0.25; // norns: a K1 press shorter than this toggles the menu

export class Controls {
  harmonizer: Harmonizer = new Harmonizer();
  menu: Menu = new Menu();
  // K1 went down at k1At and nothing used it as shift yet: releasing it within KEY1_HOLD_TIME toggles the menu.
  // Unlike norns, shift acts at once (K1+K2 needs no 0.25 s wait) and any combo cancels the toggle.
  k1Pending: bool = false;
  k1At: i64 = 0;

  @inline private k1Short(s: State): bool {
    return <f64>(s.samples - this.k1At) < KEY1_HOLD_TIME * <f64>s.sampleRate;
  }

  /** Shift as the screen shows it: only once K1 is held past a short press or used in a combo (as norns). */
  shiftShown(s: State): bool { return s.shift && !(this.k1Pending && this.k1Short(s)); }

  /** Set a param and run its action. Returns Params.set's code. */
  setParam(s: State, i: i32, v: f64): i32 {
    const before = i >= 0 && i < PARAM_COUNT ? s.params.get(i) : 0;
    const rc = s.params.set(i, v);
    if (rc < 0) return rc;
    this.action(s, i, before);
    return rc;
  }

  action(s: State, i: i32, before: f64): void {
    if (i == P_NOTES_VOL || i == P_PROBABILITY) updateVol(s);
    else if (i == P_SCALE || i == P_ROOT) { this.harmonizer.rebuild(s); s.shifter.setScale(s.params.opt(P_ROOT), s.params.opt(P_SCALE) - 1); }
    else if (i == P_DETECTOR && s.params.get(i) != before) {
      const d = s.params.opt(P_DETECTOR) == 2 ? s.classic : s.follower;
      if (d) d.reset();
    }
  }

  applyPreset(s: State, mode: i32): void {
    if (mode < 1 || mode > MODES) return;
    for (let r = 0; r < PRESET_ROWS; r++) {
      const v = unchecked(PRESETS[r * COLS + mode]);
      if (v == v) this.setParam(s, <i32>unchecked(PRESETS[r * COLS]), v);
    }
    s.armed = true;
  }

  /** E1 without shift: ±1 mode per event (spec §4), user settings saved/restored around mode 0. */
  stepMode(s: State, d: i32): void {
    if (d == 0) return;
    let m = s.mode + (d > 0 ? 1 : -1);
    if (m < 0) m = 0;
    if (m > MODES) m = MODES;
    this.setMode(s, m);
  }

  /** Select mode m (0..MODES). Whenever the current mode is 0 the user's settings are saved first (piwip_temp.pset). */
  setMode(s: State, m: i32): void {
    if (m < 0 || m > MODES) return;
    if (s.mode == 0) {
      for (let i = 0; i < PARAM_COUNT; i++) unchecked(s.snapshot[i] = s.params.get(i));
      s.hasSnapshot = true;
    }
    s.mode = m;
    if (m == 0) {
      if (s.hasSnapshot) for (let i = 0; i < PARAM_COUNT; i++) this.setParam(s, i, unchecked(s.snapshot[i]));
    } else this.applyPreset(s, m);
  }

  key(s: State, n: i32, z: i32): void {
    if (s.seconds(<f64>s.samples) < KEY_GUARD) return;
    if (n == 1) {
      if (z != 0) { this.k1Pending = true; this.k1At = s.samples; }
      else if (this.k1Pending && this.k1Short(s)) this.menu.toggle(s);
      if (z == 0) this.k1Pending = false;
      s.shift = z != 0;
      return;
    }
    this.k1Pending = false;
    if (this.menu.open) { this.menu.key(s, n, z); return; }
    if (z == 0) return;
    if (n == 2) {
      if (s.shift) {
        this.setParam(s, P_MONITOR, s.params.yes(P_MONITOR) ? 1 : 2);
        s.messageId = s.params.yes(P_MONITOR) ? 1 : 2;
        s.messageUntil = s.samples + <i64>(MESSAGE_TIME * <f64>s.sampleRate);
      } else s.armed = !s.armed;
    } else if (n == 3 && !s.shift) {
      if (s.recording) recStop(s, true);
      else { recStart(s); s.forceRecording = true; }
    }
  }

  enc(s: State, n: i32, d: i32): void {
    if (s.shift) this.k1Pending = false;
    if (this.menu.open) { this.menu.enc(s, n, d); return; }
    if (n == 1) {
      if (s.shift) this.setParam(s, P_NOTES_VOL, Math.round((s.params.get(P_NOTES_VOL) + <f64>d * 0.01) * 100) / 100);
      else this.stepMode(s, d);
    } else if (n == 2) {
      let st = s.startTrim + <f64>d * 0.01;
      const hi = s.loopEnd - s.endTrim - MIN_WINDOW;
      if (st > hi) st = hi;
      if (st < 0) st = 0;
      s.startTrim = st;
    } else if (n == 3) {
      let et = s.endTrim - <f64>d * 0.01;
      const hi = s.loopEnd - s.startTrim - MIN_WINDOW;
      if (et > hi) et = hi;
      if (et < 0) et = 0;
      s.endTrim = et;
    }
  }
}
