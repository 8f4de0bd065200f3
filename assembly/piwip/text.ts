// The shared text buffer (ASCII/UTF-8 bytes) through which param ids, info, formatted values and PSET text
// cross the ABI. Writing numbers here never allocates (AS's toString would, with the stub runtime, for ever).

export const TEXT_CAP: i32 = 16384;

export class TextBuf {
  data: StaticArray<u8> = new StaticArray<u8>(TEXT_CAP);
  len: i32 = 0;

  ptr(): usize { return changetype<usize>(this.data); }
  clear(): void { this.len = 0; }

  putByte(b: i32): void {
    if (this.len < TEXT_CAP) { unchecked(this.data[this.len] = <u8>b); this.len++; }
  }

  putStr(s: string): void {
    const n = s.length;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      this.putByte(c < 128 ? c : 63); // our strings are ASCII; anything else shows as '?'
    }
  }

  /** JSON string literal (our strings hold no control characters). */
  putJsonStr(s: string): void {
    this.putByte(34);
    const n = s.length;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c == 34 || c == 92) this.putByte(92);
      this.putByte(c < 128 ? c : 63);
    }
    this.putByte(34);
  }

  putInt(v: i64): void {
    if (v < 0) { this.putByte(45); v = -v; }
    let div: i64 = 1;
    while (div <= v / 10) div *= 10;
    while (div > 0) {
      this.putByte(48 + <i32>(v / div));
      v %= div;
      div /= 10;
    }
  }

  /** Fixed-point decimal with at most `decimals` digits after the point, trailing zeros trimmed. */
  putNum(v: f64, decimals: i32): void {
    if (v != v) { this.putStr("nan"); return; }
    if (v < 0) { this.putByte(45); v = -v; }
    if (v > 1e15) { this.putStr("inf"); return; }
    let scale: f64 = 1;
    for (let i = 0; i < decimals; i++) scale *= 10;
    const total = <i64>Math.round(v * scale);
    const whole = total / <i64>scale;
    let frac = total % <i64>scale;
    this.putInt(whole);
    if (frac == 0 || decimals == 0) return;
    let digits = decimals;
    while (frac % 10 == 0) { frac /= 10; digits--; }
    this.putByte(46);
    let div: i64 = 1;
    for (let i = 1; i < digits; i++) div *= 10;
    while (div > 0) {
      this.putByte(48 + <i32>(frac / div));
      frac %= div;
      div /= 10;
    }
  }

  /** Does bytes [start, start+n) of the buffer equal s? */
  equals(start: i32, n: i32, s: string): bool {
    if (s.length != n || start < 0 || start + n > TEXT_CAP) return false;
    for (let i = 0; i < n; i++) {
      if (<i32>unchecked(this.data[start + i]) != s.charCodeAt(i)) return false;
    }
    return true;
  }
}

/** norns MusicUtil.note_num_to_name(n, true): 60 = "C3". */
export function putNoteName(t: TextBuf, note: i32): void {
  const pc = ((note % 12) + 12) % 12;
  t.putByte(<i32>"CCDDEFFGGAAB".charCodeAt(pc));
  if (pc == 1 || pc == 3 || pc == 6 || pc == 8 || pc == 10) t.putByte(35);
  t.putInt(<i64>(Math.floor(<f64>note / 12.0)) - 2);
}

/** The i-th '|'-separated field of s (0-based) into t. */
export function putField(t: TextBuf, s: string, index: i32): void {
  let field = 0;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c == 124) { field++; if (field > index) return; continue; }
    if (field == index) t.putByte(c);
  }
}

export function countFields(s: string): i32 {
  if (s.length == 0) return 0;
  let n = 1;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) == 124) n++;
  return n;
}
