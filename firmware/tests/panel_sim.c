/* Host driver for the front-panel units (core/ssd1322.c, core/panel_input.c), for tests/panel.test.ts. It prints
 * what the Teensy would put on the wires; the test's SSD1322 double reads it back.
 *   panel-sim init [--remap 0x16]                  the power-on stream, one run a line: "C ae" / "D 91 3f"
 *   panel-sim frame [--layout doubled|packed] [--first-col N] [--remap R] [--budget B] [--init] fb.bin...
 *       each file a 4096-byte framebuffer: begin(), then pump(B) until idle; the runs, then "# frame rows= windows=
 *       calls= max_call=" per file
 *   panel-sim keys [--debounce US]   stdin "t_us mask" lines -> "key n z t_us"
 *   panel-sim enc [--sens S] [--accel 0|1]   stdin "t_us ab" lines -> "step d t_us" and "enc d t_us" */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panel_input.h"
#include "ssd1322.h"

static void print_run(void *ctx, int dc, const uint8_t *b, uint32_t n) {
  (void)ctx;
  putchar(dc ? 'D' : 'C');
  for (uint32_t i = 0; i < n; i++) printf(" %02x", b[i]);
  putchar('\n');
}

static const char *opt(int argc, char **argv, const char *name, const char *def) {
  for (int i = 1; i + 1 < argc; i++)
    if (!strcmp(argv[i], name)) return argv[i + 1];
  return def;
}

static int frame_main(int argc, char **argv) {
  ssd1322_config c = SSD1322_CONFIG_NORNS;
  const char *layout = opt(argc, argv, "--layout", "doubled");
  c.layout = !strcmp(layout, "packed") ? SSD1322_LAYOUT_PACKED : SSD1322_LAYOUT_DOUBLED;
  c.first_col = (uint8_t)strtol(opt(argc, argv, "--first-col", c.layout == SSD1322_LAYOUT_PACKED ? "0" : "28"), 0, 0);
  c.remap = (uint8_t)strtol(opt(argc, argv, "--remap", "0x16"), 0, 0);
  const uint32_t budget = (uint32_t)strtoul(opt(argc, argv, "--budget", "256"), 0, 0);
  if (budget < 8) { fprintf(stderr, "panel-sim: --budget must be at least 8\n"); return 2; }
  static ssd1322_uploader u;
  ssd1322_uploader_reset(&u, &c);
  for (int i = 2; i < argc; i++)
    if (!strcmp(argv[i], "--init")) ssd1322_init_stream(&c, print_run, 0);
  for (int i = 2; i < argc; i++) {
    if (argv[i][0] == '-') {
      if (strcmp(argv[i], "--init")) i++;
      continue;
    }
    static uint8_t fb[SSD1322_FB_BYTES];
    FILE *f = fopen(argv[i], "rb");
    if (!f || fread(fb, 1, sizeof fb, f) != sizeof fb) {
      fprintf(stderr, "panel-sim: %s: not a 4096-byte framebuffer\n", argv[i]);
      if (f) fclose(f);
      return 2;
    }
    fclose(f);
    const uint32_t rows0 = u.rows_sent, win0 = u.windows_sent;
    const int queued = ssd1322_uploader_begin(&u, fb);
    uint32_t calls = 0, max_call = 0, n;
    while ((n = ssd1322_uploader_pump(&u, budget, print_run, 0)) > 0) {
      calls++;
      if (n > max_call) max_call = n;
      if (calls > 100000) { fprintf(stderr, "panel-sim: upload never ends\n"); return 1; }
    }
    printf("# frame queued=%d rows=%u windows=%u calls=%u max_call=%u busy=%d\n", queued, u.rows_sent - rows0,
           u.windows_sent - win0, calls, max_call, ssd1322_uploader_busy(&u));
  }
  return 0;
}

static int keys_main(int argc, char **argv) {
  panel_keys k;
  const uint32_t debounce = (uint32_t)strtoul(opt(argc, argv, "--debounce", "5000"), 0, 0);
  unsigned long t;
  unsigned mask;
  int started = 0;
  while (scanf("%lu %u", &t, &mask) == 2) {
    if (!started) {
      panel_keys_init(&k, debounce, (uint8_t)mask, (uint32_t)t);
      started = 1;
      continue;
    }
    panel_key_event ev[PANEL_KEYS];
    const int n = panel_keys_update(&k, (uint8_t)mask, (uint32_t)t, ev);
    for (int i = 0; i < n; i++) printf("key %d %d %lu\n", ev[i].n, ev[i].z, t);
  }
  return 0;
}

static int enc_main(int argc, char **argv) {
  panel_enc e;
  const int sens = atoi(opt(argc, argv, "--sens", "2")), accel = atoi(opt(argc, argv, "--accel", "1"));
  unsigned long t;
  unsigned ab;
  int started = 0;
  while (scanf("%lu %u", &t, &ab) == 2) {
    if (!started) {
      panel_enc_init(&e, (uint8_t)ab, sens, accel, (uint32_t)t);
      started = 1;
      continue;
    }
    const int step = panel_enc_step(&e, (uint8_t)ab);
    if (step) printf("step %d %lu\n", step, t);
    const int d = panel_enc_count(&e, step, (uint32_t)t);
    if (d) printf("enc %d %lu\n", d, t);
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 2 && !strcmp(argv[1], "init")) {
    ssd1322_config c = SSD1322_CONFIG_NORNS;
    c.remap = (uint8_t)strtol(opt(argc, argv, "--remap", "0x16"), 0, 0);
    ssd1322_init_stream(&c, print_run, 0);
    return 0;
  }
  if (argc >= 2 && !strcmp(argv[1], "frame")) return frame_main(argc, argv);
  if (argc >= 2 && !strcmp(argv[1], "keys")) return keys_main(argc, argv);
  if (argc >= 2 && !strcmp(argv[1], "enc")) return enc_main(argc, argv);
  fprintf(stderr, "usage: panel-sim init|frame|keys|enc ... (see firmware/tests/panel_sim.c)\n");
  return 2;
}
