// CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF): every link frame's check. Table-driven, built once at start-up.
const TABLE = new StaticArray<u16>(256);
for (let i = 0; i < 256; i++) {
  let c = i << 8;
  for (let b = 0; b < 8; b++) c = (c & 0x8000) != 0 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
  unchecked(TABLE[i] = <u16>c);
}

/** CRC of n bytes at p, continuing from crc (start with 0xFFFF). */
export function crc16(p: usize, n: i32, crc: i32 = 0xffff): i32 {
  for (let i = 0; i < n; i++) {
    crc = ((crc << 8) & 0xff00) ^ <i32>unchecked(TABLE[((crc >> 8) ^ <i32>load<u8>(p + <usize>i)) & 0xff]);
  }
  return crc & 0xffff;
}
