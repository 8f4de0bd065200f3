// The optional front panel (issue 16): an SSD1322 OLED on SPI1 showing the engine's framebuffer, 3 keys and 3
// encoders on GPIO with pull-ups, into the engine's key()/enc() as norns delivers them. Pin-out and wiring:
// firmware/README.md "Front panel". On by default (PIWIP_PANEL=0 leaves it out): nothing can be detected on a
// write-only 4-wire SPI display, and without a panel the pulled-up inputs read "released", so an absent panel costs
// a few idle pins and DMA transfers nobody receives.
// Nothing here waits on the bus: the screen goes out by DMA (SPI1 async transfer + a detached EventResponder that
// loop() polls), one run of same-D/C bytes at a time, refilled from core/ssd1322.c's uploader in pieces of at most
// kPiece bytes. Encoder lines interrupt on both edges as the Linux rotary-encoder driver does; keys are sampled
// every loop() pass (gpio-keys' debounce is level-based, a stall only delays an event).
// Header-only and included once, by main.cpp, like link_usb.h: the teensy-check build compiles src/main.cpp alone.
#ifndef PIWIP_PANEL_H
#define PIWIP_PANEL_H

#ifndef PIWIP_PANEL
#define PIWIP_PANEL 1
#endif

#if PIWIP_PANEL
#include <Arduino.h>
#include <EventResponder.h>
#include <SPI.h>

extern "C" {
#include "panel_input.h"
#include "piwip_engine.h"
#include "ssd1322.h"
#include "../../core/panel_input.c"
#include "../../core/ssd1322.c"
}

// SPI1 (LPSPI3) keeps clear of the audio shield (I2S 7, 8, 20, 21, 23; I2C 18, 19; its SD/flash SPI 6, 10-13; volume
// pot 15) and of DIN MIDI on Serial1 (0, 1): MOSI1 26, SCK1 27; MISO1 moved to 39 (SPI1 would take pin 1, Serial1's
// TX, by default). CS, D/C and RES# are plain outputs.
#ifndef PIWIP_PANEL_CS
#define PIWIP_PANEL_CS 38
#endif
#ifndef PIWIP_PANEL_DC
#define PIWIP_PANEL_DC 37
#endif
#ifndef PIWIP_PANEL_RST
#define PIWIP_PANEL_RST 36
#endif
// A0h: 0x16 as norns (fb_ssd1322.c), 0x04 the norns shield (ssd1322.c:187), 0x14 esphome and common 256x64 sample inits
#ifndef PIWIP_PANEL_REMAP
#define PIWIP_PANEL_REMAP 0x16
#endif
// SSD1322_LAYOUT_DOUBLED for a 256x64 module (norns' panel, NHD-3.12-25664), SSD1322_LAYOUT_PACKED for 128 segments
#ifndef PIWIP_PANEL_LAYOUT
#define PIWIP_PANEL_LAYOUT SSD1322_LAYOUT_DOUBLED
#endif
#ifndef PIWIP_PANEL_FIRST_COL
#define PIWIP_PANEL_FIRST_COL 28
#endif
// 10 MHz: the SSD1322's 4-wire serial clock limit (norns drives its panel at 18.75 MHz, ssd1322.c:27)
#ifndef PIWIP_PANEL_SPI_HZ
#define PIWIP_PANEL_SPI_HZ 10000000
#endif

namespace panel {

static const uint8_t kKeyPin[PANEL_KEYS] = {2, 3, 4};                   // K1, K2, K3 to GND
static const uint8_t kEncPin[PANEL_ENCS][2] = {{24, 25}, {28, 29}, {30, 31}}; // E1..E3 A, B to GND (common to GND)
static const uint32_t kPiece = 512;        // bytes per refill: 410 us of SPI at 10 MHz, a few runs
static const uint32_t kMinFrameUs = 16667; // at most 60 frames a second, as norns' screen thread (ssd1322.c:106-125)
static const int kScriptSens = 2;          // norns scripts: sens 2, accel on (lua/core/encoders.lua:88-89)

// norns: SPI_MODE_0, MSB first (ssd1322.c:24-26)
static const SPISettings kSpi(PIWIP_PANEL_SPI_HZ, MSBFIRST, SPI_MODE0);
static ssd1322_uploader up;
static uint8_t wire[kPiece];               // DTCM: no cache maintenance for the DMA
struct Seg { uint16_t start, len; uint8_t dc; };
static Seg segs[64];                        // a window is 5 runs; kPiece holds at most 8 windows (>= 71 bytes each)
static int nSegs = 0, curSeg = 0;
static uint32_t wireLen = 0;
static bool dmaBusy = false;
static EventResponder dmaDone;              // detached: loop() polls it
static uint32_t lastFrame = 0xFFFFFFFFu, lastBeginUs = 0;
static panel_keys keys;
static panel_enc encs[PANEL_ENCS];
static volatile int32_t encDelta[PANEL_ENCS];
static uint32_t stats_frames = 0, stats_bytes = 0;

static void appendRun(void *, int dc, const uint8_t *b, uint32_t n) {
  if (wireLen + n > kPiece || nSegs == (int)(sizeof segs / sizeof segs[0])) return; // pump() respects kPiece
  memcpy(wire + wireLen, b, n);
  if (nSegs > 0 && segs[nSegs - 1].dc == dc) segs[nSegs - 1].len += (uint16_t)n; // same D/C level: one transfer
  else segs[nSegs++] = {(uint16_t)wireLen, (uint16_t)n, (uint8_t)dc};
  wireLen += n;
}

// setup() only: the power-on commands, blocking (a few dozen bytes)
static void sendBlocking(void *, int dc, const uint8_t *b, uint32_t n) {
  digitalWriteFast(PIWIP_PANEL_DC, dc ? HIGH : LOW);
  digitalWriteFast(PIWIP_PANEL_CS, LOW);
  SPI1.beginTransaction(kSpi);
  for (uint32_t i = 0; i < n; i++) SPI1.transfer(b[i]);
  SPI1.endTransaction();
  digitalWriteFast(PIWIP_PANEL_CS, HIGH);
}

static uint8_t encLines(int e) {
  return (uint8_t)((!digitalReadFast(kEncPin[e][0]) << 1) | !digitalReadFast(kEncPin[e][1])); // active low
}
static uint8_t keyMask() {
  uint8_t m = 0;
  for (int k = 0; k < PANEL_KEYS; k++) m |= (uint8_t)(!digitalReadFast(kKeyPin[k]) << k);
  return m;
}
// both edges of both lines, as the rotary-encoder driver requests its IRQs; a few dozen cycles each
template <int E> static void encIsr() { encDelta[E] += panel_enc_update(&encs[E], encLines(E), micros()); }

static void begin() {
  for (int k = 0; k < PANEL_KEYS; k++) pinMode(kKeyPin[k], INPUT_PULLUP);
  for (int e = 0; e < PANEL_ENCS; e++) {
    pinMode(kEncPin[e][0], INPUT_PULLUP);
    pinMode(kEncPin[e][1], INPUT_PULLUP);
  }
  delayMicroseconds(50); // let the pull-ups charge the lines before the first read
  const uint32_t now = micros();
  panel_keys_init(&keys, PANEL_KEY_DEBOUNCE_US, keyMask(), now);
  for (int e = 0; e < PANEL_ENCS; e++) panel_enc_init(&encs[e], encLines(e), kScriptSens, 1, now);
  attachInterrupt(kEncPin[0][0], encIsr<0>, CHANGE);
  attachInterrupt(kEncPin[0][1], encIsr<0>, CHANGE);
  attachInterrupt(kEncPin[1][0], encIsr<1>, CHANGE);
  attachInterrupt(kEncPin[1][1], encIsr<1>, CHANGE);
  attachInterrupt(kEncPin[2][0], encIsr<2>, CHANGE);
  attachInterrupt(kEncPin[2][1], encIsr<2>, CHANGE);

  pinMode(PIWIP_PANEL_CS, OUTPUT);
  digitalWriteFast(PIWIP_PANEL_CS, HIGH);
  pinMode(PIWIP_PANEL_DC, OUTPUT);
  pinMode(PIWIP_PANEL_RST, OUTPUT);
  SPI1.setMISO(39);
  SPI1.begin();
  // RES# low, then high for normal operation (norns ssd1322.c:160-165 requests the line low, then sets it high)
  digitalWriteFast(PIWIP_PANEL_RST, LOW);
  delayMicroseconds(1000);
  digitalWriteFast(PIWIP_PANEL_RST, HIGH);
  delayMicroseconds(1000);
  const ssd1322_config cfg = {PIWIP_PANEL_LAYOUT, PIWIP_PANEL_FIRST_COL, PIWIP_PANEL_REMAP};
  ssd1322_init_stream(&cfg, sendBlocking, nullptr);
  ssd1322_uploader_reset(&up, &cfg);
}

// Start the next run of the current piece on the bus (DMA), or refill the piece from the uploader.
static void serviceScreen() {
  if (dmaBusy) {
    if (!dmaDone) return; // still shifting out: come back next pass
    dmaBusy = false;
    SPI1.endTransaction();
    digitalWriteFast(PIWIP_PANEL_CS, HIGH); // the last byte is clocked out when the RX DMA completes
    curSeg++;
  }
  if (curSeg >= nSegs) {
    nSegs = curSeg = 0;
    wireLen = 0;
    if (!ssd1322_uploader_busy(&up)) {
      uint32_t frame = 0;
      const uint8_t *fb = piwip_screen(&frame);
      const uint32_t now = micros();
      if (!fb || frame == lastFrame || now - lastBeginUs < kMinFrameUs) return;
      lastFrame = frame;
      lastBeginUs = now;
      if (ssd1322_uploader_begin(&up, fb) > 0) stats_frames++; // copies the changed rows (4 KiB at most)
    }
    ssd1322_uploader_pump(&up, kPiece, appendRun, nullptr);
    if (nSegs == 0) return;
  }
  const Seg &s = segs[curSeg];
  digitalWriteFast(PIWIP_PANEL_DC, s.dc ? HIGH : LOW);
  digitalWriteFast(PIWIP_PANEL_CS, LOW);
  SPI1.beginTransaction(kSpi);
  dmaBusy = SPI1.transfer(wire + s.start, nullptr, s.len, dmaDone);
  stats_bytes += s.len;
  if (!dmaBusy) {
    // no DMA channel to be had: send this run by hand. Bounded (kPiece bytes, 410 us at 10 MHz), and dropping it
    // instead would leave GDDRAM behind the uploader's copy of it
    for (uint32_t i = 0; i < s.len; i++) SPI1.transfer(wire[s.start + i]);
    SPI1.endTransaction();
    digitalWriteFast(PIWIP_PANEL_CS, HIGH);
    curSeg++;
  }
}

// Once per loop() pass: keys and encoder deltas into the engine, then the screen.
static void service() {
  panel_key_event ev[PANEL_KEYS];
  const int n = panel_keys_update(&keys, keyMask(), micros(), ev);
  for (int i = 0; i < n; i++) piwip_key(ev[i].n, ev[i].z);
  for (int e = 0; e < PANEL_ENCS; e++) {
    noInterrupts();
    const int32_t d = encDelta[e];
    encDelta[e] = 0;
    interrupts();
    if (d) piwip_enc(e + 1, (int)d);
  }
  serviceScreen();
}

} // namespace panel

#define PIWIP_PANEL_BEGIN() panel::begin()
#define PIWIP_PANEL_SERVICE() panel::service()
#else
#define PIWIP_PANEL_BEGIN() ((void)0)
#define PIWIP_PANEL_SERVICE() ((void)0)
#endif
#endif
