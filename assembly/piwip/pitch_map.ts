// piwip's pitch map (spec §5): one slot per `resolution` of buffer time (ceiling of the reported write position),
// a 50/50 running blend per slot, the median over all slots kept incrementally in a sorted array, and the
// realtime reference lookup (nearest slot) by binary search. All storage is reserved at init.

export const MEDIAN_INITIAL: f32 = 262;

export class PitchMap {
  times: StaticArray<f64> = new StaticArray<f64>(0); // slot times (s), ascending
  values: StaticArray<f32> = new StaticArray<f32>(0);
  sorted: StaticArray<f32> = new StaticArray<f32>(0); // every slot value, ascending, for the median
  count: i32 = 0;
  capacity: i32 = 0;
  median: f32 = MEDIAN_INITIAL; // not reset between takes (spec §3.3)

  init(capacity: i32): void {
    this.capacity = capacity;
    this.times = new StaticArray<f64>(capacity);
    this.values = new StaticArray<f32>(capacity);
    this.sorted = new StaticArray<f32>(capacity);
    this.count = 0;
  }

  /** New take: forget the slots, keep the median (faithful). */
  clear(): void { this.count = 0; }

  /** Index of the first slot with time >= t. */
  private lowerBound(t: f64): i32 {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (unchecked(this.times[mid]) < t) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  private sortedRemove(v: f32): void {
    const n = this.count;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (unchecked(this.sorted[mid]) < v) lo = mid + 1; else hi = mid;
    }
    if (lo >= n) return;
    const s = changetype<usize>(this.sorted);
    memory.copy(s + (<usize>lo << 2), s + (<usize>(lo + 1) << 2), <usize>(n - lo - 1) << 2);
  }

  /** Insert into sorted[0..n) where n is the count before insertion. */
  private sortedInsert(v: f32, n: i32): void {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (unchecked(this.sorted[mid]) <= v) lo = mid + 1; else hi = mid;
    }
    const s = changetype<usize>(this.sorted);
    memory.copy(s + (<usize>(lo + 1) << 2), s + (<usize>lo << 2), <usize>(n - lo) << 2);
    unchecked(this.sorted[lo] = v);
  }

  /** Accept a detected pitch for the slot at time `slotTime` (s). */
  add(slotTime: f64, hz: f32): void {
    const i = this.lowerBound(slotTime);
    if (i < this.count && unchecked(this.times[i]) == slotTime) {
      const old = unchecked(this.values[i]);
      const blended = (old + hz) * 0.5;
      unchecked(this.values[i] = blended);
      this.sortedRemove(old);
      this.sortedInsert(blended, this.count - 1);
    } else {
      if (this.count >= this.capacity) return;
      const n = this.count;
      const t = changetype<usize>(this.times);
      const v = changetype<usize>(this.values);
      memory.copy(t + (<usize>(i + 1) << 3), t + (<usize>i << 3), <usize>(n - i) << 3);
      memory.copy(v + (<usize>(i + 1) << 2), v + (<usize>i << 2), <usize>(n - i) << 2);
      unchecked(this.times[i] = slotTime);
      unchecked(this.values[i] = hz);
      this.sortedInsert(hz, n);
      this.count = n + 1;
    }
    const n = this.count;
    const m = n >> 1;
    this.median = (n & 1) ? unchecked(this.sorted[m]) : <f32>((<f64>unchecked(this.sorted[m - 1]) + <f64>unchecked(this.sorted[m])) * 0.5);
  }

  /** Index of the slot nearest to time t (ties go to the earlier slot), or -1 when the map is empty. */
  nearest(t: f64): i32 {
    const n = this.count;
    if (n == 0) return -1;
    const i = this.lowerBound(t);
    if (i >= n) return n - 1;
    if (i == 0) return 0;
    return (t - unchecked(this.times[i - 1]) <= unchecked(this.times[i]) - t) ? i - 1 : i;
  }
}
