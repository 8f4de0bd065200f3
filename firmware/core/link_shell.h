/* The shell's side of the piwip link (docs/link.md): what a module shell answers itself. While the engine runs, the
 * engine speaks the protocol and hands the shell only the upload frames; once it has trapped, the shell decodes the
 * link on its own (SLIP, CRC-16) and answers HELLO (engine state 0), PING and the upload messages, so a broken
 * engine can always be replaced. No allocation; bounded work per byte. */
#ifndef PIWIP_LINK_SHELL_H
#define PIWIP_LINK_SHELL_H

#include <stddef.h>
#include <stdint.h>

typedef void (*link_write_fn)(const uint8_t *bytes, size_t n);

typedef struct {
  const char *firmware, *version, *board, *engine_hash;
  uint32_t sample_rate;
  uint16_t block_size;
  float rec_seconds;
  int can_upload; /* capability bit 0 in the dead-engine HELLO: the engine loads modules at run time (wasm3) */
} link_shell_info;

void link_shell_init(const link_shell_info *info, link_write_fn write);
/* Bytes received while the engine is dead. */
void link_shell_feed(const uint8_t *bytes, size_t n, uint32_t now_ms);
/* A shell-bound frame the running engine handed over (piwip_link_shell): uploads go to core/engine_stage.c. */
void link_shell_frame(int type, int seq, const uint8_t *payload, int len);
/* A frame of the shell's own (UPLOAD_STATUS, LOG, ACK): through the engine while it runs, else encoded here. */
void link_shell_send(int type, const uint8_t *payload, size_t len);
/* Raw bytes to the host through the shell's writer. */
void link_shell_write(const uint8_t *bytes, size_t n);
/* One SLIP frame of a payload up to 294 bytes into out (room for 2 * (len + 6) + 2 bytes); returns its length. */
size_t link_encode(int type, uint8_t seq, const uint8_t *payload, size_t len, uint8_t *out);
/* CRC-16/CCITT-FALSE, as the engine's (exposed for tests). */
uint16_t link_crc16(const uint8_t *p, size_t n);
/* Counters of the dead-engine decoder. */
uint32_t link_shell_frames(void);
uint32_t link_shell_corrupt(void);

#endif
