/* Minimal wasm2c (wabt 1.0.32) runtime for firmware: one static linear memory, no malloc, traps to a handler.
 * Replaces wasm-rt-impl.c (which needs sys/mman.h and has the short-enum va_arg bug on arm-none-eabi). */
#ifndef RT_MIN_H
#define RT_MIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Give the runtime the region that holds the linear memory (before instantiating). Without a call the
 * built-in static arena (RT_MIN_ARENA_BYTES, 0 = none) is used. Only one memory exists at a time. */
void rt_min_set_arena(uint8_t *base, size_t bytes);
size_t rt_min_arena_bytes(void);
/* Highest number of bytes the memory ever reached (for reports). */
size_t rt_min_high_water(void);

/* Called for every trap (code = wasm_rt_trap_t). It must not return (longjmp out); if it does, or none is
 * set, the runtime calls abort(). */
void rt_min_set_trap_handler(void (*handler)(int code));

const char *rt_min_trap_name(int code);

#ifdef __cplusplus
}
#endif
#endif
