/* piwip-module: the engine on Linux / Raspberry Pi. ALSA capture+playback in one loop (the audio thread), ALSA
 * rawmidi input polled non-blocking per period, key/encoder/param lines from stdin through a lock-free ring.
 * Nothing allocates after start-up. Offline mode (--in/--events/--out) runs the shared scenario runner instead. */
#define _GNU_SOURCE
#include <alsa/asoundlib.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "audio_file.h"
#include "engine_stage.h"
#include "events.h"
#include "link_port.h"
#include "piwip_engine.h"
#include "scenario.h"

typedef struct {
  const char *device, *capture_device, *midi_device, *wasm_path, *link_path, *pset_dir, *input_path, *boot_engine;
  float confirm_seconds;
  int selftest_calls;
  int headless; /* --audio none: no ALSA, the loop keeps time itself (tests, a Pi without a codec) */
  unsigned rate, period, periods;
  float max_rec;
  uint32_t seed;
  double seconds;
  int realtime, dead_output;
} module_opts;

static volatile sig_atomic_t s_stop = 0;
static void on_signal(int sig) { (void)sig; s_stop = 1; }

/* ---- control ring: stdin thread -> audio thread (single producer, single consumer) ------------------------ */
#define RING_SIZE 64
static piwip_event s_ring[RING_SIZE];
static atomic_uint s_ring_head, s_ring_tail;

static void *control_thread(void *arg) {
  (void)arg;
  char line[256];
  while (!s_stop && fgets(line, sizeof line, stdin)) {
    piwip_event ev;
    int rc = piwip_event_parse(line, 0, &ev);
    if (rc < 0) { fprintf(stderr, "? %s", line); continue; }
    if (rc == 0) continue;
    unsigned h = atomic_load_explicit(&s_ring_head, memory_order_relaxed);
    if (h - atomic_load_explicit(&s_ring_tail, memory_order_acquire) >= RING_SIZE) { fprintf(stderr, "control ring full\n"); continue; }
    s_ring[h % RING_SIZE] = ev;
    atomic_store_explicit(&s_ring_head, h + 1, memory_order_release);
  }
  return NULL;
}

static void drain_controls(void) {
  unsigned t = atomic_load_explicit(&s_ring_tail, memory_order_relaxed);
  while (t != atomic_load_explicit(&s_ring_head, memory_order_acquire)) {
    piwip_event_apply(&s_ring[t % RING_SIZE]);
    t++;
    atomic_store_explicit(&s_ring_tail, t, memory_order_release);
  }
}

/* ---- ALSA ---------------------------------------------------------------------------------------------------- */
typedef struct {
  snd_pcm_t *pcm;
  snd_pcm_format_t format;
  unsigned channels;
} pcm_dev;

static int pcm_open(pcm_dev *d, const char *name, snd_pcm_stream_t dir, const module_opts *o) {
  static const snd_pcm_format_t formats[] = {SND_PCM_FORMAT_FLOAT_LE, SND_PCM_FORMAT_S32_LE, SND_PCM_FORMAT_S16_LE};
  int err = snd_pcm_open(&d->pcm, name, dir, 0);
  if (err < 0) { fprintf(stderr, "%s: %s\n", name, snd_strerror(err)); return -1; }
  snd_pcm_hw_params_t *hw;
  snd_pcm_hw_params_alloca(&hw);
  snd_pcm_hw_params_any(d->pcm, hw);
  snd_pcm_hw_params_set_access(d->pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED);
  d->format = SND_PCM_FORMAT_UNKNOWN;
  for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
    if (snd_pcm_hw_params_set_format(d->pcm, hw, formats[i]) == 0) { d->format = formats[i]; break; }
  if (d->format == SND_PCM_FORMAT_UNKNOWN) { fprintf(stderr, "%s: no float/s32/s16 format\n", name); return -1; }
  d->channels = 2;
  if (snd_pcm_hw_params_set_channels(d->pcm, hw, 2) < 0) {
    d->channels = 1;
    if (snd_pcm_hw_params_set_channels(d->pcm, hw, 1) < 0) { fprintf(stderr, "%s: neither stereo nor mono\n", name); return -1; }
  }
  unsigned rate = o->rate;
  if ((err = snd_pcm_hw_params_set_rate(d->pcm, hw, rate, 0)) < 0) {
    fprintf(stderr, "%s: rate %u: %s\n", name, rate, snd_strerror(err));
    return -1;
  }
  snd_pcm_uframes_t period = o->period, buffer = (snd_pcm_uframes_t)o->period * o->periods;
  snd_pcm_hw_params_set_period_size_near(d->pcm, hw, &period, NULL);
  snd_pcm_hw_params_set_buffer_size_near(d->pcm, hw, &buffer);
  if ((err = snd_pcm_hw_params(d->pcm, hw)) < 0) { fprintf(stderr, "%s: hw params: %s\n", name, snd_strerror(err)); return -1; }
  if (period != o->period) fprintf(stderr, "%s: period is %lu frames (asked %u)\n", name, (unsigned long)period, o->period);
  return 0;
}

static void to_planar(const pcm_dev *d, const void *buf, float *l, float *r, int n) {
  for (int i = 0; i < n; i++) {
    for (unsigned c = 0; c < d->channels; c++) {
      size_t k = (size_t)i * d->channels + c;
      float v = d->format == SND_PCM_FORMAT_FLOAT_LE ? ((const float *)buf)[k]
                : d->format == SND_PCM_FORMAT_S32_LE ? (float)((const int32_t *)buf)[k] * (1.0f / 2147483648.0f)
                                                     : (float)((const int16_t *)buf)[k] * (1.0f / 32768.0f);
      if (c == 0) l[i] = v; else r[i] = v;
    }
    if (d->channels == 1) r[i] = l[i];
  }
}

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static float clip1(float v) { return v > 1.0f ? 1.0f : v < -1.0f ? -1.0f : v; }

static void to_interleaved(const pcm_dev *d, const float *l, const float *r, void *buf, int n) {
  for (int i = 0; i < n; i++) {
    for (unsigned c = 0; c < d->channels; c++) {
      float v = d->channels == 1 ? 0.5f * (l[i] + r[i]) : c == 0 ? l[i] : r[i];
      size_t k = (size_t)i * d->channels + c;
      if (d->format == SND_PCM_FORMAT_FLOAT_LE) ((float *)buf)[k] = v;
      else if (d->format == SND_PCM_FORMAT_S32_LE) ((int32_t *)buf)[k] = (int32_t)(clip1(v) * 2147483647.0f);
      else ((int16_t *)buf)[k] = (int16_t)(clip1(v) * 32767.0f);
    }
  }
}

static int run_realtime(const module_opts *o) {
  pcm_dev cap, play;
  if (pcm_open(&play, o->device, SND_PCM_STREAM_PLAYBACK, o)) return 1;
  if (pcm_open(&cap, o->capture_device ? o->capture_device : o->device, SND_PCM_STREAM_CAPTURE, o)) return 1;
  snd_rawmidi_t *midi = NULL;
  if (o->midi_device) {
    int err = snd_rawmidi_open(&midi, NULL, o->midi_device, SND_RAWMIDI_NONBLOCK);
    if (err < 0) { fprintf(stderr, "midi %s: %s\n", o->midi_device, snd_strerror(err)); return 1; }
  }
  if (o->realtime) {
    struct sched_param sp = {.sched_priority = 80};
    if (mlockall(MCL_CURRENT | MCL_FUTURE) != 0) perror("mlockall");
    if (pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) != 0) fprintf(stderr, "SCHED_FIFO not permitted\n");
  }
  pthread_t ctl;
  pthread_create(&ctl, NULL, control_thread, NULL);

  static float in_l[PIWIP_MAX_FRAMES], in_r[PIWIP_MAX_FRAMES], out_l[PIWIP_MAX_FRAMES], out_r[PIWIP_MAX_FRAMES];
  static int32_t cap_buf[PIWIP_MAX_FRAMES * 2], play_buf[PIWIP_MAX_FRAMES * 2];
  const int n = (int)o->period;
  unsigned long xruns = 0, blocks = 0;
  unsigned long limit = o->seconds > 0 ? (unsigned long)(o->seconds * o->rate / n) : 0;
  memset(play_buf, 0, sizeof play_buf);
  snd_pcm_prepare(play.pcm);
  for (unsigned i = 0; i < o->periods - 1; i++) snd_pcm_writei(play.pcm, play_buf, (snd_pcm_uframes_t)n);
  snd_pcm_start(cap.pcm);
  int last_alive = 1;
  fprintf(stderr, "piwip-module: %s engine, %u Hz, period %d, %s\n", piwip_engine_name(), o->rate, n, o->device);
  while (!s_stop && (limit == 0 || blocks < limit)) {
    snd_pcm_sframes_t got = snd_pcm_readi(cap.pcm, cap_buf, (snd_pcm_uframes_t)n);
    if (got < 0) {
      xruns++;
      snd_pcm_recover(cap.pcm, (int)got, 1);
      snd_pcm_start(cap.pcm);
      continue;
    }
    if (midi) {
      uint8_t mb[64];
      ssize_t m;
      while ((m = snd_rawmidi_read(midi, mb, sizeof mb)) > 0)
        for (ssize_t i = 0; i < m; i++) piwip_midi_byte(mb[i]);
    }
    drain_controls();
    if (o->link_path) link_port_before_block();
    to_planar(&cap, cap_buf, in_l, in_r, (int)got);
    uint64_t t0 = now_ns();
    piwip_process(in_l, in_r, out_l, out_r, (int)got);
    if (o->link_path) link_port_after_block(now_ns() - t0, xruns);
    if (last_alive && !piwip_alive()) {
      /* stderr from the audio thread once: the engine died, the module keeps passing audio */
      fprintf(stderr, "engine stopped: %s (output is %s)\n", piwip_last_error(), o->dead_output ? "dry" : "silence");
      last_alive = 0;
    }
    to_interleaved(&play, out_l, out_r, play_buf, (int)got);
    snd_pcm_sframes_t w = snd_pcm_writei(play.pcm, play_buf, (snd_pcm_uframes_t)got);
    if (w < 0) {
      xruns++;
      snd_pcm_recover(play.pcm, (int)w, 1);
      memset(play_buf, 0, sizeof play_buf);
      for (unsigned i = 0; i < o->periods - 1; i++) snd_pcm_writei(play.pcm, play_buf, (snd_pcm_uframes_t)n);
    }
    blocks++;
  }
  s_stop = 1;
  fprintf(stderr, "piwip-module: %lu blocks, %lu xruns, engine %s%s\n", blocks, xruns, piwip_alive() ? "alive" : "dead: ",
          piwip_alive() ? "" : piwip_last_error());
  if (midi) snd_rawmidi_close(midi);
  snd_pcm_close(cap.pcm);
  snd_pcm_close(play.pcm);
  pthread_cancel(ctl); /* blocked in fgets on stdin */
  pthread_join(ctl, NULL);
  return 0;
}

/* --audio none: the same block loop without ALSA, paced by an absolute-time sleep per block; the input is a WAV
 * (looped, read into memory at start) or silence, the output goes nowhere. */
static int run_headless(const module_opts *o) {
  static float in_l[PIWIP_MAX_FRAMES], in_r[PIWIP_MAX_FRAMES], out_l[PIWIP_MAX_FRAMES], out_r[PIWIP_MAX_FRAMES];
  float *loop_l = NULL, *loop_r = NULL;
  size_t loop_n = 0, loop_at = 0;
  if (o->input_path) {
    audio_file a;
    if (audio_open_read(&a, o->input_path, 1)) return 1;
    size_t cap = (size_t)o->rate * 600;
    loop_l = malloc(cap * sizeof(float));
    loop_r = malloc(cap * sizeof(float));
    if (!loop_l || !loop_r) { fprintf(stderr, "out of memory for --input\n"); return 1; }
    int got;
    while (loop_n < cap && (got = audio_read(&a, loop_l + loop_n, loop_r + loop_n, (int)(cap - loop_n < 4096 ? cap - loop_n : 4096))) > 0)
      loop_n += (size_t)got;
    audio_close(&a);
  }
  pthread_t ctl;
  pthread_create(&ctl, NULL, control_thread, NULL);
  const int n = (int)o->period;
  const uint64_t period_ns = (uint64_t)n * 1000000000u / o->rate;
  unsigned long blocks = 0, xruns = 0;
  unsigned long limit = o->seconds > 0 ? (unsigned long)(o->seconds * o->rate / n) : 0;
  struct timespec next;
  clock_gettime(CLOCK_MONOTONIC, &next);
  fprintf(stderr, "piwip-module: %s engine, %u Hz, period %d, no audio device%s%s\n", piwip_engine_name(), o->rate, n,
          o->link_path ? ", link " : "", o->link_path ? o->link_path : "");
  while (!s_stop && (limit == 0 || blocks < limit)) {
    for (int i = 0; i < n; i++) {
      if (loop_n) { in_l[i] = loop_l[loop_at]; in_r[i] = loop_r[loop_at]; loop_at = (loop_at + 1) % loop_n; }
      else in_l[i] = in_r[i] = 0;
    }
    drain_controls();
    if (o->link_path) link_port_before_block();
    uint64_t t0 = now_ns();
    piwip_process(in_l, in_r, out_l, out_r, n);
    if (o->link_path) link_port_after_block(now_ns() - t0, xruns);
    blocks++;
    next.tv_nsec += (long)period_ns;
    while (next.tv_nsec >= 1000000000L) { next.tv_nsec -= 1000000000L; next.tv_sec++; }
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec > next.tv_sec + 1) { next = now; xruns++; } /* a long stall: start the clock again */
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
  }
  s_stop = 1;
  fprintf(stderr, "piwip-module: %lu blocks, %lu xruns, engine %s%s\n", blocks, xruns, piwip_alive() ? "alive" : "dead: ",
          piwip_alive() ? "" : piwip_last_error());
  pthread_cancel(ctl);
  pthread_join(ctl, NULL);
  free(loop_l);
  free(loop_r);
  return 0;
}

static void usage(void) {
  fprintf(stderr,
          "piwip-module [--device hw:0] [--capture-device hw:1] [--rate 44100|48000] [--period 128] [--periods 3]\n"
          "             [--midi hw:1,0,0] [--max-rec 60] [--seed 1] [--seconds 0] [--realtime] [--dead dry|silence]\n"
          "             [--wasm build/piwip.wasm (wasm3 engine only)]\n"
          "             [--link /dev/ttyGS0] [--pset-dir DIR] [--audio none [--input in.wav]]\n"
          "             [--boot-engine FILE (default DIR/engine.wasm with --pset-dir)] [--confirm-seconds 10]\n"
          "             [--selftest-calls 2 (an uploaded engine's test calls per audio block)]\n"
          "  --link PATH: the piwip link (docs/link.md) on a tty or pty; --pset-dir: the PSET slots (piwip-NN.pset)\n"
          "  wasm3: an engine uploaded over the link is committed to --boot-engine after --confirm-seconds without a\n"
          "  trap, and started from there the next time (--wasm when it is missing or does not start)\n"
          "  --audio none: no ALSA device, the module keeps time itself (input: --input WAV looped, or silence)\n"
          "  stdin takes control lines: 'key 2 1', 'enc 3 -1', 'mode 2', 'param 100 probability', 'midi 90 3c 64'\n"
          "piwip-module --in in.(f32|wav) [--events e.txt] [--out out.(f32|wav)] [--rate 44100] [--max-rec 10] ...\n"
          "  offline mode: the scenario runner (same output as the firmware test targets)\n");
}

int main(int argc, char **argv) {
  int offline = 0;
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "--in")) offline = 1;
  uint8_t *wasm = NULL;
  uint32_t wasm_len = 0;
  const char *wasm_path = "build/piwip.wasm";
  for (int i = 1; i + 1 < argc; i++)
    if (!strcmp(argv[i], "--wasm")) wasm_path = argv[i + 1];
  if (strcmp(piwip_engine_name(), "wasm2c") != 0) {
    wasm = file_read_all(wasm_path, &wasm_len);
    if (!wasm) { fprintf(stderr, "cannot read %s (use --wasm)\n", wasm_path); return 2; }
  }
  if (offline) {
    scenario_opts so;
    scenario_defaults(&so);
    if (scenario_parse_args(argc, argv, &so)) { usage(); return 2; }
    scenario_result r;
    if (scenario_run(&so, wasm, wasm_len, &r)) return 1;
    scenario_print(&so, &r);
    return 0;
  }
  module_opts o = {.device = "default", .rate = 48000, .period = 128, .periods = 3, .max_rec = 60, .seed = 1,
                   .dead_output = PIWIP_DEAD_DRY};
  for (int i = 1; i < argc; i++) {
    const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(k, "--realtime")) { o.realtime = 1; continue; }
    if (!v) { usage(); return 2; }
    if (!strcmp(k, "--device")) o.device = v;
    else if (!strcmp(k, "--capture-device")) o.capture_device = v;
    else if (!strcmp(k, "--midi")) o.midi_device = v;
    else if (!strcmp(k, "--rate")) o.rate = (unsigned)atoi(v);
    else if (!strcmp(k, "--period")) o.period = (unsigned)atoi(v);
    else if (!strcmp(k, "--periods")) o.periods = (unsigned)atoi(v);
    else if (!strcmp(k, "--max-rec")) o.max_rec = (float)atof(v);
    else if (!strcmp(k, "--seed")) o.seed = (uint32_t)strtoul(v, NULL, 10);
    else if (!strcmp(k, "--seconds")) o.seconds = atof(v);
    else if (!strcmp(k, "--dead")) o.dead_output = !strcmp(v, "silence") ? PIWIP_DEAD_SILENCE : PIWIP_DEAD_DRY;
    else if (!strcmp(k, "--wasm")) o.wasm_path = v;
    else if (!strcmp(k, "--link")) o.link_path = v;
    else if (!strcmp(k, "--pset-dir")) o.pset_dir = v;
    else if (!strcmp(k, "--boot-engine")) o.boot_engine = v;
    else if (!strcmp(k, "--confirm-seconds")) o.confirm_seconds = (float)atof(v);
    else if (!strcmp(k, "--selftest-calls")) o.selftest_calls = atoi(v);
    else if (!strcmp(k, "--input")) o.input_path = v;
    else if (!strcmp(k, "--audio")) {
      if (strcmp(v, "none") && strcmp(v, "alsa")) { usage(); return 2; }
      o.headless = !strcmp(v, "none");
    }
    else { usage(); return 2; }
    i++;
  }
  if ((o.rate != 44100 && o.rate != 48000) || o.period < 16 || o.period > PIWIP_MAX_FRAMES || o.periods < 2) {
    usage();
    return 2;
  }
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  piwip_set_dead_output((enum piwip_dead_output)o.dead_output);
  piwip_config cfg = {.sample_rate = (float)o.rate, .block_size = (int)o.period, .max_rec_seconds = o.max_rec, .seed = o.seed};
  /* an engine committed over the link starts in place of --wasm when it is there and starts cleanly */
  static char boot_default[4096];
  int can_upload = piwip_stage_available && piwip_stage_available();
  if (can_upload && !o.boot_engine && o.pset_dir) {
    snprintf(boot_default, sizeof boot_default, "%s/engine.wasm", o.pset_dir);
    o.boot_engine = boot_default;
  }
  int booted = 0;
  if (can_upload && o.boot_engine && access(o.boot_engine, F_OK) == 0) {
    uint32_t blen = 0;
    uint8_t *boot = file_read_all(o.boot_engine, &blen);
    const char *why = boot ? engine_stage_check(boot, blen) : "cannot read it";
    if (!why && (piwip_load(boot, blen) || piwip_init(&cfg))) why = piwip_last_error();
    if (why) {
      fprintf(stderr, "boot engine %s: %s; starting %s instead\n", o.boot_engine, why, wasm_path);
      free(boot);
    } else {
      fprintf(stderr, "piwip-module: boot engine %s (%u bytes)\n", o.boot_engine, (unsigned)blen);
      free(wasm);
      wasm = boot;
      wasm_len = blen;
      booted = 1;
    }
  }
  if (!booted && (piwip_load(wasm, wasm_len) || piwip_init(&cfg)))
    fprintf(stderr, "engine failed: %s (passing audio %s)\n", piwip_last_error(), o.dead_output ? "dry" : "silent");
  if (o.link_path) {
    link_port_opts lo = {.path = o.link_path, .pset_dir = o.pset_dir, .version = "0.1.0",
#if defined(__aarch64__)
                         .board = "linux-arm64",
#elif defined(__arm__)
                         .board = "linux-armhf",
#else
                         .board = "linux-x86_64",
#endif
                         .sample_rate = o.rate, .block_size = (int)o.period, .rec_seconds = o.max_rec, .seed = o.seed,
                         .engine = wasm, .engine_len = wasm_len, .boot_engine = o.boot_engine,
                         .confirm_seconds = o.confirm_seconds, .selftest_calls = o.selftest_calls};
    if (link_port_open(&lo)) return 1;
  }
  int rc = o.headless ? run_headless(&o) : run_realtime(&o);
  if (o.link_path) link_port_close();
  return rc;
}
