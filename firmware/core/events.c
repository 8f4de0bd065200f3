/* Parser for the piwip events line format (see events.h) and dispatch onto the engine interface. */
#include "events.h"

#include <stdlib.h>
#include <string.h>

#include "piwip_engine.h"

static const char *skip_ws(const char *s) {
  while (*s == ' ' || *s == '\t') s++;
  return s;
}

static int word_is(const char *s, const char *w, const char **rest) {
  size_t n = strlen(w);
  if (strncmp(s, w, n) != 0) return 0;
  if (s[n] != ' ' && s[n] != '\t' && s[n] != 0 && s[n] != '\n' && s[n] != '\r') return 0;
  *rest = s + n;
  return 1;
}

static int parse_int(const char **s, long *out, int base) {
  char *end;
  const char *p = skip_ws(*s);
  long v = strtol(p, &end, base);
  if (end == p) return -1;
  *out = v;
  *s = end;
  return 0;
}

int piwip_event_parse(const char *line, int with_frame, piwip_event *ev) {
  memset(ev, 0, sizeof *ev);
  const char *s = skip_ws(line);
  if (*s == 0 || *s == '#' || *s == '\n' || *s == '\r') return 0;
  if (with_frame) {
    char *end;
    unsigned long long f = strtoull(s, &end, 10);
    if (end == s) return -1;
    ev->frame = f;
    s = skip_ws(end);
  }
  const char *r;
  long a = 0, b = 0;
  if (word_is(s, "midi", &r)) {
    ev->kind = EV_MIDI;
    for (;;) {
      r = skip_ws(r);
      if (*r == 0 || *r == '\n' || *r == '\r' || *r == '#') break;
      if (ev->nbytes >= PIWIP_EVENT_MIDI_MAX || parse_int(&r, &a, 16) || a < 0 || a > 255) return -1;
      ev->bytes[ev->nbytes++] = (uint8_t)a;
    }
    return ev->nbytes > 0 ? 1 : -1;
  }
  if (word_is(s, "key", &r) || word_is(s, "enc", &r)) {
    ev->kind = s[0] == 'k' ? EV_KEY : EV_ENC;
    if (parse_int(&r, &a, 10) || parse_int(&r, &b, 10)) return -1;
    ev->a = (int)a;
    ev->b = (int)b;
    return 1;
  }
  if (word_is(s, "mode", &r)) {
    ev->kind = EV_MODE;
    if (parse_int(&r, &a, 10)) return -1;
    ev->a = (int)a;
    return 1;
  }
  if (word_is(s, "parami", &r)) {
    ev->kind = EV_PARAMI;
    if (parse_int(&r, &a, 10)) return -1;
    char *end;
    const char *p = skip_ws(r);
    ev->value = strtod(p, &end);
    if (end == p) return -1;
    ev->a = (int)a;
    return 1;
  }
  if (word_is(s, "param", &r)) {
    ev->kind = EV_PARAM;
    char *end;
    const char *p = skip_ws(r);
    ev->value = strtod(p, &end);
    if (end == p) return -1;
    p = skip_ws(end);
    size_t n = strlen(p);
    while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t')) n--;
    if (n == 0 || n >= PIWIP_EVENT_ID_MAX) return -1;
    memcpy(ev->id, p, n);
    ev->id[n] = 0;
    return 1;
  }
  return -1;
}

int piwip_event_apply(const piwip_event *ev) {
  switch (ev->kind) {
    case EV_MIDI:
      for (int i = 0; i < ev->nbytes; i++) piwip_midi_byte(ev->bytes[i]);
      return 0;
    case EV_KEY: piwip_key(ev->a, ev->b); return 0;
    case EV_ENC: piwip_enc(ev->a, ev->b); return 0;
    case EV_MODE: return piwip_set_mode(ev->a);
    case EV_PARAMI: return piwip_param_set(ev->a, ev->value);
    case EV_PARAM: {
      int i = piwip_param_index(ev->id);
      return i < 0 ? -1 : piwip_param_set(i, ev->value);
    }
    default: return -1;
  }
}
