/* piwip-module's link port: the tty (a Pi's USB gadget /dev/ttyGS0, a pty) in raw non-blocking mode, moved through
 * the engine between audio blocks, the PSET slots as files in a directory and a committed engine upload as the boot
 * engine file, both written by a worker thread so the audio thread never waits on the disk. */
#ifndef PIWIP_LINK_PORT_H
#define PIWIP_LINK_PORT_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  const char *path;     /* tty to open (re-opened after a hang-up) */
  const char *pset_dir; /* NULL = no slots */
  const char *version, *board;
  uint32_t sample_rate;
  int block_size;
  float rec_seconds;
  uint32_t seed;
  /* engine upload (wasm3 only; core/engine_stage.h): the running engine's bytes, where a committed one is written
     (NULL = kept in memory only), seconds before the commit */
  const uint8_t *engine;
  size_t engine_len;
  const char *boot_engine;
  float confirm_seconds;
  int selftest_calls; /* self-test process() calls per audio block (0 = 2) */
} link_port_opts;

/* At start-up (allocates its buffers and thread once). 0, or -1 with a message on stderr. */
int link_port_open(const link_port_opts *o);
/* Audio thread, before piwip_process: bytes in (bounded per block). */
void link_port_before_block(void);
/* Audio thread, after piwip_process: service, PSET requests, bytes out; block_ns = the block's engine time. */
void link_port_after_block(uint64_t block_ns, unsigned long xruns);
void link_port_close(void);

#endif
