/* See engine_stage.h. Written so that it also compiles as C++ in one unit with link_shell.c and sha256.c (the Teensy
 * build includes them into main.cpp's unit): file-scope names do not repeat theirs. No printf family (newlib's can
 * allocate): texts are joined by hand. */
#include "engine_stage.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "link_shell.h"
#include "sha256.h"

enum { SM_UPLOAD_STATUS = 0x60, SM_LOG = 0x4A, SM_HELLO = 0x01 };
enum { T_BEGIN = 0x20, T_CHUNK = 0x21, T_END = 0x22, T_ABORT = 0x23 };
enum { ST_BEGUN = 1, ST_CHUNK = 2, ST_VERIFIED = 3, ST_TESTED = 4, ST_SWAPPED = 5, ST_COMMITTED = 6, ST_FAILED = 255 };
/* what happens to the staged image, one step per audio block */
enum { P_NONE, P_LOAD, P_INIT, P_TEST };

static engine_stage_opts s_o;
static int s_have_runtime;

/* the image being received */
static uint8_t *s_rx_buf;
static uint32_t s_rx_size, s_rx_got;
static uint8_t s_rx_sha[32];
static int s_receiving;

/* the staged image: loaded, initialised, then tested */
static int s_phase;
static uint8_t *s_st_buf;
static uint32_t s_st_len;
static char s_st_hash[65];
static uint32_t s_test_frames_done, s_test_frames_total, s_noise;
static float s_in[PIWIP_MAX_FRAMES], s_zero[PIWIP_MAX_FRAMES], s_out_l[PIWIP_MAX_FRAMES], s_out_r[PIWIP_MAX_FRAMES];

/* the running engine and the one kept for a rollback until the commit */
static const uint8_t *s_run_img, *s_prev_img;
static size_t s_run_len, s_prev_len;
static char s_run_hash[65], s_prev_hash[65];
static long s_since_swap = -1; /* blocks since the swap; -1 = nothing to confirm */
static int s_committing;
static int s_was_alive = 1;


/* ---- text without printf ------------------------------------------------------------------------------------ */
typedef struct { char s[200]; size_t n; } text_buf;
static void t_str(text_buf *t, const char *s) { while (s && *s && t->n + 1 < sizeof t->s) t->s[t->n++] = *s++; t->s[t->n] = 0; }
static void t_strn(text_buf *t, const char *s, size_t k) { while (k-- && *s && t->n + 1 < sizeof t->s) t->s[t->n++] = *s++; t->s[t->n] = 0; }
static void t_uint(text_buf *t, unsigned long v) {
  char d[24];
  int i = 0;
  do { d[i++] = (char)('0' + v % 10); v /= 10; } while (v && i < 23);
  while (i && t->n + 1 < sizeof t->s) t->s[t->n++] = d[--i];
  t->s[t->n] = 0;
}
static void t_int(text_buf *t, long v) {
  if (v < 0) { t_str(t, "-"); t_uint(t, 0ul - (unsigned long)v); } else t_uint(t, (unsigned long)v);
}

static void st_put_u32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24); }
static uint32_t st_get_u32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

/* UPLOAD_STATUS: u8 stage, u32 bytes received, i16 code, str text */
static void status(int stage, uint32_t received, int code, const char *text) {
  uint8_t p[8 + 255];
  size_t k = text ? strlen(text) : 0;
  if (k > 255) k = 255;
  p[0] = (uint8_t)stage;
  st_put_u32(p + 1, received);
  p[5] = (uint8_t)(uint16_t)(int16_t)code;
  p[6] = (uint8_t)((uint16_t)(int16_t)code >> 8);
  p[7] = (uint8_t)k;
  if (k) memcpy(p + 8, text, k);
  link_shell_send(SM_UPLOAD_STATUS, p, 8 + k);
}
static void fail(uint32_t received, int code, const text_buf *t) { status(ST_FAILED, received, code, t->s); }

uint32_t engine_stage_crc32(const uint8_t *p, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int b = 0; b < 8; b++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return c ^ 0xFFFFFFFFu;
}

const char *engine_stage_hash(void) { return s_run_hash; }
int engine_stage_confirming(void) { return s_since_swap >= 0; }

/* The running engine is told who it runs on: the shell's head lines and the hash of its own bytes. */
static void identify(void) {
  char ident[360];
  if (!s_o.ident_head) return;
  snprintf(ident, sizeof ident, "%s%s", s_o.ident_head, s_run_hash);
  piwip_link_identity(ident, s_o.ident_caps);
}

static void swapped(void) {
  identify();
  if (s_o.swapped) s_o.swapped(s_run_hash);
}

void engine_stage_init(const engine_stage_opts *o) {
  s_o = *o;
  s_have_runtime = piwip_stage_available && piwip_stage_available();
  s_run_img = o->running;
  s_run_len = o->running_len;
  s_run_hash[0] = 0;
  if (s_run_img && s_run_len) {
    uint8_t d[32];
    sha256(s_run_img, s_run_len, d);
    sha256_hex(d, s_run_hash);
  }
  s_prev_img = NULL;
  s_receiving = 0;
  s_phase = P_NONE;
  s_since_swap = -1;
  s_committing = 0;
  identify();
}

void engine_stage_reset(void) { s_receiving = 0; }

/* ---- the image checks before a start -------------------------------------------------------------------------- */
static const char *const k_required[] = {
  "memory", "_start", "abiVersion", "init", "inputPtr", "outputPtr", "process", "midiIn", "key", "enc", "paramSet",
  "paramGet", "paramCount", "paramInfo", "psetWrite", "psetRead", "screenPtr", "screenFrame", "linkIn", "linkInPtr",
  "linkOut", "linkOutPtr", "linkService", "linkIdentity", "linkShellType", "linkSend", "linkSendPtr"};
#define N_REQUIRED (sizeof k_required / sizeof k_required[0])

static int leb_u32(const uint8_t *p, size_t len, size_t *at, uint32_t *v) {
  uint32_t r = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (*at >= len) return -1;
    uint8_t b = p[(*at)++];
    r |= (uint32_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) { *v = r; return 0; }
  }
  return -1;
}

static text_buf s_why;

const char *engine_stage_check(const uint8_t *w, size_t len) {
  static const uint8_t magic[8] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  s_why.n = 0;
  s_why.s[0] = 0;
  if (len < 8 || memcmp(w, magic, 4) != 0) { t_str(&s_why, "not a valid wasm module (no \\0asm magic at byte 0)"); return s_why.s; }
  if (memcmp(w + 4, magic + 4, 4) != 0) { t_str(&s_why, "not a valid wasm module (binary version is not 1)"); return s_why.s; }
  unsigned char found[N_REQUIRED];
  memset(found, 0, sizeof found);
  size_t at = 8;
  while (at < len) {
    uint8_t id = w[at++];
    uint32_t size;
    size_t start;
    if (leb_u32(w, len, &at, &size) || size > len - at) {
      t_str(&s_why, "not a valid wasm module (section ");
      t_uint(&s_why, id);
      t_str(&s_why, " at byte ");
      t_uint(&s_why, (unsigned long)at);
      t_str(&s_why, " runs past the end)");
      return s_why.s;
    }
    start = at;
    size_t end = at + size;
    if (id == 2) { /* imports: count, then module and field names */
      uint32_t n, k;
      if (leb_u32(w, end, &at, &n)) goto bad;
      if (n) {
        t_str(&s_why, "the engine must have no imports (it has ");
        t_uint(&s_why, n);
        t_str(&s_why, ": ");
        if (!leb_u32(w, end, &at, &k) && k <= end - at) {
          t_strn(&s_why, (const char *)w + at, k);
          at += k;
          t_str(&s_why, ".");
          if (!leb_u32(w, end, &at, &k) && k <= end - at) t_strn(&s_why, (const char *)w + at, k);
        }
        t_str(&s_why, ")");
        return s_why.s;
      }
    } else if (id == 7) { /* exports: name, kind, index */
      uint32_t n, k, idx;
      if (leb_u32(w, end, &at, &n)) goto bad;
      for (uint32_t i = 0; i < n; i++) {
        if (leb_u32(w, end, &at, &k) || k > end - at) goto bad;
        for (size_t r = 0; r < N_REQUIRED; r++)
          if (strlen(k_required[r]) == k && memcmp(k_required[r], w + at, k) == 0) found[r] = 1;
        at += k;
        if (at >= end) goto bad;
        at++; /* kind */
        if (leb_u32(w, end, &at, &idx)) goto bad;
      }
    }
    at = start + size;
  }
  {
    size_t missing = 0;
    for (size_t r = 0; r < N_REQUIRED; r++) missing += !found[r];
    if (missing) {
      t_str(&s_why, missing > 1 ? "not a piwip engine: missing exports " : "not a piwip engine: missing export ");
      size_t shown = 0;
      for (size_t r = 0; r < N_REQUIRED && shown < 4; r++)
        if (!found[r]) { if (shown++) t_str(&s_why, ", "); t_str(&s_why, k_required[r]); }
      return s_why.s;
    }
  }
  return NULL;
bad:
  t_str(&s_why, "not a valid wasm module (a malformed import or export section)");
  return s_why.s;
}

/* ---- frames from the host ------------------------------------------------------------------------------------ */
/* A buffer neither the running engine nor the kept one executes from. */
static uint8_t *free_buffer(void) {
  for (int i = 0; i < 3; i++)
    if (s_o.buf[i] && s_o.buf[i] != s_run_img && s_o.buf[i] != s_prev_img && s_o.buf[i] != s_st_buf) return s_o.buf[i];
  return NULL;
}

static void on_end(void) {
  text_buf t = {{0}, 0};
  s_receiving = 0;
  if (s_rx_got != s_rx_size) {
    t_str(&t, "cut off: "); t_uint(&t, s_rx_got); t_str(&t, " of "); t_uint(&t, s_rx_size); t_str(&t, " bytes; the running engine stays");
    fail(s_rx_got, -6, &t);
    return;
  }
  uint8_t d[32];
  sha256(s_rx_buf, s_rx_size, d);
  if (memcmp(d, s_rx_sha, 32) != 0) { status(ST_FAILED, s_rx_got, -6, "SHA-256 mismatch: image corrupt; the running engine stays"); return; }
  const char *why = engine_stage_check(s_rx_buf, s_rx_size);
  if (why) { t_str(&t, why); t_str(&t, "; the running engine stays"); fail(s_rx_got, -8, &t); return; }
  /* started in the next blocks: load (parse, compile, _start, abiVersion), then init, then the self-test */
  s_st_buf = s_rx_buf;
  s_st_len = s_rx_size;
  sha256_hex(d, s_st_hash);
  s_phase = P_LOAD;
}

void engine_stage_frame(int type, const uint8_t *p, size_t len) {
  text_buf t = {{0}, 0};
  if (!s_have_runtime) {
    status(ST_FAILED, 0, -11, "engine is compiled in (wasm2c): reflash the firmware to update it");
    return;
  }
  if (type == T_BEGIN) {
    if (len < 36) { status(ST_FAILED, 0, -1, "bad upload message: UPLOAD_BEGIN needs u32 size and 32 bytes of SHA-256"); return; }
    uint32_t size = st_get_u32(p);
    if (size < 8 || size > ENGINE_STAGE_MAX_IMAGE) {
      t_str(&t, "image size "); t_uint(&t, size); t_str(&t, " out of range (8 B .. "); t_uint(&t, ENGINE_STAGE_MAX_IMAGE / 1024); t_str(&t, " KiB)");
      fail(0, -1, &t);
      return;
    }
    if (s_phase != P_NONE) { status(ST_FAILED, 0, -2, "an engine is being tested: wait for it"); return; }
    /* the shell is writing the running image as the boot engine: a swap now could free the buffer it reads */
    if (s_committing) { status(ST_FAILED, 0, -2, "the last engine is being stored as the boot engine: wait for it"); return; }
    uint8_t *b = free_buffer();
    if (!b) { status(ST_FAILED, 0, -1, "no staging buffer (not allocated at start-up)"); return; }
    s_rx_buf = b;
    s_rx_size = size;
    s_rx_got = 0;
    memcpy(s_rx_sha, p + 4, 32);
    s_receiving = 1;
    t_str(&t, "ready for "); t_uint(&t, size); t_str(&t, " bytes");
    status(ST_BEGUN, 0, 0, t.s);
    return;
  }
  if (type == T_ABORT) { s_receiving = 0; status(ST_FAILED, 0, -9, "aborted by the host; the running engine stays"); return; }
  if (!s_receiving) { status(ST_FAILED, 0, -3, "no upload in progress (UPLOAD_BEGIN first)"); return; }
  if (type == T_CHUNK) {
    if (len < 8) { status(ST_FAILED, s_rx_got, -1, "bad upload message: UPLOAD_CHUNK needs u32 offset, u32 CRC-32, data"); return; }
    uint32_t off = st_get_u32(p), crc = st_get_u32(p + 4);
    const uint8_t *data = p + 8;
    size_t n = len - 8;
    if (engine_stage_crc32(data, n) != crc) {
      t_str(&t, "chunk at "); t_uint(&t, off); t_str(&t, ": CRC-32 mismatch (resend it)");
      fail(s_rx_got, -4, &t);
      return;
    }
    if (off != s_rx_got || (uint64_t)off + n > s_rx_size) {
      t_str(&t, "chunk at "); t_uint(&t, off); t_str(&t, ": expected offset "); t_uint(&t, s_rx_got); t_str(&t, " of "); t_uint(&t, s_rx_size);
      fail(s_rx_got, -5, &t);
      return;
    }
    memcpy(s_rx_buf + off, data, n);
    s_rx_got += (uint32_t)n;
    status(ST_CHUNK, s_rx_got, 0, "");
    return;
  }
  if (type == T_END) { on_end(); return; }
  /* 0x24 … 0x2f: no shell message of this protocol version */
  status(ST_FAILED, s_rx_got, -1, "bad upload message: unknown type");
}

/* ---- once per block ------------------------------------------------------------------------------------------- */
static void staged_failed(int code, const char *what, const char *why, const char *tail) {
  text_buf t = {{0}, 0};
  t_str(&t, what);
  if (why) { t_str(&t, why); }
  t_str(&t, tail);
  piwip_stage_drop();
  s_phase = P_NONE;
  s_st_buf = NULL;
  fail(s_st_len, code, &t);
}

/* One self-test call: first half silence, second half xorshift noise (host/module/upload.ts selfTestBlock).
 * 1 = all done, 0 = more to do, -1 = failed (text in *t). */
static int test_call(text_buf *t) {
  int n = s_o.test_frames;
  unsigned long call = s_test_frames_done / (uint32_t)n;
  const float *in = s_zero;
  if (s_test_frames_done >= s_test_frames_total / 2) {
    for (int i = 0; i < n; i++) {
      uint32_t x = s_noise;
      x ^= x << 13; x ^= x >> 17; x ^= x << 5;
      s_noise = x;
      s_in[i] = (float)(((double)x / 4294967296.0 - 0.5) * 1.6);
    }
    in = s_in;
  }
  int rc = piwip_stage_process(in, in, s_out_l, s_out_r, n);
  if (rc == PIWIP_E_TRAP || rc == PIWIP_E_DEAD) {
    t_str(t, "trap in process at block "); t_uint(t, call); t_str(t, " ("); t_str(t, piwip_stage_error()); t_str(t, ")");
    return -1;
  }
  for (int i = 0; i < n; i++)
    if (!isfinite(s_out_l[i]) || !isfinite(s_out_r[i])) { t_str(t, "non-finite output at block "); t_uint(t, call); return -1; }
  s_test_frames_done += (uint32_t)n;
  return s_test_frames_done >= s_test_frames_total;
}

/* Drain what the running engine still has to send (its last statuses, pushes) before it stops being asked. */
static void drain_old(void) {
  uint8_t b[1024];
  size_t n;
  for (int k = 0; k < 40 && (n = piwip_link_out(b, sizeof b)) > 0; k++)
    link_shell_write(b, n);
}

static void swap_in(int old_alive) {
  text_buf t = {{0}, 0};
  int plen = -1;
  const uint8_t *ptext = NULL;
  if (old_alive) {
    /* the params as PSET text, left in the old engine's memory: that runtime is kept (for a rollback), so the text
     * is still there for the new engine's psetRead after the swap, with no copy */
    drain_old();
    plen = piwip_pset_write(NULL, &ptext);
  }
  piwip_stage_swap(old_alive);
  if (old_alive) { s_prev_img = s_run_img; s_prev_len = s_run_len; memcpy(s_prev_hash, s_run_hash, sizeof s_run_hash); }
  else s_prev_img = NULL;
  s_run_img = s_st_buf;
  s_run_len = s_st_len;
  memcpy(s_run_hash, s_st_hash, sizeof s_run_hash);
  s_st_buf = NULL;
  s_phase = P_NONE;
  if (plen > 0) piwip_pset_read(ptext, plen);
  swapped();
  /* the host's session carries over: the new engine is told HELLO (its answer dropped; the host re-reads itself
   * after the SWAPPED status, as it does with the virtual module) */
  {
    static const uint8_t hello_payload[3] = {1, 0, 0};
    uint8_t body[3 + 6], wire[2 * sizeof body + 2], sink[1024];
    body[0] = SM_HELLO; body[1] = 0; body[2] = 3; body[3] = 0;
    memcpy(body + 4, hello_payload, 3);
    /* CRC-16/CCITT-FALSE over type … payload */
    uint16_t crc = 0xFFFF;
    for (int i = 0; i < 7; i++) {
      crc ^= (uint16_t)(body[i] << 8);
      for (int b = 0; b < 8; b++) crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
    }
    body[7] = (uint8_t)crc;
    body[8] = (uint8_t)(crc >> 8);
    size_t o = 0;
    wire[o++] = 0xC0;
    for (size_t i = 0; i < sizeof body; i++) {
      if (body[i] == 0xC0) { wire[o++] = 0xDB; wire[o++] = 0xDC; }
      else if (body[i] == 0xDB) { wire[o++] = 0xDB; wire[o++] = 0xDD; }
      else wire[o++] = body[i];
    }
    wire[o++] = 0xC0;
    piwip_link_in(wire, o);
    for (int k = 0; k < 40 && piwip_link_out(sink, sizeof sink) > 0; k++) {}
  }
  s_since_swap = 0;
  s_was_alive = piwip_alive();
  if (old_alive) {
    status(ST_TESTED, s_run_len, 0, "self-test passed (2 s of silence and noise, finite output)");
    t_str(&t, "engine "); t_strn(&t, s_run_hash, 12); t_str(&t, " playing; committed after ");
    t_uint(&t, (unsigned long)s_o.confirm_seconds); t_str(&t, " s without a trap");
  } else {
    status(ST_TESTED, s_run_len, 0, "self-test passed");
    t_str(&t, "engine "); t_strn(&t, s_run_hash, 12); t_str(&t, " playing (the old one had stopped)");
  }
  status(ST_SWAPPED, s_run_len, 0, t.s);
}

static void commit_now(void) {
  text_buf t = {{0}, 0};
  s_since_swap = -1;
  piwip_stage_commit();
  s_prev_img = NULL;
  if (s_o.commit) {
    const char *why = NULL;
    int rc = s_o.commit(s_run_img, s_run_len, &why);
    if (rc == 1) { s_committing = 1; return; }
    if (rc < 0) { engine_stage_committed(0, why ? why : "error"); return; }
  }
  t_str(&t, "engine "); t_strn(&t, s_run_hash, 12); t_str(&t, " committed");
  if (s_o.commit && s_o.commit_where) { t_str(&t, " to "); t_str(&t, s_o.commit_where); }
  status(ST_COMMITTED, s_run_len, 0, t.s);
}

void engine_stage_committed(int ok, const char *why) {
  text_buf t = {{0}, 0};
  s_committing = 0;
  if (!ok) { t_str(&t, "cannot store the boot engine: "); t_str(&t, why); fail(s_run_len, -10, &t); return; }
  t_str(&t, "engine "); t_strn(&t, s_run_hash, 12); t_str(&t, " committed");
  if (s_o.commit_where) { t_str(&t, " to "); t_str(&t, s_o.commit_where); }
  status(ST_COMMITTED, s_run_len, 0, t.s);
}

void engine_stage_step(int blocks) {
  if (!s_have_runtime || blocks <= 0) return;
  int died = s_was_alive && !piwip_alive();
  s_was_alive = piwip_alive();
  /* a trap before the commit: the kept engine plays again */
  if (s_since_swap >= 0 && !piwip_alive() && s_prev_img) {
    text_buf t = {{0}, 0};
    char why[96];
    strncpy(why, piwip_last_error(), sizeof why - 1);
    why[sizeof why - 1] = 0;
    t_str(&t, "uploaded engine "); t_strn(&t, s_run_hash, 12); t_str(&t, " trapped after the swap ("); t_str(&t, why); t_str(&t, "): rolled back");
    if (piwip_stage_rollback() == 0) {
      s_run_img = s_prev_img; s_run_len = s_prev_len; memcpy(s_run_hash, s_prev_hash, sizeof s_run_hash);
      s_prev_img = NULL;
      s_since_swap = -1;
      swapped();
      s_was_alive = piwip_alive();
      fail(0, -7, &t);
      return;
    }
  }
  if (died) { /* the host hears it at once (the shell's HELLO repeats it): as host/module/virtual.ts does */
    text_buf t = {{0}, 0};
    uint8_t p[1 + sizeof t.s];
    t_str(&t, "engine stopped: ");
    t_str(&t, piwip_last_error());
    t_str(&t, " (passing audio dry; upload a new engine)");
    p[0] = 2;
    memcpy(p + 1, t.s, t.n);
    link_shell_send(SM_LOG, p, 1 + t.n);
  }
  if (s_since_swap >= 0 && piwip_alive()) {
    s_since_swap += blocks;
    if ((double)s_since_swap * s_o.cfg.block_size >= (double)s_o.confirm_seconds * s_o.cfg.sample_rate) commit_now();
  }
  if (s_phase == P_LOAD) {
    int abi = -1;
    if (s_o.staging_alloc) s_o.staging_alloc(1);
    int rc = piwip_stage_load(s_st_buf, s_st_len, &abi);
    if (s_o.staging_alloc) s_o.staging_alloc(0);
    if (rc) { staged_failed(-8, "new engine failed to start (", piwip_stage_error(), "); the running engine stays"); return; }
    if (abi != ENGINE_STAGE_ABI) {
      text_buf t = {{0}, 0};
      t_str(&t, "engine ABI "); t_int(&t, abi); t_str(&t, ", this module needs "); t_uint(&t, ENGINE_STAGE_ABI);
      staged_failed(-8, t.s, NULL, "; the running engine stays");
      return;
    }
    s_phase = P_INIT;
    return;
  }
  if (s_phase == P_INIT) {
    if (s_o.staging_alloc) s_o.staging_alloc(1);
    int rc = piwip_stage_init(&s_o.cfg);
    if (s_o.staging_alloc) s_o.staging_alloc(0);
    if (rc) { staged_failed(-8, "new engine failed to start (", piwip_stage_error(), "); the running engine stays"); return; }
    text_buf t = {{0}, 0};
    t_str(&t, "verified "); t_strn(&t, s_st_hash, 12); t_str(&t, "; self-test running");
    status(ST_VERIFIED, s_st_len, 0, t.s);
    s_test_frames_done = 0;
    s_test_frames_total = (uint32_t)ceil((double)ENGINE_STAGE_TEST_SECONDS * s_o.cfg.sample_rate / s_o.test_frames) * (uint32_t)s_o.test_frames;
    s_noise = 1;
    s_phase = P_TEST;
    return;
  }
  if (s_phase == P_TEST) {
    int alive = piwip_alive();
    int calls = alive ? s_o.test_calls : 8 * s_o.test_calls;
    for (int k = 0; k < calls; k++) {
      text_buf t = {{0}, 0};
      int r = test_call(&t);
      if (r < 0) { staged_failed(-7, "self-test failed: ", t.s, alive ? "; the running engine stays" : ""); return; }
      if (r > 0) { swap_in(alive); return; }
    }
  }
}
