/* Cortex-M7 test target: runs a scenario (input + events from the host via semihosting) through the linked
 * engine and prints the output hash and instructions per sample, counted with SysTick under `-icount shift=0`. */
#include <stdint.h>
#include <stdio.h>

#include "scenario.h"

#define SYST_CSR (*(volatile uint32_t *)0xE000E010)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018)

/* With -icount shift=0 one instruction is 1 ns of virtual time and SysTick (core clock source) ticks at 25 MHz:
 * one tick = 40 instructions (toolchain notes §5, calibrated). SysTick counts down; return an up-counter. */
#define INSNS_PER_TICK 40u
static uint32_t systick_up(void) { return 0xFFFFFFu - SYST_CVR; }

#ifdef PIWIP_EMBED_WASM
/* wasm3: the Teensy's layout. The wasm bytes stay in flash (const, in CODE here); wasm3's linear memory is a big
 * block in "PSRAM" (0x60000000, like the Teensy's EXTMEM) through ext_heap.h's malloc wrappers, exactly as
 * teensy/src/main.cpp does; wasm3's own structures, code pages and stack stay in the internal heap. */
#include "ext_heap.h"
extern const uint8_t piwip_wasm[];
extern const uint32_t piwip_wasm_len;
static uint8_t s_psram[15u << 20] __attribute__((aligned(16), section(".psram")));
PIWIP_EXT_HEAP_DEFINE_MALLOC()
#endif

int main(int argc, char **argv) {
  scenario_opts o;
  scenario_defaults(&o);
  if (scenario_parse_args(argc, argv, &o)) return 2;
  SYST_RVR = 0xFFFFFFu;
  SYST_CVR = 0;
  SYST_CSR = 5; /* enable, core clock, no interrupt */
  o.counter = systick_up;
  o.counter_mask = 0xFFFFFFu;
  o.counter_scale = INSNS_PER_TICK;
  const uint8_t *wasm = 0;
  uint32_t len = 0;
#ifdef PIWIP_EMBED_WASM
  ext_heap_init(s_psram, sizeof s_psram);
  wasm = piwip_wasm;
  len = piwip_wasm_len;
#endif
  scenario_result r;
  if (scenario_run(&o, wasm, len, &r)) return 1;
  scenario_print(&o, &r);
#ifdef PIWIP_EMBED_WASM
  printf("psram_base=%p\npsram_high_water=%u\n", (void *)s_psram, (unsigned)ext_heap_high_water());
#endif
  return 0;
}
