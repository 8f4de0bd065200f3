/* core/ext_heap.h on the host: the big-block allocator behind wasm3's linear memory on the Teensy (PSRAM) and the
 * M7 image. Prints "ok N" or the first failed check; exit status 0 / 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ext_heap.h"

static int checks, failed_at;
#define CHECK(c) do { checks++; if (!(c) && !failed_at) { failed_at = __LINE__; } } while (0)

int main(void) {
  static uint8_t region[1u << 20];
  ext_heap_init(region + 3, sizeof region - 3); /* misaligned on purpose */
  CHECK(((uintptr_t)ext_heap_alloc(1) & 15) == 0);
  ext_heap_init(region, sizeof region);
  size_t max0 = ext_heap_max_block();
  CHECK(max0 > sizeof region - 64 && max0 < sizeof region);

  /* a linear memory: allocated small, grown in place to (almost) the whole region, contents kept */
  uint8_t *m = ext_heap_alloc(65536);
  CHECK(m && ext_heap_owns(m));
  memset(m, 0x5a, 65536);
  uint8_t *g = ext_heap_realloc(m, max0);
  CHECK(g == m);
  CHECK(g[65535] == 0x5a);
  CHECK(ext_heap_realloc(m, max0 + 16) == NULL); /* one block too many: refused, the old one intact */
  CHECK(m[0] == 0x5a);
  CHECK(ext_heap_alloc(16) == NULL);              /* full */
  ext_heap_free(m);
  CHECK(ext_heap_max_block() == max0);            /* all back */

  /* an engine reload: the old runtime's memory is freed before the new one is made */
  uint8_t *a = ext_heap_alloc(100000);
  uint8_t *b = ext_heap_alloc(200000);
  CHECK(a && b && b > a);
  ext_heap_free(a);                               /* not the last: space comes back when b goes */
  CHECK(ext_heap_max_block() < max0 - 300000);
  ext_heap_free(b);
  CHECK(ext_heap_max_block() == max0);

  /* a block that is not the last grows by moving (copy), the old space returns with it */
  a = ext_heap_alloc(70000);
  b = ext_heap_alloc(70000);
  memset(a, 1, 70000);
  uint8_t *a2 = ext_heap_realloc(a, 140000);
  CHECK(a2 && a2 != a && a2 > b && a2[69999] == 1);
  ext_heap_free(a2);
  ext_heap_free(b);
  CHECK(ext_heap_max_block() == max0);

  /* pointers outside the region are not its own; free(NULL) is harmless */
  int local;
  CHECK(!ext_heap_owns(&local));
  ext_heap_free(NULL);
  CHECK(ext_heap_high_water() <= sizeof region);

  /* no region (no PSRAM fitted): nothing is given out */
  ext_heap_init(NULL, 0);
  CHECK(ext_heap_alloc(65536) == NULL && ext_heap_max_block() == 0 && !ext_heap_owns(region));

  if (failed_at) { printf("FAILED check at line %d\n", failed_at); return 1; }
  printf("ok %d\n", checks);
  return 0;
}
