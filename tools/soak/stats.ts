// Running figures for the soak's summary: block times, memory samples.

/** Wall time per process() call: mean, worst (and where), the worst relative to the block's own duration. */
export class BlockTimes {
  count = 0;
  totalUs = 0;
  worstUs = 0;
  worstBlock = -1;
  worstFrames = 0;
  /** The worst block's time as % of its own duration. */
  worstOwnPct = 0;
  worstPct = 0;
  worstPctBlock = -1;
  worstPctFrames = 0;
  worstPctUs = 0;
  overBudget = 0;
  /** Blocks of the usual 128 frames, by whole µs (the last bin holds everything >= 9999 µs): percentiles. */
  readonly hist128 = new Int32Array(10000);
  count128 = 0;
  /** Wall time of the last block (a replay reports the block it stops at). */
  lastUs = 0;

  add(us: number, frames: number, sr: number, block: number, budgetPct: number): boolean {
    this.count++;
    this.totalUs += us;
    const pct = 100 * us / (frames * 1e6 / sr);
    if (us > this.worstUs) { this.worstUs = us; this.worstBlock = block; this.worstFrames = frames; this.worstOwnPct = pct; }
    if (pct > this.worstPct) { this.worstPct = pct; this.worstPctBlock = block; this.worstPctFrames = frames; this.worstPctUs = us; }
    if (frames === 128) { this.hist128[Math.min(9999, Math.floor(us))]!++; this.count128++; }
    this.lastUs = us;
    const over = pct > budgetPct;
    if (over) this.overBudget++;
    return over;
  }
  get meanUs(): number { return this.count ? this.totalUs / this.count : 0; }
  /** The q-quantile (0..1) of 128-frame block times, to 1 µs (upper edge of its bin). */
  quantile128(q: number): number {
    const want = q * this.count128;
    let seen = 0;
    for (let k = 0; k < this.hist128.length; k++) { seen += this.hist128[k]!; if (seen >= want && seen > 0) return k + 1; }
    return 0;
  }
}

export interface MemSample { heapUsed: number; rss: number; external: number }

export class MemoryTrack {
  start: MemSample | null = null;
  max: MemSample = { heapUsed: 0, rss: 0, external: 0 };
  end: MemSample | null = null;
  samples = 0;
  sample(): void {
    const m = process.memoryUsage();
    const s = { heapUsed: m.heapUsed, rss: m.rss, external: m.external };
    if (!this.start) this.start = s;
    this.end = s;
    this.samples++;
    if (s.heapUsed > this.max.heapUsed) this.max.heapUsed = s.heapUsed;
    if (s.rss > this.max.rss) this.max.rss = s.rss;
    if (s.external > this.max.external) this.max.external = s.external;
  }
}
