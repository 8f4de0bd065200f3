/* SSD1322 byte stream: see ssd1322.h for the sources. Pure: bytes out through the caller's run function. */
#include "ssd1322.h"

#include <string.h>

#define ROW_FB_BYTES (SSD1322_FB_BYTES / SSD1322_H) /* 64 */

uint32_t ssd1322_row_bytes(const ssd1322_config *c) {
  return c->layout == SSD1322_LAYOUT_PACKED ? ROW_FB_BYTES : 2u * ROW_FB_BYTES;
}

void ssd1322_columns(const ssd1322_config *c, uint8_t *first, uint8_t *last) {
  /* a column address is 4 segments = 2 bytes: 128 bytes a row (doubled) is 64 columns, 64 bytes is 32 */
  *first = c->first_col;
  *last = (uint8_t)(c->first_col + ssd1322_row_bytes(c) / 2u - 1u);
}

static void cmd(ssd1322_run_fn run, void *ctx, uint8_t op, const uint8_t *args, uint32_t n) {
  run(ctx, 0, &op, 1);
  if (n) run(ctx, 1, args, n);
}

void ssd1322_init_stream(const ssd1322_config *c, ssd1322_run_fn run, void *ctx) {
  /* norns matron/src/hardware/screen/ssd1322.c:168-188, in that order */
  static const uint8_t b3[] = {0x91}, ca[] = {0x3F}, zero[] = {0x00}, ab[] = {0x01}, b4[] = {0xA0, 0xFD},
                       c1[] = {0x7F}, c7[] = {0x0F}, b1[] = {0xF2}, bb[] = {0x1F}, be[] = {0x04};
  const uint8_t a0[] = {c->remap, 0x11}; /* 0x11: dual COM line mode (ssd1322.c:185,187) */
  cmd(run, ctx, SSD1322_CMD_DISPLAY_OFF, 0, 0);
  cmd(run, ctx, 0xB9, 0, 0);          /* default linear grey scale table */
  cmd(run, ctx, 0xB3, b3, 1);         /* front clock divider / oscillator frequency */
  cmd(run, ctx, 0xCA, ca, 1);         /* multiplex ratio 1/64 */
  cmd(run, ctx, 0xA2, zero, 1);       /* display offset */
  cmd(run, ctx, 0xA1, zero, 1);       /* start line */
  cmd(run, ctx, 0xAB, ab, 1);         /* VDD regulator */
  cmd(run, ctx, 0xB4, b4, 2);         /* display enhancement A */
  cmd(run, ctx, 0xC1, c1, 1);         /* contrast current */
  cmd(run, ctx, 0xC7, c7, 1);         /* master current */
  cmd(run, ctx, 0xB1, b1, 1);         /* phase length (NORNS_PHASE_LENGTH = 0x02 | 0xF0) */
  cmd(run, ctx, 0xBB, bb, 1);         /* pre-charge voltage */
  cmd(run, ctx, 0xBE, be, 1);         /* VCOMH */
  cmd(run, ctx, 0xA6, 0, 0);          /* normal display */
  cmd(run, ctx, SSD1322_CMD_REMAP, a0, 2);
}

static uint8_t swap_nibbles(uint8_t b) { return (uint8_t)((b << 4) | (b >> 4)); }

void ssd1322_encode_row(const ssd1322_config *c, const uint8_t *fb, uint8_t *out) {
  /* With nibble re-map on, a column's data word D[15:0] (first byte = D[15:8]) feeds its 4 segments left to right
   * from D[15:12]; with it off, from D[3:0]. The framebuffer holds the left pixel in the high nibble. */
  const int remap = (c->remap & SSD1322_REMAP_NIBBLE) != 0;
  if (c->layout == SSD1322_LAYOUT_PACKED) {
    for (int i = 0; i < ROW_FB_BYTES; i += 2) {
      if (remap) {
        out[i] = fb[i];
        out[i + 1] = fb[i + 1];
      } else {
        out[i] = swap_nibbles(fb[i + 1]);
        out[i + 1] = swap_nibbles(fb[i]);
      }
    }
    return;
  }
  /* doubled: each pixel is two segments, one byte with the level in both nibbles (norns ssd1322.c:277-305) */
  for (int i = 0; i < ROW_FB_BYTES; i++) {
    const uint8_t left = (uint8_t)((fb[i] >> 4) * 0x11), right = (uint8_t)((fb[i] & 15) * 0x11);
    out[2 * i] = remap ? left : right;
    out[2 * i + 1] = remap ? right : left;
  }
}

void ssd1322_uploader_reset(ssd1322_uploader *u, const ssd1322_config *c) {
  memset(u, 0, sizeof *u);
  u->cfg = *c;
  u->row = -1;
  u->need_on = 1;
  u->first = 1;
}

int ssd1322_uploader_busy(const ssd1322_uploader *u) {
  return u->pending != 0 || u->row >= 0 || (u->need_on && !u->first);
}

int ssd1322_uploader_begin(ssd1322_uploader *u, const uint8_t *fb) {
  if (u->pending != 0 || u->row >= 0) return -1;
  int n = 0;
  for (int y = 0; y < SSD1322_H; y++) {
    uint8_t *shown = u->shown + y * ROW_FB_BYTES;
    const uint8_t *row = fb + y * ROW_FB_BYTES;
    if (u->first || memcmp(shown, row, ROW_FB_BYTES) != 0) {
      memcpy(shown, row, ROW_FB_BYTES);
      u->pending |= 1ull << y;
      n++;
    }
  }
  u->first = 0;
  return n;
}

uint32_t ssd1322_uploader_pump(ssd1322_uploader *u, uint32_t budget, ssd1322_run_fn run, void *ctx) {
  const uint32_t row_bytes = ssd1322_row_bytes(&u->cfg);
  uint32_t used = 0;
  /* every pass either emits bytes or leaves: at most budget + 64 passes */
  while (used < budget) {
    if (u->row < 0) {
      if (u->pending == 0) {
        if (u->need_on && !u->first) {
          cmd(run, ctx, SSD1322_CMD_DISPLAY_ON, 0, 0);
          u->need_on = 0;
          used += 1;
        }
        break;
      }
      if (budget - used < 7) break; /* a window is 15h a b, 75h y0 y1, 5Ch: never split it */
      int y0 = __builtin_ctzll(u->pending), y1 = y0;
      while (y1 + 1 < SSD1322_H && ((u->pending >> (y1 + 1)) & 1)) y1++;
      uint8_t cols[2], rows[2] = {(uint8_t)y0, (uint8_t)y1};
      ssd1322_columns(&u->cfg, &cols[0], &cols[1]);
      cmd(run, ctx, SSD1322_CMD_SET_COLUMN, cols, 2);
      cmd(run, ctx, SSD1322_CMD_SET_ROW, rows, 2);
      cmd(run, ctx, SSD1322_CMD_WRITE_RAM, 0, 0);
      used += 7;
      u->row = y0;
      u->run_end = y1;
      u->offset = 0;
      ssd1322_encode_row(&u->cfg, u->shown + y0 * ROW_FB_BYTES, u->scratch);
      u->windows_sent++;
      continue;
    }
    uint32_t n = row_bytes - u->offset;
    if (n > budget - used) n = budget - used;
    run(ctx, 1, u->scratch + u->offset, n);
    used += n;
    u->offset += n;
    if (u->offset == row_bytes) {
      u->pending &= ~(1ull << u->row);
      u->rows_sent++;
      u->offset = 0;
      if (++u->row > u->run_end) u->row = -1;
      else ssd1322_encode_row(&u->cfg, u->shown + u->row * ROW_FB_BYTES, u->scratch);
    }
  }
  return used;
}
