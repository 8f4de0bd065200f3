// The params menu, after norns' PARAMS page (lua/core/menu/params.lua at monome/norns 529b4e39): a SELECT list
// (EDIT > / PSET >), the EDIT list (separator "piwip", the groups of spec §11, their params, scrolled so the
// selection sits on line 3 of 6), the PSET page (SAVE / LOAD / DELETE × slot) and the delete confirmation.
// Same keys and look as norns; no MAP page (there is no MIDI-CC mapping) and no name entry on SAVE.
import { State } from "../piwip/state";
import { PARAM_COUNT, P_ENSEMBLER, GROUP_NAMES, GROUP_COUNT } from "../piwip/params";
import { TEXT_CAP } from "../piwip/text";
import { PSET_SLOTS, PsetOp } from "../piwip/pset";
import { engine } from "../piwip/engine";
import * as screen from "../screen/draw";

export const enum MenuMode { SELECT = 0, EDIT = 1, PSET = 2, PSET_DELETE = 3 }

// Page items: a param index (>= 0), the separator, or group g as GROUP_ITEM - g.
const SEPARATOR_ITEM: i32 = -1;
const GROUP_ITEM: i32 = -2;
const SEPARATOR_NAME: string = "piwip";
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
  if (what == 0) s.params.format(t, arg); else s.psets.putName(t, arg);
  labelLen = t.len - start;
  memory.copy(label, base, <usize>labelLen);
  memory.copy(base, saved, <usize>LABEL_MAX);
  t.len = mark;
}

/** label = the decimal digits of v >= 0, after what it holds. */
function labelInt(v: i32): void {
  let div = 1;
  while (div <= v / 10) div *= 10;
  for (; div > 0; div /= 10) labelByte(48 + (v / div) % 10);
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
  page: StaticArray<i32> = new StaticArray<i32>(PARAM_COUNT + GROUP_COUNT + 1);
  pageLen: i32 = 0;
  /** K3 held on a param: E3 moves in fine steps. */
  fine: bool = false;
  /** PSET: 1 SAVE, 2 LOAD, 3 DELETE; the selected slot is psPos + 1. */
  psAction: i32 = 1;
  psPos: i32 = 0;

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
  }

  /** Show group g's params (norns build_sub); a group without params is not entered. */
  enterGroup(s: State, g: i32): void {
    let n = 0;
    for (let i = 0; i < PARAM_COUNT; i++) if (unchecked(s.params.defs[i]).group == g) unchecked(this.page[n++] = i);
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
        if (this.modePos == 1) { this.mode = MenuMode.EDIT; if (this.group < 0) this.buildTop(); }
        else { this.modePrev = MenuMode.SELECT; this.mode = MenuMode.PSET; }
      }
    } else if (this.mode == MenuMode.EDIT) {
      const item = unchecked(this.page[this.pos]);
      if (n == 2 && z == 1) {
        if (alt) { this.modePrev = MenuMode.EDIT; this.mode = MenuMode.PSET; }
        else if (this.group >= 0) { this.buildTop(); this.pos = this.oldPos; }
        else this.mode = MenuMode.SELECT;
      } else if (n == 3 && z == 1) {
        if (isGroup(item)) {
          this.enterGroup(s, groupOf(item));
        } else if (item == SEPARATOR_ITEM) {
          this.pos = this.nextSeparator(this.pos, 1);
        } else this.fine = true;
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
      this.modePos = clampi(this.modePos + d, 1, 2);
    } else if (this.mode == MenuMode.EDIT) {
      if (n == 2 && !s.shift) this.pos = clampi(this.pos + d, 0, this.pageLen - 1);
      else if (n == 2) this.pos = this.nextSeparator(this.pos, d > 0 ? 1 : -1);
      else {
        const item = unchecked(this.page[this.pos]);
        if (item >= 0) engine.paramDelta(item, d, this.fine);
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
    } else if (this.mode == MenuMode.EDIT) {
      this.drawEdit(s);
    } else if (this.mode == MenuMode.PSET) {
      this.drawPset(s);
    } else {
      screen.level(15);
      screen.move(63, 40);
      screen.textCenter("DELETE PSET?");
    }
  }

  private drawEdit(s: State): void {
    if (this.pos == 0) {
      screen.level(4);
      screen.move(0, 10);
      screen.text("PARAMETERS");
      if (this.group >= 0) {
        screen.text(" / ");
        labelField(GROUP_NAMES, this.group);
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
        labelField(GROUP_NAMES, groupOf(item));
        screen.textBytes(label, labelLen);
        screen.text(" >");
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
