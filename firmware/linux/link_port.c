/* See link_port.h. Everything here runs between audio blocks with non-blocking syscalls only; file I/O for PSETs is
 * handed to one worker thread through a single-slot mailbox. */
#define _GNU_SOURCE
#include "link_port.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "engine_stage.h"
#include "link_shell.h"
#include "piwip_engine.h"

#define RX_PER_BLOCK 4096
#define TX_CAP 32768
#define PSET_CAP 16384
#define REOPEN_BLOCKS 32 /* after a hang-up, try to re-open the tty about every 85 ms at 48 kHz / 128 */

static link_port_opts s_o;
static int s_fd = -1;
static unsigned s_reopen_in;
static uint8_t s_rx[RX_PER_BLOCK];
static uint8_t s_tx[TX_CAP];
static size_t s_tx_len;
static uint64_t s_blocks, s_load_sum_ns, s_load_worst_ns;
static unsigned s_load_n;
static char s_ident_head[200]; /* "piwip-module\nversion\nboard\n": the engine hash is appended */
/* the slots' names as last scanned or saved, so that a swapped-in engine gets them without touching the disk */
static char s_slot_name[100][64];
static int s_last_slot;

/* ---- PSET files: the worker ------------------------------------------------------------------------------------ */
enum { MB_IDLE, MB_WORK, MB_DONE };
static struct {
  atomic_int state;
  int op, slot, ok;
  char name[64];
  uint8_t text[PSET_CAP];
  int len;
} s_mb;
/* the boot engine: the audio thread hands the running image over, the worker writes it and renames it into place */
static struct {
  atomic_int state;
  const uint8_t *image;
  size_t len;
  int ok;
  char why[96];
} s_boot;
static pthread_t s_worker;
static atomic_int s_stop;
static int s_have_worker;

static void slot_file(char *buf, size_t cap, int slot) { snprintf(buf, cap, "%s/piwip-%02d.pset", s_o.pset_dir, slot); }

static void write_last(int slot) {
  char f[4096], tmp[4200];
  snprintf(f, sizeof f, "%s/pset-last.txt", s_o.pset_dir);
  snprintf(tmp, sizeof tmp, "%s.tmp", f);
  FILE *fp = fopen(tmp, "w");
  if (!fp) return;
  fprintf(fp, "%d\n", slot);
  if (fclose(fp) == 0) rename(tmp, f);
}

static void *worker(void *arg) {
  (void)arg;
  struct timespec nap = {0, 2 * 1000 * 1000};
  while (!atomic_load(&s_stop)) {
    if (atomic_load_explicit(&s_boot.state, memory_order_acquire) == MB_WORK) {
      char tmp[4200];
      snprintf(tmp, sizeof tmp, "%s.tmp", s_o.boot_engine);
      FILE *fp = fopen(tmp, "wb");
      s_boot.ok = fp && fwrite(s_boot.image, 1, s_boot.len, fp) == s_boot.len;
      if (fp && fclose(fp) != 0) s_boot.ok = 0;
      if (s_boot.ok && rename(tmp, s_o.boot_engine) != 0) s_boot.ok = 0;
      if (!s_boot.ok) snprintf(s_boot.why, sizeof s_boot.why, "%s: %s", s_o.boot_engine, strerror(errno));
      atomic_store_explicit(&s_boot.state, MB_DONE, memory_order_release);
    }
    if (atomic_load_explicit(&s_mb.state, memory_order_acquire) != MB_WORK) { nanosleep(&nap, NULL); continue; }
    char f[4096], tmp[4200];
    slot_file(f, sizeof f, s_mb.slot);
    s_mb.ok = 0;
    if (s_mb.op == 1) { /* save: text prepared by the audio thread; atomic replace */
      snprintf(tmp, sizeof tmp, "%s.tmp", f);
      FILE *fp = fopen(tmp, "wb");
      if (fp && fwrite(s_mb.text, 1, (size_t)s_mb.len, fp) == (size_t)s_mb.len && fclose(fp) == 0 && rename(tmp, f) == 0) {
        s_mb.ok = 1;
        write_last(s_mb.slot);
      } else if (fp) fclose(fp);
    } else if (s_mb.op == 2) { /* load */
      FILE *fp = fopen(f, "rb");
      if (fp) {
        s_mb.len = (int)fread(s_mb.text, 1, PSET_CAP, fp);
        s_mb.ok = !ferror(fp) && fgetc(fp) == EOF;
        fclose(fp);
        if (s_mb.ok) write_last(s_mb.slot);
      }
    } else if (s_mb.op == 3) {
      s_mb.ok = unlink(f) == 0 || errno == ENOENT;
    }
    atomic_store_explicit(&s_mb.state, MB_DONE, memory_order_release);
  }
  return NULL;
}

/* The name on a PSET's "-- name" first line into out (norns: string.sub(line, 4)). */
static void pset_name(const uint8_t *t, int len, char *out, size_t cap, int slot) {
  size_t n = 0;
  if (len >= 2 && t[0] == '-' && t[1] == '-') {
    int i = (len >= 3 && t[2] == ' ') ? 3 : 2;
    while (i < len && t[i] != '\n' && t[i] != '\r' && n + 1 < cap) out[n++] = (char)t[i++];
  }
  out[n] = 0;
  if (!n) snprintf(out, cap, "piwip-%02d", slot);
}

/* The cached slot names into the running engine. */
static void apply_slots(void) {
  if (!s_o.pset_dir) return;
  for (int slot = 1; slot <= 99; slot++) piwip_pset_slot_set(slot, s_slot_name[slot][0] ? s_slot_name[slot] : NULL);
  piwip_pset_set_last(s_last_slot);
}

static void scan_slots(void) {
  if (!s_o.pset_dir) return;
  for (int slot = 1; slot <= 99; slot++) {
    char f[4096];
    slot_file(f, sizeof f, slot);
    s_slot_name[slot][0] = 0;
    FILE *fp = fopen(f, "rb");
    if (!fp) continue;
    uint8_t head[128];
    int n = (int)fread(head, 1, sizeof head, fp);
    fclose(fp);
    pset_name(head, n, s_slot_name[slot], sizeof s_slot_name[slot], slot);
  }
  char f[4096];
  snprintf(f, sizeof f, "%s/pset-last.txt", s_o.pset_dir);
  FILE *fp = fopen(f, "r");
  int last = 0;
  if (fp) { if (fscanf(fp, "%d", &last) != 1) last = 0; fclose(fp); }
  s_last_slot = last >= 0 && last <= 99 ? last : 0;
  apply_slots();
  /* the last slot comes back at start-up (the original read its piwip.pset at load, spec §10), so a MIDI map saved
   * in it plays with no screen and no host; the worker is not running yet, so its buffer is free */
  if (last >= 1 && last <= 99) {
    slot_file(f, sizeof f, last);
    fp = fopen(f, "rb");
    if (fp) {
      int len = (int)fread(s_mb.text, 1, PSET_CAP, fp);
      int whole = !ferror(fp) && fgetc(fp) == EOF;
      fclose(fp);
      if (whole && len >= 0) piwip_pset_read(s_mb.text, len);
    }
  }
}

/* Audio thread: start the oldest PSET request when the worker is free; finish a done one. */
static void pset_step(void) {
  int st = atomic_load_explicit(&s_mb.state, memory_order_acquire);
  if (st == MB_DONE) {
    int code = s_mb.ok ? 0 : -1;
    if (s_mb.ok && s_mb.op == 2) {
      if (piwip_pset_read(s_mb.text, s_mb.len) < 0) code = -1;
      piwip_pset_set_last(s_mb.slot);
      s_last_slot = s_mb.slot;
    } else if (s_mb.ok && s_mb.op == 1) {
      piwip_pset_slot_set(s_mb.slot, s_mb.name);
      piwip_pset_set_last(s_mb.slot);
      snprintf(s_slot_name[s_mb.slot], sizeof s_slot_name[s_mb.slot], "%s", s_mb.name);
      s_last_slot = s_mb.slot;
    } else if (s_mb.ok && s_mb.op == 3) {
      piwip_pset_slot_set(s_mb.slot, NULL);
      s_slot_name[s_mb.slot][0] = 0;
    }
    piwip_link_pset_done(s_mb.op, s_mb.slot, code);
    atomic_store_explicit(&s_mb.state, MB_IDLE, memory_order_release);
    return;
  }
  if (st != MB_IDLE) return;
  int slot = 0, op = piwip_pset_request(&slot);
  if (!op) return;
  piwip_pset_request_pop();
  if (!s_have_worker) { piwip_link_pset_done(op, slot, -1); return; }
  s_mb.op = op;
  s_mb.slot = slot;
  if (op == 1) {
    snprintf(s_mb.name, sizeof s_mb.name, "piwip-%02d", slot);
    const uint8_t *t = NULL;
    int len = piwip_pset_write(s_mb.name, &t);
    if (len < 0 || len > PSET_CAP) { piwip_link_pset_done(op, slot, -1); return; }
    memcpy(s_mb.text, t, (size_t)len);
    s_mb.len = len;
  }
  atomic_store_explicit(&s_mb.state, MB_WORK, memory_order_release);
}

/* ---- the tty ---------------------------------------------------------------------------------------------------- */
static int tty_open(void) {
  int fd = open(s_o.path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return -1;
  struct termios t;
  if (tcgetattr(fd, &t) == 0) {
    cfmakeraw(&t);
    t.c_cflag |= CLOCAL | CREAD;
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    tcsetattr(fd, TCSANOW, &t);
  }
  return fd;
}

static void write_raw(const uint8_t *b, size_t n) {
  /* the shell's own frames (dead engine): append to the same tx buffer, dropped when full */
  if (s_tx_len + n > TX_CAP) return;
  memcpy(s_tx + s_tx_len, b, n);
  s_tx_len += n;
}

static void hang_up(void) {
  if (s_fd >= 0) close(s_fd);
  s_fd = -1;
  s_tx_len = 0;
  s_reopen_in = REOPEN_BLOCKS;
  piwip_link_reset();
  engine_stage_reset();
}

/* ---- engine upload hooks (core/engine_stage.h) ------------------------------------------------------------------ */
static void on_swapped(const char *hash) {
  (void)hash;
  apply_slots();
}
static int on_commit(const uint8_t *image, size_t len, const char **why) {
  if (!s_have_worker || atomic_load(&s_boot.state) != MB_IDLE) { *why = "no worker to write the boot engine"; return -1; }
  s_boot.image = image; /* the running engine's bytes: they stay put while it runs */
  s_boot.len = len;
  atomic_store_explicit(&s_boot.state, MB_WORK, memory_order_release);
  return 1;
}

int link_port_open(const link_port_opts *o) {
  s_o = *o;
  s_fd = tty_open();
  if (s_fd < 0) { fprintf(stderr, "link %s: %s\n", o->path, strerror(errno)); return -1; }
  int can_upload = piwip_stage_available && piwip_stage_available();
  engine_stage_opts so = {
    .cfg = {.sample_rate = (float)o->sample_rate, .block_size = o->block_size, .max_rec_seconds = o->rec_seconds, .seed = o->seed},
    /* 2 test calls per block: one wasm3 call of 128 frames is ~0.3 ms on a desktop x86 (12 % of a 2.67 ms block),
     * several times that on a Pi; the virtual module's 8 would leave a Pi's block no room */
    .test_frames = o->block_size, .test_calls = o->selftest_calls > 0 ? o->selftest_calls : 2,
    .confirm_seconds = o->confirm_seconds > 0 ? o->confirm_seconds : 10,
    .running = o->engine, .running_len = o->engine_len,
    .swapped = on_swapped, .commit = o->boot_engine ? on_commit : NULL, .commit_where = o->boot_engine};
  /* the staging buffers, once at start-up: three, so that a new image never lands where the running engine or the
   * one kept for a rollback executes from */
  for (int i = 0; can_upload && i < 3; i++)
    if (!(so.buf[i] = malloc(ENGINE_STAGE_MAX_IMAGE))) { fprintf(stderr, "link: out of memory for the upload buffers\n"); return -1; }
  snprintf(s_ident_head, sizeof s_ident_head, "piwip-module\n%s\n%s\n", o->version, o->board);
  so.ident_head = s_ident_head;
  so.ident_caps = (can_upload ? 1 : 0) | 2 | (o->pset_dir ? 4 : 0);
  engine_stage_init(&so);
  link_shell_info info = {.firmware = "piwip-module", .version = o->version, .board = o->board, .engine_hash = "",
                          .sample_rate = o->sample_rate, .block_size = (uint16_t)o->block_size,
                          .rec_seconds = o->rec_seconds, .can_upload = can_upload};
  link_shell_init(&info, write_raw);
  if (o->pset_dir) scan_slots();
  if (o->pset_dir || (can_upload && o->boot_engine)) {
    atomic_store(&s_mb.state, MB_IDLE);
    atomic_store(&s_boot.state, MB_IDLE);
    s_have_worker = pthread_create(&s_worker, NULL, worker, NULL) == 0;
  }
  return 0;
}

void link_port_before_block(void) {
  if (s_fd < 0) {
    if (s_reopen_in && --s_reopen_in) return;
    s_fd = tty_open();
    if (s_fd < 0) { s_reopen_in = REOPEN_BLOCKS; return; }
  }
  ssize_t n = read(s_fd, s_rx, sizeof s_rx);
  if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) { hang_up(); return; }
  if (n == 0) {
    /* raw mode with VMIN = VTIME = 0 reads 0 both when idle and after the other end hung up (a pty whose master
     * closed): only poll tells them apart */
    struct pollfd pf = {.fd = s_fd, .events = POLLIN};
    if (poll(&pf, 1, 0) > 0 && (pf.revents & (POLLHUP | POLLERR))) hang_up();
    return;
  }
  if (n < 0) return;
  uint32_t ms = (uint32_t)(s_blocks * (uint64_t)s_o.block_size * 1000u / s_o.sample_rate);
  if (piwip_link_ready()) piwip_link_in(s_rx, (size_t)n);
  else link_shell_feed(s_rx, (size_t)n, ms);
  int type, seq;
  const uint8_t *p;
  for (int len, k = 0; k < 4 && (len = piwip_link_shell(&type, &seq, &p)) >= 0; k++) {
    link_shell_frame(type, seq, p, len);
    piwip_link_shell_pop();
  }
}

void link_port_after_block(uint64_t block_ns, unsigned long xruns) {
  s_blocks++;
  s_load_sum_ns += block_ns;
  if (block_ns > s_load_worst_ns) s_load_worst_ns = block_ns;
  if (++s_load_n == 64) {
    double period_ns = 1e9 * s_o.block_size / s_o.sample_rate;
    piwip_link_set_load((float)(100.0 * (double)s_load_sum_ns / 64 / period_ns), (float)(100.0 * (double)s_load_worst_ns / period_ns), (int)xruns);
    s_load_sum_ns = s_load_worst_ns = 0;
    s_load_n = 0;
  }
  piwip_link_service();
  if (s_o.pset_dir) pset_step();
  engine_stage_step(1);
  if (atomic_load_explicit(&s_boot.state, memory_order_acquire) == MB_DONE) {
    engine_stage_committed(s_boot.ok, s_boot.why);
    atomic_store_explicit(&s_boot.state, MB_IDLE, memory_order_release);
  }
  if (s_fd < 0) { s_tx_len = 0; piwip_link_out(s_tx, TX_CAP); return; }
  if (piwip_link_ready()) s_tx_len += piwip_link_out(s_tx + s_tx_len, TX_CAP - s_tx_len);
  if (!s_tx_len) return;
  ssize_t w = write(s_fd, s_tx, s_tx_len);
  if (w < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) hang_up();
    return;
  }
  memmove(s_tx, s_tx + w, s_tx_len - (size_t)w);
  s_tx_len -= (size_t)w;
}

void link_port_close(void) {
  atomic_store(&s_stop, 1);
  if (s_have_worker) pthread_join(s_worker, NULL);
  if (s_fd >= 0) close(s_fd);
  s_fd = -1;
}
