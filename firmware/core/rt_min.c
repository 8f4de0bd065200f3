/* Minimal wasm2c (wabt 1.0.32) runtime: static linear memory capped by the arena, zero-filled like calloc,
 * traps routed to the firmware's handler. Follows toolchain notes §5.4 (rt_min instead of wasm-rt-impl.c). */
#include "rt_min.h"

#include <stdlib.h>
#include <string.h>

#include "wasm-rt.h"

#ifndef RT_MIN_ARENA_BYTES
#define RT_MIN_ARENA_BYTES (4u << 20)
#endif

#if RT_MIN_ARENA_BYTES > 0
#ifdef RT_MIN_ARENA_SECTION
/* e.g. a NOLOAD section in external RAM; zeroed on allocation below, so it need not be in .bss */
static uint8_t s_static_arena[RT_MIN_ARENA_BYTES] __attribute__((aligned(16), section(RT_MIN_ARENA_SECTION)));
#else
static uint8_t s_static_arena[RT_MIN_ARENA_BYTES] __attribute__((aligned(16)));
#endif
static uint8_t *s_arena = s_static_arena;
static size_t s_arena_bytes = RT_MIN_ARENA_BYTES;
#else
static uint8_t *s_arena = NULL;
static size_t s_arena_bytes = 0;
#endif

static size_t s_high_water = 0;
static bool s_initialized = false;
static void (*s_trap_handler)(int) = NULL;
static uint32_t s_func_types = 0;

#if WASM_RT_USE_STACK_DEPTH_COUNT
uint32_t wasm_rt_call_stack_depth = 0;
#endif

#define PAGE_BYTES 65536u

void rt_min_set_arena(uint8_t *base, size_t bytes) {
  s_arena = base;
  s_arena_bytes = base ? bytes : 0;
}
size_t rt_min_arena_bytes(void) { return s_arena_bytes; }
size_t rt_min_high_water(void) { return s_high_water; }
void rt_min_set_trap_handler(void (*handler)(int code)) { s_trap_handler = handler; }

const char *rt_min_trap_name(int code) {
  switch (code) {
    case WASM_RT_TRAP_NONE: return "none";
    case WASM_RT_TRAP_OOB: return "out of bounds memory access";
    case WASM_RT_TRAP_INT_OVERFLOW: return "integer overflow";
    case WASM_RT_TRAP_DIV_BY_ZERO: return "integer divide by zero";
    case WASM_RT_TRAP_INVALID_CONVERSION: return "invalid conversion to integer";
    case WASM_RT_TRAP_UNREACHABLE: return "unreachable";
    case WASM_RT_TRAP_CALL_INDIRECT: return "indirect call type mismatch";
    case WASM_RT_TRAP_UNCAUGHT_EXCEPTION: return "uncaught exception";
#if !WASM_RT_MERGED_OOB_AND_EXHAUSTION_TRAPS
    case WASM_RT_TRAP_EXHAUSTION: return "call stack exhausted";
#endif
    default: return "unknown trap";
  }
}

void wasm_rt_init(void) { s_initialized = true; }
bool wasm_rt_is_initialized(void) { return s_initialized; }
void wasm_rt_free(void) { s_initialized = false; }

void wasm_rt_trap(wasm_rt_trap_t code) {
  if (s_trap_handler) s_trap_handler((int)code);
  abort(); /* the handler must longjmp; reaching here is a firmware bug */
}

const char *wasm_rt_strerror(wasm_rt_trap_t trap) { return rt_min_trap_name((int)trap); }

uint32_t wasm_rt_register_func_type(uint32_t params, uint32_t results, ...) {
  (void)params;
  (void)results;
  /* The engine makes no indirect calls across modules; a unique id per registration is all wasm2c needs. */
  return s_func_types++;
}

void wasm_rt_allocate_memory(wasm_rt_memory_t *mem, uint32_t initial_pages, uint32_t max_pages) {
  size_t bytes = (size_t)initial_pages * PAGE_BYTES;
  mem->data = s_arena;
  mem->pages = initial_pages;
  mem->max_pages = max_pages;
  mem->size = (uint32_t)bytes;
  if (bytes > s_arena_bytes) wasm_rt_trap(WASM_RT_TRAP_OOB); /* arena too small for the module's initial memory */
  /* wasm2c_patch.h's 32-bit bounds test relies on at least one page whenever module code runs (memory never
   * shrinks). A module declaring 0 pages is refused rather than checked wrongly. */
  if (initial_pages == 0) wasm_rt_trap(WASM_RT_TRAP_OOB);
  memset(s_arena, 0, bytes);
  if (bytes > s_high_water) s_high_water = bytes;
}

uint32_t wasm_rt_grow_memory(wasm_rt_memory_t *mem, uint32_t delta) {
  uint32_t old_pages = mem->pages;
  uint64_t new_pages = (uint64_t)old_pages + delta;
  if (new_pages > mem->max_pages || new_pages * PAGE_BYTES > s_arena_bytes) return (uint32_t)-1;
  memset(mem->data + (size_t)old_pages * PAGE_BYTES, 0, (size_t)delta * PAGE_BYTES);
  mem->pages = (uint32_t)new_pages;
  mem->size = (uint32_t)(new_pages * PAGE_BYTES);
  if (mem->size > s_high_water) s_high_water = mem->size;
  return old_pages;
}

void wasm_rt_free_memory(wasm_rt_memory_t *mem) {
  mem->data = NULL;
  mem->pages = 0;
  mem->size = 0;
}
