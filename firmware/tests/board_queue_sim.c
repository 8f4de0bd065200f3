/* Host simulation of the Teensy board loop's audio queues (firmware/teensy/src/board_queue.h, the code main.cpp
 * runs), against a model of the Audio library: a shared pool of AudioMemory blocks, two AudioRecordQueues filled and
 * two non-stalling AudioPlayQueues (setMaxBuffers) drained by the audio update, which may fire between any two queue
 * calls unless AudioNoInterrupts() is in force. Each output block carries the id of the input block it came from,
 * so the codec side measures latency and L/R alignment.
 *
 *   board-queue-sim [--no-irq-off 1] [--backlog N] [--play-depth N] [--memory N] [--stall-at B --stall N]... [--blocks N] [--seed S]
 * prints key=value lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board_queue.h"

#define QCAP 512
typedef struct { int ids[QCAP]; int head, count; } fifo;
static void fifo_push(fifo *f, int id) { f->ids[(f->head + f->count++) % QCAP] = id; }
static int fifo_pop(fifo *f) { int id = f->ids[f->head]; f->head = (f->head + 1) % QCAP; f->count--; return id; }

static int pool_free;              /* AudioMemory blocks not in use */
static fifo rec[2];                /* record queues: input block ids */
static fifo play[2];               /* play queues: output block ids */
static int play_max;               /* setMaxBuffers: the ring holds max - 1 */
static int user_held[2];           /* a play block got but not queued (AudioPlayQueue::userblock) */
static int16_t user_data[2][128];
static int16_t rec_data[2][128];
static int irq_enabled = 1, pending_updates, next_input_id, update_no;
static unsigned prng = 1;
static long underruns_recovered, underruns, lost_inputs, lr_mismatch, max_latency, latency_sum, latency_n, last_latency;
static int recovery_from = -1;     /* update number after which the latency must be back within the bound */
static long max_latency_recovered;

static unsigned rnd(void) { prng ^= prng << 13; prng ^= prng >> 17; prng ^= prng << 5; return prng; }

/* One audio update (the software interrupt every 128 frames): capture one block per channel, send one. */
static void audio_update(void) {
  update_no++;
  int id = next_input_id++;
  for (int ch = 0; ch < 2; ch++) {
    if (pool_free > 0 && rec[ch].count < QCAP) { pool_free--; fifo_push(&rec[ch], id); }
    else lost_inputs++;
  }
  int out[2] = {-1, -1};
  for (int ch = 0; ch < 2; ch++) {
    if (play[ch].count) { out[ch] = fifo_pop(&play[ch]); pool_free++; }
    else { underruns++; if (recovery_from >= 0 && update_no > recovery_from) underruns_recovered++; }
  }
  if (out[0] != out[1]) lr_mismatch++;
  if (out[0] >= 0 && out[0] == out[1]) {
    long lat = id - out[0];
    last_latency = lat;
    if (lat > max_latency) max_latency = lat;
    latency_sum += lat; latency_n++;
    if (recovery_from >= 0 && update_no > recovery_from && lat > max_latency_recovered) max_latency_recovered = lat;
  }
}

/* An interrupt may land here (between two queue calls) when it is enabled. */
static void maybe_interrupt(void) {
  if (irq_enabled && pending_updates > 0 && (rnd() & 3) == 0) { pending_updates--; audio_update(); }
}

static int op_rec_available(int ch) { maybe_interrupt(); return rec[ch].count; }
static const int16_t *op_rec_read(int ch) {
  maybe_interrupt();
  if (!rec[ch].count) { fprintf(stderr, "read from an empty record queue\n"); exit(3); }
  rec_data[ch][0] = (int16_t)(rec[ch].ids[rec[ch].head] & 0x7fff);
  rec_data[ch][1] = (int16_t)(rec[ch].ids[rec[ch].head] >> 15);
  return rec_data[ch];
}
static void op_rec_free(int ch) { maybe_interrupt(); fifo_pop(&rec[ch]); pool_free++; }
static int16_t *op_play_get(int ch) {
  maybe_interrupt();
  if (!user_held[ch]) { if (pool_free <= 0) return NULL; pool_free--; user_held[ch] = 1; }
  return user_data[ch];
}
static int op_play_put(int ch) {
  maybe_interrupt();
  if (!user_held[ch]) return 0;
  if (play[ch].count >= play_max - 1) return 1; /* NON_STALLING: full, the block stays the user block */
  fifo_push(&play[ch], (user_data[ch][0] & 0x7fff) | (user_data[ch][1] << 15));
  user_held[ch] = 0;
  return 0;
}
static int no_irq_off; /* --no-irq-off 1: what the board did before (no AudioNoInterrupts) */
static void op_irq_off(void) { irq_enabled = no_irq_off; }
static void op_irq_on(void) { irq_enabled = 1; maybe_interrupt(); }
static void op_process(const int16_t *l, const int16_t *r, int16_t *ol, int16_t *or_) {
  if (l[0] != r[0] || l[1] != r[1]) lr_mismatch++; /* the engine got L and R of different blocks */
  if (ol) { memcpy(ol, l, 4); memcpy(or_, r, 4); }
}

int main(int argc, char **argv) {
  int backlog = 2, blocks = 3000, memory = 24;
  int stall_at[8], stall_len[8], stalls = 0;
  play_max = 4;
  for (int i = 1; i + 1 < argc; i += 2) {
    const char *k = argv[i];
    int v = atoi(argv[i + 1]);
    if (!strcmp(k, "--backlog")) backlog = v;
    else if (!strcmp(k, "--play-depth")) play_max = v + 1;
    else if (!strcmp(k, "--memory")) memory = v;
    else if (!strcmp(k, "--blocks")) blocks = v;
    else if (!strcmp(k, "--seed")) prng = (unsigned)v | 1u;
    else if (!strcmp(k, "--no-irq-off")) no_irq_off = v;
    else if (!strcmp(k, "--stall-at") && stalls < 8) stall_at[stalls] = v;
    else if (!strcmp(k, "--stall") && stalls < 8) stall_len[stalls++] = v;
    else { fprintf(stderr, "unknown option %s\n", k); return 2; }
  }
  pool_free = memory;
  board_audio_ops io = {op_rec_available, op_rec_read, op_rec_free, op_play_get, op_play_put, op_irq_off, op_irq_on,
                        op_process};
  board_stats st;
  memset(&st, 0, sizeof st);
  int last_stall_end = 0;
  while (update_no < blocks) {
    /* the loop is faster than the audio: two passes per update period, and an update may land inside a pass; a
     * stall (SD card, a long USB enumeration...) lets many updates pile up before the next pass */
    int due = 1;
    for (int s = 0; s < stalls; s++)
      if (update_no == stall_at[s]) { due = stall_len[s]; last_stall_end = stall_at[s] + stall_len[s]; }
    recovery_from = (last_stall_end ? last_stall_end : 0) + backlog + play_max + 2;
    pending_updates = due;
    if (due > 1) { while (pending_updates > 0) { pending_updates--; audio_update(); } }
    board_queue_pass(&io, backlog, &st);
    board_queue_pass(&io, backlog, &st);
    while (pending_updates > 0) { pending_updates--; audio_update(); }
  }
  printf("blocks=%u\nskipped=%u\nrefused=%u\nlate=%u\nmisaligned=%u\nxruns=%u\n", st.blocks, st.skipped, st.refused,
         st.late, st.misaligned, st.xruns);
  printf("underruns_recovered=%ld\n", underruns_recovered);
  printf("underruns=%ld\nlost_inputs=%ld\nlr_mismatch=%ld\nmax_latency=%ld\nmax_latency_recovered=%ld\n"
         "final_latency=%ld\nmean_latency=%.2f\npool_free_end=%d\n", underruns, lost_inputs, lr_mismatch, max_latency,
         max_latency_recovered, last_latency, latency_n ? (double)latency_sum / latency_n : 0.0, pool_free);
  return 0;
}
