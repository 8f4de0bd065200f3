import { PitchMap } from "../piwip/pitch_map";
import { Prng } from "../dsp/util/prng";

function bruteMedian(m: PitchMap): f32 {
  const n = m.count;
  const a = new Array<f64>(n);
  for (let i = 0; i < n; i++) a[i] = <f64>m.values[i];
  a.sort((x: f64, y: f64): i32 => (x < y ? -1 : x > y ? 1 : 0));
  const h = n >> 1;
  return (n & 1) ? <f32>a[h] : <f32>((a[h - 1] + a[h]) * 0.5);
}

describe("PitchMap", () => {
  it("starts at 262 Hz and keeps the median across clear() (faithful)", () => {
    const m = new PitchMap();
    m.init(100);
    expect<f32>(m.median).toBe(262);
    m.add(0.05, 440);
    expect<f32>(m.median).toBe(440);
    m.clear();
    expect<i32>(m.count).toBe(0);
    expect<f32>(m.median).toBe(440);
  });

  it("blends 50/50 into an existing slot", () => {
    const m = new PitchMap();
    m.init(10);
    m.add(0.1, 200);
    m.add(0.1, 300);
    expect<i32>(m.count).toBe(1);
    expect<f32>(m.values[0]).toBe(250);
    m.add(0.1, 350);
    expect<f32>(m.values[0]).toBe(300);
  });

  it("incremental median equals a full sort after thousands of random adds and blends", () => {
    const m = new PitchMap();
    m.init(3000);
    const r = new Prng();
    r.seed(5);
    for (let k = 0; k < 4000; k++) {
      const slot = <f64>r.int(0, 2000) * 0.05;
      m.add(slot, <f32>(30 + r.random() * 900));
      if (k % 97 == 0) expect<f32>(m.median).toBe(bruteMedian(m));
    }
    expect<f32>(m.median).toBe(bruteMedian(m));
    for (let i = 1; i < m.count; i++) expect<bool>(m.times[i] > m.times[i - 1]).toBe(true);
  });

  it("nearest() finds the closest slot, earlier on ties, -1 when empty", () => {
    const m = new PitchMap();
    m.init(10);
    expect<i32>(m.nearest(1.0)).toBe(-1);
    m.add(0.25, 100);
    m.add(0.75, 300);
    m.add(1.5, 900);
    expect<i32>(m.nearest(0.0)).toBe(0);
    expect<i32>(m.nearest(0.5)).toBe(0); // exact tie
    expect<i32>(m.nearest(0.51)).toBe(1);
    expect<i32>(m.nearest(1.0)).toBe(1);
    expect<i32>(m.nearest(1.2)).toBe(2);
    expect<i32>(m.nearest(5.0)).toBe(2);
  });
});
