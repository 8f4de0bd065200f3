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

  /* uploads one after another (core/engine_stage.c on the Teensy): the running engine's linear memory is grown to X;
   * an uploaded engine puts its small blocks (wasm3's code pages, route_all) and its own linear memory, allocated
   * small and grown to X, beside it; after the commit the old engine's memory is freed below the new one. Every
   * following upload must find room again, in the hole the old engine left, with its contents intact. */
  ext_heap_init(region, sizeof region);
  enum { X = 300000, SMALL = 40 };
  uint8_t *lin = ext_heap_realloc(ext_heap_alloc(65536), X);
  CHECK(lin != NULL);
  uint8_t *small[SMALL] = {0}, *prev_small[SMALL] = {0};
  for (int up = 0; up < 6; up++) {
    for (int k = 0; k < SMALL; k++) {
      small[k] = ext_heap_alloc(1000 + 97 * (size_t)k);
      CHECK(small[k] != NULL);
      if (small[k]) memset(small[k], 0x40 + up, 1000);
    }
    uint8_t *nl = ext_heap_alloc(65536);
    CHECK(nl != NULL);
    if (nl) memset(nl, 0x10 + up, 65536);
    uint8_t *grown = nl ? ext_heap_realloc(nl, X) : NULL;
    CHECK(grown != NULL);
    if (!grown) break;
    CHECK(grown[0] == 0x10 + up && grown[65535] == 0x10 + up);
    CHECK(grown + X <= region + sizeof region && (grown + X <= lin || grown >= lin + X)); /* no overlap */
    for (int k = 0; k < SMALL; k++) CHECK(small[k] && small[k][999] == 0x40 + up); /* nothing overwritten */
    /* the commit: the old engine goes (its small blocks were those of the upload before) */
    ext_heap_free(lin);
    for (int k = 0; k < SMALL; k++) { ext_heap_free(prev_small[k]); prev_small[k] = small[k]; }
    lin = grown;
  }
  ext_heap_free(lin);
  for (int k = 0; k < SMALL; k++) ext_heap_free(prev_small[k]);
  CHECK(ext_heap_max_block() == max0); /* all holes merged back into the top */

  /* holes: freed in any order they merge; a block grows into the hole after it in place; a shrunk block gives its
   * tail back */
  a = ext_heap_alloc(70000);
  b = ext_heap_alloc(70000);
  uint8_t *c = ext_heap_alloc(70000);
  uint8_t *d = ext_heap_alloc(70000);
  ext_heap_free(c);
  ext_heap_free(b);
  CHECK(ext_heap_max_block() == ext_top_room() || ext_heap_max_block() >= 140000); /* b and c: one hole */
  memset(a, 7, 70000);
  a2 = ext_heap_realloc(a, 200000);
  CHECK(a2 == a && a2[69999] == 7);               /* in place into b + c */
  a2 = ext_heap_realloc(a, 10000);
  CHECK(a2 == a);
  uint8_t *e = ext_heap_alloc(100000);
  CHECK(e && e > a && e < d);                     /* the tail a gave back is the smallest place that holds it */
  ext_heap_free(e);
  ext_heap_free(d);
  ext_heap_free(a);
  ext_heap_free(a);                               /* twice: harmless */
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
