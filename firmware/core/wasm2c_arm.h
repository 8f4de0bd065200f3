/* One-instruction replacements for wasm2c (wabt 1.0.32) helpers on 32-bit Arm with a double-precision FPU
 * (Cortex-M7 fpv5-d16, Teensy 4.1): the Makefile's `gen` step renames wasm2c's own definitions to *_WASM2C and
 * includes this header into the generated piwip.c. Each replacement gives the same result bits as the wasm spec. */
#ifndef PIWIP_WASM2C_ARM_H
#define PIWIP_WASM2C_ARM_H

#include <stdint.h>
#include <string.h>

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
