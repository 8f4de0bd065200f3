/* Streaming audio file I/O for the scenario runner: raw interleaved f32, or RIFF WAV (PCM16 / float32).
 * Uses stdio only, so it runs on glibc and on newlib semihosting (Cortex-M7 under QEMU). */
#ifndef PIWIP_AUDIO_FILE_H
#define PIWIP_AUDIO_FILE_H

#include <stdint.h>
#include <stdio.h>

typedef struct {
  FILE *f;
  int channels;      /* 1 or 2 */
  int format;        /* 0 raw/float32, 1 pcm16 */
  uint32_t rate;     /* from the WAV header; 0 for raw */
  uint64_t frames_left;
  int wav;
  uint64_t frames_written;
} audio_file;

/* Open for reading; raw files (anything not starting with "RIFF") use raw_channels. 0 or -1 (message on stderr). */
int audio_open_read(audio_file *a, const char *path, int raw_channels);
/* Read up to `frames` frames, deinterleaved into l/r (mono is copied to both). Returns frames read. */
int audio_read(audio_file *a, float *l, float *r, int frames);
/* Open for writing stereo float32: WAV when the name ends in ".wav", else raw interleaved. */
int audio_open_write(audio_file *a, const char *path, uint32_t rate);
int audio_write(audio_file *a, const float *l, const float *r, int frames);
int audio_close(audio_file *a);

/* The whole file in one malloc'd buffer (the caller frees it), e.g. a wasm module; NULL if it cannot be read or is
 * empty or larger than 4 GiB. For start-up only: it allocates. */
uint8_t *file_read_all(const char *path, uint32_t *len);

#endif
