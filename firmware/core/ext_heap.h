/* Big blocks (64 KiB and up: wasm3's linear memory) from one external-RAM region instead of the internal heap.
 * wasm3 takes its linear memory from calloc/realloc (m3_core.c), so the board (the image that links wasm3) replaces
 * newlib's malloc/calloc/realloc/free with thin wrappers, PIWIP_EXT_HEAP_DEFINE_MALLOC() below: requests of
 * EXT_HEAP_MIN bytes or more, and every block already in the region, go to this allocator; the rest stays with newlib
 * (_malloc_r & co.). Used by the Teensy board (region = PSRAM from extmem_malloc) and by the M7/QEMU image
 * (region = the 0x60000000 "PSRAM"), so the board's allocation path is the one tested under QEMU.
 *
 * Blocks lie end to end from the region's start; past the last one the region is free ("the top"). The last block
 * grows and shrinks in place into the top (memory.grow never copies, so a linear memory can use the whole region).
 * A freed block becomes a hole, merged with free neighbours, and holes are reused: a request takes the smallest
 * place it fits, hole or top, so an uploaded engine's small blocks fill the leftovers and its linear memory, once
 * grown, moves into the hole the engine before it left (an engine committed after an upload leaves its predecessor's
 * memory below it: a second upload starts there). Header-only (static functions): include it in exactly one file per
 * image. Not thread- or interrupt-safe: allocate at init or between blocks only (the audio path never allocates);
 * the walk over the blocks is bounded by their number. */
#ifndef PIWIP_EXT_HEAP_H
#define PIWIP_EXT_HEAP_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define EXT_HEAP_MIN (64u * 1024u)
#define EXT_HEAP_ALIGN 16u

/* cap: the payload's bytes (a multiple of EXT_HEAP_ALIGN) | EXT_FREE; prev: offset of the previous block + 1 (0 =
 * the first) */
typedef struct { uint32_t cap, prev; } ext_block;
#define EXT_FREE 0x80000000u

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
  s_ext_bytes = base && bytes > (b - (uintptr_t)base) ? (bytes - (b - (uintptr_t)base)) & ~(size_t)(EXT_HEAP_ALIGN - 1) : 0;
  if (s_ext_bytes > 0x7ffffff0u) s_ext_bytes = 0x7ffffff0u;
  s_ext_top = s_ext_last = s_ext_high = 0;
  s_ext_has_last = 0;
}
static inline size_t ext_heap_bytes(void) { return s_ext_bytes; }
static inline size_t ext_heap_high_water(void) { return s_ext_high; }
/* Bytes a block's header occupies. */
#define EXT_HDR ((sizeof(ext_block) + EXT_HEAP_ALIGN - 1) & ~(size_t)(EXT_HEAP_ALIGN - 1))

static inline int ext_heap_owns(const void *p) {
  return s_ext_bytes && (const uint8_t *)p >= s_ext_base && (const uint8_t *)p < s_ext_base + s_ext_bytes;
}
static inline size_t ext_round(size_t n) { return (n + EXT_HEAP_ALIGN - 1) & ~(size_t)(EXT_HEAP_ALIGN - 1); }
static inline ext_block *ext_at(size_t at) { return (ext_block *)(s_ext_base + at); }
static inline size_t ext_cap(const ext_block *h) { return h->cap & ~EXT_FREE; }
static inline size_t ext_next(size_t at) { return at + EXT_HDR + ext_cap(ext_at(at)); }
/* The payload the top can give one new block. */
static inline size_t ext_top_room(void) { return s_ext_bytes > s_ext_top + EXT_HDR ? s_ext_bytes - s_ext_top - EXT_HDR : 0; }

/* The largest payload one block can get: the top's or a hole's. */
static inline size_t ext_heap_max_block(void) {
  size_t best = ext_top_room();
  if (!s_ext_has_last) return best;
  for (size_t at = 0; at < s_ext_top; at = ext_next(at))
    if ((ext_at(at)->cap & EXT_FREE) && ext_cap(ext_at(at)) > best) best = ext_cap(ext_at(at));
  return best;
}

/* The block after `at` now starts a new neighbour chain: point it back at `at`. */
static inline void ext_link_next(size_t at) {
  size_t nx = ext_next(at);
  if (nx < s_ext_top) ext_at(nx)->prev = (uint32_t)at + 1u;
}

/* A free block takes in the hole after it, if there is one. */
static inline void ext_merge_next(size_t at) {
  size_t nx = ext_next(at);
  if (nx >= s_ext_top || !(ext_at(nx)->cap & EXT_FREE)) return;
  ext_block *h = ext_at(at);
  h->cap = (uint32_t)(ext_cap(h) + EXT_HDR + ext_cap(ext_at(nx))) | (h->cap & EXT_FREE);
  ext_link_next(at);
}

/* Cut block `at` to `cap` bytes when the rest can hold a block of its own; the rest becomes a hole. */
static inline void ext_split(size_t at, size_t cap) {
  ext_block *h = ext_at(at);
  size_t have = ext_cap(h);
  if (have < cap + EXT_HDR + EXT_HEAP_ALIGN) return;
  h->cap = (uint32_t)cap | (h->cap & EXT_FREE);
  size_t rest = at + EXT_HDR + cap;
  ext_block *r = ext_at(rest);
  r->cap = (uint32_t)(have - cap - EXT_HDR) | EXT_FREE;
  r->prev = (uint32_t)at + 1u;
  ext_link_next(rest);
  ext_merge_next(rest);
}

static inline void *ext_heap_alloc(size_t n) {
  if (!s_ext_bytes || n > s_ext_bytes) return NULL;
  size_t r = ext_round(n);
  /* the smallest hole that holds it; the top when none does, or when the top's room is smaller still */
  size_t best = (size_t)-1, best_cap = (size_t)-1;
  if (s_ext_has_last)
    for (size_t at = 0; at < s_ext_top; at = ext_next(at)) {
      ext_block *h = ext_at(at);
      if ((h->cap & EXT_FREE) && ext_cap(h) >= r && ext_cap(h) < best_cap) { best = at; best_cap = ext_cap(h); }
    }
  size_t room = ext_top_room();
  if (best != (size_t)-1 && !(room >= r && room < best_cap)) {
    ext_block *h = ext_at(best);
    h->cap &= ~EXT_FREE;
    ext_split(best, r);
    return s_ext_base + best + EXT_HDR;
  }
  if (room < r) return NULL;
  size_t at = s_ext_top;
  ext_block *h = ext_at(at);
  h->cap = (uint32_t)r;
  h->prev = s_ext_has_last ? (uint32_t)s_ext_last + 1u : 0u;
  s_ext_last = at;
  s_ext_has_last = 1;
  s_ext_top = at + EXT_HDR + r;
  if (s_ext_top > s_ext_high) s_ext_high = s_ext_top;
  return s_ext_base + at + EXT_HDR;
}

static inline void ext_heap_free(void *p) {
  if (!p || !ext_heap_owns(p)) return;
  size_t at = (size_t)((uint8_t *)p - EXT_HDR - s_ext_base);
  ext_block *h = ext_at(at);
  if (h->cap & EXT_FREE) return; /* twice */
  h->cap |= EXT_FREE;
  ext_merge_next(at);
  if (h->prev && (ext_at(h->prev - 1u)->cap & EXT_FREE)) { /* merge into the hole before it */
    size_t pv = h->prev - 1u;
    ext_block *q = ext_at(pv);
    q->cap = (uint32_t)(ext_cap(q) + EXT_HDR + ext_cap(h)) | EXT_FREE;
    at = pv;
    h = q;
    ext_link_next(at);
  }
  if (ext_next(at) >= s_ext_top) { /* the last block: it goes back to the top */
    s_ext_top = at;
    if (h->prev) s_ext_last = h->prev - 1u;
    else { s_ext_has_last = 0; s_ext_last = 0; }
  }
}

static inline void *ext_heap_realloc(void *p, size_t n) {
  if (!p) return ext_heap_alloc(n);
  size_t at = (size_t)((uint8_t *)p - EXT_HDR - s_ext_base);
  ext_block *h = ext_at(at);
  size_t old = ext_cap(h);
  if (n > s_ext_bytes) return NULL;
  size_t r = ext_round(n);
  if (s_ext_has_last && at == s_ext_last && r <= s_ext_bytes - at - EXT_HDR) { /* the last block: in place */
    h->cap = (uint32_t)r;
    s_ext_top = at + EXT_HDR + r;
    if (s_ext_top > s_ext_high) s_ext_high = s_ext_top;
    return p;
  }
  if (r <= old) { ext_split(at, r); return p; }
  size_t nx = ext_next(at);
  if (nx < s_ext_top && (ext_at(nx)->cap & EXT_FREE) && old + EXT_HDR + ext_cap(ext_at(nx)) >= r) {
    /* in place, into the hole after it */
    ext_merge_next(at); /* keeps the block in use: its free bit stays clear */
    ext_split(at, r);
    return p;
  }
  void *q = ext_heap_alloc(n);
  if (!q) return NULL;
  memcpy(q, p, old < n ? old : n);
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
