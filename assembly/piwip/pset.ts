// norns PSET text (lua/core/paramset.lua write/read): an optional `-- name` first line, then one `"id": value` line
// per param. Reading is forgiving like norns (unknown ids skipped, the first line of an id wins) and stricter where
// norns would crash: a line that is not `"id": value` or whose value fits no param is counted and skipped, and
// out-of-range values are clamped. The scale is written by name (A22); numbers are the current 41-scale list.
// The MIDI map (pmap.ts) travels in the same text, one `"pmap:<target>": "{cc=…, ch=…, …}"` line per mapping: the
// value is norns' own .pmap line (lua/core/pmap.lua:61-81), and the key is no param id, so norns' reader and older
// piwip engines skip these lines as unknown ids (paramset.lua:545-551).
import { State } from "./state";
import { Params, PType, PARAM_COUNT, P_SCALE } from "./params";
import { TextBuf, TEXT_CAP, putField, countFields } from "./text";
import { Controls } from "./controls";
import { pmap, TARGETS } from "./pmap";

export const PSET_SLOTS: i32 = 99; // norns numbers slots piwip-01 .. piwip-99
export const PSET_NAME_CAP: i32 = 48;
export const PSET_QUEUE: i32 = 8;
export const enum PsetOp { NONE = 0, SAVE = 1, LOAD = 2, DELETE = 3 }

/** What the last read did: applied params, and the lines it skipped and why. */
export class PsetReport {
  applied: i32 = 0;
  clamped: i32 = 0;
  unknown: i32 = 0;
  corrupt: i32 = 0;
  duplicate: i32 = 0;
  mapped: i32 = 0; // MIDI map lines applied
  firstCorruptLine: i32 = 0; // 1-based line number, 0 = none
  nameLen: i32 = 0;
  name: StaticArray<u8> = new StaticArray<u8>(PSET_NAME_CAP);
}

/**
 * The numbered slots as the menu sees them. The host owns the files: it tells the engine which slots exist (and
 * their names), and performs the save/load/delete requests the menu queues here.
 */
export class PsetSlots {
  names: StaticArray<u8> = new StaticArray<u8>(PSET_SLOTS * PSET_NAME_CAP);
  lens: StaticArray<i32> = new StaticArray<i32>(PSET_SLOTS + 1); // -1 = empty; index 0 unused
  last: i32 = 0; // last slot saved or loaded, 0 = none (norns pset-last.txt)
  private ops: StaticArray<i32> = new StaticArray<i32>(PSET_QUEUE);
  private slots: StaticArray<i32> = new StaticArray<i32>(PSET_QUEUE);
  private head: i32 = 0;
  count: i32 = 0;

  constructor() { for (let i = 0; i <= PSET_SLOTS; i++) unchecked(this.lens[i] = -1); }

  used(slot: i32): bool { return slot >= 1 && slot <= PSET_SLOTS && unchecked(this.lens[slot]) >= 0; }

  putName(t: TextBuf, slot: i32): void {
    if (!this.used(slot)) return;
    const base = (slot - 1) * PSET_NAME_CAP;
    const n = unchecked(this.lens[slot]);
    for (let i = 0; i < n; i++) t.putByte(unchecked(this.names[base + i]));
  }

  /** The host reports slot `slot` exists with the name in t[start, start+len), or is empty (len < 0). */
  setSlot(slot: i32, t: TextBuf, start: i32, len: i32): bool {
    if (slot < 1 || slot > PSET_SLOTS) return false;
    if (len < 0) { unchecked(this.lens[slot] = -1); return true; }
    if (start < 0 || start + len > TEXT_CAP) return false;
    const n = len > PSET_NAME_CAP ? PSET_NAME_CAP : len;
    const base = (slot - 1) * PSET_NAME_CAP;
    for (let i = 0; i < n; i++) unchecked(this.names[base + i] = t.data[start + i]);
    unchecked(this.lens[slot] = n);
    return true;
  }

  /** Queue a save/load/delete for the host. A full queue drops the request (the menu is human speed). */
  request(op: i32, slot: i32): bool {
    if (op < PsetOp.SAVE || op > PsetOp.DELETE || slot < 1 || slot > PSET_SLOTS || this.count >= PSET_QUEUE) return false;
    const k = (this.head + this.count) % PSET_QUEUE;
    unchecked(this.ops[k] = op);
    unchecked(this.slots[k] = slot);
    this.count++;
    return true;
  }
  /** Queue a load; a load still waiting at the tail is retargeted instead, so a knob swept over the slots (the
   *  map's `pset` target) leaves the slot it stopped on, never a full queue that drops it. */
  requestLoad(slot: i32): bool {
    if (slot < 1 || slot > PSET_SLOTS) return false;
    if (this.count > 0) {
      const k = (this.head + this.count - 1) % PSET_QUEUE;
      if (unchecked(this.ops[k]) == PsetOp.LOAD) { unchecked(this.slots[k] = slot); return true; }
    }
    return this.request(PsetOp.LOAD, slot);
  }
  peekOp(): i32 { return this.count > 0 ? unchecked(this.ops[this.head]) : PsetOp.NONE; }
  peekSlot(): i32 { return this.count > 0 ? unchecked(this.slots[this.head]) : 0; }
  pop(): void { if (this.count > 0) { this.head = (this.head + 1) % PSET_QUEUE; this.count--; } }
}

// ---- writing ------------------------------------------------------------------------------------------------

const POW10: StaticArray<f64> = [
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
  1e20, 1e21, 1e22,
];
@inline function pow10(e: i32): f64 { return e <= 22 ? unchecked(POW10[e]) : Math.pow(10, <f64>e); }

// digits of the last toDigits(): value = 0.d1d2..dn × 10^exp10 (n <= 17)
const digits = new StaticArray<u8>(20);
let nDigits: i32 = 0;
let exp10: i32 = 0;

/** v > 0 finite → its `prec` significant decimal digits, rounded, trailing zeros dropped. */
function toDigits(v: f64, prec: i32): void {
  let e = <i32>Math.floor(Math.log10(v)) + 1; // v in [10^(e-1), 10^e)
  let scaled = e - prec >= 0 ? v / pow10(e - prec) : v * pow10(prec - e);
  let m = <u64>Math.round(scaled);
  if (<f64>m >= pow10(prec)) { m /= 10; e++; } // rounding carried into a new digit (or log10 was one short)
  else if (<f64>m < pow10(prec - 1)) { m = <u64>Math.round(scaled * 10); e--; }
  let n = prec;
  for (let i = prec - 1; i >= 0; i--) { unchecked(digits[i] = <u8>(48 + <i32>(m % 10))); m /= 10; }
  while (n > 1 && unchecked(digits[n - 1]) == 48) n--;
  nDigits = n;
  exp10 = e;
}

/** Lua 5.3's tostring of a float ("%.14g", plus ".0" when it looks like an integer) but with as many digits as it
 *  takes for the value to read back bit-identical. */
function putLuaFloat(t: TextBuf, v: f64): void {
  if (v == 0) { t.putStr("0.0"); return; }
  if (v < 0) { t.putByte(45); v = -v; }
  for (let p = 1; p <= 17; p++) {
    toDigits(v, p);
    if (p == 17 || digitsValue() == v) break;
  }
  const e = exp10;
  if (e > 15 || e < -3) { // scientific, as %g does for exponents < -4 or >= precision
    t.putByte(unchecked(digits[0]));
    if (nDigits > 1) { t.putByte(46); for (let i = 1; i < nDigits; i++) t.putByte(unchecked(digits[i])); }
    t.putByte(101);
    const x = e - 1;
    t.putByte(x < 0 ? 45 : 43);
    const ax = x < 0 ? -x : x;
    if (ax < 10) t.putByte(48);
    t.putInt(ax);
    return;
  }
  if (e <= 0) {
    t.putStr("0.");
    for (let i = 0; i < -e; i++) t.putByte(48);
    for (let i = 0; i < nDigits; i++) t.putByte(unchecked(digits[i]));
    return;
  }
  for (let i = 0; i < e; i++) t.putByte(i < nDigits ? unchecked(digits[i]) : 48);
  t.putByte(46);
  if (nDigits <= e) { t.putByte(48); return; }
  for (let i = e; i < nDigits; i++) t.putByte(unchecked(digits[i]));
}

/** The value the current digits spell, computed exactly as the reader computes it. */
function digitsValue(): f64 {
  let m: f64 = 0;
  for (let i = 0; i < nDigits; i++) m = m * 10 + <f64>(unchecked(digits[i]) - 48);
  return scale10(m, exp10 - nDigits);
}

/** m × 10^k with one correctly rounded operation while m < 2^53 and |k| <= 22. */
function scale10(m: f64, k: i32): f64 { return k >= 0 ? m * pow10(k) : m / pow10(-k); }

/** Write every param as norns does (`-- name` first when a name is given). */
export function writePset(p: Params, t: TextBuf, name: StaticArray<u8>, nameLen: i32): void {
  t.clear();
  if (nameLen > 0) {
    t.putStr("-- ");
    for (let i = 0; i < nameLen; i++) t.putByte(unchecked(name[i]));
    t.putByte(10);
  }
  for (let i = 0; i < PARAM_COUNT; i++) {
    const d = unchecked(p.defs[i]);
    t.putJsonStr(d.id);
    t.putStr(": ");
    const v = p.get(i);
    if (i == P_SCALE) putField(t, d.options, <i32>v - 1);
    else if (d.type == PType.OPTION || d.type == PType.NUMBER) t.putInt(<i64>v);
    else putLuaFloat(t, v);
    t.putByte(10);
  }
  for (let k = 0; k < TARGETS; k++) if (pmap.mapped(k)) { putMapLine(p, t, k); t.putByte(10); }
}

/** `"pmap:<target>": "{cc=21, ch=1, in_lo=0, in_hi=127, out_lo=0.0, out_hi=1.0, accum=false, value=0}"`: the
 *  fields of norns' .pmap line (pmap.lua:69-75; norns' dev and echo have no meaning here). */
export function putMapLine(p: Params, t: TextBuf, k: i32): void {
  t.putStr("\"pmap:");
  pmap.putName(p, t, k);
  t.putStr("\": \"{cc=");
  t.putInt(unchecked(pmap.cc[k]));
  t.putStr(", ch="); t.putInt(unchecked(pmap.ch[k]));
  t.putStr(", in_lo="); t.putInt(unchecked(pmap.inLo[k]));
  t.putStr(", in_hi="); t.putInt(unchecked(pmap.inHi[k]));
  t.putStr(", out_lo="); putLuaFloat(t, unchecked(pmap.outLo[k]));
  t.putStr(", out_hi="); putLuaFloat(t, unchecked(pmap.outHi[k]));
  t.putStr(", accum="); t.putStr(unchecked(pmap.accum[k]) ? "true" : "false");
  t.putStr(", value="); t.putInt(unchecked(pmap.value[k]));
  t.putStr("}\"");
}

// ---- reading ------------------------------------------------------------------------------------------------

@inline function isSpace(c: i32): bool { return c == 32 || c == 9 || c == 13 || c == 11 || c == 12; }
@inline function lower(c: i32): i32 { return c >= 65 && c <= 90 ? c + 32 : c; }

// number parsed by parseNumber()
let parsed: f64 = 0;
// the MIDI map lines of the read in progress: which targets had one, and whether the old map is gone yet
const mapSeen = new StaticArray<bool>(TARGETS);
let mapReplaced = false;

/** Lua tonumber() for decimal text: [sign] digits [. digits] [e [sign] digits], or inf / -inf as norns reads them. */
function parseNumber(t: TextBuf, a: i32, b: i32): bool {
  const d = t.data;
  let i = a;
  let neg = false;
  if (i < b && (unchecked(d[i]) == 45 || unchecked(d[i]) == 43)) { neg = unchecked(d[i]) == 45; i++; }
  if (b - i == 3 && lower(unchecked(d[i])) == 105 && lower(unchecked(d[i + 1])) == 110 && lower(unchecked(d[i + 2])) == 102) {
    parsed = neg ? -Infinity : Infinity;
    return true;
  }
  let m: f64 = 0;
  let sig = 0; // significant digits kept in m (the rest only shift the exponent)
  let k = 0;
  let any = false;
  while (i < b && unchecked(d[i]) >= 48 && unchecked(d[i]) <= 57) {
    if (sig < 17) { m = m * 10 + <f64>(unchecked(d[i]) - 48); if (m > 0) sig++; } else k++;
    any = true; i++;
  }
  if (i < b && unchecked(d[i]) == 46) {
    i++;
    while (i < b && unchecked(d[i]) >= 48 && unchecked(d[i]) <= 57) {
      if (sig < 17) { m = m * 10 + <f64>(unchecked(d[i]) - 48); if (m > 0) sig++; k--; }
      any = true; i++;
    }
  }
  if (!any) return false;
  if (i < b && lower(unchecked(d[i])) == 101) {
    i++;
    let eneg = false;
    if (i < b && (unchecked(d[i]) == 45 || unchecked(d[i]) == 43)) { eneg = unchecked(d[i]) == 45; i++; }
    let x = 0;
    let ed = false;
    while (i < b && unchecked(d[i]) >= 48 && unchecked(d[i]) <= 57) {
      if (x < 10000) x = x * 10 + (unchecked(d[i]) - 48);
      ed = true; i++;
    }
    if (!ed) return false;
    k += eneg ? -x : x;
  }
  if (i != b) return false;
  const v = k < -340 ? 0 : k > 340 ? Infinity : scale10(m, k);
  parsed = neg ? -v : v;
  return true;
}

/** 1-based option whose name equals t[a,b) ignoring case, or 0. */
function optionByName(options: string, t: TextBuf, a: i32, b: i32): i32 {
  const n = countFields(options);
  let pos = 0;
  for (let f = 0; f < n; f++) {
    let end = pos;
    while (end < options.length && options.charCodeAt(end) != 124) end++;
    if (end - pos == b - a) {
      let same = true;
      for (let i = 0; i < b - a; i++) {
        if (lower(options.charCodeAt(pos + i)) != lower(<i32>unchecked(t.data[a + i]))) { same = false; break; }
      }
      if (same) return f + 1;
    }
    pos = end + 1;
  }
  return 0;
}

/**
 * Apply the PSET text in t[0, len) to the params through Controls (each param's action runs, as norns' read does).
 * Returns the report; never traps on any bytes.
 */
export function readPset(s: State, c: Controls, len: i32, r: PsetReport, seen: StaticArray<bool>): void {
  const t = s.text;
  r.applied = 0; r.clamped = 0; r.unknown = 0; r.corrupt = 0; r.duplicate = 0; r.firstCorruptLine = 0; r.nameLen = 0;
  r.mapped = 0;
  for (let i = 0; i < PARAM_COUNT; i++) unchecked(seen[i] = false);
  for (let i = 0; i < TARGETS; i++) unchecked(mapSeen[i] = false);
  mapReplaced = false;
  if (len > TEXT_CAP) len = TEXT_CAP;
  const d = t.data;
  let line = 0;
  let a = 0;
  while (a < len) {
    let b = a;
    while (b < len && unchecked(d[b]) != 10) b++;
    line++;
    const next = b + 1;
    while (b > a && isSpace(unchecked(d[b - 1]))) b--; // also drops the \r of CRLF files
    let i = a;
    while (i < b && isSpace(unchecked(d[i]))) i++;
    if (i == b) { a = next; continue; } // blank line
    if (b - i >= 2 && unchecked(d[i]) == 45 && unchecked(d[i + 1]) == 45) {
      // norns: params.name = string.sub(line, 4)
      let k = i + 2;
      if (k < b && unchecked(d[k]) == 32) k++;
      const n = b - k > PSET_NAME_CAP ? PSET_NAME_CAP : b - k;
      for (let j = 0; j < n; j++) unchecked(r.name[j] = d[k + j]);
      r.nameLen = n;
      a = next;
      continue;
    }
    if (!applyLine(s, c, t, i, b, r, seen)) {
      r.corrupt++;
      if (r.firstCorruptLine == 0) r.firstCorruptLine = line;
    }
    a = next;
  }
}

/** One `"id": value` line in t[i, b). False when it is corrupt (unknown ids and duplicates are not corrupt). */
function applyLine(s: State, c: Controls, t: TextBuf, i: i32, b: i32, r: PsetReport, seen: StaticArray<bool>): bool {
  const d = t.data;
  if (unchecked(d[i]) != 34) return false;
  let q = i + 1;
  while (q < b && unchecked(d[q]) != 34) q++;
  if (q >= b) return false;
  const idStart = i + 1;
  const idLen = q - idStart;
  let k = q + 1;
  while (k < b && isSpace(unchecked(d[k]))) k++;
  if (k >= b || unchecked(d[k]) != 58) return false;
  k++;
  while (k < b && isSpace(unchecked(d[k]))) k++;
  if (k >= b) return false; // no value
  let va = k;
  let vb = b;
  if (unchecked(d[va]) == 34) { // a quoted string value: accept it like an unquoted one
    if (vb - va < 2 || unchecked(d[vb - 1]) != 34) return false;
    va++; vb--;
  }
  const p = s.params;
  if (idLen >= 5 && t.equals(idStart, 5, "pmap:")) return applyMapLine(p, t, idStart + 5, idLen - 5, va, vb, r);
  const idx = p.indexOf(t, idStart, idLen);
  if (idx < 0) { r.unknown++; return true; }
  if (unchecked(seen[idx])) { r.duplicate++; return true; } // norns: the first line of an id wins
  let v: f64 = 0;
  if (parseNumber(t, va, vb)) v = parsed;
  else {
    const def = unchecked(p.defs[idx]);
    const o = def.type == PType.OPTION ? optionByName(def.options, t, va, vb) : 0;
    if (o == 0) return false;
    v = <f64>o;
  }
  if (v != v) return false;
  unchecked(seen[idx] = true);
  const rc = c.setParam(s, idx, v);
  if (rc < 0) return false;
  if (rc == 1) r.clamped++;
  r.applied++;
  return true;
}

// fields of a map line, as applyMapLine parses them
let fCc: i32 = -1;
let fCh: i32 = 1;
let fInLo: i32 = 0;
let fInHi: i32 = 127;
let fOutLo: f64 = NaN;
let fOutHi: f64 = NaN;
let fAccum: bool = false;
let fValue: i32 = 0;

@inline function isDigitInt(v: f64): bool { return v == Math.floor(v) && Math.abs(v) < 1e9; }

/** One field `name=value` in t[a, b) (trimmed). False when it is corrupt; unknown names (norns' dev, echo) pass. */
function mapField(t: TextBuf, a: i32, b: i32): bool {
  const d = t.data;
  while (a < b && isSpace(unchecked(d[a]))) a++;
  while (b > a && isSpace(unchecked(d[b - 1]))) b--;
  let e = a;
  while (e < b && unchecked(d[e]) != 61) e++;
  if (e >= b || e == a) return false;
  let na = a, nb = e;
  while (nb > na && isSpace(unchecked(d[nb - 1]))) nb--;
  let va = e + 1;
  while (va < b && isSpace(unchecked(d[va]))) va++;
  const n = nb - na;
  if (n == 5 && t.equals(na, 5, "accum")) {
    if (b - va == 4 && t.equals(va, 4, "true")) { fAccum = true; return true; }
    if (b - va == 5 && t.equals(va, 5, "false")) { fAccum = false; return true; }
    return false;
  }
  const known = (n == 2 && (t.equals(na, 2, "cc") || t.equals(na, 2, "ch"))) ||
    (n == 5 && (t.equals(na, 5, "in_lo") || t.equals(na, 5, "in_hi") || t.equals(na, 5, "value"))) ||
    (n == 6 && (t.equals(na, 6, "out_lo") || t.equals(na, 6, "out_hi")));
  if (!known) return true;
  if (!parseNumber(t, va, b) || !(Math.abs(parsed) < Infinity)) return false;
  const v = parsed;
  if (n == 6) { if (unchecked(d[na + 4]) == 108) fOutLo = v; else fOutHi = v; return true; }
  if (!isDigitInt(v)) return false;
  const iv = <i32>v;
  if (n == 2) {
    if (unchecked(d[na + 1]) == 99) { if (iv < 0 || iv > 127) return false; fCc = iv; }
    else { if (iv < 1 || iv > 16) return false; fCh = iv; }
  } else if (unchecked(d[na]) == 118) fValue = iv;
  else if (unchecked(d[na + 3]) == 108) fInLo = iv;
  else fInHi = iv;
  return true;
}

/** `"pmap:<target>": "{cc=…, …}"` with the target name in t[na, na+n) and the value (quotes gone) in t[va, vb).
 *  The first valid map line of a read replaces the whole map; a PSET without one leaves the map as it was. */
function applyMapLine(p: Params, t: TextBuf, na: i32, n: i32, va: i32, vb: i32, r: PsetReport): bool {
  const d = t.data;
  if (vb - va < 2 || unchecked(d[va]) != 123 || unchecked(d[vb - 1]) != 125) return false;
  fCc = -1; fCh = 1; fInLo = 0; fInHi = 127; fOutLo = NaN; fOutHi = NaN; fAccum = false; fValue = 0;
  let a = va + 1;
  const end = vb - 1;
  while (a < end) {
    let b = a;
    while (b < end && unchecked(d[b]) != 44) b++;
    if (!mapField(t, a, b)) return false;
    a = b + 1;
  }
  if (fCc < 0) return false;
  const k = pmap.indexOf(p, t, na, n);
  if (k < 0) { r.unknown++; return true; }
  if (unchecked(mapSeen[k])) { r.duplicate++; return true; }
  if (fInLo > fInHi || fInLo < 0 || fInHi > 127) return false;
  if (!mapReplaced) { pmap.clear(); mapReplaced = true; }
  unchecked(mapSeen[k] = true);
  pmap.fresh(p, k);
  const lo = fOutLo == fOutLo ? fOutLo : unchecked(pmap.outLo[k]);
  const hi = fOutHi == fOutHi ? fOutHi : unchecked(pmap.outHi[k]);
  if (!pmap.set(p, k, fCc, fCh, fInLo, fInHi, lo, hi, fAccum)) return false;
  unchecked(pmap.value[k] = fValue < fInLo ? fInLo : fValue > fInHi ? fInHi : fValue);
  r.mapped++;
  return true;
}
