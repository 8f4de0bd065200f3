// Byte-level mutation in the manner of libFuzzer/AFL: bit flips, interesting values, inserts, deletes, copies,
// splices with another corpus entry and dictionary tokens, stacked 1-4 deep. Seeded xorshift: a run is repeatable.

export class Rng {
  private s: number;
  constructor(seed: number) { this.s = (seed >>> 0) || 0x9e3779b9; }
  /** Uniform 32-bit value. */
  u32(): number {
    let x = this.s;
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    this.s = x;
    return x;
  }
  /** Integer in [0, n). */
  below(n: number): number { return n <= 1 ? 0 : this.u32() % n; }
  chance(p: number): boolean { return this.u32() / 4294967296 < p; }
  pick<T>(xs: readonly T[]): T { return xs[this.below(xs.length)]!; }
}

const BYTES = [0, 1, 0x7f, 0x80, 0xff, 0xfe, 0x40, 0x20, 0x0a, 0x0d, 0x22, 0x2d, 0x30, 0x39];
const WORDS = [0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff,
  0xfffffffe, 8, 16, 44, 4096];

function tokenBytes(t: string | number[]): Uint8Array { return typeof t === 'string' ? Buffer.from(t, 'latin1') : Uint8Array.from(t); }

/** One mutation of `x` (a new array; `x` is not changed). */
function mutateOnce(x: Uint8Array, rng: Rng, other: Uint8Array, dict: readonly (string | number[])[]): Uint8Array {
  const n = x.length;
  const at = (extra = 0) => rng.below(n + extra);
  switch (rng.below(12)) {
    case 0: { // flip a bit
      if (!n) break;
      const y = x.slice(); const p = at(); y[p] = y[p]! ^ (1 << rng.below(8)); return y;
    }
    case 1: { // random byte
      if (!n) break;
      const y = x.slice(); y[at()] = rng.below(256); return y;
    }
    case 2: { // interesting byte
      if (!n) break;
      const y = x.slice(); y[at()] = rng.pick(BYTES); return y;
    }
    case 3: { // interesting 16/32-bit word, either endianness
      const size = rng.chance(0.5) ? 2 : 4;
      if (n < size) break;
      const y = x.slice();
      const dv = new DataView(y.buffer);
      const p = rng.below(n - size + 1);
      const v = rng.pick(WORDS);
      if (size === 2) dv.setUint16(p, v & 0xffff, rng.chance(0.5)); else dv.setUint32(p, v >>> 0, rng.chance(0.5));
      return y;
    }
    case 4: { // add or subtract a little
      if (!n) break;
      const y = x.slice(); const p = at(); y[p] = (y[p]! + rng.below(35) - 17) & 0xff; return y;
    }
    case 5: { // insert random bytes
      const p = at(1); const k = 1 + rng.below(4);
      const ins = Uint8Array.from({ length: k }, () => rng.below(256));
      return concat(x.subarray(0, p), ins, x.subarray(p));
    }
    case 6: { // delete a range
      if (!n) break;
      const p = at(); const k = 1 + rng.below(Math.min(16, n - p));
      return concat(x.subarray(0, p), x.subarray(p + k));
    }
    case 7: { // copy a range elsewhere (insert)
      if (!n) break;
      const p = at(); const k = 1 + rng.below(Math.min(32, n - p)); const q = at(1);
      return concat(x.subarray(0, q), x.subarray(p, p + k), x.subarray(q));
    }
    case 8: { // splice: head of this, tail of another corpus entry
      const p = at(1); const q = rng.below(other.length + 1);
      return concat(x.subarray(0, p), other.subarray(q));
    }
    case 9: { // truncate
      if (!n) break;
      return x.slice(0, at());
    }
    case 10: case 11: { // dictionary token: insert or overwrite
      if (!dict.length) break;
      const t = tokenBytes(rng.pick(dict));
      const p = at(1);
      if (rng.chance(0.5)) return concat(x.subarray(0, p), t, x.subarray(p));
      const y = x.slice(); y.set(t.subarray(0, Math.max(0, n - p)), p); return y;
    }
  }
  return Uint8Array.from([...x, rng.below(256)]);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** 1-4 stacked mutations of `x`, cut to maxLen. */
export function mutate(x: Uint8Array, rng: Rng, other: Uint8Array, dict: readonly (string | number[])[], maxLen: number): Uint8Array {
  let y = x;
  const k = 1 + rng.below(4);
  for (let i = 0; i < k; i++) y = mutateOnce(y, rng, other, dict);
  return y.length > maxLen ? y.subarray(0, maxLen) : y;
}
