/* Test of core/wasm2c_patch.h against the wasm spec, built for x86 and the M7 (`make -C firmware patch-test`):
 * every memory probe of patch.wat (one access type and static offset each) is called at addresses around the end of
 * linear memory, before and after memory.grow, and must trap exactly when (u64)address + offset + width > size;
 * the saturating conversions, abs, demote and promote are checked on edge values (NaN, infinities, bounds). */
#include <math.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "piwip.h" /* wasm2c of patch.wat, module name "piwip" */
#include "rt_min.h"
#include "patch_probes.h"

static Z_piwip_instance_t s_inst;
static jmp_buf s_jmp;
static volatile int s_code;

static void on_trap(int code) {
  s_code = code;
  longjmp(s_jmp, 1);
}

typedef void (*probe_fn)(Z_piwip_instance_t *, u32);
#define PROBE(name, width, offset) {#name, Z_piwipZ_##name, width, offset},
static const struct {
  const char *name;
  probe_fn fn;
  uint32_t width, offset;
} s_probes[] = {BOUNDS_PROBES(PROBE)};

static int trapped(probe_fn fn, uint32_t addr) {
  s_code = 0;
  if (setjmp(s_jmp) == 0) {
    fn(&s_inst, addr);
    return 0;
  }
#if WASM_RT_USE_STACK_DEPTH_COUNT
  wasm_rt_call_stack_depth = 0;
#endif
  return 1;
}

static uint64_t bits64(double x) { uint64_t u; memcpy(&u, &x, 8); return u; }
static uint32_t bits32(float x) { uint32_t u; memcpy(&u, &x, 4); return u; }
static double from64(uint64_t u) { double x; memcpy(&x, &u, 8); return x; }
static float from32(uint32_t u) { float x; memcpy(&x, &u, 4); return x; }

/* The spec's trunc_sat, written out (x is exact in double for f32 inputs too). */
static uint32_t ref_sat_s(double x) {
  if (x != x) return 0;
  if (x <= -2147483649.0) return 0x80000000u;
  if (x >= 2147483648.0) return 0x7FFFFFFFu;
  return (uint32_t)(int32_t)x;
}
static uint32_t ref_sat_u(double x) {
  if (!(x > -1.0)) return 0; /* also NaN */
  if (x >= 4294967296.0) return 0xFFFFFFFFu;
  return x < 1.0 ? 0 : (uint32_t)x;
}

static unsigned check_conversions(void) {
  static const uint64_t specials[] = {
      0x7FF8000000000000ull, 0xFFF8000000000000ull, 0x7FF0000000000001ull, 0x7FF4000000000123ull, /* NaNs */
      0x7FF0000000000000ull, 0xFFF0000000000000ull, 0, 0x8000000000000000ull, 1, 0x800FFFFFFFFFFFFFull};
  static const double values[] = {0.5, -0.5, 1.5, -1.5, -0.9999, -1.0, 2147483647.0, 2147483647.5, 2147483648.0,
                                  -2147483648.0, -2147483648.5, -2147483649.0, 4294967295.0, 4294967295.5,
                                  4294967296.0, 1e300, -1e300, 3.4028234663852886e38, 1e-40, 16777217.0};
  double xs[sizeof specials / 8 + sizeof values / 8];
  size_t nx = 0;
  for (size_t i = 0; i < sizeof specials / 8; i++) xs[nx++] = from64(specials[i]);
  for (size_t i = 0; i < sizeof values / 8; i++) xs[nx++] = values[i];
  unsigned bad = 0;
  for (size_t i = 0; i < nx; i++) {
    const double d = xs[i];
    const float f = (float)d; /* a NaN keeps being a NaN; the f32 cases use their own bits below */
    const uint32_t fb = d != d ? (uint32_t)(bits64(d) >> 32) | 0x7F800000u : bits32(f);
    const float fx = from32(fb);
    uint32_t got, want;
#define EXPECT(expr, ref, what)                                                                            \
  if ((got = (expr)) != (want = (ref))) {                                                                  \
    bad++;                                                                                                 \
    printf("FAIL %s of 0x%016llx: got 0x%08lx want 0x%08lx\n", what, (unsigned long long)bits64(d),        \
           (unsigned long)got, (unsigned long)want);                                                       \
  }
    EXPECT(Z_piwipZ_trunc_sat_s_f64(&s_inst, d), ref_sat_s(d), "trunc_sat_s_f64")
    EXPECT(Z_piwipZ_trunc_sat_u_f64(&s_inst, d), ref_sat_u(d), "trunc_sat_u_f64")
    EXPECT(Z_piwipZ_trunc_sat_s_f32(&s_inst, fx), ref_sat_s((double)fx), "trunc_sat_s_f32")
    EXPECT(Z_piwipZ_trunc_sat_u_f32(&s_inst, fx), ref_sat_u((double)fx), "trunc_sat_u_f32")
    EXPECT(Z_piwipZ_abs_f32(&s_inst, fb), fb & 0x7FFFFFFFu, "abs_f32")
    const uint64_t a64 = Z_piwipZ_abs_f64(&s_inst, bits64(d));
    EXPECT((uint32_t)(a64 != (bits64(d) & 0x7FFFFFFFFFFFFFFFull)), 0, "abs_f64")
    /* demote/promote: exact C conversions for numbers; a NaN must stay a NaN with the quiet bit set */
    const uint32_t dm = Z_piwipZ_demote(&s_inst, bits64(d));
    if (d != d) { EXPECT((uint32_t)((dm & 0x7FC00000u) == 0x7FC00000u), 1, "demote (NaN quiet)") }
    else { EXPECT(dm, bits32((float)d), "demote") }
    const uint64_t pm = Z_piwipZ_promote(&s_inst, fb);
    if (fx != fx) { EXPECT((uint32_t)((pm & 0x7FF8000000000000ull) == 0x7FF8000000000000ull), 1, "promote (NaN quiet)") }
    else { EXPECT((uint32_t)(pm != bits64((double)fx)), 0, "promote") }
  }
  return bad;
}

int main(void) {
  rt_min_set_trap_handler(on_trap);
  wasm_rt_init();
  Z_piwip_init_module();
  Z_piwip_instantiate(&s_inst);
  unsigned checked = 0, failed = 0;
  for (int round = 0; round < 2; round++) {
    const uint32_t size = Z_piwipZ_memory(&s_inst)->size;
    for (size_t p = 0; p < sizeof s_probes / sizeof s_probes[0]; p++) {
      const uint32_t w = s_probes[p].width, off = s_probes[p].offset;
      /* the last in-bounds address of this probe (mod 2^32) and its neighbours, plus fixed extremes */
      const uint32_t edge = size - off - w;
      const uint32_t addrs[] = {0, 1, 65535, 65536, size, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFF0u, 0xFFFFFFFFu,
                                edge - 2, edge - 1, edge, edge + 1, edge + 2, edge + w};
      for (size_t k = 0; k < sizeof addrs / sizeof addrs[0]; k++) {
        const uint32_t a = addrs[k];
        const int want = (uint64_t)a + off + w > size;
        const int got = trapped(s_probes[p].fn, a);
        checked++;
        if (got != want || (got && s_code != WASM_RT_TRAP_OOB)) {
          failed++;
          printf("FAIL %s addr=0x%08lx size=%lu: want %s, got %s (code %d)\n", s_probes[p].name, (unsigned long)a,
                 (unsigned long)size, want ? "trap" : "no trap", got ? "trap" : "no trap", s_code);
        }
      }
    }
    if (round == 0 && Z_piwipZ_grow(&s_inst, 1) != 1) {
      printf("FAIL memory.grow\n");
      failed++;
    }
  }
  printf("bounds_checked=%u\nbounds_failed=%u\n", checked, failed);
  unsigned conv_failed = check_conversions();
  printf("conversions_failed=%u\n", conv_failed);
  return failed + conv_failed != 0;
}
