/* SHA-256 (FIPS 180-4 §6.2), written for piwip from the standard: the engine-upload check of a whole image and the
 * engine hash a module reports in HELLO. Incremental, no allocation, bounded work per call (one 64-byte block per
 * compression). Tested against FIPS 180-2 appendix B's vectors (firmware/tests/sha256_test.c). */
#ifndef PIWIP_SHA256_H
#define PIWIP_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint32_t h[8];
  uint64_t bytes;
  uint8_t buf[64];
  size_t used;
} sha256_ctx;

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const uint8_t *p, size_t n);
void sha256_final(sha256_ctx *c, uint8_t out[32]);
void sha256(const uint8_t *p, size_t n, uint8_t out[32]);
/* 64 lowercase hex digits and a NUL into hex[65]. */
void sha256_hex(const uint8_t digest[32], char hex[65]);

#endif
