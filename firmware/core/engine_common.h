/* Shared bookkeeping for the two engine implementations: error text, dead-engine output, pointer checks.
 * Internal to firmware/core; included by engine_wasm2c.c and engine_wasm3.c only. */
#ifndef PIWIP_ENGINE_COMMON_H
#define PIWIP_ENGINE_COMMON_H

#include <string.h>

#include "piwip_engine.h"

static char s_error[96];
static enum piwip_dead_output s_dead_output = PIWIP_DEAD_DRY;

/* No snprintf: newlib's printf family can allocate; errors may be set from the audio thread. */
static void err_set(const char *a, const char *b, const char *c) {
  size_t n = 0;
  const char *parts[3] = {a, b, c};
  for (int p = 0; p < 3; p++) {
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
  err_set(a, num + i, NULL);
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

void piwip_set_dead_output(enum piwip_dead_output mode) { s_dead_output = mode; }
const char *piwip_last_error(void) { return s_error; }

#endif
