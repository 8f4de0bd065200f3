/* piwip engine interface for firmware: one small C API over the engine wasm (assembly/index.ts ABI).
 * Two implementations link behind it, exactly one per program: engine_wasm2c.c (AOT, wasm2c) and
 * engine_wasm3.c (interpreter, wasm3.h). A trap inside the wasm kills the engine; it never crashes the host. */
#ifndef PIWIP_ENGINE_H
#define PIWIP_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PIWIP_MAX_FRAMES 256      /* the engine's planar in/out buffers hold 256 frames */
#define PIWIP_SCREEN_BYTES 4096   /* 128x64, 4 bits per pixel */
#define PIWIP_VOICES_MAX 8

/* What process() writes once the engine is dead (after a trap or a failed init). */
enum piwip_dead_output { PIWIP_DEAD_SILENCE = 0, PIWIP_DEAD_DRY = 1 };

/* Error codes returned by this layer (engine return codes >= -16 pass through unchanged). */
enum {
  PIWIP_OK = 0,
  PIWIP_E_DEAD = -100,      /* engine trapped earlier or never initialised: output is silence/dry */
  PIWIP_E_TRAP = -101,      /* this very call trapped */
  PIWIP_E_LOAD = -102,      /* wasm could not be parsed/loaded/linked (wasm3) or instantiated */
  PIWIP_E_ABI = -103,       /* a required export is missing or returned an out-of-range pointer */
  PIWIP_E_ARG = -104,       /* bad argument to this layer */
};

typedef struct {
  float sample_rate;        /* 8000..192000 */
  int block_size;           /* 1..256, the largest frames count process() will see */
  float max_rec_seconds;    /* recording buffer length, 1..600 s (must fit the linear memory arena) */
  uint32_t seed;            /* engine PRNG seed */
} piwip_config;

typedef struct {
  int32_t recording, armed, mode, takes;
  double loop_end, time;
  float pitch_hz, median_hz, amp;
  int32_t voice_count;
  int32_t voice_note[PIWIP_VOICES_MAX];
} piwip_state;

/* Name of the linked implementation: "wasm2c" or "wasm3". */
const char *piwip_engine_name(void);

/* Load the module. wasm3 parses `wasm` (the bytes must stay alive while the engine lives);
 * wasm2c ignores it (the module is compiled in) and may take NULL. Calls _start. 0 or PIWIP_E_*. */
int piwip_load(const uint8_t *wasm, size_t len);

/* What a recording length costs, asked of the loaded engine (after piwip_load, before or after init): the bytes
 * of linear memory init needs for `seconds` at `rate` (0 = refused, or the engine lacks the export), and the
 * longest length in tenths of a second that fits in `bytes` (0 = not even 1 s). */
double piwip_bytes_for_seconds(float rate, float seconds);
float piwip_seconds_for_bytes(float rate, double bytes);

/* init(sampleRate, blockSize, maxRecSeconds, seed) after piwip_load. 0, an engine code (-1..-4) or PIWIP_E_*. */
int piwip_init(const piwip_config *cfg);

/* Process `frames` (1..block_size) planar frames: copies in, runs the engine, copies out.
 * in_r may equal in_l (mono). When the engine is dead, writes silence or the dry input and returns PIWIP_E_DEAD;
 * when this call traps, writes the same and returns PIWIP_E_TRAP. Allocation-free; bounded time. */
int piwip_process(const float *in_l, const float *in_r, float *out_l, float *out_r, int frames);

/* Events: no-ops on a dead engine. */
void piwip_midi_byte(uint8_t b);
/* A raw MIDI byte from source 0..PIWIP_MIDI_SOURCES-1, each with its own parser state (running status, a message
 * split across reads). Source 0 is the one piwip_midi_byte feeds. An engine without midiInFrom gets source 0. */
#define PIWIP_MIDI_SOURCES 4
void piwip_midi_byte_from(int source, uint8_t b);
void piwip_key(int n, int z);
void piwip_enc(int n, int d);
int piwip_set_mode(int m);

/* Params: index by id ("probability", "scale_mode"...), -1 if unknown. */
int piwip_param_count(void);
int piwip_param_index(const char *id);
int piwip_param_set(int index, double value);
double piwip_param_get(int index);

/* Snapshot of the engine's state getters (zeros when dead). 0 or PIWIP_E_*. */
int piwip_read_state(piwip_state *st);

/* The published 4096-byte framebuffer (inside linear memory) and its frame counter; NULL when dead. */
const uint8_t *piwip_screen(uint32_t *frame);

int piwip_alive(void);
void piwip_set_dead_output(enum piwip_dead_output mode);
/* Last error as text ("" when none), e.g. "trap: unreachable in process". */
const char *piwip_last_error(void);
/* Linear memory currently in use, in bytes. */
size_t piwip_memory_bytes(void);

/* ---- the link (docs/link.md): the protocol runs inside the engine; a shell only moves bytes ------------------- */
#define PIWIP_LINK_WINDOW 1024
/* 1 when the engine is alive and has the link exports (ABI >= 2). */
int piwip_link_ready(void);
/* Feed received bytes (any n: passed on in 1024-byte windows). 0 or PIWIP_E_*. */
int piwip_link_in(const uint8_t *bytes, size_t n);
/* Move up to max pending output bytes to dst; returns the count (0 when none or dead). */
size_t piwip_link_out(uint8_t *dst, size_t max);
/* Once per block after piwip_process: param pushes, screen rows, telemetry. */
void piwip_link_service(void);
/* Identity "firmware\nversion\nboard\nhash" and capabilities (bit 0 upload, 1 screen, 2 PSET slots). */
void piwip_link_identity(const char *identity, int caps);
void piwip_link_set_load(float mean_pct, float worst_pct, int xruns);
void piwip_link_dropped(int n);
void piwip_link_pset_done(int op, int slot, int code);
void piwip_link_reset(void);
/* The oldest shell-bound frame (types 0x20..0x2f): returns its payload length and sets type/seq/payload (valid until
 * the pop), or -1 when none. */
int piwip_link_shell(int *type, int *seq, const uint8_t **payload);
void piwip_link_shell_pop(void);
/* Send the shell's own frame (type 0x40..0x7f, len <= 1024) through the engine's framing. 0, -1 bad, -2 full. */
int piwip_link_send(int type, const uint8_t *payload, int len);

/* ---- PSET text and slots (the shell stores the files) -------------------------------------------------------- */
/* Write the params as norns PSET text named `name` (may be NULL); returns its length and points *text at it (inside
 * linear memory: valid until the next engine call), or < 0. */
int piwip_pset_write(const char *name, const uint8_t **text);
/* Apply PSET text; returns the number of params applied, or < 0. */
int piwip_pset_read(const uint8_t *text, int len);
/* The oldest PSET request (menu or link): returns op 1 save, 2 load, 3 delete (0 none) and sets *slot. */
int piwip_pset_request(int *slot);
void piwip_pset_request_pop(void);
/* Slot 1..99 holds a PSET named `name` (NULL = empty). */
int piwip_pset_slot_set(int slot, const char *name);
int piwip_pset_set_last(int slot);

#ifdef __cplusplus
}
#endif
#endif
