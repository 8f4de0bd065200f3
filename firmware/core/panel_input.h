/* Front-panel input as norns reads its own: 3 keys and 3 quadrature encoders sampled from GPIO. A pure unit: pin
 * states and a microsecond clock in, key events and encoder deltas (what the engine's key()/enc() take) out.
 * Bounded work per call, no allocation.
 *
 * Keys follow Linux gpio-keys, which norns uses (monome/linux arch/arm/boot/dts/overlays/
 * norns-buttons-encoders-overlay.dts fragment@6, no debounce-interval, so gpio_keys.c's default of 5 ms): a new
 * level is reported once the pin has held it for the debounce time since its last edge; a bounce shorter than that
 * produces nothing.
 *
 * Encoders are two stages, as on norns:
 *  1. the Linux rotary-encoder driver in half-period mode (the overlay's `rotary-encoder,half-period`, i.e.
 *     steps-per-period 2; gpios active-low with pull-ups): a step is counted when the A/B pair reaches the other
 *     stable state (both low or both high), in the direction of the intermediate state seen last
 *     (rotary_encoder_half_period_irq). A bounce back to the same stable state counts nothing; a skipped
 *     intermediate state counts in the last direction seen.
 *  2. norns' lua encoders.process_with_accel (monome/norns lua/core/encoders.lua:63-82): a step within 5/10/20/30 ms
 *     of the previous one counts 6/4/3/2 (when accel is on), steps add up in `tick`, and every `sens` of them is
 *     one delta (truncated toward zero, the remainder kept). Scripts get sens 2 with accel on (encoders.lua:88-89,
 *     norns.enc.resume), so a detent (one full quadrature period = 2 driver steps) is one delta at slow speed. */
#ifndef PIWIP_PANEL_INPUT_H
#define PIWIP_PANEL_INPUT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PANEL_KEYS 3
#define PANEL_ENCS 3
#define PANEL_KEY_DEBOUNCE_US 5000u /* gpio-keys default debounce-interval, 5 ms */

typedef struct {
  uint8_t raw[PANEL_KEYS];   /* last sampled level (1 = pressed) */
  uint8_t state[PANEL_KEYS]; /* last reported level */
  uint32_t edge_us[PANEL_KEYS];
  uint32_t debounce_us;
} panel_keys;

typedef struct {
  uint8_t n; /* 1..3 */
  uint8_t z; /* 1 pressed, 0 released */
} panel_key_event;

/* `pressed` bit k-1 = key k is down now (the pins read low: active-low with pull-ups). */
void panel_keys_init(panel_keys *k, uint32_t debounce_us, uint8_t pressed, uint32_t now_us);
/* Feed one sample of the three keys; writes up to PANEL_KEYS events to ev and returns how many. */
int panel_keys_update(panel_keys *k, uint8_t pressed, uint32_t now_us, panel_key_event *ev);

typedef struct {
  uint8_t last_stable; /* binary state 0 (both inactive) or 2 (both active); at start whatever was read */
  int8_t dir;          /* +1 clockwise, -1 counter-clockwise: the last intermediate state's direction; 0 at start */
  uint8_t sens;        /* 1..16 */
  uint8_t accel;
  int32_t tick;
  uint32_t last_us;    /* time of the previous driver step */
  uint32_t steps;      /* driver steps counted (for tests and telemetry) */
} panel_enc;

/* `ab` = (A << 1) | B, logical levels (1 = the pin is active, i.e. reads low). */
void panel_enc_init(panel_enc *e, uint8_t ab, int sens, int accel, uint32_t now_us);
/* Stage 1 only: +1 / -1 for a driver step, 0 for none. */
int panel_enc_step(panel_enc *e, uint8_t ab);
/* Stage 2 only: one driver step in, the delta for enc() out (0 = not yet a whole `sens`). */
int panel_enc_count(panel_enc *e, int step, uint32_t now_us);
/* Both stages for one sample. */
int panel_enc_update(panel_enc *e, uint8_t ab, uint32_t now_us);
void panel_enc_set_sens(panel_enc *e, int sens, int accel);

#ifdef __cplusplus
}
#endif
#endif
