/* The board loop's audio queue handling, apart from the Teensy Audio library so it can be simulated and tested on a
 * host (firmware/tests/board_queue_sim.c, tests/board-queue.test.ts). Header-only: main.cpp includes it with the
 * real AudioRecordQueue/AudioPlayQueue behind board_audio_ops.
 *
 * One pass: read how many input blocks wait (both channels at once, audio interrupt off), drop the oldest beyond
 * `max_backlog` (a stall must not add permanent latency), then per block: get two output blocks, run the engine,
 * queue both outputs together with the audio interrupt off, so L and R always reach the codec in the same update.
 * The play queues are non-stalling and bounded: a refused block is dropped and counted, never waited for. */
#ifndef PIWIP_BOARD_QUEUE_H
#define PIWIP_BOARD_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "board_stats.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  int (*rec_available)(int ch);          /* blocks waiting in the record queue of channel 0/1 */
  const int16_t *(*rec_read)(int ch);    /* the oldest waiting block */
  void (*rec_free)(int ch);              /* release it */
  int16_t *(*play_get)(int ch);          /* a block to fill, NULL = no audio memory */
  int (*play_put)(int ch);               /* queue the filled block: 0 = queued, else refused (queue full) */
  void (*irq_off)(void);                 /* AudioNoInterrupts() */
  void (*irq_on)(void);                  /* AudioInterrupts() */
  /* the engine: int16 in, int16 out (out may be NULL when there was no block to fill) */
  void (*process)(const int16_t *in_l, const int16_t *in_r, int16_t *out_l, int16_t *out_r);
} board_audio_ops;

/* Blocks to process now out of `waiting`, counting what is dropped; *drop gets the number to discard first. */
static inline int board_queue_plan(int waiting, int max_backlog, board_stats *st, int *drop) {
  *drop = 0;
  if (waiting <= 0) return 0;
  if (max_backlog < 1) max_backlog = 1;
  if (waiting > max_backlog) {
    *drop = waiting - max_backlog;
    st->skipped += (uint32_t)*drop;
    waiting = max_backlog;
  }
  if (waiting > 1) st->late++;
  return waiting;
}

/* One pass of the board loop; returns the number of blocks processed. */
static inline int board_queue_pass(const board_audio_ops *io, int max_backlog, board_stats *st) {
  io->irq_off();
  int al = io->rec_available(0), ar = io->rec_available(1);
  io->irq_on();
  /* Both record queues are filled in the same update, so a difference means one started late: realign by
   * dropping the extra blocks of the longer one (counted as skipped). */
  while (al > ar) { io->rec_read(0); io->rec_free(0); al--; st->skipped++; }
  while (ar > al) { io->rec_read(1); io->rec_free(1); ar--; st->skipped++; }
  int drop;
  int n = board_queue_plan(al, max_backlog, st, &drop);
  for (int i = 0; i < drop; i++) {
    io->rec_read(0); io->rec_free(0);
    io->rec_read(1); io->rec_free(1);
  }
  for (int i = 0; i < n; i++) {
    const int16_t *l = io->rec_read(0), *r = io->rec_read(1);
    int16_t *ol = io->play_get(0), *or_ = io->play_get(1);
    int have_out = ol && or_;
    io->process(l, r, have_out ? ol : NULL, have_out ? or_ : NULL);
    io->rec_free(0);
    io->rec_free(1);
    st->blocks++;
    if (!have_out) { st->refused++; continue; } /* a block got is kept by its queue for the next pass */
    io->irq_off();
    int rl = io->play_put(0), rr = io->play_put(1);
    io->irq_on();
    if (rl || rr) st->refused++;
    if (rl != rr) st->misaligned++;
  }
  st->xruns = st->skipped + st->refused + st->late;
  return n;
}

#ifdef __cplusplus
}
#endif
#endif
