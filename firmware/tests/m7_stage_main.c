/* The Teensy wasm3 env's upload sequence on the Cortex-M7 (QEMU) with its memory layout (the M7 image's "PSRAM" at
 * 0x60000000 through core/ext_heap.h, as firmware/m7/main.c): three image buffers, the running engine with the
 * recording length teensy/src/main.cpp gives it when uploads are on, then a second runtime loaded and initialised
 * with ext_heap_route_all on (link_usb.h's staging_alloc), self-test calls of 32 frames beside the running engine,
 * the swap and the commit, three times over (each upload after the previous one's commit). Prints key=value lines for tests/link-upload-wasm3.test.ts: how much of the internal
 * heap each runtime takes (newlib's mallinfo: on the board, the RAM2 heap of 492,608 B), the PSRAM high-water, and
 * whether both engines ran. */
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine_stage.h"
#include "ext_heap.h"

extern const uint8_t piwip_wasm[];
extern const uint32_t piwip_wasm_len;
static uint8_t s_psram[15u << 20] __attribute__((aligned(16), section(".psram")));
PIWIP_EXT_HEAP_DEFINE_MALLOC()

static size_t heap_used(void) { return mallinfo().uordblks; }

static float in[128], out_l[128], out_r[128];

static int finite_block(int n) {
  for (int i = 0; i < n; i++)
    if (!isfinite(out_l[i]) || !isfinite(out_r[i])) return 0;
  return 1;
}

int main(void) {
  const float rate = 44100.0f;
  ext_heap_init(s_psram, sizeof s_psram);
  uint8_t *buf[3];
  for (int i = 0; i < 3; i++) buf[i] = malloc(ENGINE_STAGE_MAX_IMAGE);
  printf("buffers_in_psram=%d\n", ext_heap_owns(buf[0]) && ext_heap_owns(buf[1]) && ext_heap_owns(buf[2]));
  size_t h0 = heap_used();
  int rc = piwip_load(piwip_wasm, piwip_wasm_len);
  /* teensy/src/main.cpp: half of what is left, less 1 MiB for the second runtime's code pages */
  uint32_t usable = ((uint32_t)ext_heap_max_block() - 64u) / 2 - 1024u * 1024u;
  usable &= ~0xFFFFu;
  float seconds = rc ? 0 : piwip_seconds_for_bytes(rate, (double)usable);
  piwip_config cfg = {rate, 128, seconds, 1};
  if (!rc) rc = piwip_init(&cfg);
  size_t h1 = heap_used();
  printf("running_rc=%d\nrecord_seconds=%.1f\nrunning_heap_bytes=%u\npsram_after_running=%u\n", rc, (double)seconds,
         (unsigned)(h1 - h0), (unsigned)ext_heap_high_water());
  if (rc) { printf("error=%s\n", piwip_last_error()); return 1; }

  /* uploads, one after another, each committed before the next (the image received into a buffer that the running
   * engine does not execute from): the first puts the new runtime beside the flash engine, every later one starts
   * in the hole the engine before the running one left in PSRAM (core/ext_heap.h) */
  int ok = 1, uploads = 0;
  for (int up = 0; up < 3 && ok; up++) {
    uint8_t *img = buf[1 + (up & 1)];
    memcpy(img, piwip_wasm, piwip_wasm_len);
    int abi = -1;
    size_t hs = heap_used();
    ext_heap_route_all(1);
    int src = piwip_stage_load(img, piwip_wasm_len, &abi);
    if (!src) src = piwip_stage_init(&cfg);
    ext_heap_route_all(0);
    if (up == 0)
      printf("staged_rc=%d\nstaged_abi=%d\nstaged_heap_bytes=%u\npsram_after_staged=%u\npsram_bytes=%u\n", src, abi,
             (unsigned)(heap_used() - hs), (unsigned)ext_heap_high_water(), (unsigned)ext_heap_bytes());
    if (src) { printf("upload_%d_error=%s\n", up + 1, piwip_stage_error()); ok = 0; break; }

    /* beside each other: one 32-frame test call per running block, noise in */
    uint32_t x = 1;
    for (int b = 0; b < 64 && ok; b++) {
      for (int i = 0; i < 128; i++) { x ^= x << 13; x ^= x >> 17; x ^= x << 5; in[i] = (float)((x / 4294967296.0 - 0.5) * 1.6); }
      ok = piwip_process(in, in, out_l, out_r, 128) == 0 && finite_block(128);
      ok = ok && piwip_stage_process(in, in, out_l, out_r, 32) == 0 && finite_block(32);
    }
    if (up == 0) printf("both_ran=%d\n", ok);
    piwip_stage_swap(1);
    for (int b = 0; b < 16 && ok; b++) ok = piwip_process(in, in, out_l, out_r, 128) == 0 && finite_block(128);
    piwip_stage_commit();
    for (int b = 0; b < 16 && ok; b++) ok = piwip_process(in, in, out_l, out_r, 128) == 0 && finite_block(128);
    if (up == 0) printf("swapped_ran=%d\nalive=%d\nheap_after_commit=%u\n", ok, piwip_alive(), (unsigned)(heap_used() - h0));
    if (ok) uploads++;
  }
  printf("uploads_committed=%d\npsram_high_water=%u\n", uploads, (unsigned)ext_heap_high_water());
  return ok ? 0 : 1;
}
