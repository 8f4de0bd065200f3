/* See link_shell.h. The frame layout and message numbers are docs/link.md's. */
#include "link_shell.h"

#include <string.h>

#include "engine_stage.h"
#include "piwip_engine.h"

#define END 0xC0
#define ESC 0xDB
#define ESC_END 0xDC
#define ESC_ESC 0xDD
#define MAX_BODY (1100 + 6) /* the largest frame the shell answers: an upload chunk */

enum { T_HELLO = 0x01, T_PING = 0x02, M_HELLO = 0x41, M_PONG = 0x42, M_LOG = 0x4A, M_ACK = 0x4B };

static link_shell_info s_info;
static link_write_fn s_write;
static uint8_t s_rx[MAX_BODY];
static size_t s_rx_len;
static int s_esc, s_bad;
static uint8_t s_seq;
static uint32_t s_frames, s_corrupt;
static uint8_t s_body[300];
static uint8_t s_wire[2 * sizeof s_body + 2];

uint16_t link_crc16(const uint8_t *p, size_t n) {
  uint16_t crc = 0xFFFF;
  for (size_t i = 0; i < n; i++) {
    crc ^= (uint16_t)(p[i] << 8);
    for (int b = 0; b < 8; b++) crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
  }
  return crc;
}

uint32_t link_shell_frames(void) { return s_frames; }
uint32_t link_shell_corrupt(void) { return s_corrupt; }

void link_shell_init(const link_shell_info *info, link_write_fn write) {
  s_info = *info;
  s_write = write;
  s_rx_len = 0;
  s_esc = s_bad = 0;
}

/* ---- frames out: through the engine while it runs, else SLIP-encoded here ----------------------------------- */
size_t link_encode(int type, uint8_t seq, const uint8_t *payload, size_t len, uint8_t *out) {
  if (len > sizeof s_body - 6) len = sizeof s_body - 6;
  s_body[0] = (uint8_t)type;
  s_body[1] = seq;
  s_body[2] = (uint8_t)(len & 0xFF);
  s_body[3] = (uint8_t)(len >> 8);
  if (len) memcpy(s_body + 4, payload, len);
  uint16_t crc = link_crc16(s_body, len + 4);
  s_body[len + 4] = (uint8_t)(crc & 0xFF);
  s_body[len + 5] = (uint8_t)(crc >> 8);
  size_t o = 0;
  out[o++] = END;
  for (size_t i = 0; i < len + 6; i++) {
    uint8_t b = s_body[i];
    if (b == END) { out[o++] = ESC; out[o++] = ESC_END; }
    else if (b == ESC) { out[o++] = ESC; out[o++] = ESC_ESC; }
    else out[o++] = b;
  }
  out[o++] = END;
  return o;
}

void link_shell_write(const uint8_t *bytes, size_t n) {
  if (s_write) s_write(bytes, n);
}

void link_shell_send(int type, const uint8_t *payload, size_t len) {
  if (piwip_link_ready()) { piwip_link_send(type, payload, (int)len); return; }
  if (!s_write) return;
  s_write(s_wire, link_encode(type, s_seq++, payload, len, s_wire));
}

static size_t put_str(uint8_t *p, const char *s) {
  size_t n = s ? strlen(s) : 0;
  if (n > 64) n = 64; /* an engine hash is 64 hex digits */
  p[0] = (uint8_t)n;
  if (n) memcpy(p + 1, s, n);
  return n + 1;
}
static size_t put_u16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); return 2; }
static size_t put_u32(uint8_t *p, uint32_t v) { put_u16(p, v); put_u16(p + 2, v >> 16); return 4; }

void link_shell_frame(int type, int seq, const uint8_t *payload, int len) {
  if (type >= 0x20 && type <= 0x23) {
    /* engine_stage.c refuses with "reflash" when the engine is compiled in (no second runtime) */
    engine_stage_frame(type, payload, len > 0 ? (size_t)len : 0);
    return;
  }
  uint8_t p[64];
  size_t n = 0;
  p[n++] = (uint8_t)type;
  p[n++] = (uint8_t)seq;
  n += put_u16(p + n, (uint16_t)(int16_t)-2);
  n += put_str(p + n, "unknown shell message");
  link_shell_send(M_ACK, p, n);
}

/* ---- the engine is dead: decode here ---------------------------------------------------------------------------- */
static void dead_frame(int type, int seq, const uint8_t *p, size_t len, uint32_t now_ms) {
  uint8_t out[320];
  size_t n = 0;
  if (type == T_HELLO) {
    n += put_u16(out + n, 1); /* protocol */
    n += put_u16(out + n, 0); /* no running engine ABI */
    n += put_u32(out + n, s_info.sample_rate);
    n += put_u16(out + n, s_info.block_size);
    memcpy(out + n, &s_info.rec_seconds, 4); n += 4;
    out[n++] = (uint8_t)(s_info.can_upload ? 1 : 0);
    out[n++] = 0; /* engine failed: the shell answers */
    n += put_str(out + n, s_info.firmware);
    n += put_str(out + n, s_info.version);
    n += put_str(out + n, s_info.board);
    n += put_str(out + n, engine_stage_hash()[0] ? engine_stage_hash() : s_info.engine_hash);
    link_shell_send(M_HELLO, out, n);
    const char *why = piwip_last_error();
    out[0] = 2;
    size_t k = strlen("engine stopped: ");
    memcpy(out + 1, "engine stopped: ", k);
    size_t w = strlen(why);
    if (w > 200) w = 200;
    memcpy(out + 1 + k, why, w);
    link_shell_send(M_LOG, out, 1 + k + w);
  } else if (type == T_PING && len >= 4) {
    memcpy(out, p, 4);
    put_u32(out + 4, now_ms);
    link_shell_send(M_PONG, out, 8);
  } else if (type >= 0x20 && type <= 0x2F) {
    link_shell_frame(type, seq, p, (int)len);
  } else {
    out[n++] = (uint8_t)type;
    out[n++] = (uint8_t)seq;
    n += put_u16(out + n, (uint16_t)(int16_t)-3);
    n += put_str(out + n, "engine stopped: only HELLO, PING and upload are answered");
    link_shell_send(M_ACK, out, n);
  }
}

void link_shell_feed(const uint8_t *bytes, size_t n, uint32_t now_ms) {
  for (size_t i = 0; i < n; i++) {
    uint8_t b = bytes[i];
    if (b == END) {
      if (s_rx_len > 0 || s_bad || s_esc) {
        size_t len = s_rx_len >= 6 ? (size_t)(s_rx[2] | (s_rx[3] << 8)) : 0;
        if (s_bad || s_esc || s_rx_len < 6 || len + 6 != s_rx_len ||
            link_crc16(s_rx, len + 4) != (uint16_t)(s_rx[len + 4] | (s_rx[len + 5] << 8))) {
          s_corrupt++;
        } else {
          s_frames++;
          dead_frame(s_rx[0], s_rx[1], s_rx + 4, len, now_ms);
        }
      }
      s_rx_len = 0; s_esc = 0; s_bad = 0;
      continue;
    }
    if (s_bad) continue;
    if (s_esc) {
      s_esc = 0;
      if (b == ESC_END) b = END;
      else if (b == ESC_ESC) b = ESC;
      else { s_bad = 1; continue; }
    } else if (b == ESC) { s_esc = 1; continue; }
    if (s_rx_len >= sizeof s_rx) { s_bad = 1; continue; }
    s_rx[s_rx_len++] = b;
  }
}
