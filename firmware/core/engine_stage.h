/* Engine upload in a C shell (docs/link.md, UPLOAD_BEGIN … UPLOAD_ABORT, UPLOAD_STATUS): the image is received into a
 * buffer allocated at start-up, checked (CRC-32 per chunk, SHA-256 of the whole, wasm magic, zero imports, the
 * exports a shell calls, abiVersion() == ENGINE_STAGE_ABI), started in a second runtime beside the running engine,
 * self-tested a few calls per audio block (silence then noise, finite output), swapped in at a block boundary with
 * the params carried as PSET text, committed as the boot engine after `confirm_seconds` of engine time without a
 * trap, and rolled back on a trap before that. The statuses, codes and texts are host/module/virtual.ts's, so the
 * same host code drives the Node virtual module and these shells.
 *
 * Two parts: this file's protocol (engine_stage.c, shared by Linux and Teensy), and the second runtime, which only
 * an engine that loads modules at run time has (engine_wasm3.c). The wasm2c engine has none: the runtime hooks are
 * weak, and without them every upload is refused with "reflash". Frames go out through core/link_shell.c (the
 * engine's framing while it runs, the shell's own codec once it has trapped). Single-threaded: call everything from the loop
 * that runs the audio blocks. */
#ifndef PIWIP_ENGINE_STAGE_H
#define PIWIP_ENGINE_STAGE_H

#include <stddef.h>
#include <stdint.h>

#include "piwip_engine.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ENGINE_STAGE_ABI 2
/* The largest engine image a shell takes (piwip.wasm is ~130 KiB, the debug build ~140 KiB). */
#define ENGINE_STAGE_MAX_IMAGE (256u * 1024u)
#define ENGINE_STAGE_TEST_SECONDS 2

/* ---- the second runtime (engine_wasm3.c; absent = the engine is compiled in) ----------------------------------- */
int piwip_stage_available(void) __attribute__((weak));
/* Parse, load, compile and _start `wasm` in a new runtime (the bytes must stay alive while it lives); *abi gets its
 * abiVersion(). 0 or PIWIP_E_*, with piwip_stage_error() saying why. */
int piwip_stage_load(const uint8_t *wasm, size_t len, int *abi) __attribute__((weak));
int piwip_stage_init(const piwip_config *cfg) __attribute__((weak));
int piwip_stage_process(const float *in_l, const float *in_r, float *out_l, float *out_r, int frames) __attribute__((weak));
const char *piwip_stage_error(void) __attribute__((weak));
void piwip_stage_drop(void) __attribute__((weak));
/* The staged runtime becomes the running one (every piwip_* call goes to it); the old one is kept for a rollback
 * (keep_previous) or freed. */
void piwip_stage_swap(int keep_previous) __attribute__((weak));
/* The kept runtime runs again and the current one is freed; -1 when none was kept. */
int piwip_stage_rollback(void) __attribute__((weak));
/* Free the kept runtime. */
void piwip_stage_commit(void) __attribute__((weak));

/* ---- the upload protocol (engine_stage.c) --------------------------------------------------------------------- */
typedef struct {
  piwip_config cfg;        /* what the staged engine is started with: the running one's config */
  int test_frames;         /* frames per self-test call (1 … cfg.block_size) */
  int test_calls;          /* self-test calls per audio block while an engine runs (the dead-engine path does 8x) */
  float confirm_seconds;   /* engine time after a swap before the commit (10) */
  uint8_t *buf[3];         /* three image buffers of ENGINE_STAGE_MAX_IMAGE, allocated at start-up: a new image is
                              received into one that neither the running engine nor the one kept for a rollback
                              executes from (NULL = fewer buffers) */
  const uint8_t *running;  /* the running engine's bytes (a file's, flash, or one of buf) and their length */
  size_t running_len;
  /* the link identity's first lines ("firmware\nversion\nboard\n") and caps: every engine that starts running (at
     init, after a swap or a rollback) is told them with its own hash appended */
  const char *ident_head;
  int ident_caps;
  /* a new engine plays (already identified): give it the shell's PSET slots, may be NULL */
  void (*swapped)(const char *hash_hex);
  /* store the image as the boot engine: 0 = done, 1 = started (engine_stage_committed() follows), < 0 failed with
     *why set. NULL = keep it in memory only. */
  int (*commit)(const uint8_t *image, size_t len, const char **why);
  const char *commit_where; /* for the committed status text ("to /piwip/engine.wasm"), may be NULL */
  /* called with 1 before the staged runtime is loaded or initialised and 0 after (the Teensy routes that runtime's
     allocations to PSRAM: the internal heap holds one runtime's code pages), may be NULL */
  void (*staging_alloc)(int on);
} engine_stage_opts;

/* At start-up; computes the running engine's hash and identifies it (ident_head). */
void engine_stage_init(const engine_stage_opts *o);
/* A shell-bound upload frame (types 0x20 … 0x23), with the engine alive or dead. */
void engine_stage_frame(int type, const uint8_t *payload, size_t len);
/* After the audio: `blocks` = audio blocks processed since the last call (0 = none: nothing is done). Loading, the
 * self-test, the swap, the confirmation (counted in those blocks: engine time), a rollback. */
void engine_stage_step(int blocks);
/* The shell's asynchronous commit finished (0 ok, else why). */
void engine_stage_committed(int ok, const char *why);
/* The host went away: a half-received image is forgotten (a staged engine goes on being tested). */
void engine_stage_reset(void);
/* SHA-256 of the running engine, hex ("" when compiled in). */
const char *engine_stage_hash(void);
/* 1 while an uploaded engine waits for its commit. */
int engine_stage_confirming(void);
/* The checks before a start, on any image (also the boot engine's): NULL = may be started, else why (one line). */
const char *engine_stage_check(const uint8_t *wasm, size_t len);
/* CRC-32 (IEEE 802.3, reflected 0xEDB88320), as host/link/messages.ts crc32. */
uint32_t engine_stage_crc32(const uint8_t *p, size_t n);

#ifdef __cplusplus
}
#endif
#endif
