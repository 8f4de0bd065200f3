// Seeded PRNG for the engine (xorshift32): deterministic across Node, wasm2c and wasm3; no Math.random.

export class Prng {
  state: u32 = 0x9e3779b9;

  seed(s: u32): void {
    // 0 is a fixed point of xorshift; mix the seed so nearby seeds diverge at once.
    let x = s ^ 0x9e3779b9;
    x = (x ^ (x >>> 16)) * 0x85ebca6b;
    x = (x ^ (x >>> 13)) * 0xc2b2ae35;
    x ^= x >>> 16;
    this.state = x == 0 ? 0x6d2b79f5 : x;
  }

  nextU32(): u32 {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x;
    return x;
  }

  /** Uniform in [0, 1), like Lua's math.random(). */
  random(): f64 {
    return <f64>(this.nextU32() >>> 8) * (1.0 / 16777216.0);
  }

  /** Uniform integer in [lo, hi], like Lua's math.random(lo, hi). */
  int(lo: i32, hi: i32): i32 {
    if (hi < lo) { const t = lo; lo = hi; hi = t; }
    return lo + <i32>Math.floor(this.random() * <f64>(hi - lo + 1));
  }
}
