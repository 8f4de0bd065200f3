/* Scenario runner shared by the test targets (x86 host, Linux offline mode, Cortex-M7 under QEMU): streams an
 * input file and an events file through the linked engine block by block and writes/hashes the output. */
#ifndef PIWIP_SCENARIO_H
#define PIWIP_SCENARIO_H

#include <stdint.h>

#include "piwip_engine.h"

typedef struct {
  const char *in_path, *events_path, *out_path; /* events/out may be NULL */
  const char *wasm_path;                        /* module file for engines that load at run time (wasm3) */
  int raw_channels;                             /* channels of a raw f32 input: 1 (default) or 2 */
  int block;                                    /* frames per process() call, default 128 */
  piwip_config cfg;                             /* rate 44100, max-rec 10 s, seed 1 unless given */
  int dead_output;                              /* PIWIP_DEAD_DRY (default) or PIWIP_DEAD_SILENCE */
  /* Optional instruction/cycle counter read around every process() call: delta = ((b - a) & mask) * scale. */
  uint32_t (*counter)(void);
  uint32_t counter_mask, counter_scale;
  int link_mirror; /* --link-mirror: a host subscribed to 30 fps screen + 10 Hz telemetry (link cost, counted apart) */
} scenario_opts;

typedef struct {
  uint64_t frames, blocks, events, event_errors;
  uint32_t hash;               /* FNV-1a over the output's bytes (interleaved L/R float32, little-endian) */
  int first_error;             /* first non-zero process() code, 0 if none */
  int64_t first_error_block;   /* -1 if none */
  uint64_t count_total, count_max_block; /* counter totals (0 without a counter) */
  uint64_t count_max_block_at;           /* index of that block */
  int load_rc, init_rc;
  uint64_t link_total, link_max_block, link_bytes; /* the link's service + output per block (with --link-mirror) */
} scenario_result;

/* Parses --in --events --out --wasm --channels --rate --max-rec --seed --block --dead silence|dry. 0, or -1 with usage. */
int scenario_parse_args(int argc, char **argv, scenario_opts *o);
void scenario_defaults(scenario_opts *o);
/* Loads (wasm bytes for wasm3; NULL for wasm2c), inits and runs. Returns 0 when the run completed (even if the
 * engine trapped: see result), -1 on I/O or setup errors. */
int scenario_run(const scenario_opts *o, const uint8_t *wasm, uint32_t wasm_len, scenario_result *r);
/* One "key=value" line per figure on stdout, parsed by the tests. */
void scenario_print(const scenario_opts *o, const scenario_result *r);

#endif
