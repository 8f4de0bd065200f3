// The piwip link (docs/link.md) on the Teensy's USB serial, and the module's PSET slots on the built-in SD card
// (/piwip/piwip-NN.pset, as norns keeps them). SD, not LittleFS in program flash: uploading new firmware erases a
// program-flash file system, and the SD card survives a reflash and can be read on a computer.
// Runs from loop() between audio blocks: bytes in (bounded), service, bytes out only as far as the USB buffer has
// room (never a blocking write); the engine's ring drops and counts what does not fit.
// Engine upload (wasm3 env, core/engine_stage.c): three 256 KiB image buffers in PSRAM, the self-test one 32-frame
// call per audio block (a quarter block of extra work; the 2 s test is 2757 calls, 8.0 s at 44.1 kHz), the commit to
// /piwip/engine.wasm on SD written 4 KiB per loop pass, and that file loaded at boot in place of the flash image.
// Header-only and included once, by main.cpp: the teensy-check build compiles src/main.cpp alone, PlatformIO all
// of src/, so one translation unit serves both. The shell's link codec (firmware/core/link_shell.c) comes in the
// same way.
#ifndef PIWIP_LINK_USB_H
#define PIWIP_LINK_USB_H

#include <Arduino.h>
#include <SD.h>

extern "C" {
#include "piwip_engine.h"
#include "engine_stage.h"
#include "link_shell.h"
#include "../../core/link_shell.c"
#include "../../core/engine_stage.c"
#include "../../core/sha256.c"
#ifdef PIWIP_ENGINE_WASM3
#include "ext_heap.h" // the same unit as main.cpp's (one copy of the allocator's state)
#endif
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
static uint8_t *stageBuf[3];
static const uint8_t *runningImage; // the engine's bytes: flash, or stageBuf[0] when booted from SD
static uint32_t runningLen;
static char bootNote[120];        // why the SD engine was not used (printed on USB serial with the status line)
static char identHead[96];
static char slotName[100][40];    // the slots as scanned or saved: a swapped-in engine gets them without SD reads
static int lastSlot;
static const char *const kBootEngine = "/piwip/engine.wasm";
static const char *const kBootTmp = "/piwip/engine.tmp";

static void usbWrite(const uint8_t *b, size_t n) {
  int room = Serial.availableForWrite();
  if (room <= 0) return;
  Serial.write(b, n > (size_t)room ? (size_t)room : n);
}

static void slotPath(char *p, size_t cap, int slot) { snprintf(p, cap, "/piwip/piwip-%02d.pset", slot); }

static void applySlots() {
  if (!sdOk) return;
  for (int slot = 1; slot <= 99; slot++) piwip_pset_slot_set(slot, slotName[slot][0] ? slotName[slot] : nullptr);
  if (lastSlot > 0) piwip_pset_set_last(lastSlot);
}

static void scanSlots() {
  if (!sdOk) return;
  for (int slot = 1; slot <= 99; slot++) {
    char path[32];
    slotPath(path, sizeof path, slot);
    slotName[slot][0] = 0;
    File f = SD.open(path, FILE_READ);
    if (!f) continue;
    char *name = slotName[slot];
    const size_t cap = sizeof slotName[slot];
    size_t n = 0;
    // the "-- name" first line, as norns reads it
    if (f.read() == '-' && f.read() == '-') {
      int c = f.read();
      if (c != ' ' && c >= 0 && c != '\n') name[n++] = (char)c;
      while (n + 1 < cap && (c = f.read()) >= 0 && c != '\n' && c != '\r') name[n++] = (char)c;
    }
    name[n] = 0;
    f.close();
    if (!n) snprintf(name, cap, "piwip-%02d", slot);
  }
  File last = SD.open("/piwip/pset-last.txt", FILE_READ);
  if (last) { lastSlot = (int)last.parseInt(); last.close(); }
  applySlots();
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
    if (f && len >= 0 && f.write(t, (size_t)len) == (size_t)len) {
      code = 0;
      piwip_pset_slot_set(slot, name);
      piwip_pset_set_last(slot);
      writeLast(slot);
      snprintf(slotName[slot], sizeof slotName[slot], "%s", name);
      lastSlot = slot;
    }
    if (f) f.close();
  } else if (sdOk && op == 2) {
    if (loadSlot(slot) == 0) { code = 0; writeLast(slot); lastSlot = slot; }
  } else if (sdOk && op == 3) {
    code = SD.remove(path) || !SD.exists(path) ? 0 : -1;
    piwip_pset_slot_set(slot, nullptr);
    slotName[slot][0] = 0;
  }
  piwip_link_pset_done(op, slot, code);
}

static bool sdStart() {
  static bool tried = false;
  if (!tried) {
    tried = true;
    sdOk = SD.begin(BUILTIN_SDCARD);
    if (sdOk && !SD.exists("/piwip")) SD.mkdir("/piwip");
  }
  return sdOk;
}

// ---- engine upload (wasm3) ------------------------------------------------------------------------------------
#ifdef PIWIP_ENGINE_WASM3
// The image buffers, before the engine's linear memory takes the rest of PSRAM; none without PSRAM (768 KiB would
// not leave the RAM2 heap anything). false = no uploads.
static bool linkStageAlloc() {
  if (!ext_heap_bytes()) return false;
  for (int i = 0; i < 3; i++)
    if (!(stageBuf[i] = (uint8_t *)malloc(ENGINE_STAGE_MAX_IMAGE))) return false;
  return true;
}

// The engine to load at boot: /piwip/engine.wasm from SD when it is there and passes the checks (read into the first
// image buffer), else the flash image, with bootNote saying why.
static const uint8_t *linkBootImage(const uint8_t *flash, uint32_t flashLen, uint32_t *len) {
  runningImage = flash;
  runningLen = *len = flashLen;
  bootNote[0] = 0;
  if (!piwip_stage_available || !stageBuf[0] || !sdStart() || !SD.exists(kBootEngine)) return flash;
  File f = SD.open(kBootEngine, FILE_READ);
  uint32_t n = f ? (uint32_t)f.size() : 0;
  const char *why = !f ? "cannot open it" : n > ENGINE_STAGE_MAX_IMAGE ? "larger than 256 KiB" : nullptr;
  if (!why && (size_t)f.read(stageBuf[0], n) != (size_t)n) why = "read error";
  if (f) f.close();
  if (!why) why = engine_stage_check(stageBuf[0], n);
  if (why) {
    snprintf(bootNote, sizeof bootNote, "piwip: boot engine %s: %s; using the flash engine", kBootEngine, why);
    return flash;
  }
  runningImage = stageBuf[0];
  runningLen = *len = n;
  return stageBuf[0];
}
// The SD engine did not start: say so and fall back to flash (main.cpp loads it).
static void linkBootFailed(const char *why) {
  snprintf(bootNote, sizeof bootNote, "piwip: boot engine %s: %s; using the flash engine", kBootEngine, why);
}
#endif

static void onSwapped(const char *) { applySlots(); }

// The commit: /piwip/engine.tmp written 4 KiB per loop pass (an SD write of the whole image at once would hold
// loop() for tens of ms), then renamed over /piwip/engine.wasm (FAT's rename does not replace: the old file is
// removed first, so a power cut in between boots the flash engine, never half an image).
static struct { const uint8_t *img; size_t len, at; File f; bool active; } commitJob;
static int onCommit(const uint8_t *img, size_t len, const char **why) {
  if (!sdOk) { *why = "no SD card"; return -1; }
  SD.remove(kBootTmp);
  commitJob.f = SD.open(kBootTmp, FILE_WRITE);
  if (!commitJob.f) { *why = "cannot create /piwip/engine.tmp"; return -1; }
  commitJob.img = img;
  commitJob.len = len;
  commitJob.at = 0;
  commitJob.active = true;
  return 1;
}
static void commitStep() {
  if (!commitJob.active) return;
  size_t k = commitJob.len - commitJob.at > 4096 ? 4096 : commitJob.len - commitJob.at;
  if (commitJob.f.write(commitJob.img + commitJob.at, k) != k) {
    commitJob.f.close();
    commitJob.active = false;
    engine_stage_committed(0, "SD write failed (/piwip/engine.tmp)");
    return;
  }
  commitJob.at += k;
  if (commitJob.at < commitJob.len) return;
  commitJob.f.close();
  commitJob.active = false;
  SD.remove(kBootEngine);
  bool ok = SD.rename(kBootTmp, kBootEngine);
  engine_stage_committed(ok, "cannot rename /piwip/engine.tmp to /piwip/engine.wasm");
}

// Every loop pass, link session or not (a swapped engine is confirmed or rolled back whoever listens): `blocks` is
// the board's block counter.
static void linkStageStep(uint32_t blocksNow) {
  static uint32_t seen;
  uint32_t d = blocksNow - seen;
  seen = blocksNow;
  engine_stage_step(d > 64 ? 64 : (int)d);
  commitStep();
}

static bool linkBegin(const char *version, float rate, int block, float recSeconds) {
  sampleRate = rate;
  blockFrames = (uint32_t)block;
  sdStart();
  int canUpload = piwip_stage_available && piwip_stage_available() && stageBuf[0];
  engine_stage_opts so;
  memset(&so, 0, sizeof so);
  so.cfg = {rate, block, recSeconds, (uint32_t)micros()};
  so.test_frames = 32;
  so.test_calls = 1;
  so.confirm_seconds = 10;
  for (int i = 0; i < 3; i++) so.buf[i] = canUpload ? stageBuf[i] : nullptr;
  so.running = runningImage;
  so.running_len = runningLen;
  so.swapped = onSwapped;
  so.commit = onCommit;
  so.commit_where = kBootEngine;
#ifdef PIWIP_ENGINE_WASM3
  // the second runtime's code pages, stack and tables go to PSRAM (~350 KB on the M7: RAM2's heap holds one runtime)
  so.staging_alloc = [](int on) { ext_heap_route_all(on); };
#endif
  snprintf(identHead, sizeof identHead, "piwip-teensy\n%s\nteensy41\n", version);
  so.ident_head = identHead;
  so.ident_caps = (canUpload ? 1 : 0) | 2 | (sdOk ? 4 : 0);
  engine_stage_init(&so);
  static link_shell_info info;
  info = {"piwip-teensy", version, "teensy41", "", (uint32_t)rate, (uint16_t)block, recSeconds, canUpload};
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
