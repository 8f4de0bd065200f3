/* piwip events: the text line format shared by scenario files, the Linux control input and firmware/tools.
 *   <frame> midi <hex byte>...        raw MIDI bytes, e.g. "44100 midi 90 3c 64"
 *   <frame> key <n> <z>               norns key n=1..3, z=1 down/0 up
 *   <frame> enc <n> <d>               encoder n=1..3, d detents
 *   <frame> mode <m>                  preset 0 user, 1 sampler, 2 follower, 3 ensemble
 *   <frame> param <value> <id...>     param by id (ids may contain spaces); value as a decimal double
 *   <frame> parami <index> <value>    param by index
 * '#' starts a comment line. Scenario files are sorted by frame; an event acts at the start of the block that
 * contains its frame. Without a frame (control input) the line starts at the kind. */
#ifndef PIWIP_EVENTS_H
#define PIWIP_EVENTS_H

#include <stdint.h>

enum piwip_event_kind { EV_NONE = 0, EV_MIDI, EV_KEY, EV_ENC, EV_MODE, EV_PARAM, EV_PARAMI };

#define PIWIP_EVENT_MIDI_MAX 16
#define PIWIP_EVENT_ID_MAX 48

typedef struct {
  uint64_t frame;
  int kind;
  int a, b;                          /* key n z / enc n d / mode m / parami index */
  double value;                      /* param, parami */
  int nbytes;
  uint8_t bytes[PIWIP_EVENT_MIDI_MAX];
  char id[PIWIP_EVENT_ID_MAX];
} piwip_event;

/* Parse one line. Returns 1 for an event, 0 for a blank/comment line, -1 for a malformed one. */
int piwip_event_parse(const char *line, int with_frame, piwip_event *ev);
/* Apply it to the linked engine. Returns 0, or the engine's negative code (unknown param id = -1). */
int piwip_event_apply(const piwip_event *ev);

#endif
