// A byte ring between the engine's link and the shell's transport: the engine writes whole frames or nothing,
// the shell drains whatever is there. Power-of-two size, indices run free (u32 wrap is fine).
export const RING_SIZE: i32 = 32768;

export class ByteRing {
  data: StaticArray<u8> = new StaticArray<u8>(RING_SIZE);
  head: u32 = 0; // written
  tail: u32 = 0; // read

  used(): i32 { return <i32>(this.head - this.tail); }
  free(): i32 { return RING_SIZE - this.used(); }
  clear(): void { this.tail = this.head; }

  @inline put(b: i32): void {
    unchecked(this.data[<i32>(this.head & <u32>(RING_SIZE - 1))] = <u8>b);
    this.head++;
  }

  /** Move up to max bytes to dst; returns the count. */
  take(dst: usize, max: i32): i32 {
    let n = this.used();
    if (n > max) n = max;
    const base = changetype<usize>(this.data);
    for (let i = 0; i < n; i++) {
      store<u8>(dst + <usize>i, load<u8>(base + <usize>(this.tail & <u32>(RING_SIZE - 1))));
      this.tail++;
    }
    return n;
  }
}
