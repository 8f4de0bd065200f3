// PackBits (Apple TN1023) for screen rows: runs of equal bytes (most of a norns screen is level 0) shrink to two
// bytes, literal stretches cost one header byte per 128. A 64-byte row never grows past 65 bytes.

/** Pack n bytes at src into dst; returns the packed length. */
export function packBits(src: usize, n: i32, dst: usize): i32 {
  let i = 0, o = 0;
  while (i < n) {
    // run length at i
    const b = load<u8>(src + <usize>i);
    let run = 1;
    while (i + run < n && run < 128 && load<u8>(src + <usize>(i + run)) == b) run++;
    if (run >= 2) {
      store<u8>(dst + <usize>o, <u8>(257 - run)); o++;
      store<u8>(dst + <usize>o, b); o++;
      i += run;
      continue;
    }
    // literal stretch: until a run of 2+ starts or 128 bytes
    const start = i;
    let lit = 0;
    while (i < n && lit < 128) {
      if (i + 1 < n && load<u8>(src + <usize>i) == load<u8>(src + <usize>(i + 1))) break;
      i++; lit++;
    }
    store<u8>(dst + <usize>o, <u8>(lit - 1)); o++;
    for (let k = 0; k < lit; k++) { store<u8>(dst + <usize>o, load<u8>(src + <usize>(start + k))); o++; }
  }
  return o;
}
