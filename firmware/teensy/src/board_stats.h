/* The board's own load figures, filled by the board loop (main.cpp) and printed on USB serial; the link telemetry
 * reads the same struct. Plain C so host code and tests can include it. */
#ifndef PIWIP_BOARD_STATS_H
#define PIWIP_BOARD_STATS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  /* audio path (board_queue.h counts these) */
  uint32_t blocks;        /* 128-frame blocks processed */
  uint32_t skipped;       /* input blocks dropped because the backlog ran deeper than the bound (latency kept) */
  uint32_t refused;       /* output blocks the play queues refused (full) or could not get memory for */
  uint32_t late;          /* passes that found more than one block waiting (the output queue ran short) */
  uint32_t misaligned;    /* L and R queues disagreed (must stay 0: both are handled under AudioNoInterrupts) */
  uint32_t xruns;         /* skipped + refused + late */
  /* engine cost, DWT cycle counter around piwip_process (600 MHz core clock) */
  uint32_t cycles_last, cycles_worst;
  uint64_t cycles_total;  /* mean = cycles_total / blocks */
  /* memory high-water marks */
  uint32_t audio_blocks_max, audio_blocks;  /* AudioMemoryUsageMax() of AudioMemory(audio_blocks) */
  uint32_t engine_bytes, arena_bytes;       /* engine linear memory in use / what the board gave it */
  uint32_t heap_bytes;                      /* RAM2 heap in use (sbrk top minus heap start) */
  uint32_t stack_free_min;                  /* DTCM stack bytes never touched since boot */
  uint32_t midi_bytes[4];                   /* bytes fed per MIDI source */
} board_stats;

/* Mean engine cycles per block, and per sample for a block of `frames`. */
static inline uint32_t board_stats_mean_cycles(const board_stats *s) {
  return s->blocks ? (uint32_t)(s->cycles_total / s->blocks) : 0;
}

#ifdef __cplusplus
}
#endif
#endif
