/* core/sha256.c against the vectors of FIPS 180-2 appendix B (B.1 "abc", B.2 the 448-bit message, B.3 one million
 * 'a') and the empty message, fed whole and in uneven pieces (the incremental path an upload takes, chunk by chunk).
 * Prints one line per vector; exit status 1 on any mismatch. */
#include <stdio.h>
#include <string.h>

#include "sha256.h"

static int check(const char *name, const uint8_t *p, size_t n, const char *want) {
  uint8_t d[32];
  char hex[65];
  sha256(p, n, d);
  sha256_hex(d, hex);
  int ok = strcmp(hex, want) == 0;
  /* the same bytes in pieces of 1, 2, 3 … 63 bytes */
  sha256_ctx c;
  sha256_init(&c);
  size_t at = 0, k = 1;
  while (at < n) { size_t m = k < n - at ? k : n - at; sha256_update(&c, p + at, m); at += m; k = k % 63 + 1; }
  sha256_final(&c, d);
  char hex2[65];
  sha256_hex(d, hex2);
  ok = ok && strcmp(hex2, want) == 0;
  printf("%s %s %s\n", ok ? "ok" : "FAIL", name, hex);
  return ok;
}

int main(void) {
  static uint8_t million[1000000];
  memset(million, 'a', sizeof million);
  const char *b2 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  int ok = 1;
  ok &= check("empty", (const uint8_t *)"", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  ok &= check("B.1", (const uint8_t *)"abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  ok &= check("B.2", (const uint8_t *)b2, strlen(b2), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  ok &= check("B.3", million, sizeof million, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  return ok ? 0 : 1;
}
