// Voice 1 of piwip's softcut setup: a write head that records the input into the shared mono buffer at rate 1
// with preserve 0 (every pass overwrites), behind a real linear record-level ramp ("vol pinch", spec §13 A1).

export class Recorder {
  buf: StaticArray<f32> = new StaticArray<f32>(0);
  frames: i32 = 0;
  pos: i32 = 0; // next frame to write
  active: bool = false; // the head moves (softcut play flag of voice 1)
  level: f32 = 0; // current record level 0..1
  private target: f32 = 0;
  private step: f32 = 0; // level change per sample
  /** Set when a fade-out reached 0 (or the buffer end stopped the head); the engine clears it. */
  finished: bool = false;

  init(buf: StaticArray<f32>, frames: i32): void {
    this.buf = buf;
    this.frames = frames;
  }

  /** Start writing at frame 0 with a ramp of rampFrames (0 = at once). Cancels a pending fade-out. */
  start(rampFrames: i32): void {
    this.pos = 0;
    this.active = true;
    this.finished = false;
    this.target = 1;
    if (rampFrames <= 0) { this.level = 1; this.step = 0; } else { this.level = 0; this.step = 1.0 / <f32>rampFrames; }
  }

  /** Fade the record level out over rampFrames; the head stops when it reaches 0. */
  stop(rampFrames: i32): void {
    if (!this.active) return;
    this.target = 0;
    if (rampFrames <= 0) { this.level = 0; this.halt(); } else this.step = 1.0 / <f32>rampFrames;
  }

  get stopping(): bool { return this.active && this.target == 0; }

  private halt(): void {
    this.active = false;
    this.finished = true;
    this.level = 0;
  }

  /** Record n frames of the mono input (already mixed). */
  write(mono: usize, n: i32): void {
    if (!this.active) return;
    const buf = changetype<usize>(this.buf);
    let pos = this.pos;
    let level = this.level;
    const target = this.target;
    const step = this.step;
    let i = 0;
    if (level == target && target != 0) {
      // steady level (the common case): no ramp, no stop to check
      let m = this.frames - pos;
      if (m > n) m = n;
      if (m > 0) {
        const dst = buf + (<usize>pos << 2);
        // x·1 is x for every non-NaN x (sanitize() removes NaN), so unity level is a plain copy
        if (level == 1) memory.copy(dst, mono, <usize>m << 2);
        else for (; i < m; i++) store<f32>(dst + (<usize>i << 2), load<f32>(mono + (<usize>i << 2)) * level);
        i = m;
        pos += m;
      }
    }
    // A ramp (record start or stop): the samples up to the buffer end, one direction per render, pointers stepped
    // (the same level sums and products as one general loop, fewer tests per sample under an interpreter)
    let m = this.frames - pos;
    if (m > n - i) m = n - i;
    if (m > 0) {
      let src = mono + (<usize>i << 2);
      let dst = buf + (<usize>pos << 2);
      const end = src + (<usize>m << 2);
      if (target > level) {
        do {
          if (level != target) { level += step; if (level > target) level = target; }
          store<f32>(dst, load<f32>(src) * level);
          src += 4;
          dst += 4;
        } while (src < end);
      } else {
        do {
          if (level != target) { level -= step; if (level < target) level = target; }
          store<f32>(dst, load<f32>(src) * level);
          src += 4;
          dst += 4;
          if (target == 0 && level == 0) { this.pos = <i32>((dst - buf) >> 2); this.halt(); return; }
        } while (src < end);
      }
      pos = <i32>((dst - buf) >> 2);
    }
    this.pos = pos;
    this.level = level;
    if (pos >= this.frames) this.halt();
  }
}
