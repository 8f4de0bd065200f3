/* Keys and encoders as norns reads them: see panel_input.h for the sources. */
#include "panel_input.h"

void panel_keys_init(panel_keys *k, uint32_t debounce_us, uint8_t pressed, uint32_t now_us) {
  k->debounce_us = debounce_us;
  for (int i = 0; i < PANEL_KEYS; i++) {
    k->raw[i] = k->state[i] = (uint8_t)((pressed >> i) & 1);
    k->edge_us[i] = now_us;
  }
}

int panel_keys_update(panel_keys *k, uint8_t pressed, uint32_t now_us, panel_key_event *ev) {
  int n = 0;
  for (int i = 0; i < PANEL_KEYS; i++) {
    const uint8_t level = (uint8_t)((pressed >> i) & 1);
    /* gpio-keys restarts its debounce timer on every edge and reports the level when the timer runs out */
    if (level != k->raw[i]) {
      k->raw[i] = level;
      k->edge_us[i] = now_us;
    }
    if (k->raw[i] != k->state[i] && (uint32_t)(now_us - k->edge_us[i]) >= k->debounce_us) {
      k->state[i] = k->raw[i];
      ev[n].n = (uint8_t)(i + 1);
      ev[n].z = k->state[i];
      n++;
    }
  }
  return n;
}

/* the driver's binary state from the two lines: gray code 00, 01, 11, 10 -> 0, 1, 2, 3 (rotary_encoder_get_state) */
static uint8_t binary_state(uint8_t ab) {
  const uint8_t a = (ab >> 1) & 1, b = ab & 1;
  return (uint8_t)((a << 1) | (b ^ a));
}

static int clamp_sens(int s) { return s < 1 ? 1 : s > 16 ? 16 : s; } /* encoders.lua set_sens: util.clamp(s,1,16) */

void panel_enc_init(panel_enc *e, uint8_t ab, int sens, int accel, uint32_t now_us) {
  const uint8_t s = binary_state(ab);
  e->last_stable = s; /* the driver reads the state at probe (rotary_encoder_probe) and starts with dir 0 */
  e->dir = 0;
  e->tick = 0;
  e->last_us = now_us;
  e->steps = 0;
  panel_enc_set_sens(e, sens, accel);
}

void panel_enc_set_sens(panel_enc *e, int sens, int accel) {
  e->sens = (uint8_t)clamp_sens(sens);
  e->accel = accel ? 1 : 0;
  e->tick = 0; /* set_sens / set_accel reset the tick (encoders.lua:21-44) */
}

int panel_enc_step(panel_enc *e, uint8_t ab) {
  const uint8_t s = binary_state(ab);
  if (s & 1) {
    /* intermediate state: remember the direction, ((last_stable - state + 1) % 4) - 1 */
    e->dir = (int8_t)(((unsigned)(e->last_stable - s + 1u) % 4u) - 1u);
    return 0;
  }
  if (s == e->last_stable) return 0;
  e->last_stable = s;
  if (e->dir != 0) e->steps++; /* a REL event of 0 (no intermediate state seen yet) is dropped by the input core */
  return e->dir;
}

int panel_enc_count(panel_enc *e, int d, uint32_t now_us) {
  if (d == 0) return 0;
  const uint32_t diff = now_us - e->last_us;
  e->last_us = now_us;
  if (e->accel) {
    if (diff < 5000u) d *= 6;
    else if (diff < 10000u) d *= 4;
    else if (diff < 20000u) d *= 3;
    else if (diff < 30000u) d *= 2;
  }
  e->tick += d;
  const int32_t sens = e->sens;
  if (e->tick >= sens || e->tick <= -sens) {
    const int32_t val = e->tick / sens; /* C division truncates toward zero, like floor/ceil by sign in the lua */
    e->tick %= sens;                    /* math.fmod keeps the dividend's sign, as % does */
    return (int)val;
  }
  return 0;
}

int panel_enc_update(panel_enc *e, uint8_t ab, uint32_t now_us) {
  return panel_enc_count(e, panel_enc_step(e, ab), now_us);
}
