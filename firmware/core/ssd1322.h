/* SSD1322 OLED byte stream for the engine's 128x64 framebuffer: a pure unit (no I/O). It only says which bytes go
 * out with D/C low (a command) or high (its parameters, or GDDRAM data); the shell moves them over SPI.
 *
 * Sources: the power-on sequence is norns' own (monome/norns matron/src/hardware/screen/ssd1322.c:168-188, "all
 * values copied from fbtft-ssd1322.c from monome/linux"; monome/linux drivers/staging/fbtft/fb_ssd1322.c
 * init_display), the display turned on only after the first frame is in GDDRAM (ssd1322.c:190-192, 270-273); the
 * window and data format follow the same files (ssd1322.c:266-268 and 277-305, fb_ssd1322.c set_addr_win/write_vmem).
 *
 * Two panel layouts (the SSD1322 drives 480 segments; a column address covers 4 segments = 2 data bytes):
 *   SSD1322_LAYOUT_DOUBLED: norns' panel (fb_ssd1322.c: "LM560G-256064 5.6\" OLED"), and any 256x64 module wired to
 *     SEG112..367 (Newhaven NHD-3.12-25664 / NHD-2.8-25664): 128x64 shown with each pixel on 2 segments, one byte
 *     per pixel holding the level in both nibbles, columns 28..91.
 *   SSD1322_LAYOUT_PACKED: a 128-segment-wide module: 2 pixels per byte, 32 column addresses from first_col. With
 *     nibble re-map on (A0h A[2] = 1, as norns and every sample init set it) the framebuffer bytes go out unchanged.
 */
#ifndef PIWIP_SSD1322_H
#define PIWIP_SSD1322_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SSD1322_W 128
#define SSD1322_H 64
#define SSD1322_FB_BYTES 4096 /* the engine's framebuffer: 64 bytes per row, even x in the high nibble */

/* commands used here (Solomon Systech SSD1322 command table; names as in norns' ssd1322.h) */
enum {
  SSD1322_CMD_SET_COLUMN = 0x15,
  SSD1322_CMD_WRITE_RAM = 0x5C,
  SSD1322_CMD_SET_ROW = 0x75,
  SSD1322_CMD_REMAP = 0xA0,
  SSD1322_CMD_DISPLAY_ON = 0xAF,
  SSD1322_CMD_DISPLAY_OFF = 0xAE,
};
/* A0h first parameter bits */
enum {
  SSD1322_REMAP_VERTICAL = 0x01, /* A[0]: vertical address increment */
  SSD1322_REMAP_COLUMN = 0x02,   /* A[1]: column address re-map (SEG0..479 mirrored) */
  SSD1322_REMAP_NIBBLE = 0x04,   /* A[2]: nibble re-map */
  SSD1322_REMAP_COM = 0x10,      /* A[4]: COM scan from COM[N-1] to COM0 */
};

enum ssd1322_layout { SSD1322_LAYOUT_DOUBLED = 0, SSD1322_LAYOUT_PACKED = 1 };

typedef struct {
  uint8_t layout;    /* enum ssd1322_layout */
  uint8_t first_col; /* column address of the panel's leftmost 4 segments (DOUBLED: 28 = SEG112) */
  uint8_t remap;     /* A0h first parameter: 0x16 norns (and fb_ssd1322.c), 0x04 norns shield (ssd1322.c:184-188) */
} ssd1322_config;

/* norns' panel as norns drives it: doubled pixels, columns 28..91, remap 0x16 0x11 */
#define SSD1322_CONFIG_NORNS {SSD1322_LAYOUT_DOUBLED, 28, 0x16}

/* One run of bytes sent with the D/C line at `dc` (0 = command, 1 = data). */
typedef void (*ssd1322_run_fn)(void *ctx, int dc, const uint8_t *bytes, uint32_t n);

/* Bytes of GDDRAM data per panel row, and the column address window of the panel. */
uint32_t ssd1322_row_bytes(const ssd1322_config *c);
void ssd1322_columns(const ssd1322_config *c, uint8_t *first, uint8_t *last);

/* The power-on sequence (after the RES# pulse): display off, clocks, mux, offsets, VDD, enhancement, currents,
 * phases, voltages, normal mode, remap. The display stays off until the first frame is written. */
void ssd1322_init_stream(const ssd1322_config *c, ssd1322_run_fn run, void *ctx);

/* One framebuffer row (64 bytes) as that row's GDDRAM bytes (ssd1322_row_bytes of them). */
void ssd1322_encode_row(const ssd1322_config *c, const uint8_t *fb_row, uint8_t *out);

/* ---- frame upload of the changed rows, in bounded pieces ------------------------------------------------------
 * The uploader keeps its own copy of what GDDRAM holds (`shown`). begin() compares a new framebuffer with it, takes
 * the changed rows into `shown` (so a frame the engine publishes mid-upload cannot tear this one) and queues them;
 * pump() emits at most `budget` bytes (commands included) per call. Each run of adjacent changed rows is one window
 * (15h first last, 75h y0 y1, 5Ch) and its data. After the first complete upload it sends AFh (display on). */
typedef struct {
  ssd1322_config cfg;
  uint8_t shown[SSD1322_FB_BYTES];
  uint64_t pending;  /* rows still to send */
  int row;           /* row being sent, -1 = between windows */
  int run_end;       /* last row of the current window */
  uint32_t offset;   /* data bytes of `row` already sent */
  uint8_t scratch[2 * (SSD1322_FB_BYTES / SSD1322_H)]; /* one encoded row */
  uint8_t need_on;   /* AFh still to send after the first full frame */
  uint8_t first;     /* the first frame sends every row (GDDRAM holds noise after power-on) */
  uint32_t rows_sent, windows_sent;
} ssd1322_uploader;

void ssd1322_uploader_reset(ssd1322_uploader *u, const ssd1322_config *c);
/* Queue the rows of `fb` that differ from what was last sent (all rows the first time). Only when idle (returns -1
 * while an upload is still under way); returns the number of rows queued. */
int ssd1322_uploader_begin(ssd1322_uploader *u, const uint8_t *fb);
/* 1 while rows (or the display-on command) remain to be sent. */
int ssd1322_uploader_busy(const ssd1322_uploader *u);
/* Emit up to `budget` bytes (>= 8) of the upload; returns the bytes emitted (0 = nothing left). */
uint32_t ssd1322_uploader_pump(ssd1322_uploader *u, uint32_t budget, ssd1322_run_fn run, void *ctx);

#ifdef __cplusplus
}
#endif
#endif
