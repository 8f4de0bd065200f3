/* Scenario runner: input file + events file -> engine in fixed blocks -> output file and FNV-1a hash.
 * Events act at the start of the block containing their frame (the Node reference does the same). */
#include "scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio_file.h"
#include "events.h"
#include "link_shell.h"

#define FNV_OFFSET 2166136261u
#define FNV_PRIME 16777619u

static uint32_t fnv_bytes(uint32_t h, const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * FNV_PRIME;
  return h;
}

void scenario_defaults(scenario_opts *o) {
  memset(o, 0, sizeof *o);
  o->raw_channels = 1;
  o->block = 128;
  o->cfg.sample_rate = 44100.0f;
  o->cfg.block_size = 128;
  o->cfg.max_rec_seconds = 10.0f;
  o->cfg.seed = 1;
  o->dead_output = PIWIP_DEAD_DRY;
}

int scenario_parse_args(int argc, char **argv, scenario_opts *o) {
  for (int i = 1; i < argc; i++) {
    const char *k = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!v) goto usage;
    if (!strcmp(k, "--in")) o->in_path = v;
    else if (!strcmp(k, "--events")) o->events_path = v;
    else if (!strcmp(k, "--wasm")) o->wasm_path = v;
    else if (!strcmp(k, "--out")) o->out_path = v;
    else if (!strcmp(k, "--channels")) o->raw_channels = atoi(v);
    else if (!strcmp(k, "--rate")) o->cfg.sample_rate = (float)atof(v);
    else if (!strcmp(k, "--max-rec")) o->cfg.max_rec_seconds = (float)atof(v);
    else if (!strcmp(k, "--seed")) o->cfg.seed = (uint32_t)strtoul(v, NULL, 10);
    else if (!strcmp(k, "--block")) o->block = o->cfg.block_size = atoi(v);
    else if (!strcmp(k, "--dead")) o->dead_output = !strcmp(v, "silence") ? PIWIP_DEAD_SILENCE : PIWIP_DEAD_DRY;
    else if (!strcmp(k, "--link-mirror")) o->link_mirror = atoi(v);
    else goto usage;
    i++;
  }
  if (o->in_path && o->block >= 1 && o->block <= PIWIP_MAX_FRAMES) return 0;
usage:
  fprintf(stderr,
          "usage: --in file.(f32|wav) [--wasm engine.wasm (wasm3 only)] [--events file] [--out file.(f32|wav)] [--channels 1|2] [--rate 44100]\n"
          "       [--max-rec 10] [--seed 1] [--block 128] [--dead dry|silence] [--link-mirror 1]\n");
  return -1;
}

typedef struct {
  FILE *f;
  piwip_event next;
  int have_next;
  uint64_t line;
} event_stream;

static int events_advance(event_stream *es) {
  static char line[256];
  es->have_next = 0;
  while (es->f && fgets(line, sizeof line, es->f)) {
    es->line++;
    int rc = piwip_event_parse(line, 1, &es->next);
    if (rc < 0) {
      fprintf(stderr, "events line %lu: cannot parse: %s", (unsigned long)es->line, line);
      return -1;
    }
    if (rc == 1) { es->have_next = 1; return 0; }
  }
  return 0;
}

int scenario_run(const scenario_opts *o, const uint8_t *wasm, uint32_t wasm_len, scenario_result *r) {
  static float in_l[PIWIP_MAX_FRAMES], in_r[PIWIP_MAX_FRAMES], out_l[PIWIP_MAX_FRAMES], out_r[PIWIP_MAX_FRAMES];
  memset(r, 0, sizeof *r);
  r->first_error_block = -1;
  r->hash = FNV_OFFSET;
  audio_file in, out;
  memset(&out, 0, sizeof out);
  event_stream es;
  memset(&es, 0, sizeof es);
  if (audio_open_read(&in, o->in_path, o->raw_channels)) return -1;
  if (o->events_path) {
    es.f = fopen(o->events_path, "r");
    if (!es.f) { fprintf(stderr, "cannot open %s\n", o->events_path); return -1; }
    if (events_advance(&es)) return -1;
  }
  if (o->out_path && audio_open_write(&out, o->out_path, (uint32_t)o->cfg.sample_rate)) return -1;

  piwip_set_dead_output((enum piwip_dead_output)o->dead_output);
  r->load_rc = piwip_load(wasm, wasm_len);
  if (r->load_rc == 0) r->init_rc = piwip_init(&o->cfg);
  if (r->load_rc || r->init_rc) fprintf(stderr, "engine %s failed: %s\n", r->load_rc ? "load" : "init", piwip_last_error());

  /* a host that said HELLO and asked for the screen at 30 fps and telemetry at 10 Hz (docs/link.md) */
  static uint8_t wire[700], sink[PIWIP_LINK_WINDOW];
  uint8_t seq = 0;
  if (o->link_mirror) {
    const uint8_t hello[] = {1, 0, 0}, screen[] = {30, 1}, tele[] = {10};
    size_t n = link_encode(0x01, seq++, hello, sizeof hello, wire);
    n += link_encode(0x0F, seq++, screen, sizeof screen, wire + n);
    n += link_encode(0x10, seq++, tele, sizeof tele, wire + n);
    piwip_link_in(wire, n);
  }
  uint64_t pos = 0, next_ping = 0;
  for (;;) {
    int n = audio_read(&in, in_l, in_r, o->block);
    if (n <= 0) break;
    while (es.have_next && es.next.frame < pos + (uint64_t)o->block) {
      if (piwip_event_apply(&es.next) < 0) r->event_errors++;
      r->events++;
      if (events_advance(&es)) return -1;
    }
    uint32_t c0 = o->counter ? o->counter() : 0;
    int rc = piwip_process(in_l, in_r, out_l, out_r, n);
    if (o->counter) {
      /* SysTick counts down: the caller's counter returns an up-counting value */
      uint64_t d = (uint64_t)((o->counter() - c0) & o->counter_mask) * o->counter_scale;
      r->count_total += d;
      if (d > r->count_max_block) {
        r->count_max_block = d;
        r->count_max_block_at = r->blocks;
      }
    }
    if (o->link_mirror) {
      if (pos >= next_ping) { /* the host's once-a-second PING renews the mirror's lease */
        const uint8_t ping[4] = {0};
        piwip_link_in(wire, link_encode(0x02, seq++, ping, 4, wire));
        next_ping = pos + (uint64_t)o->cfg.sample_rate;
      }
      uint32_t l0 = o->counter ? o->counter() : 0;
      piwip_link_service();
      size_t got;
      while ((got = piwip_link_out(sink, sizeof sink)) > 0) r->link_bytes += got;
      if (o->counter) {
        uint64_t d = (uint64_t)((o->counter() - l0) & o->counter_mask) * o->counter_scale;
        r->link_total += d;
        if (d > r->link_max_block) r->link_max_block = d;
      }
    }
    if (rc != 0 && r->first_error == 0) {
      r->first_error = rc;
      r->first_error_block = (int64_t)r->blocks;
    }
    for (int i = 0; i < n; i++) {
      r->hash = fnv_bytes(r->hash, (const uint8_t *)&out_l[i], 4);
      r->hash = fnv_bytes(r->hash, (const uint8_t *)&out_r[i], 4);
    }
    if (out.f && audio_write(&out, out_l, out_r, n)) { fprintf(stderr, "write failed\n"); return -1; }
    pos += (uint64_t)n;
    r->blocks++;
  }
  r->frames = pos;
  if (es.f) fclose(es.f);
  audio_close(&in);
  if (out.f && audio_close(&out)) return -1;
  return 0;
}

void scenario_print(const scenario_opts *o, const scenario_result *r) {
  printf("engine=%s\n", piwip_engine_name());
  printf("frames=%llu\nblocks=%llu\nevents=%llu\nevent_errors=%llu\n", (unsigned long long)r->frames,
         (unsigned long long)r->blocks, (unsigned long long)r->events, (unsigned long long)r->event_errors);
  printf("hash=%08lx\n", (unsigned long)r->hash);
  printf("alive=%d\nload_rc=%d\ninit_rc=%d\n", piwip_alive(), r->load_rc, r->init_rc);
  printf("first_error=%d\nfirst_error_block=%ld\n", r->first_error, (long)r->first_error_block);
  printf("error=%s\n", piwip_last_error());
  printf("memory_bytes=%lu\n", (unsigned long)piwip_memory_bytes());
  if (o->counter && r->frames) {
    unsigned long long per100 = r->count_total * 100u / r->frames;
    printf("insns_total=%llu\ninsns_per_sample=%llu.%02llu\ninsns_max_block=%llu\ninsns_max_block_at=%llu\n",
           (unsigned long long)r->count_total, per100 / 100, per100 % 100, (unsigned long long)r->count_max_block,
           (unsigned long long)r->count_max_block_at);
    if (o->link_mirror && r->blocks)
      printf("link_insns_per_block=%llu\nlink_insns_max_block=%llu\nlink_bytes=%llu\n",
             (unsigned long long)(r->link_total / r->blocks), (unsigned long long)r->link_max_block,
             (unsigned long long)r->link_bytes);
  }
  fflush(stdout);
}
