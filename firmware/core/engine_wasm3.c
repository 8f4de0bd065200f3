/* piwip engine over the wasm3 interpreter, through the public wasm3.h API only: the module bytes are parsed and
 * loaded at run time, exports are resolved once, every M3Result is checked; a trap marks the engine dead.
 * Built and checked against wasm3 0.9.0 (c9b579d8); on Teensy it comes from the PlatformIO library. */
#include <string.h>

#include "wasm3.h"
#include "engine_common.h"
#include "engine_stage.h"

#ifndef PIWIP_WASM3_STACK_BYTES
#define PIWIP_WASM3_STACK_BYTES (64 * 1024)
#endif

static IM3Environment s_env;
static IM3Runtime s_rt;
static int s_loaded;

enum {
  F_START, F_INIT, F_INPUT_PTR, F_OUTPUT_PTR, F_PROCESS, F_MIDI_IN, F_KEY, F_ENC, F_SET_MODE, F_TEXT_PTR, F_TEXT_CAP,
  F_PARAM_COUNT, F_PARAM_INDEX, F_PARAM_SET, F_PARAM_GET, F_RECORDING, F_ARMED, F_MODE, F_TAKES, F_LOOP_END, F_TIME,
  F_PITCH_HZ, F_MEDIAN_HZ, F_AMP_LEVEL, F_VOICE_COUNT, F_VOICE_NOTE, F_SCREEN_PTR, F_SCREEN_FRAME,
  /* link and PSETs (optional: an engine without them plays, the link is then off) */
  F_LINK_IN_PTR, F_LINK_IN, F_LINK_OUT_PTR, F_LINK_OUT, F_LINK_SERVICE, F_LINK_IDENTITY, F_LINK_SET_LOAD,
  F_LINK_DROPPED, F_LINK_PSET_DONE, F_LINK_RESET, F_LINK_SHELL_TYPE, F_LINK_SHELL_PTR, F_LINK_SHELL_LEN,
  F_LINK_SHELL_SEQ, F_LINK_SHELL_POP, F_LINK_SEND_PTR, F_LINK_SEND, F_PSET_WRITE, F_PSET_READ, F_PSET_REQ_OP,
  F_PSET_REQ_SLOT, F_PSET_REQ_POP, F_PSET_SLOT_SET, F_PSET_SET_LAST,
  /* board exports (optional) */
  F_MIDI_IN_FROM, F_BYTES_FOR_SECONDS, F_SECONDS_FOR_BYTES, F_ABI_VERSION, F_COUNT
};
static const char *const k_names[F_COUNT] = {
  "_start", "init", "inputPtr", "outputPtr", "process", "midiIn", "key", "enc", "setMode", "textPtr", "textCap",
  "paramCount", "paramIndex", "paramSet", "paramGet", "recording", "armed", "mode", "takes", "loopEnd", "time",
  "pitchHz", "medianHz", "ampLevel", "voiceCount", "voiceNote", "screenPtr", "screenFrame",
  "linkInPtr", "linkIn", "linkOutPtr", "linkOut", "linkService", "linkIdentity", "linkSetLoad", "linkDropped",
  "linkPsetDone", "linkReset", "linkShellType", "linkShellPtr", "linkShellLen", "linkShellSeq", "linkShellPop",
  "linkSendPtr", "linkSend", "psetWrite", "psetRead", "psetRequestOp", "psetRequestSlot", "psetRequestPop",
  "psetSlotSet", "psetSetLast", "midiInFrom", "bytesForSeconds", "secondsForBytes", "abiVersion"};
/* the state getters, the screen, the link and the board exports are optional: a module without them still runs audio */
#define FIRST_OPTIONAL F_RECORDING
static IM3Function s_fn[F_COUNT];

const char *piwip_engine_name(void) { return "wasm3"; }
int piwip_alive(void) { return s_alive; }

static uint8_t *mem(uint32_t *size) {
  uint32_t sz = 0;
  uint8_t *m = s_rt ? m3_GetMemory(s_rt, &sz, 0) : NULL;
  if (size) *size = m ? sz : 0;
  return m;
}
size_t piwip_memory_bytes(void) {
  uint32_t sz;
  return mem(&sz) ? sz : 0;
}

/* Record a failed M3Result; traps (and every other runtime error) kill the engine. */
static int failed(M3Result r, const char *where) {
  if (!r) return 0;
  s_alive = 0;
  err_set(strncmp(r, "[trap]", 6) == 0 ? "trap: " : "wasm3: ", strncmp(r, "[trap] ", 7) == 0 ? r + 7 : r, " in ", where);
  return 1;
}

#ifdef PIWIP_WASM3_CODE_MAP
/* Profiling builds only (firmware/tools/wasm3_profile.c): wasm3 runs every wasm function as op handlers that read
 * their operands from the function's compiled code, so which code-page words a handler reads says which wasm
 * function is running. Compile the functions one by one in m3_CompileModule's own order (the same code layout) and
 * print, per function, the code-page words its compilation filled: "w3code FIRST END INDEX NAME". One function may
 * continue on a new page and pages are shared, hence the before/after cursor of every page. Uses wasm3 internals. */
#include <stdio.h>
#include "m3_env.h"
#include "m3_compile.h"

#define CODE_MAP_PAGES 512
static M3CodePage *s_map_page[CODE_MAP_PAGES];
static uint32_t s_map_line[CODE_MAP_PAGES];

static int code_map_pages(IM3Runtime rt) {
  int n = 0;
  M3CodePage *lists[2] = {rt->pagesOpen, rt->pagesFull};
  for (int l = 0; l < 2; l++)
    for (M3CodePage *p = lists[l]; p && n < CODE_MAP_PAGES; p = p->info.next) {
      s_map_page[n] = p;
      s_map_line[n++] = p->info.lineIndex;
    }
  return n;
}

static M3Result code_map_compile(IM3Runtime rt, IM3Module mod) {
  for (uint32_t i = 0; i < mod->numFunctions; i++) {
    IM3Function f = &mod->functions[i];
    if (!f->wasm || f->compiled) continue;
    int before = code_map_pages(rt);
    M3CodePage *old_page[CODE_MAP_PAGES];
    uint32_t old_line[CODE_MAP_PAGES];
    memcpy(old_page, s_map_page, sizeof(M3CodePage *) * (size_t)before);
    memcpy(old_line, s_map_line, sizeof(uint32_t) * (size_t)before);
    M3Result r = CompileFunction(f);
    if (r) return r;
    int after = code_map_pages(rt);
    const char *name = m3_GetFunctionName(f);
    for (int k = 0; k < after; k++) {
      uint32_t from = 0;
      for (int j = 0; j < before; j++)
        if (old_page[j] == s_map_page[k]) { from = old_line[j]; break; }
      if (s_map_line[k] > from)
        printf("w3code %08lx %08lx %lu %s\n", (unsigned long)(uintptr_t)&s_map_page[k]->code[from],
               (unsigned long)(uintptr_t)&s_map_page[k]->code[s_map_line[k]], (unsigned long)i, name ? name : "?");
    }
  }
  return m3Err_none;
}
#endif

int piwip_load(const uint8_t *wasm, size_t len) {
  s_alive = 0;
  s_loaded = 0;
  s_error[0] = 0;
  if (s_rt) { m3_FreeRuntime(s_rt); s_rt = NULL; } /* frees the loaded module too */
  if (!s_env) s_env = m3_NewEnvironment();
  if (!s_env || !wasm || !len) { err_set("wasm3: no environment or no module bytes", NULL, NULL, NULL); return PIWIP_E_LOAD; }
  s_rt = m3_NewRuntime(s_env, PIWIP_WASM3_STACK_BYTES, NULL);
  if (!s_rt) { err_set("wasm3: cannot create runtime", NULL, NULL, NULL); return PIWIP_E_LOAD; }
  IM3Module mod = NULL;
  M3Result r = m3_ParseModule(s_env, &mod, wasm, (uint32_t)len);
  if (failed(r, "parse")) return PIWIP_E_LOAD;
  r = m3_LoadModule(s_rt, mod);
  if (r) { m3_FreeModule(mod); failed(r, "load"); return PIWIP_E_LOAD; }
#ifndef PIWIP_WASM3_LAZY_COMPILE
  /* Compile everything now, not on the first process() (about 218k instructions on an M7), and before the
   * lookups: m3_FindFunction compiles lazily, and a compile error ("incorrect type on stack" when wasm3 is built
   * without d_m3CascadedOpcodes) must read as a load failure, not as a missing export. */
#ifdef PIWIP_WASM3_CODE_MAP
  if (failed(code_map_compile(s_rt, mod), "compile")) return PIWIP_E_LOAD;
#else
  if (failed(m3_CompileModule(mod), "compile")) return PIWIP_E_LOAD;
#endif
#endif
  for (int i = 0; i < F_COUNT; i++) {
    s_fn[i] = NULL;
    r = m3_FindFunction(&s_fn[i], s_rt, k_names[i]);
    if (r && r != m3Err_functionLookupFailed) { failed(r, k_names[i]); return PIWIP_E_LOAD; } /* lazy compile */
    if (r && i < FIRST_OPTIONAL) { failed(r, k_names[i]); return PIWIP_E_ABI; }
    if (r) s_fn[i] = NULL;
  }
  s_alive = 1;
  if (failed(m3_CallV(s_fn[F_START]), "_start")) return PIWIP_E_TRAP;
  s_alive = 0; /* until init */
  s_loaded = 1;
  return PIWIP_OK;
}

static int call_i32(int f, const char *where, int32_t *out) {
  return failed(m3_GetResultsV(s_fn[f], out), where);
}

int piwip_init(const piwip_config *cfg) {
  if (!s_loaded || !cfg) return PIWIP_E_ARG;
  s_alive = 1;
  int32_t rc = 0;
  if (failed(m3_CallV(s_fn[F_INIT], (double)cfg->sample_rate, (int32_t)cfg->block_size, (double)cfg->max_rec_seconds,
                      (int32_t)cfg->seed), "init") || call_i32(F_INIT, "init", &rc))
    return PIWIP_E_TRAP;
  if (rc != 0) {
    s_alive = 0;
    err_set_int("init failed: engine code ", rc);
    return rc;
  }
  int32_t p = 0;
  for (int ch = 0; ch < 2; ch++) {
    if (failed(m3_CallV(s_fn[F_INPUT_PTR], ch), "inputPtr") || call_i32(F_INPUT_PTR, "inputPtr", &p)) return PIWIP_E_TRAP;
    s_in_ptr[ch] = (uint32_t)p;
    if (failed(m3_CallV(s_fn[F_OUTPUT_PTR], ch), "outputPtr") || call_i32(F_OUTPUT_PTR, "outputPtr", &p)) return PIWIP_E_TRAP;
    s_out_ptr[ch] = (uint32_t)p;
  }
  if (failed(m3_CallV(s_fn[F_TEXT_PTR]), "textPtr") || call_i32(F_TEXT_PTR, "textPtr", &p)) return PIWIP_E_TRAP;
  s_text_ptr = (uint32_t)p;
  if (failed(m3_CallV(s_fn[F_TEXT_CAP]), "textCap") || call_i32(F_TEXT_CAP, "textCap", &p)) return PIWIP_E_TRAP;
  s_text_cap = (uint32_t)p;
  s_screen_ptr = 0;
  if (s_fn[F_SCREEN_PTR] && s_fn[F_SCREEN_FRAME]) {
    if (failed(m3_CallV(s_fn[F_SCREEN_PTR]), "screenPtr") || call_i32(F_SCREEN_PTR, "screenPtr", &p)) return PIWIP_E_TRAP;
    s_screen_ptr = (uint32_t)p;
  }
  s_link_in_ptr = s_link_out_ptr = s_link_send_ptr = 0;
  if (s_fn[F_LINK_IN_PTR] && s_fn[F_LINK_OUT_PTR] && s_fn[F_LINK_SEND_PTR] && s_fn[F_LINK_IN] && s_fn[F_LINK_OUT] &&
      s_fn[F_LINK_SERVICE]) {
    if (failed(m3_CallV(s_fn[F_LINK_IN_PTR]), "linkInPtr") || call_i32(F_LINK_IN_PTR, "linkInPtr", &p)) return PIWIP_E_TRAP;
    s_link_in_ptr = (uint32_t)p;
    if (failed(m3_CallV(s_fn[F_LINK_OUT_PTR]), "linkOutPtr") || call_i32(F_LINK_OUT_PTR, "linkOutPtr", &p)) return PIWIP_E_TRAP;
    s_link_out_ptr = (uint32_t)p;
    if (failed(m3_CallV(s_fn[F_LINK_SEND_PTR]), "linkSendPtr") || call_i32(F_LINK_SEND_PTR, "linkSendPtr", &p)) return PIWIP_E_TRAP;
    s_link_send_ptr = (uint32_t)p;
  }
  s_block = cfg->block_size;
  uint32_t size;
  mem(&size);
  return abi_check(size);
}

int piwip_process(const float *in_l, const float *in_r, float *out_l, float *out_r, int frames) {
  int pre = process_precheck(in_l, in_r, out_l, out_r, frames);
  if (pre) return pre;
  size_t bytes = (size_t)frames * sizeof(float);
  uint8_t *m = mem(NULL); /* re-read: only init grows memory, but a realloc would move it */
  memcpy(m + s_in_ptr[0], in_l, bytes);
  memcpy(m + s_in_ptr[1], in_r, bytes);
  int32_t rc = 0;
  if (failed(m3_CallV(s_fn[F_PROCESS], (int32_t)frames), "process") || call_i32(F_PROCESS, "process", &rc)) {
    dead_fill(in_l, in_r, out_l, out_r, frames);
    return PIWIP_E_TRAP;
  }
  m = mem(NULL);
  memcpy(out_l, m + s_out_ptr[0], bytes);
  memcpy(out_r, m + s_out_ptr[1], bytes);
  return rc;
}

void piwip_midi_byte(uint8_t b) {
  if (s_alive) failed(m3_CallV(s_fn[F_MIDI_IN], (int32_t)b), "midiIn");
}
void piwip_midi_byte_from(int source, uint8_t b) {
  if (!s_alive) return;
  if (!s_fn[F_MIDI_IN_FROM]) { if (source == 0) piwip_midi_byte(b); return; }
  failed(m3_CallV(s_fn[F_MIDI_IN_FROM], (int32_t)source, (int32_t)b), "midiInFrom");
}

/* Before init too: the module only has to be loaded. A trap here kills the engine like any other. */
double piwip_bytes_for_seconds(float rate, float seconds) {
  double v = 0;
  if (!s_loaded || !s_fn[F_BYTES_FOR_SECONDS]) return 0;
  if (failed(m3_CallV(s_fn[F_BYTES_FOR_SECONDS], rate, seconds), "bytesForSeconds") ||
      failed(m3_GetResultsV(s_fn[F_BYTES_FOR_SECONDS], &v), "bytesForSeconds"))
    return 0;
  return v;
}
float piwip_seconds_for_bytes(float rate, double bytes) {
  float v = 0;
  if (!s_loaded || !s_fn[F_SECONDS_FOR_BYTES]) return 0;
  if (failed(m3_CallV(s_fn[F_SECONDS_FOR_BYTES], rate, bytes), "secondsForBytes") ||
      failed(m3_GetResultsV(s_fn[F_SECONDS_FOR_BYTES], &v), "secondsForBytes"))
    return 0;
  return v;
}

void piwip_key(int n, int z) {
  if (s_alive) failed(m3_CallV(s_fn[F_KEY], (int32_t)n, (int32_t)z), "key");
}
void piwip_enc(int n, int d) {
  if (s_alive) failed(m3_CallV(s_fn[F_ENC], (int32_t)n, (int32_t)d), "enc");
}
int piwip_set_mode(int m) {
  int32_t rc = 0;
  if (!s_alive) return PIWIP_E_DEAD;
  if (failed(m3_CallV(s_fn[F_SET_MODE], (int32_t)m), "setMode") || call_i32(F_SET_MODE, "setMode", &rc)) return PIWIP_E_TRAP;
  return rc;
}

int piwip_param_count(void) {
  int32_t n = 0;
  if (!s_alive || failed(m3_CallV(s_fn[F_PARAM_COUNT]), "paramCount") || call_i32(F_PARAM_COUNT, "paramCount", &n)) return 0;
  return n;
}
int piwip_param_index(const char *id) {
  if (!s_alive || !id) return -1;
  size_t len = strlen(id);
  if (len > s_text_cap) return -1;
  memcpy(mem(NULL) + s_text_ptr, id, len);
  int32_t i = -1;
  if (failed(m3_CallV(s_fn[F_PARAM_INDEX], (int32_t)len), "paramIndex") || call_i32(F_PARAM_INDEX, "paramIndex", &i)) return -1;
  return i;
}
int piwip_param_set(int index, double value) {
  int32_t rc = 0;
  if (!s_alive) return PIWIP_E_DEAD;
  if (failed(m3_CallV(s_fn[F_PARAM_SET], (int32_t)index, value), "paramSet") || call_i32(F_PARAM_SET, "paramSet", &rc))
    return PIWIP_E_TRAP;
  return rc;
}
double piwip_param_get(int index) {
  double v = 0;
  if (!s_alive || failed(m3_CallV(s_fn[F_PARAM_GET], (int32_t)index), "paramGet") ||
      failed(m3_GetResultsV(s_fn[F_PARAM_GET], &v), "paramGet"))
    return 0;
  return v;
}

/* Optional getters: a missing export reads as 0. */
static int get_i32(int f, int32_t arg, int with_arg, int32_t *out) {
  *out = 0;
  if (!s_fn[f]) return 0;
  M3Result r = with_arg ? m3_CallV(s_fn[f], arg) : m3_CallV(s_fn[f]);
  return failed(r, k_names[f]) || failed(m3_GetResultsV(s_fn[f], out), k_names[f]);
}
static int get_f64(int f, double *out) {
  *out = 0;
  if (!s_fn[f]) return 0;
  return failed(m3_CallV(s_fn[f]), k_names[f]) || failed(m3_GetResultsV(s_fn[f], out), k_names[f]);
}
static int get_f32(int f, float *out) {
  *out = 0;
  if (!s_fn[f]) return 0;
  return failed(m3_CallV(s_fn[f]), k_names[f]) || failed(m3_GetResultsV(s_fn[f], out), k_names[f]);
}

int piwip_read_state(piwip_state *st) {
  memset(st, 0, sizeof *st);
  if (!s_alive) return PIWIP_E_DEAD;
  int32_t n = 0;
  if (get_i32(F_RECORDING, 0, 0, &st->recording) || get_i32(F_ARMED, 0, 0, &st->armed) ||
      get_i32(F_MODE, 0, 0, &st->mode) || get_i32(F_TAKES, 0, 0, &st->takes) || get_f64(F_LOOP_END, &st->loop_end) ||
      get_f64(F_TIME, &st->time) || get_f32(F_PITCH_HZ, &st->pitch_hz) || get_f32(F_MEDIAN_HZ, &st->median_hz) ||
      get_f32(F_AMP_LEVEL, &st->amp) || get_i32(F_VOICE_COUNT, 0, 0, &n))
    return PIWIP_E_TRAP;
  st->voice_count = n < 0 ? 0 : n > PIWIP_VOICES_MAX ? PIWIP_VOICES_MAX : n;
  for (int v = 0; v < st->voice_count; v++)
    if (get_i32(F_VOICE_NOTE, v, 1, &st->voice_note[v])) return PIWIP_E_TRAP;
  return PIWIP_OK;
}

const uint8_t *piwip_screen(uint32_t *frame) {
  int32_t f = 0;
  if (!s_alive || !s_screen_ptr || get_i32(F_SCREEN_FRAME, 0, 0, &f)) return NULL;
  if (frame) *frame = (uint32_t)f;
  return mem(NULL) + s_screen_ptr;
}

/* ---- link and PSETs --------------------------------------------------------------------------------------------- */
/* Optional export f with up to three i32 arguments; 0 = went through (result in *out when asked), else trapped or
 * missing. */
static int call3(int f, int nargs, int32_t a, int32_t b, int32_t c, int32_t *out) {
  if (!s_alive || !s_fn[f]) return -1;
  M3Result r = nargs == 0 ? m3_CallV(s_fn[f]) : nargs == 1 ? m3_CallV(s_fn[f], a) : nargs == 2 ? m3_CallV(s_fn[f], a, b)
                                                                                                 : m3_CallV(s_fn[f], a, b, c);
  if (failed(r, k_names[f])) return -1;
  if (out && failed(m3_GetResultsV(s_fn[f], out), k_names[f])) return -1;
  return 0;
}

static uint8_t *engine_mem(void) { return mem(NULL); }
static void engine_link_in(uint32_t k) { call3(F_LINK_IN, 1, (int32_t)k, 0, 0, NULL); }
static int engine_link_out(uint32_t want) {
  int32_t n = 0;
  return call3(F_LINK_OUT, 1, (int32_t)want, 0, 0, &n) ? 0 : n;
}
void piwip_link_service(void) { if (piwip_link_ready()) call3(F_LINK_SERVICE, 0, 0, 0, 0, NULL); }
void piwip_link_identity(const char *identity, int caps) {
  if (!piwip_link_ready() || !identity) return;
  size_t n = strlen(identity);
  if (n > 255) n = 255;
  memcpy(mem(NULL) + s_text_ptr, identity, n);
  call3(F_LINK_IDENTITY, 2, (int32_t)n, caps, 0, NULL);
}
void piwip_link_set_load(float mean_pct, float worst_pct, int xruns) {
  if (piwip_link_ready() && s_fn[F_LINK_SET_LOAD]) failed(m3_CallV(s_fn[F_LINK_SET_LOAD], mean_pct, worst_pct, (int32_t)xruns), "linkSetLoad");
}
void piwip_link_dropped(int n) { if (piwip_link_ready()) call3(F_LINK_DROPPED, 1, n, 0, 0, NULL); }
void piwip_link_pset_done(int op, int slot, int code) { if (piwip_link_ready()) call3(F_LINK_PSET_DONE, 3, op, slot, code, NULL); }
void piwip_link_reset(void) { if (piwip_link_ready()) call3(F_LINK_RESET, 0, 0, 0, 0, NULL); }
int piwip_link_shell(int *type, int *seq, const uint8_t **payload) {
  int32_t t = 0, q = 0, len = 0, p = 0;
  uint32_t size;
  if (!piwip_link_ready() || call3(F_LINK_SHELL_TYPE, 0, 0, 0, 0, &t) || t == 0) return -1;
  if (call3(F_LINK_SHELL_SEQ, 0, 0, 0, 0, &q) || call3(F_LINK_SHELL_LEN, 0, 0, 0, 0, &len) ||
      call3(F_LINK_SHELL_PTR, 0, 0, 0, 0, &p))
    return -1;
  uint8_t *m = mem(&size);
  if (len < 0 || !span_ok((uint32_t)p, (uint32_t)len, size)) return -1;
  *type = t;
  *seq = q;
  *payload = m + p;
  return len;
}
void piwip_link_shell_pop(void) { if (piwip_link_ready()) call3(F_LINK_SHELL_POP, 0, 0, 0, 0, NULL); }
int piwip_link_send(int type, const uint8_t *payload, int len) {
  if (!piwip_link_ready()) return PIWIP_E_DEAD;
  if (len < 0 || len > PIWIP_LINK_WINDOW) return -1;
  memcpy(mem(NULL) + s_link_send_ptr, payload, (size_t)len);
  int32_t rc = -1;
  return call3(F_LINK_SEND, 2, type, len, 0, &rc) ? PIWIP_E_DEAD : rc;
}

static int32_t put_text(const char *t) {
  size_t n = t ? strlen(t) : 0;
  if (n > s_text_cap) n = s_text_cap;
  if (n) memcpy(mem(NULL) + s_text_ptr, t, n);
  return (int32_t)n;
}
int piwip_pset_write(const char *name, const uint8_t **text) {
  int32_t len = -1;
  if (!s_alive || call3(F_PSET_WRITE, 1, put_text(name), 0, 0, &len) || len < 0 || (uint32_t)len > s_text_cap) return PIWIP_E_DEAD;
  *text = mem(NULL) + s_text_ptr;
  return len;
}
int piwip_pset_read(const uint8_t *text, int len) {
  if (!s_alive) return PIWIP_E_DEAD;
  if (len < 0 || (uint32_t)len > s_text_cap) return PIWIP_E_ARG;
  memcpy(mem(NULL) + s_text_ptr, text, (size_t)len);
  int32_t rc = -1;
  return call3(F_PSET_READ, 1, len, 0, 0, &rc) ? PIWIP_E_DEAD : rc;
}
int piwip_pset_request(int *slot) {
  int32_t op = 0, sl = 0;
  *slot = 0;
  if (call3(F_PSET_REQ_OP, 0, 0, 0, 0, &op) || op == 0 || call3(F_PSET_REQ_SLOT, 0, 0, 0, 0, &sl)) return 0;
  *slot = sl;
  return op;
}
void piwip_pset_request_pop(void) { call3(F_PSET_REQ_POP, 0, 0, 0, 0, NULL); }
int piwip_pset_slot_set(int slot, const char *name) {
  int32_t rc = -1;
  if (!s_alive) return PIWIP_E_DEAD;
  return call3(F_PSET_SLOT_SET, 2, slot, name ? put_text(name) : -1, 0, &rc) ? PIWIP_E_DEAD : rc;
}
int piwip_pset_set_last(int slot) {
  int32_t rc = -1;
  return call3(F_PSET_SET_LAST, 1, slot, 0, 0, &rc) ? PIWIP_E_DEAD : rc;
}

/* ---- a second runtime beside the running one (engine upload, core/engine_stage.h) -----------------------------
 * engine_common.h keeps one engine's state in file-scope variables; a runtime that is not the running one lives in a
 * w3_ctx, and the running one's state is saved there while the other is touched. Only the shell calls these,
 * between audio blocks, so nothing else sees the state switched. */
typedef struct {
  IM3Runtime rt;
  int loaded, alive, block;
  uint32_t in_ptr[2], out_ptr[2], text_ptr, text_cap, screen_ptr, link_in_ptr, link_out_ptr, link_send_ptr;
  IM3Function fn[F_COUNT];
  char error[sizeof s_error];
} w3_ctx;

static w3_ctx s_staged, s_previous, s_saved;

static void ctx_save(w3_ctx *c) {
  c->rt = s_rt; c->loaded = s_loaded; c->alive = s_alive; c->block = s_block;
  memcpy(c->in_ptr, s_in_ptr, sizeof s_in_ptr); memcpy(c->out_ptr, s_out_ptr, sizeof s_out_ptr);
  c->text_ptr = s_text_ptr; c->text_cap = s_text_cap; c->screen_ptr = s_screen_ptr;
  c->link_in_ptr = s_link_in_ptr; c->link_out_ptr = s_link_out_ptr; c->link_send_ptr = s_link_send_ptr;
  memcpy(c->fn, s_fn, sizeof s_fn);
  memcpy(c->error, s_error, sizeof s_error);
}
static void ctx_load(const w3_ctx *c) {
  s_rt = c->rt; s_loaded = c->loaded; s_alive = c->alive; s_block = c->block;
  memcpy(s_in_ptr, c->in_ptr, sizeof s_in_ptr); memcpy(s_out_ptr, c->out_ptr, sizeof s_out_ptr);
  s_text_ptr = c->text_ptr; s_text_cap = c->text_cap; s_screen_ptr = c->screen_ptr;
  s_link_in_ptr = c->link_in_ptr; s_link_out_ptr = c->link_out_ptr; s_link_send_ptr = c->link_send_ptr;
  memcpy(s_fn, c->fn, sizeof s_fn);
  memcpy(s_error, c->error, sizeof s_error);
}
static void ctx_free(w3_ctx *c) {
  if (c->rt) m3_FreeRuntime(c->rt);
  memset(c, 0, sizeof *c);
}
/* Between these two the piwip_* calls go to the staged runtime. */
static void enter_staged(void) { ctx_save(&s_saved); ctx_load(&s_staged); }
static void leave_staged(void) { ctx_save(&s_staged); ctx_load(&s_saved); }

int piwip_stage_available(void) { return 1; }

int piwip_stage_load(const uint8_t *wasm, size_t len, int *abi) {
  int rc;
  ctx_free(&s_staged);
  *abi = -1;
  enter_staged(); /* s_staged was cleared: piwip_load starts a new runtime instead of freeing the running one */
  rc = piwip_load(wasm, len);
  if (rc == PIWIP_OK) {
    int32_t v = -1;
    if (!s_fn[F_ABI_VERSION]) { rc = PIWIP_E_ABI; err_set("missing export abiVersion", NULL, NULL, NULL); }
    else if (failed(m3_CallV(s_fn[F_ABI_VERSION]), "abiVersion") || call_i32(F_ABI_VERSION, "abiVersion", &v)) rc = PIWIP_E_TRAP;
    else *abi = v;
  }
  leave_staged();
  return rc;
}

int piwip_stage_init(const piwip_config *cfg) {
  int rc;
  enter_staged();
  rc = piwip_init(cfg);
  leave_staged();
  return rc;
}

int piwip_stage_process(const float *in_l, const float *in_r, float *out_l, float *out_r, int frames) {
  int rc;
  enter_staged();
  rc = piwip_process(in_l, in_r, out_l, out_r, frames);
  leave_staged();
  return rc;
}

const char *piwip_stage_error(void) { return s_staged.error; }

void piwip_stage_drop(void) { ctx_free(&s_staged); }

void piwip_stage_swap(int keep_previous) {
  ctx_free(&s_previous);
  w3_ctx running;
  ctx_save(&running);
  if (keep_previous) s_previous = running;
  else if (running.rt) m3_FreeRuntime(running.rt);
  ctx_load(&s_staged);
  memset(&s_staged, 0, sizeof s_staged);
}

int piwip_stage_rollback(void) {
  if (!s_previous.rt) return -1;
  if (s_rt) m3_FreeRuntime(s_rt);
  ctx_load(&s_previous);
  memset(&s_previous, 0, sizeof s_previous);
  return 0;
}

void piwip_stage_commit(void) { ctx_free(&s_previous); }
