// The piwip link (docs/link.md) on the Teensy's USB serial, and the module's PSET slots on the built-in SD card
// (/piwip/piwip-NN.pset, as norns keeps them). SD, not LittleFS in program flash: uploading new firmware erases a
// program-flash file system, and the SD card survives a reflash and can be read on a computer.
// Runs from loop() between audio blocks: bytes in (bounded), service, bytes out only as far as the USB buffer has
// room (never a blocking write); the engine's ring drops and counts what does not fit.
// Header-only and included once, by main.cpp: the teensy-check build compiles src/main.cpp alone, PlatformIO all
// of src/, so one translation unit serves both. The shell's link codec (firmware/core/link_shell.c) comes in the
// same way.
#ifndef PIWIP_LINK_USB_H
#define PIWIP_LINK_USB_H

#include <Arduino.h>
#include <SD.h>

extern "C" {
#include "piwip_engine.h"
#include "link_shell.h"
#include "../../core/link_shell.c"
}

// The USB product string "piwip" (instead of "Teensy MIDI/Audio"): hosts and the norns mod find the module by it
// (udev ID_MODEL). The core declares the descriptor weak (cores teensy4/usb_desc.c), so this definition wins.
#include <usb_names.h>
extern "C" {
struct usb_string_descriptor_struct usb_string_product_name = {2 + 5 * 2, 3, {'p', 'i', 'w', 'i', 'p'}};
}

static const size_t kInPerBlock = 1024;
static uint8_t rxBuf[kInPerBlock];
static uint8_t txBuf[2048];
static bool sdOk = false;
static char psetText[16384];
static uint32_t blocks = 0;
static uint32_t blockFrames = 128;
static float sampleRate = 44100.0f;

static void usbWrite(const uint8_t *b, size_t n) {
  int room = Serial.availableForWrite();
  if (room <= 0) return;
  Serial.write(b, n > (size_t)room ? (size_t)room : n);
}

static void slotPath(char *p, size_t cap, int slot) { snprintf(p, cap, "/piwip/piwip-%02d.pset", slot); }

static void scanSlots() {
  if (!sdOk) return;
  for (int slot = 1; slot <= 99; slot++) {
    char path[32];
    slotPath(path, sizeof path, slot);
    File f = SD.open(path, FILE_READ);
    if (!f) { piwip_pset_slot_set(slot, nullptr); continue; }
    char name[64] = {0};
    size_t n = 0;
    // the "-- name" first line, as norns reads it
    if (f.read() == '-' && f.read() == '-') {
      int c = f.read();
      if (c != ' ' && c >= 0 && c != '\n') name[n++] = (char)c;
      while (n + 1 < sizeof name && (c = f.read()) >= 0 && c != '\n' && c != '\r') name[n++] = (char)c;
    }
    f.close();
    if (!n) snprintf(name, sizeof name, "piwip-%02d", slot);
    piwip_pset_slot_set(slot, name);
  }
  File last = SD.open("/piwip/pset-last.txt", FILE_READ);
  if (last) { piwip_pset_set_last((int)last.parseInt()); last.close(); }
}

static int loadSlot(int slot);

/** At boot the last slot saved or loaded comes back (the original read its piwip.pset at load, spec §10), so a MIDI
 *  map saved in it plays with no screen and no host. Called before the audio queues start. */
static void loadLastSlot() {
  if (!sdOk) return;
  File last = SD.open("/piwip/pset-last.txt", FILE_READ);
  if (!last) return;
  int slot = (int)last.parseInt();
  last.close();
  if (slot >= 1 && slot <= 99) loadSlot(slot);
}

static void writeLast(int slot) {
  SD.remove("/piwip/pset-last.txt");
  File f = SD.open("/piwip/pset-last.txt", FILE_WRITE);
  if (f) { f.printf("%d\n", slot); f.close(); }
}

/** Read slot's file into the engine; 0, or -1 (no file, a read error). */
static int loadSlot(int slot) {
  char path[32];
  slotPath(path, sizeof path, slot);
  File f = SD.open(path, FILE_READ);
  if (!f) return -1;
  int len = f.read(psetText, sizeof psetText);
  f.close();
  if (len < 0 || piwip_pset_read((const uint8_t *)psetText, len) < 0) return -1;
  piwip_pset_set_last(slot);
  return 0;
}

// One PSET request from the menu or the link. SD writes take a few ms: they happen here, in loop(), where the
// record/play queues cover the time (the audio interrupt keeps running).
static void psetStep() {
  int slot = 0, op = piwip_pset_request(&slot);
  if (!op) return;
  piwip_pset_request_pop();
  int code = -1;
  char path[32];
  slotPath(path, sizeof path, slot);
  if (sdOk && op == 1) {
    char name[16];
    snprintf(name, sizeof name, "piwip-%02d", slot);
    const uint8_t *t = nullptr;
    int len = piwip_pset_write(name, &t);
    SD.remove(path);
    File f = SD.open(path, FILE_WRITE);
    if (f && len >= 0 && f.write(t, (size_t)len) == (size_t)len) { code = 0; piwip_pset_slot_set(slot, name); piwip_pset_set_last(slot); writeLast(slot); }
    if (f) f.close();
  } else if (sdOk && op == 2) {
    if (loadSlot(slot) == 0) { code = 0; writeLast(slot); }
  } else if (sdOk && op == 3) {
    code = SD.remove(path) || !SD.exists(path) ? 0 : -1;
    piwip_pset_slot_set(slot, nullptr);
  }
  piwip_link_pset_done(op, slot, code);
}

static bool linkBegin(const char *version, float rate, int block, float recSeconds) {
  sampleRate = rate;
  blockFrames = (uint32_t)block;
  sdOk = SD.begin(BUILTIN_SDCARD);
  if (sdOk && !SD.exists("/piwip")) SD.mkdir("/piwip");
  char ident[128];
  snprintf(ident, sizeof ident, "piwip-teensy\n%s\nteensy41\n", version);
  piwip_link_identity(ident, 2 | (sdOk ? 4 : 0));
  static link_shell_info info;
  info = {"piwip-teensy", version, "teensy41", "", (uint32_t)rate, (uint16_t)block, recSeconds, 0};
  link_shell_init(&info, usbWrite);
  scanSlots();
  loadLastSlot();
  return sdOk;
}

static void linkBeforeBlock() {
  int avail = Serial.available();
  if (avail <= 0) return;
  size_t n = Serial.readBytes((char *)rxBuf, (size_t)avail > kInPerBlock ? kInPerBlock : (size_t)avail);
  uint32_t ms = (uint32_t)((uint64_t)blocks * blockFrames * 1000u / (uint32_t)sampleRate);
  if (piwip_link_ready()) piwip_link_in(rxBuf, n);
  else link_shell_feed(rxBuf, n, ms);
  int type, seq;
  const uint8_t *p;
  for (int len, k = 0; k < 4 && (len = piwip_link_shell(&type, &seq, &p)) >= 0; k++) {
    link_shell_frame(type, seq, p, len);
    piwip_link_shell_pop();
  }
}

static void linkAfterBlock(float meanPct, float worstPct, int xruns) {
  blocks++;
  if ((blocks & 63) == 0) piwip_link_set_load(meanPct, worstPct, xruns);
  piwip_link_service();
  psetStep();
  int room = Serial.availableForWrite();
  if (room <= 0 || !piwip_link_ready()) return;
  size_t n = piwip_link_out(txBuf, (size_t)room > sizeof txBuf ? sizeof txBuf : (size_t)room);
  if (n) Serial.write(txBuf, n);
}

#endif
