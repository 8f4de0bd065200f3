/* core/engine_stage.c's image checks, CRC-32 and SHA-256 on a file, for tests/engine-stage.test.ts (which compares
 * them with the Node virtual module's checks on the same images): prints
 *   check=<NULL or the one-line reason>
 *   crc32=<8 hex digits>
 *   sha256=<64 hex digits>
 * Only the pure parts are linked; the frames they would send go nowhere (no link here). */
#include <stdio.h>

#include "audio_file.h"
#include "engine_stage.h"
#include "sha256.h"

void link_shell_send(int type, const uint8_t *payload, size_t len) { (void)type; (void)payload; (void)len; }
void link_shell_write(const uint8_t *bytes, size_t n) { (void)bytes; (void)n; }
int piwip_alive(void) { return 0; }
const char *piwip_last_error(void) { return ""; }
int piwip_link_in(const uint8_t *b, size_t n) { (void)b; (void)n; return PIWIP_E_DEAD; }
size_t piwip_link_out(uint8_t *d, size_t m) { (void)d; (void)m; return 0; }
int piwip_pset_write(const char *name, const uint8_t **t) { (void)name; (void)t; return PIWIP_E_DEAD; }
int piwip_pset_read(const uint8_t *t, int len) { (void)t; (void)len; return PIWIP_E_DEAD; }
void piwip_link_identity(const char *identity, int caps) { (void)identity; (void)caps; }

int main(int argc, char **argv) {
  if (argc != 2) { fprintf(stderr, "usage: stage-check FILE\n"); return 2; }
  uint32_t len = 0;
  uint8_t *w = file_read_all(argv[1], &len);
  if (!w) { fprintf(stderr, "cannot read %s\n", argv[1]); return 2; }
  const char *why = engine_stage_check(w, len);
  uint8_t d[32];
  char hex[65];
  sha256(w, len, d);
  sha256_hex(d, hex);
  printf("check=%s\ncrc32=%08x\nsha256=%s\n", why ? why : "NULL", (unsigned)engine_stage_crc32(w, len), hex);
  return 0;
}
