/* Cheaper replacements for wasm2c (wabt 1.0.32) helpers, included into the generated piwip.c by the Makefile's
 * `gen` step (after wasm2c's load/store definitions; wasm2c's own versions of the Arm replacements are renamed
 * *_WASM2C). Same results as the wasm spec: bounds-checked accesses with a 32-bit test (all targets), and on 32-bit
 * Arm with a double-precision FPU (Cortex-M7 fpv5-d16, Teensy 4.1) single instructions for conversions and abs. */
#ifndef PIWIP_WASM2C_PATCH_H
#define PIWIP_WASM2C_PATCH_H

#include <stdint.h>
#include <string.h>

/* Every `T_load(&instance->w2c_memory, (u64)(x) + c)` / `T_store(..., (u64)(x) + c, v)` is rewritten to
 * `T_load_c(&instance->w2c_memory, x, c)` (c constant). wasm2c tests (u64)x + c + n > size with 64-bit adds and
 * compares (5 instructions on a 32-bit core). rt_min never runs module code with less than one page of memory
 * (wasm_rt_allocate_memory refuses 0 pages), so when c + n <= 65536 (known at compile time) size - c - n cannot
 * wrap and x > size - c - n is the same test in 32 bits. Larger c falls back to the 64-bit test.
 *
 * The accessors read the memory's base and size from a mirror in this file's static variables, not from the
 * instance: wasm2c's accesses copy bytes (char semantics), so every store into linear memory could overwrite
 * instance->w2c_memory as far as the compiler knows, and it reloads base and size after each store (two loads and
 * a subtraction per access in a loop that stores). Static variables whose address is never taken cannot be
 * reached through a pointer, so base and size stay in registers. The mirror is updated by the only calls that
 * change the memory (allocate, grow, free are wrapped below), so it always equals the one live memory; rt_min has
 * one memory at a time (one instance of the module), and allocating a second while the first is live traps. */
static u8 *w2c_mirror_data;
static u32 w2c_mirror_size;
static inline void w2c_mirror(const wasm_rt_memory_t *mem) {
  w2c_mirror_data = mem->data;
  w2c_mirror_size = mem->size;
}
static inline void w2c_allocate_memory_mirrored(wasm_rt_memory_t *mem, uint32_t initial, uint32_t max) {
  if (w2c_mirror_data != NULL) TRAP(OOB); /* a second live memory: the mirror could only follow one */
  wasm_rt_allocate_memory(mem, initial, max);
  w2c_mirror(mem);
}
static inline uint32_t w2c_grow_memory_mirrored(wasm_rt_memory_t *mem, uint32_t delta) {
  uint32_t old = wasm_rt_grow_memory(mem, delta);
  w2c_mirror(mem);
  return old;
}
static inline void w2c_free_memory_mirrored(wasm_rt_memory_t *mem) {
  wasm_rt_free_memory(mem);
  w2c_mirror_data = NULL;
  w2c_mirror_size = 0;
}
#define wasm_rt_allocate_memory w2c_allocate_memory_mirrored
#define wasm_rt_grow_memory w2c_grow_memory_mirrored
#define wasm_rt_free_memory w2c_free_memory_mirrored

#define W2C_MIN_MEMORY_BYTES 65536u
static inline __attribute__((always_inline)) int w2c_out_of_bounds(u32 x, u32 c, u32 n) {
  if (c <= W2C_MIN_MEMORY_BYTES - n) return x > w2c_mirror_size - c - n;
  return (u64)x + c + n > w2c_mirror_size;
}
#define W2C_DEFINE_LOAD_C(name, t1, t2, t3)                                   \
  static inline __attribute__((always_inline)) t3 name##_c(wasm_rt_memory_t *mem, u32 x, u32 c) { \
    (void)mem;                                                               \
    if (UNLIKELY(w2c_out_of_bounds(x, c, sizeof(t1)))) TRAP(OOB);            \
    t1 result;                                                               \
    wasm_rt_memcpy(&result, w2c_mirror_data + (size_t)x + c, sizeof(t1));    \
    wasm_asm("" ::"r"(result));                                              \
    return (t3)(t2)result;                                                   \
  }
#define W2C_DEFINE_STORE_C(name, t1, t2)                                      \
  static inline __attribute__((always_inline)) void name##_c(wasm_rt_memory_t *mem, u32 x, u32 c, t2 value) { \
    (void)mem;                                                               \
    if (UNLIKELY(w2c_out_of_bounds(x, c, sizeof(t1)))) TRAP(OOB);            \
    t1 wrapped = (t1)value;                                                  \
    wasm_rt_memcpy(w2c_mirror_data + (size_t)x + c, &wrapped, sizeof(t1));   \
  }
W2C_DEFINE_LOAD_C(i32_load, u32, u32, u32)
W2C_DEFINE_LOAD_C(i64_load, u64, u64, u64)
W2C_DEFINE_LOAD_C(f32_load, f32, f32, f32)
W2C_DEFINE_LOAD_C(f64_load, f64, f64, f64)
W2C_DEFINE_LOAD_C(i32_load8_s, s8, s32, u32)
W2C_DEFINE_LOAD_C(i64_load8_s, s8, s64, u64)
W2C_DEFINE_LOAD_C(i32_load8_u, u8, u32, u32)
W2C_DEFINE_LOAD_C(i64_load8_u, u8, u64, u64)
W2C_DEFINE_LOAD_C(i32_load16_s, s16, s32, u32)
W2C_DEFINE_LOAD_C(i64_load16_s, s16, s64, u64)
W2C_DEFINE_LOAD_C(i32_load16_u, u16, u32, u32)
W2C_DEFINE_LOAD_C(i64_load16_u, u16, u64, u64)
W2C_DEFINE_LOAD_C(i64_load32_s, s32, s64, u64)
W2C_DEFINE_LOAD_C(i64_load32_u, u32, u64, u64)
W2C_DEFINE_STORE_C(i32_store, u32, u32)
W2C_DEFINE_STORE_C(i64_store, u64, u64)
W2C_DEFINE_STORE_C(f32_store, f32, f32)
W2C_DEFINE_STORE_C(f64_store, f64, f64)
W2C_DEFINE_STORE_C(i32_store8, u8, u32)
W2C_DEFINE_STORE_C(i32_store16, u16, u32)
W2C_DEFINE_STORE_C(i64_store8, u8, u64)
W2C_DEFINE_STORE_C(i64_store16, u16, u64)
W2C_DEFINE_STORE_C(i64_store32, u32, u64)

#if defined(__arm__) && defined(__ARM_FP) && (__ARM_FP & 8) && !defined(PIWIP_WASM2C_PORTABLE)
/* VCVT (round towards zero) saturates out-of-range values and turns NaN into 0 (Arm ARM, FPToFixed), which is
 * exactly trunc_sat. wasm2c tests NaN, low and high bound first: ~13 instructions instead of 2. Inline asm, so the
 * compiler cannot treat an out-of-range C conversion as undefined. */
#define W2C_ARM_CVT(name, insn, cin, type)                              \
  static inline uint32_t name(type x) {                                 \
    float r;                                                            \
    uint32_t u;                                                         \
    __asm__(insn : "=t"(r) : cin(x));                                   \
    memcpy(&u, &r, sizeof u);                                           \
    return u;                                                           \
  }
W2C_ARM_CVT(w2c_arm_i32_trunc_sat_s_f64, "vcvt.s32.f64 %0, %P1", "w", double)
W2C_ARM_CVT(w2c_arm_i32_trunc_sat_u_f64, "vcvt.u32.f64 %0, %P1", "w", double)
W2C_ARM_CVT(w2c_arm_i32_trunc_sat_s_f32, "vcvt.s32.f32 %0, %1", "t", float)
W2C_ARM_CVT(w2c_arm_i32_trunc_sat_u_f32, "vcvt.u32.f32 %0, %1", "t", float)
#define I32_TRUNC_SAT_S_F64(x) w2c_arm_i32_trunc_sat_s_f64(x)
#define I32_TRUNC_SAT_U_F64(x) w2c_arm_i32_trunc_sat_u_f64(x)
#define I32_TRUNC_SAT_S_F32(x) w2c_arm_i32_trunc_sat_s_f32(x)
#define I32_TRUNC_SAT_U_F32(x) w2c_arm_i32_trunc_sat_u_f32(x)

/* VABS only clears the sign bit, NaN payload included (it is not an arithmetic operation, FPSCR.DN does not apply):
 * wasm's abs. wasm2c adds a NaN test for hosts whose fabs may differ. */
static inline double wasm_fabs(double x) { return __builtin_fabs(x); }
static inline float wasm_fabsf(float x) { return __builtin_fabsf(x); }

/* wasm2c quiets a NaN before demote/promote; VCVT between f32 and f64 already returns the quieted NaN (or the
 * default NaN when FPSCR.DN is set, also a quiet, canonical NaN), so the test is redundant here. */
static inline double wasm_quiet(double x) { return x; }
static inline float wasm_quietf(float x) { return x; }

#else /* portable: wasm2c's own definitions */
#define I32_TRUNC_SAT_S_F64(x) I32_TRUNC_SAT_S_F64_WASM2C(x)
#define I32_TRUNC_SAT_U_F64(x) I32_TRUNC_SAT_U_F64_WASM2C(x)
#define I32_TRUNC_SAT_S_F32(x) I32_TRUNC_SAT_S_F32_WASM2C(x)
#define I32_TRUNC_SAT_U_F32(x) I32_TRUNC_SAT_U_F32_WASM2C(x)
static double wasm_fabs_WASM2C(double x);
static float wasm_fabsf_WASM2C(float x);
static double wasm_quiet_WASM2C(double x);
static float wasm_quietf_WASM2C(float x);
static inline double wasm_fabs(double x) { return wasm_fabs_WASM2C(x); }
static inline float wasm_fabsf(float x) { return wasm_fabsf_WASM2C(x); }
static inline double wasm_quiet(double x) { return wasm_quiet_WASM2C(x); }
static inline float wasm_quietf(float x) { return wasm_quietf_WASM2C(x); }
#endif

#endif
