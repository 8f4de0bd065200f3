// The params menu, after norns' PARAMS page (lua/core/menu/params.lua at monome/norns 529b4e39): a SELECT list
// (EDIT > / PSET >), the EDIT list (separator "piwip", the groups of spec §11, their params, scrolled so the
// selection sits on line 3 of 6), the PSET page (SAVE / LOAD / DELETE × slot) and the delete confirmation, and the
// MAP page (params.lua mMAP / mMAPEDIT): the same list with each target's CC, a "controls" group for K1-K3, E1-E3,
// preset and pset, and the edit page (LEARN, CLEAR, cc, ch, in, out, accum). Same keys and look as norns; no name
// entry on SAVE, and the MAP edit page has no dev (the map listens to every input) and no echo (no MIDI out).
import { State } from "../piwip/state";
import { PARAM_COUNT, P_ENSEMBLER, GROUP_NAMES, GROUP_COUNT } from "../piwip/params";
import { TEXT_CAP } from "../piwip/text";
import { PSET_SLOTS, PsetOp } from "../piwip/pset";
import { pmap, TARGETS, DEFAULT_CC, DEFAULT_CH, CONTROL_NAMES } from "../piwip/pmap";
import { PType } from "../piwip/params";
import { engine } from "../piwip/engine";
import * as screen from "../screen/draw";

export const enum MenuMode { SELECT = 0, EDIT = 1, PSET = 2, PSET_DELETE = 3, MAP = 4, MAP_EDIT = 5 }

// Page items: a param index (>= 0), the separator, or group g as GROUP_ITEM - g.
const SEPARATOR_ITEM: i32 = -1;
const GROUP_ITEM: i32 = -2;
const SEPARATOR_NAME: string = "piwip";
// the MAP page's own group after the param groups: the play controls (pmap targets PARAM_COUNT..TARGETS-1)
const CONTROLS_GROUP: i32 = GROUP_COUNT;
const CONTROLS_NAME: string = "controls";
const LINES: i32 = 6; // norns shows six 10 px lines; the selection is line 3

// Formatted values borrow the shared text buffer's last bytes and give them back byte for byte (see borrowText):
// a second 16 KiB TextBuf would cost the recording buffer 4 % on a Teensy without PSRAM.
const LABEL_MAX: i32 = 64;
const label: usize = memory.data(LABEL_MAX);
const saved: usize = memory.data(LABEL_MAX);
let labelLen: i32 = 0;

@inline function isGroup(item: i32): bool { return item <= GROUP_ITEM; }
@inline function groupOf(item: i32): i32 { return GROUP_ITEM - item; }
@inline function clampi(v: i32, lo: i32, hi: i32): i32 { return v < lo ? lo : v > hi ? hi : v; }

function labelByte(c: i32): void {
  if (labelLen < LABEL_MAX) { store<u8>(label + <usize>labelLen, <u8>c); labelLen++; }
}

/** label = the i-th '|' field of s. */
function labelField(s: string, index: i32): void {
  labelLen = 0;
  let field = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 124) { field++; continue; }
    if (field == index) labelByte(c);
  }
}

/** label = the param's menu name: the original's names ("scale mode", "ensembler") where the id differs. */
function labelName(s: State, i: i32): void {
  labelLen = 0;
  if (i == P_ENSEMBLER) { labelStr("ensembler"); return; }
  const id = unchecked(s.params.defs[i]).id;
  for (let k = 0; k < id.length; k++) { const c = id.charCodeAt(k); labelByte(c == 95 ? 32 : c); }
}

function labelStr(str: string): void { for (let k = 0; k < str.length; k++) labelByte(str.charCodeAt(k)); }

/**
 * label = what Params.format (what 0) or PsetSlots.putName (what 1) writes for arg. They write into the shared
 * text buffer's last LABEL_MAX bytes, which are saved before and restored after with the buffer's length, so a
 * host sees the buffer exactly as it left it.
 */
function borrowText(s: State, what: i32, arg: i32): void {
  const t = s.text;
  const mark = t.len;
  const start = TEXT_CAP - LABEL_MAX;
  const base = t.ptr() + <usize>start;
  memory.copy(saved, base, <usize>LABEL_MAX);
  t.len = start; // TextBuf stops at TEXT_CAP, so nothing outside the saved bytes can be written
  if (what == 0) s.params.format(t, arg);
  else if (what == 1) s.psets.putName(t, arg);
  else t.putNum(borrowValue, arg);
  labelLen = t.len - start;
  memory.copy(label, base, <usize>labelLen);
  memory.copy(base, saved, <usize>LABEL_MAX);
  t.len = mark;
}

let borrowValue: f64 = 0;
/** label = v with at most `decimals` decimals (through the text buffer, as borrowText). */
function labelNum(s: State, v: f64, decimals: i32): void { borrowValue = v; borrowText(s, 2, decimals); }

/** label = a group's name (the MAP page's controls group included). */
function labelGroup(g: i32): void {
  if (g == CONTROLS_GROUP) { labelLen = 0; labelStr(CONTROLS_NAME); } else labelField(GROUP_NAMES, g);
}

/** label = a map target's id as norns' MAP page shows it (the param id; K1..K3, E1..E3, preset, pset). */
function labelTarget(s: State, t: i32): void {
  if (t < PARAM_COUNT) {
    labelLen = 0;
    const id = unchecked(s.params.defs[t]).id;
    for (let k = 0; k < id.length; k++) labelByte(id.charCodeAt(k));
  } else labelField(CONTROL_NAMES, t - PARAM_COUNT);
}

/** label = the decimal digits of v >= 0, after what it holds. */
function labelInt(v: i32): void {
  let div = 1;
  while (div <= v / 10) div *= 10;
  for (; div > 0; div /= 10) labelByte(48 + (v / div) % 10);
}

/** A MAP page caption, dim. */
function caption(x: i32, y: i32, text: string): void {
  screen.level(4);
  screen.move(<f64>x, <f64>y);
  screen.text(text);
}

/** The label as a MAP page field ending at x, bright when it is the one being edited. */
function field(x: i32, y: i32, selected: bool): void {
  screen.move(<f64>x, <f64>y);
  screen.level(selected ? 15 : 4);
  screen.textRightBytes(label, labelLen);
}

/** A left-aligned menu line: level 15 when selected, 4 otherwise (norns' menu colours). */
function row(t: string, y: f64, selected: bool): void {
  screen.level(selected ? 15 : 4);
  screen.move(0, y);
  screen.text(t);
}

export class Menu {
  open: bool = false;
  mode: MenuMode = MenuMode.SELECT;
  modePrev: MenuMode = MenuMode.SELECT;
  /** SELECT line: 1 EDIT, 2 PSET. */
  modePos: i32 = 1;
  /** EDIT: selected line of the page, the page (top level or one group) and the top-level line to go back to. */
  pos: i32 = 0;
  oldPos: i32 = 0;
  group: i32 = -1;
  page: StaticArray<i32> = new StaticArray<i32>(PARAM_COUNT + GROUP_COUNT + 2);
  pageLen: i32 = 0;
  /** K3 held on a param: E3 moves in fine steps. */
  fine: bool = false;
  /** PSET: 1 SAVE, 2 LOAD, 3 DELETE; the selected slot is psPos + 1. */
  psAction: i32 = 1;
  psPos: i32 = 0;
  /** MAP edit (params.lua m.mpos, m.cc, m.ch): the line (0 value, 1 LEARN, 2 CLEAR, 3 cc, 4 ch, 6/7 in, 8/9 out,
   *  10 accum; norns' 5 dev and 11 echo are not here), the target, and the cc/ch assigned on K2. */
  mpos: i32 = 1;
  mapTarget: i32 = 0;
  editCc: i32 = DEFAULT_CC;
  editCh: i32 = DEFAULT_CH;
  /** cc/ch turned by hand since entering (K2 then assigns them even on an unmapped target). */
  edited: bool = false;
  /** LEARN pressed here and not yet answered by a CC. */
  learnArmed: bool = false;

  /** A short K1 press: the menu opens where it was left, or closes. */
  toggle(s: State): void {
    this.open = !this.open;
    this.fine = false;
    if (this.open && this.pageLen == 0) this.buildTop();
  }

  buildTop(): void {
    this.group = -1;
    unchecked(this.page[0] = SEPARATOR_ITEM);
    for (let g = 0; g < GROUP_COUNT; g++) unchecked(this.page[1 + g] = GROUP_ITEM - g);
    this.pageLen = 1 + GROUP_COUNT;
    if (this.mode == MenuMode.MAP) unchecked(this.page[this.pageLen++] = GROUP_ITEM - CONTROLS_GROUP);
  }

  /** Show group g's params (norns build_sub); a group without params is not entered. */
  enterGroup(s: State, g: i32): void {
    let n = 0;
    if (g == CONTROLS_GROUP) for (let t = PARAM_COUNT; t < TARGETS; t++) unchecked(this.page[n++] = t);
    else for (let i = 0; i < PARAM_COUNT; i++) if (unchecked(s.params.defs[i]).group == g) unchecked(this.page[n++] = i);
    if (n == 0) { this.buildTop(); return; }
    this.group = g;
    this.pageLen = n;
    this.oldPos = this.pos;
    this.pos = 0;
  }

  /** Highest used slot + 1 (norns lists one empty slot past the last PSET), at most PSET_SLOTS. */
  slotCount(s: State): i32 {
    let n = 0;
    for (let k = 1; k <= PSET_SLOTS; k++) if (s.psets.used(k)) n = k;
    return min(n + 1, PSET_SLOTS);
  }

  /** K2 / K3 while the menu is open; alt = K1 held. */
  key(s: State, n: i32, z: i32): void {
    const alt = s.shift;
    if (this.mode == MenuMode.SELECT) {
      if (n == 3 && z == 1) {
        if (this.modePos == 2) { this.modePrev = MenuMode.SELECT; this.mode = MenuMode.PSET; }
        else { // EDIT, or MAP (params.lua:148-150): the same list, where it was left
          this.mode = this.modePos == 1 ? MenuMode.EDIT : MenuMode.MAP;
          this.keepPage();
        }
      }
    } else if (this.mode == MenuMode.EDIT || this.mode == MenuMode.MAP) { // params.lua:154-241
      const item = unchecked(this.page[this.pos]);
      if (n == 2 && z == 1) {
        if (alt) { this.modePrev = this.mode; this.mode = MenuMode.PSET; }
        else if (this.group >= 0) { this.buildTop(); this.pos = this.oldPos; }
        else this.mode = MenuMode.SELECT;
      } else if (n == 3 && z == 1 && alt) { // K1+K3 swaps EDIT and MAP (params.lua:169-170)
        this.mode = this.mode == MenuMode.EDIT ? MenuMode.MAP : MenuMode.EDIT;
        this.keepPage();
      } else if (n == 3 && z == 1) {
        if (isGroup(item)) {
          this.enterGroup(s, groupOf(item));
        } else if (item == SEPARATOR_ITEM) {
          this.pos = this.nextSeparator(this.pos, 1);
        } else if (this.mode == MenuMode.MAP) this.enterMapEdit(s, item);
        else this.fine = true;
      } else if (n == 3) this.fine = false;
    } else if (this.mode == MenuMode.MAP_EDIT) { // params.lua:243-262
      this.syncLearn();
      const t = this.mapTarget;
      if (n == 2 && z == 1) {
        // norns assigns m.cc/m.ch here whatever happened; an untouched unmapped target stays unmapped instead of
        // landing on CC 100
        if (pmap.mapped(t) || this.edited) pmap.assign(t, this.editCh, this.editCc);
        if (pmap.learning == t) pmap.learn(-1);
        this.learnArmed = false;
        this.mode = MenuMode.MAP;
      } else if (n == 3 && z == 1) {
        if (this.mpos == 1) {
          this.learnArmed = pmap.learning != t;
          pmap.learn(this.learnArmed ? t : -1);
        } else if (this.mpos == 2) {
          pmap.remove(t);
          pmap.reset(t);
          this.learnArmed = false;
          this.mode = MenuMode.MAP;
        } else if (this.mpos == 8 || this.mpos == 9) this.fine = true;
      } else if (n == 3) this.fine = false;
    } else if (this.mode == MenuMode.PSET) {
      if (n == 2 && z == 1) this.mode = alt ? this.modePrev : MenuMode.SELECT;
      else if (n == 3 && z == 1) {
        const slot = this.psPos + 1;
        if (this.psAction == 1) s.psets.request(PsetOp.SAVE, slot);
        else if (this.psAction == 2) { if (s.psets.used(slot)) s.psets.request(PsetOp.LOAD, slot); }
        else if (s.psets.used(slot)) this.mode = MenuMode.PSET_DELETE;
      }
    } else { // PSET_DELETE: "DELETE PSET?" K3 yes, K2 no
      if (n == 2 && z == 1) this.mode = MenuMode.PSET;
      else if (n == 3 && z == 1) { s.psets.request(PsetOp.DELETE, this.psPos + 1); this.mode = MenuMode.PSET; }
    }
  }

  /** After switching between EDIT and MAP: the top list (which has the controls group only in MAP) is rebuilt,
   *  and EDIT leaves the controls group; a param group stays as it was. */
  keepPage(): void {
    if (this.group < 0 || this.group == CONTROLS_GROUP) {
      if (this.group == CONTROLS_GROUP && this.mode == MenuMode.EDIT) { this.buildTop(); this.pos = this.oldPos; }
      else if (this.group < 0) this.buildTop();
      this.pos = clampi(this.pos, 0, this.pageLen - 1);
    }
  }

  /** K3 on a target in MAP (params.lua:209-227): a target without a mapping gets pmap.new's fields and its range. */
  enterMapEdit(s: State, t: i32): void {
    if (t < 0 || t >= TARGETS) return;
    if (!pmap.mapped(t)) pmap.fresh(s.params, t);
    this.mapTarget = t;
    this.editCc = pmap.mapped(t) ? pmap.cc[t] : DEFAULT_CC;
    this.editCh = pmap.mapped(t) ? pmap.ch[t] : DEFAULT_CH;
    this.edited = false;
    this.learnArmed = false;
    this.mpos = 1;
    this.mode = MenuMode.MAP_EDIT;
  }

  /** A CC answered LEARN (the map assigned it at once, params.lua:715-722): show what it bound. */
  syncLearn(): void {
    if (!this.learnArmed || pmap.learning == this.mapTarget) return;
    this.learnArmed = false;
    const t = this.mapTarget;
    if (pmap.mapped(t)) { this.editCc = pmap.cc[t]; this.editCh = pmap.ch[t]; this.edited = false; }
  }

  /** E3 on the out ends (params.lua:367-385): raw steps of the param's delta for control/taper (K3 held = /20),
   *  whole values for number/option params and the controls. */
  private outDelta(s: State, d: i32, hi: bool): void {
    const t = this.mapTarget;
    let step: f64 = 1;
    if (t < PARAM_COUNT) {
      const def = unchecked(s.params.defs[t]);
      if (def.type == PType.CONTROL) step = 0.01;
      else if (def.type == PType.TAPER) { const r = Math.abs(def.max - def.min); step = 1.0 / (r < 200 ? 200 : r > 800 ? 800 : r); }
      if ((def.type == PType.CONTROL || def.type == PType.TAPER) && this.fine) step /= 20;
    }
    const lo = pmap.outMin(s.params, t);
    const top = pmap.outMax(s.params, t);
    const arr = hi ? pmap.outHi : pmap.outLo;
    let v = unchecked(arr[t]) + <f64>d * step;
    v = v < lo ? lo : v > top ? top : v;
    unchecked(arr[t] = v);
    pmap.changes++;
  }

  /** The next separator from line `from` in direction d, wrapping; stops at the first line like norns. */
  nextSeparator(from: i32, d: i32): i32 {
    let i = from;
    do {
      i += d;
      if (i >= this.pageLen) i = 0;
      if (i < 0) i = this.pageLen - 1;
    } while (unchecked(this.page[i]) != SEPARATOR_ITEM && i != 0 && i != from);
    return i;
  }

  /** E1..E3 while the menu is open (E1 would switch norns' MIX/TAPE/HOME pages; there is only this one). */
  enc(s: State, n: i32, d: i32): void {
    if (d == 0 || n == 1) return;
    if (this.mode == MenuMode.SELECT) {
      this.modePos = clampi(this.modePos + d, 1, 3);
    } else if (this.mode == MenuMode.EDIT || this.mode == MenuMode.MAP) {
      if (n == 2 && !s.shift) this.pos = clampi(this.pos + d, 0, this.pageLen - 1);
      else if (n == 2) this.pos = this.nextSeparator(this.pos, d > 0 ? 1 : -1);
      else if (this.mode == MenuMode.EDIT) {
        const item = unchecked(this.page[this.pos]);
        if (item >= 0) engine.paramDelta(item, d, this.fine);
      }
    } else if (this.mode == MenuMode.MAP_EDIT) { // params.lua:345-391
      this.syncLearn();
      const t = this.mapTarget;
      if (n == 2) {
        const step = d > 0 ? 1 : -1;
        let m = this.mpos;
        for (let k = 0; k < (d > 0 ? d : -d); k++) {
          m = (((m + step) % 12) + 12) % 12;
          if (m == 5 || m == 11) m = (((m + step) % 12) + 12) % 12; // no dev, no echo here
        }
        this.mpos = m;
      } else if (n == 3) {
        const m = this.mpos;
        if (m == 0) { if (t < PARAM_COUNT) engine.paramDelta(t, d, false); }
        else if (m == 3) { this.editCc = clampi((this.edited || pmap.mapped(t) ? this.editCc : DEFAULT_CC) + d, 0, 127); this.edited = true; }
        else if (m == 4) { this.editCh = clampi(this.editCh + d, 1, 16); this.edited = true; }
        else if (m == 6) {
          unchecked(pmap.inLo[t] = clampi(unchecked(pmap.inLo[t]) + d, 0, unchecked(pmap.inHi[t])));
          unchecked(pmap.value[t] = clampi(unchecked(pmap.value[t]), unchecked(pmap.inLo[t]), unchecked(pmap.inHi[t])));
          pmap.changes++;
        } else if (m == 7) {
          unchecked(pmap.inHi[t] = clampi(unchecked(pmap.inHi[t]) + d, unchecked(pmap.inLo[t]), 127));
          unchecked(pmap.value[t] = clampi(unchecked(pmap.value[t]), unchecked(pmap.inLo[t]), unchecked(pmap.inHi[t])));
          pmap.changes++;
        } else if (m == 8 || m == 9) this.outDelta(s, d, m == 9);
        else if (m == 10) { unchecked(pmap.accum[t] = d > 0); pmap.changes++; }
      }
    } else if (this.mode == MenuMode.PSET) {
      if (n == 2) this.psAction = clampi(this.psAction + d, 1, 3);
      else this.psPos = clampi(this.psPos + d, 0, this.slotCount(s) - 1);
    }
  }

  /** Clear and draw the menu (the caller publishes it). */
  draw(s: State): void {
    screen.clear();
    if (this.mode == MenuMode.SELECT) {
      row("PARAMETERS", 10, false);
      row("EDIT >", 30, this.modePos == 1);
      row("PSET >", 40, this.modePos == 2);
      row("MAP >", 50, this.modePos == 3);
    } else if (this.mode == MenuMode.EDIT || this.mode == MenuMode.MAP) {
      this.drawEdit(s);
    } else if (this.mode == MenuMode.MAP_EDIT) {
      this.drawMapEdit(s);
    } else if (this.mode == MenuMode.PSET) {
      this.drawPset(s);
    } else {
      screen.level(15);
      screen.move(63, 40);
      screen.textCenter("DELETE PSET?");
    }
  }

  private drawEdit(s: State): void {
    const map = this.mode == MenuMode.MAP;
    if (this.pos == 0) {
      screen.level(4);
      screen.move(0, 10);
      screen.text(map ? "PARAMETER MAP" : "PARAMETERS");
      if (this.group >= 0) {
        screen.text(" / ");
        labelGroup(this.group);
        screen.textBytes(label, labelLen);
      }
    }
    for (let i = 1; i <= LINES; i++) {
      const k = i + this.pos - 3;
      if (k < 0 || k >= this.pageLen) continue;
      screen.level(i == 3 ? 15 : 4);
      const item = unchecked(this.page[k]);
      const y = <f64>(10 * i);
      if (item == SEPARATOR_ITEM) {
        screen.move(0, y + 2.5);
        screen.lineRel(127, 0);
        screen.stroke();
        screen.move(63, y);
        screen.textCenter(SEPARATOR_NAME);
      } else if (isGroup(item)) {
        screen.move(0, y);
        labelGroup(groupOf(item));
        screen.textBytes(label, labelLen);
        screen.text(" >");
      } else if (map) { // params.lua:520-536: the id, then cc:ch (norns adds :dev) or "-"
        screen.move(0, y);
        labelTarget(s, item);
        screen.textBytes(label, labelLen);
        screen.move(127, y);
        labelLen = 0;
        if (pmap.mapped(item)) { labelInt(pmap.cc[item]); labelByte(58); labelInt(pmap.ch[item]); }
        else labelByte(45);
        screen.textRightBytes(label, labelLen);
      } else {
        screen.move(0, y);
        labelName(s, item);
        screen.textBytes(label, labelLen);
        screen.move(127, y);
        borrowText(s, 0, item);
        screen.textRightBytes(label, labelLen);
      }
    }
  }

  /** params.lua:542-625, without dev and echo. */
  private drawMapEdit(s: State): void {
    this.syncLearn();
    const t = this.mapTarget;
    const m = this.mpos;
    screen.move(0, 10);
    screen.level(m == 0 ? 15 : 4);
    labelTarget(s, t);
    screen.textBytes(label, labelLen);
    screen.move(127, 10);
    if (t < PARAM_COUNT) { borrowText(s, 0, t); screen.textRightBytes(label, labelLen); }
    screen.move(0, 22);
    screen.level(m == 1 ? 15 : 4);
    screen.text(pmap.learning == t ? "LEARNING" : "LEARN");
    screen.move(127, 22);
    screen.level(m == 2 ? 15 : 4);
    screen.textRight("CLEAR");
    caption(0, 32, "cc");
    labelLen = 0;
    if (pmap.mapped(t) || this.edited) labelInt(this.editCc); else labelByte(45);
    field(55, 32, m == 3);
    caption(0, 42, "ch");
    labelLen = 0; labelInt(this.editCh);
    field(55, 42, m == 4);
    caption(63, 32, "in");
    labelLen = 0; labelInt(pmap.inLo[t]);
    field(103, 32, m == 6);
    labelLen = 0; labelInt(pmap.inHi[t]);
    field(127, 32, m == 7);
    caption(63, 42, "out");
    // control/taper: the raw ends shown as values, rounded to 0.01 (params.lua:551-555)
    let lo = pmap.outLo[t];
    let hi = pmap.outHi[t];
    if (t < PARAM_COUNT) {
      const def = unchecked(s.params.defs[t]);
      if (def.type == PType.CONTROL || def.type == PType.TAPER) { lo = s.params.fromRaw(t, lo); hi = s.params.fromRaw(t, hi); }
    }
    labelNum(s, lo, 2);
    field(103, 42, m == 8);
    labelNum(s, hi, 2);
    field(127, 42, m == 9);
    caption(63, 52, "accum");
    screen.move(127, 52);
    screen.level(m == 10 ? 15 : 4);
    screen.textRight(pmap.accum[t] ? "yes" : "no");
  }

  private drawPset(s: State): void {
    row("PSET", 10, false);
    row("SAVE", 30, this.psAction == 1);
    row("LOAD", 40, this.psAction == 2);
    row("DELETE", 50, this.psAction == 3);
    const count = this.slotCount(s);
    for (let i = 1; i <= LINES; i++) {
      const slot = i + this.psPos - 2;
      if (slot < 1 || slot > count) continue;
      screen.level(i == 3 ? 15 : 4);
      const y = <f64>(10 * i);
      // the slot number, right-aligned at x = 50, "*" marking the last saved/loaded one
      labelLen = 0;
      if (slot == s.psets.last) labelByte(42);
      labelInt(slot);
      screen.move(50, y);
      screen.textRightBytes(label, labelLen);
      screen.move(56, y);
      if (s.psets.used(slot)) { borrowText(s, 1, slot); screen.textBytes(label, labelLen); }
      else screen.text("-");
    }
  }
}
