/* Shared bookkeeping for the two engine implementations: engine state, error text, dead-engine output, the ABI
 * pointer checks after init and the checks before every process(). Internal to firmware/core; included by
 * engine_wasm2c.c and engine_wasm3.c only (one of them per image). */
#ifndef PIWIP_ENGINE_COMMON_H
#define PIWIP_ENGINE_COMMON_H

#include <string.h>

#include "piwip_engine.h"

static char s_error[96];
static enum piwip_dead_output s_dead_output = PIWIP_DEAD_DRY;
static int s_alive, s_block;
/* the engine's I/O and text buffers in its linear memory (from init) */
static uint32_t s_in_ptr[2], s_out_ptr[2], s_text_ptr, s_text_cap, s_screen_ptr;
/* the link's windows (from init; 0 = the engine has no link) */
static uint32_t s_link_in_ptr, s_link_out_ptr, s_link_send_ptr;

/* No snprintf: newlib's printf family can allocate; errors may be set from the audio thread. Up to four parts,
 * NULL ends early, e.g. err_set("trap: ", what, " in ", where). */
static void err_set(const char *a, const char *b, const char *c, const char *d) {
  size_t n = 0;
  const char *parts[4] = {a, b, c, d};
  for (int p = 0; p < 4 && parts[p]; p++) {
    const char *s = parts[p];
    while (s && *s && n + 1 < sizeof s_error) s_error[n++] = *s++;
  }
  s_error[n] = 0;
}

static void err_set_int(const char *a, long v) {
  char num[24];
  int i = (int)sizeof num - 1;
  int neg = v < 0;
  unsigned long u = neg ? 0ul - (unsigned long)v : (unsigned long)v;
  num[i] = 0;
  do { num[--i] = (char)('0' + u % 10); u /= 10; } while (u && i > 1);
  if (neg) num[--i] = '-';
  err_set(a, num + i, NULL, NULL);
}

static void dead_fill(const float *in_l, const float *in_r, float *out_l, float *out_r, int frames) {
  if (frames < 1) return;
  if (frames > PIWIP_MAX_FRAMES) frames = PIWIP_MAX_FRAMES;
  size_t bytes = (size_t)frames * sizeof(float);
  if (s_dead_output == PIWIP_DEAD_DRY && in_l && in_r) {
    memmove(out_l, in_l, bytes);
    memmove(out_r, in_r, bytes);
  } else {
    memset(out_l, 0, bytes);
    memset(out_r, 0, bytes);
  }
}

/* True when [ptr, ptr+len) lies inside a linear memory of mem_size bytes. */
static int span_ok(uint32_t ptr, uint32_t len, size_t mem_size) {
  return (uint64_t)ptr + len <= (uint64_t)mem_size && ptr != 0;
}

/* After init: every buffer pointer the engine reported must lie inside its memory (the screen is optional). */
static int abi_check(size_t mem_size) {
  uint32_t io = (uint32_t)s_block * 4u;
  if (!span_ok(s_in_ptr[0], io, mem_size) || !span_ok(s_in_ptr[1], io, mem_size) ||
      !span_ok(s_out_ptr[0], io, mem_size) || !span_ok(s_out_ptr[1], io, mem_size) ||
      !span_ok(s_text_ptr, s_text_cap, mem_size)) {
    s_alive = 0;
    err_set("abi: engine returned an out-of-range buffer pointer", NULL, NULL, NULL);
    return PIWIP_E_ABI;
  }
  if (!span_ok(s_screen_ptr, PIWIP_SCREEN_BYTES, mem_size)) s_screen_ptr = 0;
  if (!span_ok(s_link_in_ptr, PIWIP_LINK_WINDOW, mem_size) || !span_ok(s_link_out_ptr, PIWIP_LINK_WINDOW, mem_size) ||
      !span_ok(s_link_send_ptr, PIWIP_LINK_WINDOW, mem_size))
    s_link_in_ptr = s_link_out_ptr = s_link_send_ptr = 0;
  return PIWIP_OK;
}

/* Before every process(): a bad frame count or a dead engine never reaches the module; the output is then the dry
 * input or silence. 0 = go on, else the code piwip_process returns. */
static int process_precheck(const float *in_l, const float *in_r, float *out_l, float *out_r, int frames) {
  if (frames < 1 || frames > PIWIP_MAX_FRAMES) return PIWIP_E_ARG;
  if (!s_alive || frames > s_block) {
    dead_fill(in_l, in_r, out_l, out_r, frames);
    return s_alive ? PIWIP_E_ARG : PIWIP_E_DEAD;
  }
  return 0;
}

void piwip_set_dead_output(enum piwip_dead_output mode) { s_dead_output = mode; }

/* ---- the link's byte windows, the same for both engines ------------------------------------------------------- */
/* Each engine defines these: its linear memory's base, and one guarded call of linkIn(k) / linkOut(want) (linkOut's
 * count, 0 when there is nothing or the call trapped). */
static uint8_t *engine_mem(void);
static void engine_link_in(uint32_t k);
static int engine_link_out(uint32_t want);

int piwip_link_ready(void) { return s_alive && s_link_in_ptr; }

int piwip_link_in(const uint8_t *bytes, size_t n) {
  while (n > 0 && piwip_link_ready()) {
    size_t k = n > PIWIP_LINK_WINDOW ? PIWIP_LINK_WINDOW : n;
    memcpy(engine_mem() + s_link_in_ptr, bytes, k);
    engine_link_in((uint32_t)k);
    bytes += k;
    n -= k;
  }
  return s_alive ? PIWIP_OK : PIWIP_E_DEAD;
}

size_t piwip_link_out(uint8_t *dst, size_t max) {
  size_t got = 0;
  while (got < max && piwip_link_ready()) {
    size_t want = max - got > PIWIP_LINK_WINDOW ? PIWIP_LINK_WINDOW : max - got;
    int n = engine_link_out((uint32_t)want);
    if (n <= 0) break;
    if ((size_t)n > want) n = (int)want;
    memcpy(dst + got, engine_mem() + s_link_out_ptr, (size_t)n);
    got += (size_t)n;
  }
  return got;
}
const char *piwip_last_error(void) { return s_error; }

#endif
