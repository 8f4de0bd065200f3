/* Streaming audio file I/O: raw interleaved f32 or RIFF WAV (PCM16 / IEEE float32), little-endian hosts. */
#include "audio_file.h"

#include <stdlib.h>
#include <string.h>

static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static void wr32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24); }
static void wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

int audio_open_read(audio_file *a, const char *path, int raw_channels) {
  memset(a, 0, sizeof *a);
  a->f = fopen(path, "rb");
  if (!a->f) { fprintf(stderr, "cannot open %s\n", path); return -1; }
  uint8_t h[12];
  size_t got = fread(h, 1, 12, a->f);
  if (got == 12 && memcmp(h, "RIFF", 4) == 0 && memcmp(h + 8, "WAVE", 4) == 0) {
    a->wav = 1;
    int have_fmt = 0;
    for (;;) {
      uint8_t ch[8];
      if (fread(ch, 1, 8, a->f) != 8) { fprintf(stderr, "%s: no data chunk\n", path); return -1; }
      uint32_t size = rd32(ch + 4);
      if (memcmp(ch, "fmt ", 4) == 0) {
        uint8_t fmt[40];
        if (size < 16 || size > sizeof fmt || fread(fmt, 1, size, a->f) != size) { fprintf(stderr, "%s: bad fmt\n", path); return -1; }
        uint16_t tag = rd16(fmt), bits = rd16(fmt + 14);
        if (tag == 0xFFFE && size >= 26) tag = rd16(fmt + 24); /* WAVE_FORMAT_EXTENSIBLE sub-format */
        a->channels = rd16(fmt + 2);
        a->rate = rd32(fmt + 4);
        if (tag == 3 && bits == 32) a->format = 0;
        else if (tag == 1 && bits == 16) a->format = 1;
        else { fprintf(stderr, "%s: only float32 or pcm16 WAV\n", path); return -1; }
        have_fmt = 1;
      } else if (memcmp(ch, "data", 4) == 0) {
        if (!have_fmt || a->channels < 1 || a->channels > 2) { fprintf(stderr, "%s: need mono/stereo fmt before data\n", path); return -1; }
        a->frames_left = size / (uint32_t)(a->channels * (a->format ? 2 : 4));
        return 0;
      } else {
        if (fseek(a->f, (long)(size + (size & 1)), SEEK_CUR) != 0) return -1;
      }
    }
  }
  if (raw_channels < 1 || raw_channels > 2) { fprintf(stderr, "raw input needs 1 or 2 channels\n"); return -1; }
  a->channels = raw_channels;
  a->format = 0;
  a->frames_left = UINT64_MAX;
  /* the 12 header bytes already read are samples: rewind */
  if (fseek(a->f, 0, SEEK_SET) != 0) return -1;
  return 0;
}

int audio_read(audio_file *a, float *l, float *r, int frames) {
  static uint8_t buf[256 * 2 * 4];
  if (frames > 256) frames = 256;
  if ((uint64_t)frames > a->frames_left) frames = (int)a->frames_left;
  if (frames <= 0) return 0;
  size_t fb = (size_t)a->channels * (a->format ? 2 : 4);
  size_t got = fread(buf, fb, (size_t)frames, a->f);
  int n = (int)got;
  for (int i = 0; i < n; i++) {
    for (int c = 0; c < a->channels; c++) {
      const uint8_t *p = buf + (size_t)i * fb + (size_t)c * (a->format ? 2 : 4);
      float v;
      if (a->format) v = (float)(int16_t)rd16(p) * (1.0f / 32768.0f);
      else { uint32_t bits = rd32(p); memcpy(&v, &bits, 4); }
      if (c == 0) l[i] = v; else r[i] = v;
    }
    if (a->channels == 1) r[i] = l[i];
  }
  if (a->frames_left != UINT64_MAX) a->frames_left -= (uint64_t)n;
  return n;
}

static int write_wav_header(audio_file *a) {
  uint8_t h[44];
  uint32_t data = (uint32_t)(a->frames_written * 8u);
  memcpy(h, "RIFF", 4); wr32(h + 4, 36 + data); memcpy(h + 8, "WAVEfmt ", 8);
  wr32(h + 16, 16); wr16(h + 20, 3); wr16(h + 22, 2); wr32(h + 24, a->rate); wr32(h + 28, a->rate * 8);
  wr16(h + 32, 8); wr16(h + 34, 32); memcpy(h + 36, "data", 4); wr32(h + 40, data);
  return fwrite(h, 1, 44, a->f) == 44 ? 0 : -1;
}

int audio_open_write(audio_file *a, const char *path, uint32_t rate) {
  memset(a, 0, sizeof *a);
  a->f = fopen(path, "wb");
  if (!a->f) { fprintf(stderr, "cannot create %s\n", path); return -1; }
  a->channels = 2;
  a->rate = rate;
  a->wav = ends_with(path, ".wav");
  return a->wav ? write_wav_header(a) : 0;
}

int audio_write(audio_file *a, const float *l, const float *r, int frames) {
  static uint8_t buf[256 * 2 * 4];
  if (frames > 256) return -1;
  for (int i = 0; i < frames; i++) {
    uint32_t bl, br;
    memcpy(&bl, &l[i], 4);
    memcpy(&br, &r[i], 4);
    wr32(buf + (size_t)i * 8, bl);
    wr32(buf + (size_t)i * 8 + 4, br);
  }
  if (fwrite(buf, 8, (size_t)frames, a->f) != (size_t)frames) return -1;
  a->frames_written += (uint64_t)frames;
  return 0;
}

int audio_close(audio_file *a) {
  int rc = 0;
  if (!a->f) return 0;
  if (a->wav && fseek(a->f, 0, SEEK_SET) == 0) rc = write_wav_header(a);
  if (fclose(a->f) != 0) rc = -1;
  a->f = NULL;
  return rc;
}

uint8_t *file_read_all(const char *path, uint32_t *len) {
  *len = 0;
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  long n = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
  uint8_t *p = n > 0 && (unsigned long)n <= 0xFFFFFFFFul && fseek(f, 0, SEEK_SET) == 0 ? malloc((size_t)n) : NULL;
  if (p && fread(p, 1, (size_t)n, f) != (size_t)n) { free(p); p = NULL; }
  fclose(f);
  if (p) *len = (uint32_t)n;
  return p;
}
