/* Big blocks (64 KiB and up: wasm3's linear memory) from one external-RAM region instead of the internal heap.
 * wasm3 takes its linear memory from calloc/realloc (m3_core.c), so the board (the image that links wasm3) replaces
 * newlib's malloc/calloc/realloc/free with thin wrappers, PIWIP_EXT_HEAP_DEFINE_MALLOC() below: requests of
 * EXT_HEAP_MIN bytes or more, and every block already in the region, go to this allocator; the rest stays with newlib
 * (_malloc_r & co.). Used by the Teensy board (region = PSRAM from extmem_malloc) and by the M7/QEMU image
 * (region = the 0x60000000 "PSRAM"), so the board's allocation path is the one tested under QEMU.
 *
 * The allocator is a stack: blocks are carved in order; the last block grows and shrinks in place (memory.grow
 * never copies, so a linear memory can use the whole region), freeing the last block gives its space back. Header-
 * only (static functions): include it in exactly one file per image. Not thread- or interrupt-safe: allocate at
 * init only (the audio path never allocates). */
#ifndef PIWIP_EXT_HEAP_H
#define PIWIP_EXT_HEAP_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define EXT_HEAP_MIN (64u * 1024u)
#define EXT_HEAP_ALIGN 16u

typedef struct { uint32_t size, prev; } ext_block; /* size of the payload; offset of the previous block + 1 (0 = none) */

static uint8_t *s_ext_base;
static size_t s_ext_bytes, s_ext_top, s_ext_last, s_ext_high;
static int s_ext_has_last;
/* While set, small requests go to the region too: a second wasm3 runtime (an uploaded engine being started,
 * core/engine_stage.h) puts its code pages there, since the internal heap holds only one runtime's. */
static int s_ext_route_all;
static inline void ext_heap_route_all(int on) { s_ext_route_all = on; }

/* Hand the allocator its region (once, before the first big allocation). */
static inline void ext_heap_init(void *base, size_t bytes) {
  uintptr_t b = ((uintptr_t)base + EXT_HEAP_ALIGN - 1) & ~(uintptr_t)(EXT_HEAP_ALIGN - 1);
  s_ext_base = (uint8_t *)b;
  s_ext_bytes = base && bytes > (b - (uintptr_t)base) ? bytes - (b - (uintptr_t)base) : 0;
  s_ext_top = s_ext_last = s_ext_high = 0;
  s_ext_has_last = 0;
}
static inline size_t ext_heap_bytes(void) { return s_ext_bytes; }
static inline size_t ext_heap_high_water(void) { return s_ext_high; }
/* Bytes a single block of payload n occupies; the payload the region can give one block at most. */
#define EXT_HDR ((sizeof(ext_block) + EXT_HEAP_ALIGN - 1) & ~(size_t)(EXT_HEAP_ALIGN - 1))
static inline size_t ext_heap_max_block(void) { return s_ext_bytes > s_ext_top + EXT_HDR ? s_ext_bytes - s_ext_top - EXT_HDR : 0; }

static inline int ext_heap_owns(const void *p) {
  return s_ext_bytes && (const uint8_t *)p >= s_ext_base && (const uint8_t *)p < s_ext_base + s_ext_bytes;
}
static inline size_t ext_round(size_t n) { return (n + EXT_HEAP_ALIGN - 1) & ~(size_t)(EXT_HEAP_ALIGN - 1); }
static inline ext_block *ext_hdr(void *p) { return (ext_block *)((uint8_t *)p - EXT_HDR); }

static inline void *ext_heap_alloc(size_t n) {
  if (!s_ext_bytes || n > s_ext_bytes || ext_round(n) + EXT_HDR > s_ext_bytes - s_ext_top) return NULL;
  size_t at = s_ext_top;
  ext_block *h = (ext_block *)(s_ext_base + at);
  h->size = (uint32_t)n;
  h->prev = s_ext_has_last ? (uint32_t)s_ext_last + 1u : 0u;
  s_ext_last = at;
  s_ext_has_last = 1;
  s_ext_top = at + EXT_HDR + ext_round(n);
  if (s_ext_top > s_ext_high) s_ext_high = s_ext_top;
  return s_ext_base + at + EXT_HDR;
}

static inline void ext_heap_free(void *p) {
  if (!p || !ext_heap_owns(p)) return;
  ext_block *h = ext_hdr(p);
  size_t at = (size_t)((uint8_t *)h - s_ext_base);
  if (!s_ext_has_last || at != s_ext_last) { h->size |= 0x80000000u; return; } /* not the last: freed when it is */
  for (;;) { /* pop this block and every freed block below it */
    s_ext_top = at;
    if (!h->prev) { s_ext_has_last = 0; s_ext_last = 0; break; }
    at = h->prev - 1u;
    h = (ext_block *)(s_ext_base + at);
    s_ext_last = at;
    if (!(h->size & 0x80000000u)) break;
  }
}

static inline void *ext_heap_realloc(void *p, size_t n) {
  if (!p) return ext_heap_alloc(n);
  ext_block *h = ext_hdr(p);
  size_t old = h->size & 0x7fffffffu;
  size_t at = (size_t)((uint8_t *)h - s_ext_base);
  if (s_ext_has_last && at == s_ext_last) { /* the last block: in place */
    if (n > s_ext_bytes || ext_round(n) > s_ext_bytes - at - EXT_HDR) return NULL;
    h->size = (uint32_t)n;
    s_ext_top = at + EXT_HDR + ext_round(n);
    if (s_ext_top > s_ext_high) s_ext_high = s_ext_top;
    return p;
  }
  if (n <= old) { h->size = (uint32_t)n; return p; }
  void *q = ext_heap_alloc(n);
  if (!q) return NULL;
  memcpy(q, p, old);
  ext_heap_free(p);
  return q;
}

/* newlib's malloc family routed through the region for big blocks. `newlib_usable(p)` is malloc_usable_size. */
#define PIWIP_EXT_HEAP_DEFINE_MALLOC()                                                                   \
  struct _reent;                                                                                         \
  extern struct _reent *_impure_ptr;                                                                     \
  void *_malloc_r(struct _reent *, size_t);                                                              \
  void _free_r(struct _reent *, void *);                                                                 \
  void *_realloc_r(struct _reent *, void *, size_t);                                                     \
  void *_calloc_r(struct _reent *, size_t, size_t);                                                      \
  size_t _malloc_usable_size_r(struct _reent *, void *);                                                 \
  void *malloc(size_t n) {                                                                               \
    void *p = n >= EXT_HEAP_MIN || s_ext_route_all ? ext_heap_alloc(n) : NULL;                           \
    return p ? p : _malloc_r(_impure_ptr, n);                                                            \
  }                                                                                                      \
  void free(void *p) {                                                                                   \
    if (ext_heap_owns(p)) ext_heap_free(p); else _free_r(_impure_ptr, p);                                \
  }                                                                                                      \
  void *calloc(size_t a, size_t b) {                                                                     \
    if (b && a > (size_t)-1 / b) return NULL;                                                            \
    void *p = a * b >= EXT_HEAP_MIN || s_ext_route_all ? ext_heap_alloc(a * b) : NULL;                   \
    if (p) { memset(p, 0, a * b); return p; }                                                            \
    return _calloc_r(_impure_ptr, a, b);                                                                 \
  }                                                                                                      \
  void *realloc(void *p, size_t n) {                                                                     \
    if (!p) return malloc(n);                                                                            \
    if (ext_heap_owns(p)) return ext_heap_realloc(p, n);                                                 \
    if ((n >= EXT_HEAP_MIN || s_ext_route_all) && s_ext_bytes) {                                         \
      void *q = ext_heap_alloc(n);                                                                       \
      if (q) {                                                                                           \
        size_t old = _malloc_usable_size_r(_impure_ptr, p);                                              \
        memcpy(q, p, old < n ? old : n);                                                                 \
        _free_r(_impure_ptr, p);                                                                         \
        return q;                                                                                        \
      }                                                                                                  \
    }                                                                                                    \
    return _realloc_r(_impure_ptr, p, n);                                                                \
  }

#endif
