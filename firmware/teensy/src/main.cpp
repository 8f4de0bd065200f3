// piwip board file for Teensy 4.1 + audio shield: I2S in/out bridged to the shared engine (firmware/core) through
// AudioRecordQueue/AudioPlayQueue at 44.1 kHz, 128-frame blocks; MIDI from DIN (Serial1), USB device and USB host
// (through hubs), each source with its own parser state in the engine; on USB serial either the piwip link
// (docs/link.md, link_usb.h: a session starts with the first SLIP END byte a host sends) or, for a terminal,
// key/encoder/param lines and the status/stats text.
// Only Teensy libraries plus firmware/core and the header-only board units next to this file: keep it thin.
#include <Arduino.h>
#include <Audio.h>
#include <USBHost_t36.h>

#include "link_usb.h"
#include "panel.h"

extern "C" {
#include "board_queue.h"
#include "board_stats.h"
#include "events.h"
#include "piwip_engine.h"
#ifndef PIWIP_ENGINE_WASM3
#include "rt_min.h"
#else
#include "ext_heap.h"
extern const uint8_t piwip_wasm[];
extern const uint32_t piwip_wasm_len;
#endif
extern uint8_t external_psram_size; // MB of PSRAM found at boot (cores/teensy4/startup.c)
extern char *__brkval;              // RAM2 heap top (startup.c _sbrk)
extern unsigned long _heap_start, _heap_end, _ebss, _estack;
}

#ifdef PIWIP_ENGINE_WASM3
// wasm3 takes its linear memory from calloc/realloc: blocks of 64 KiB and more go to PSRAM (core/ext_heap.h, the
// allocation path the M7/QEMU image tests), everything else stays in newlib's RAM2 heap.
extern "C" {
PIWIP_EXT_HEAP_DEFINE_MALLOC()
}
#endif

AudioInputI2S i2sIn;
AudioOutputI2S i2sOut;
AudioRecordQueue recL, recR;
AudioPlayQueue playL, playR;
AudioConnection c1(i2sIn, 0, recL, 0), c2(i2sIn, 1, recR, 0), c3(playL, 0, i2sOut, 0), c4(playR, 0, i2sOut, 1);
AudioControlSGTL5000 codec;

// USB host port: up to two hubs, two MIDI devices. The BigBuffer driver claims high-speed (512-byte packet)
// devices as well as full-speed ones.
USBHost usbHost;
USBHub hub1(usbHost), hub2(usbHost);
MIDIDevice_BigBuffer hostMidi1(usbHost), hostMidi2(usbHost);

static const float kRate = AUDIO_SAMPLE_RATE_EXACT; // 44100 on Teensy 4
static const int kBlock = AUDIO_BLOCK_SAMPLES;      // 128
// MIDI sources (the engine keeps one parser each): 0 = USB serial "midi" lines, 1 = DIN, 2 = USB device,
// 3 = USB host. Multi-port USB interfaces: only the cables in kUsbCables (bit n = cable n) are played, so a
// second port (a DAW control port, a merged-in sequencer) never mixes its notes into the first one's.
enum { SRC_SERIAL = 0, SRC_DIN = 1, SRC_USB_DEVICE = 2, SRC_USB_HOST = 3 };
#ifndef PIWIP_USB_CABLES
#define PIWIP_USB_CABLES 0x0001u
#endif
static const uint16_t kUsbCables = PIWIP_USB_CABLES;
// Audio queues: at most kMaxBacklog input blocks are worked off per pass (older ones are dropped and counted, so a
// stall costs a glitch, not permanent latency); the play queues hold kPlayDepth blocks and never block.
static const int kMaxBacklog = 2;
static const int kPlayDepth = 3;
// AudioMemory: I2S in/out hold 4, the queues 2 x (kMaxBacklog + kPlayDepth + 1) = 12 in steady state; the rest is
// margin for a 12-block (35 ms) stall without losing capture blocks (tests/board-queue.test.ts, --memory 40).
static const int kAudioBlocks = 48;
// Serial1 (DIN MIDI, 31250 baud = 3125 bytes/s): 64 bytes of its own are 20 ms; 1 KiB more is 350 ms.
static uint8_t dinRx[1024];

#ifndef PIWIP_ENGINE_WASM3
// Without PSRAM the linear memory lives in RAM2 (OCRAM, 512 KiB shared with DMA buffers and the heap).
static const uint32_t kRam2ArenaBytes = 448 * 1024; // 7 pages: the engine alone (detectors, shifter) takes 225 KB
DMAMEM static uint8_t ram2Arena[kRam2ArenaBytes] __attribute__((aligned(16)));
#endif
// PSRAM left to other EXTMEM users (none in this firmware; room for a sample loader or a display buffer).
static const uint32_t kPsramReserve = 64 * 1024;

static int16_t silence[kBlock];
static float inL[kBlock], inR[kBlock], outL[kBlock], outR[kBlock];
static bool reportedDead = false, statusShown = false;
static float recordSeconds = 0; // the recording buffer init got (for the link's HELLO)
static bool linkSession = false; // USB serial carries the binary link (a host said something in SLIP) instead of text
static char statusLine[160];
board_stats g_board_stats; // read by the periodic report (and the link telemetry)

// ---- engine start: the recording length is what the engine says fits ----------------------------------------
static void startEngine() {
  uint32_t arenaBytes = 0;
  const char *where = "";
  int rc;
#ifndef PIWIP_ENGINE_WASM3
  uint8_t *arena = nullptr;
  if (external_psram_size > 0) {
    arenaBytes = (uint32_t)external_psram_size * 1024u * 1024u - kPsramReserve;
    arena = (uint8_t *)extmem_malloc(arenaBytes); // one allocation at boot, never freed
    where = "PSRAM";
  }
  if (!arena) {
    arena = ram2Arena;
    arenaBytes = kRam2ArenaBytes;
    where = external_psram_size ? "RAM2 (PSRAM allocation failed)" : "RAM2 (no PSRAM fitted)";
  }
  rt_min_set_arena(arena, arenaBytes);
  rc = piwip_load(nullptr, 0);
#else
  if (external_psram_size > 0) {
    arenaBytes = (uint32_t)external_psram_size * 1024u * 1024u - kPsramReserve;
    void *region = extmem_malloc(arenaBytes);
    if (region && ((uint32_t)region >> 28) == 7) {
      ext_heap_init(region, arenaBytes);
      where = "PSRAM";
      linkStageAlloc(); // engine upload: the image buffers below the linear memory
    } else {
      if (region) extmem_free(region);
      arenaBytes = 0;
    }
  }
  if (!ext_heap_bytes()) {
    // No PSRAM: wasm3's realloc in the RAM2 heap may need the old and the new memory at once, so count half of
    // what is free there. A few seconds at most: fit an 8 or 16 MB PSRAM chip for real recording lengths.
    arenaBytes = (uint32_t)((char *)&_heap_end - __brkval) / 2;
    where = "RAM2 heap: no PSRAM fitted (external_psram_size = 0)";
  }
  // the bytes stay in flash (piwip_wasm_data.c puts them in PROGMEM); wasm3 parses them in place. An engine
  // committed over the link (/piwip/engine.wasm on SD) runs instead when it is there and starts.
  uint32_t imageLen = 0;
  const uint8_t *image = linkBootImage(piwip_wasm, piwip_wasm_len, &imageLen);
  rc = piwip_load(image, imageLen);
  if (rc != 0 && image != piwip_wasm) {
    linkBootFailed(piwip_last_error());
    runningImage = piwip_wasm;
    runningLen = piwip_wasm_len;
    rc = piwip_load(piwip_wasm, piwip_wasm_len);
  }
#endif
  float seconds = 0;
  if (rc == 0) {
    // the engine's own figure for what fits (its detectors, pitch map and polls besides the audio)
    uint32_t usable = arenaBytes;
#ifdef PIWIP_ENGINE_WASM3
    if (ext_heap_bytes()) usable = (uint32_t)ext_heap_max_block() - 64u; // wasm3's memory header
    // an uploaded engine runs beside this one until its commit: each linear memory gets half of what is left, less
    // 1 MiB for the second runtime's code pages and stack (link_usb.h routes them to PSRAM too)
    if (ext_heap_bytes() && stageBuf[0]) usable = usable / 2 - 1024u * 1024u;
#endif
    usable &= ~0xFFFFu; // linear memory comes in whole 64 KiB pages
    seconds = piwip_seconds_for_bytes(kRate, (double)usable);
    if (seconds > 600.0f) seconds = 600.0f;
    if (seconds < 1.0f) rc = PIWIP_E_ARG;
  }
  piwip_config cfg = {kRate, kBlock, seconds, (uint32_t)micros()};
  recordSeconds = seconds;
  if (rc == 0) rc = piwip_init(&cfg);
#ifdef PIWIP_ENGINE_WASM3
  if (rc != 0 && runningImage != piwip_wasm) { // the SD engine loaded but did not start: the flash one does
    linkBootFailed(piwip_last_error());
    runningImage = piwip_wasm;
    runningLen = piwip_wasm_len;
    rc = piwip_load(piwip_wasm, piwip_wasm_len);
    if (rc == 0) rc = piwip_init(&cfg);
  }
#endif
  g_board_stats.arena_bytes = arenaBytes;
  snprintf(statusLine, sizeof statusLine, "piwip: %s engine, %.1f s recording buffer in %s (%lu KiB), %s",
           piwip_engine_name(), (double)seconds, where, (unsigned long)(arenaBytes / 1024),
           rc == 0 ? "ready"
           : seconds < 1.0f && rc == PIWIP_E_ARG ? "not enough memory for 1 s of recording"
                                                 : piwip_last_error());
}

// ---- MIDI: one engine parser per source ----------------------------------------------------------------------
// Rebuild raw bytes from a parsed message (usbMIDI and USBHost_t36 both hand out whole messages), on the source's
// own parser, so a whole USB message can never land inside a DIN message that is still arriving.
template <typename M> static void forwardMidi(M &m, int source) {
  while (m.read()) {
    if (!((kUsbCables >> (m.getCable() & 15)) & 1)) continue;
    uint8_t type = m.getType();
    if (type == 0xF0) continue; // SysEx: not used by the engine
    uint8_t status = type < 0xF0 ? (uint8_t)(type | ((m.getChannel() - 1) & 15)) : type;
    uint8_t b[3] = {status, (uint8_t)(m.getData1() & 127), (uint8_t)(m.getData2() & 127)};
    int n = 3;
    if (type >= 0xF6) n = 1; // realtime, tune request
    else if (type == 0xC0 || type == 0xD0 || type == 0xF1 || type == 0xF3) n = 2;
    for (int i = 0; i < n; i++) piwip_midi_byte_from(source, b[i]);
    g_board_stats.midi_bytes[source] += (uint32_t)n;
  }
}

static void readDin() {
  // bounded: at most what 20 ms of DIN can carry per pass; the rest waits in Serial1's enlarged buffer
  for (int i = 0; i < 64 && Serial1.available(); i++) {
    piwip_midi_byte_from(SRC_DIN, (uint8_t)Serial1.read());
    g_board_stats.midi_bytes[SRC_DIN]++;
  }
}

// ---- audio: board_queue.h's pass over the Teensy queues ------------------------------------------------------
static AudioRecordQueue *const recQ[2] = {&recL, &recR};
static AudioPlayQueue *const playQ[2] = {&playL, &playR};
static int opRecAvailable(int ch) { return recQ[ch]->available(); }
static const int16_t *opRecRead(int ch) {
  const int16_t *p = recQ[ch]->readBuffer();
  return p ? p : silence; // a NULL block (no memory upstream) reads as silence
}
static void opRecFree(int ch) { recQ[ch]->freeBuffer(); }
static int16_t *opPlayGet(int ch) { return playQ[ch]->getBuffer(); }
static int opPlayPut(int ch) { return (int)playQ[ch]->playBuffer(); }
static void opIrqOff() { AudioNoInterrupts(); }
static void opIrqOn() { AudioInterrupts(); }

static void toFloat(const int16_t *s, float *d) {
  for (int i = 0; i < kBlock; i++) d[i] = (float)s[i] * (1.0f / 32768.0f);
}
static void toInt16(const float *s, int16_t *d) {
  for (int i = 0; i < kBlock; i++) {
    float v = s[i] * 32767.0f;
    d[i] = (int16_t)(v > 32767.0f ? 32767.0f : v < -32768.0f ? -32768.0f : v);
  }
}
static void opProcess(const int16_t *l, const int16_t *r, int16_t *ol, int16_t *orr) {
  toFloat(l, inL);
  toFloat(r, inR);
  uint32_t t0 = ARM_DWT_CYCCNT;
  piwip_process(inL, inR, outL, outR, kBlock); // dead engine: dry input, never a crash
  uint32_t dt = ARM_DWT_CYCCNT - t0;
  board_stats &st = g_board_stats;
  st.cycles_last = dt;
  st.cycles_total += dt;
  if (dt > st.cycles_worst) st.cycles_worst = dt;
  if (ol) {
    toInt16(outL, ol);
    toInt16(outR, orr);
  }
}
static const board_audio_ops kAudioOps = {opRecAvailable, opRecRead, opRecFree, opPlayGet, opPlayPut,
                                          opIrqOff,       opIrqOn,   opProcess};

// ---- load figures -------------------------------------------------------------------------------------------
// The DTCM stack is painted at boot; the lowest word still holding the paint is the stack's high-water mark.
static const uint32_t kPaint = 0xA5A5A5A5u;
static void paintStack() {
  uint32_t *p = (uint32_t *)&_ebss, *sp = (uint32_t *)__builtin_frame_address(0) - 64;
  while (p < sp) *p++ = kPaint;
}
static uint32_t stackFree() {
  const uint32_t *p = (const uint32_t *)&_ebss, *top = (const uint32_t *)&_estack;
  while (p < top && *p == kPaint) p++;
  return (uint32_t)((const char *)p - (const char *)&_ebss);
}

static void updateStats() {
  board_stats &st = g_board_stats;
  st.audio_blocks = kAudioBlocks;
  st.audio_blocks_max = AudioMemoryUsageMax();
  st.engine_bytes = (uint32_t)piwip_memory_bytes();
  st.heap_bytes = (uint32_t)(__brkval - (char *)&_heap_start);
  st.stack_free_min = stackFree();
}

static void printStats() {
  updateStats();
  const board_stats &st = g_board_stats;
  uint32_t mean = board_stats_mean_cycles(&st);
  // a block lasts 128 / 44100 s = 1,741,497 cycles at 600 MHz
  const float blockCycles = (float)F_CPU_ACTUAL * (float)kBlock / kRate;
  Serial.printf("piwip: blocks %lu, engine cycles/block mean %lu (%.1f %%) worst %lu (%.1f %%), xruns %lu "
                "(skipped %lu, refused %lu, late %lu)\n",
                (unsigned long)st.blocks, (unsigned long)mean, 100.0f * (float)mean / blockCycles,
                (unsigned long)st.cycles_worst, 100.0f * (float)st.cycles_worst / blockCycles, (unsigned long)st.xruns,
                (unsigned long)st.skipped, (unsigned long)st.refused, (unsigned long)st.late);
  Serial.printf("piwip: memory: audio blocks %lu of %lu, engine %lu KiB of %lu KiB, RAM2 heap %lu KiB, stack never "
                "used %lu B; MIDI bytes serial/DIN/USB/host %lu/%lu/%lu/%lu\n",
                (unsigned long)st.audio_blocks_max, (unsigned long)st.audio_blocks,
                (unsigned long)(st.engine_bytes / 1024), (unsigned long)(st.arena_bytes / 1024),
                (unsigned long)(st.heap_bytes / 1024), (unsigned long)st.stack_free_min,
                (unsigned long)st.midi_bytes[0], (unsigned long)st.midi_bytes[1], (unsigned long)st.midi_bytes[2],
                (unsigned long)st.midi_bytes[3]);
}

// "key 2 1", "enc 3 -1", "mode 2", "param 100 probability", "midi 90 3c 64", "stats" from the USB serial host.
static void serialControl() {
  static char line[128];
  static size_t n = 0;
  for (int k = 0; k < 256 && Serial.available(); k++) { // bounded per pass
    char c = (char)Serial.read();
    if (c == '\n' || c == '\r' || n + 1 >= sizeof line) {
      line[n] = 0;
      piwip_event ev;
      if (n == 5 && !strcmp(line, "stats")) printStats();
      else if (n > 0 && piwip_event_parse(line, 0, &ev) == 1) piwip_event_apply(&ev);
      n = 0;
    } else {
      line[n++] = c;
    }
  }
}

void setup() {
  paintStack();
  AudioMemory(kAudioBlocks);
  codec.enable();
  codec.inputSelect(AUDIO_INPUT_LINEIN);
  codec.volume(0.6f);
  Serial1.begin(31250); // DIN MIDI
  Serial1.addMemoryForRead(dinRx, sizeof dinRx);
  usbHost.begin();
  piwip_set_dead_output(PIWIP_DEAD_DRY);
  startEngine();
  for (int ch = 0; ch < 2; ch++) {
    playQ[ch]->setMaxBuffers(kPlayDepth + 1); // the ring keeps one slot free
    playQ[ch]->setBehaviour(AudioPlayQueue::NON_STALLING);
  }
  PIWIP_PANEL_BEGIN(); // the OLED's reset and init (2 ms), before the record queues start filling
  linkBegin("0.1.0", kRate, kBlock, recordSeconds);
  AudioNoInterrupts(); // both record queues start in the same update
  recL.begin();
  recR.begin();
  AudioInterrupts();
  // The status line is only worth printing once someone listens: wait up to 2 s for the USB serial port (audio
  // already runs); if it opens later, loop() prints it then.
  for (uint32_t t0 = millis(); !Serial && millis() - t0 < 2000;) board_queue_pass(&kAudioOps, kMaxBacklog, &g_board_stats);
}

void loop() {
  usbHost.Task();
  forwardMidi(usbMIDI, SRC_USB_DEVICE);
  forwardMidi(hostMidi1, SRC_USB_HOST);
  forwardMidi(hostMidi2, SRC_USB_HOST);
  readDin();
  PIWIP_PANEL_SERVICE(); // keys/encoders into the engine, the next screen piece onto SPI1 (DMA, never waits)
  // a host speaking the link starts with a SLIP END (0xC0); a terminal types text lines
  if (!linkSession && Serial.available() > 0 && Serial.peek() == 0xC0) linkSession = true;
  if (!Serial && linkSession) { linkSession = false; piwip_link_reset(); }
  if (linkSession) linkBeforeBlock();
  else serialControl();
  board_queue_pass(&kAudioOps, kMaxBacklog, &g_board_stats);
  linkStageStep(g_board_stats.blocks); // an uploaded engine's self-test, swap, commit or rollback
  if (linkSession) {
    const board_stats &st = g_board_stats;
    const float blockCycles = (float)F_CPU_ACTUAL * (float)kBlock / kRate;
    linkAfterBlock(100.0f * (float)board_stats_mean_cycles(&st) / blockCycles, 100.0f * (float)st.cycles_worst / blockCycles,
                   (int)st.xruns);
    return; // no text on a port that carries frames
  }

  static uint32_t lastReport;
  if (Serial && !statusShown) {
    statusShown = true;
    Serial.println(statusLine);
    if (bootNote[0]) Serial.println(bootNote);
    printStats();
    lastReport = millis();
  }
  if (!Serial) statusShown = false; // a new terminal gets the status again
  if (!piwip_alive() && !reportedDead && Serial) {
    reportedDead = true;
    Serial.printf("piwip: engine stopped: %s (passing audio through)\n", piwip_last_error());
  }
  if (Serial && millis() - lastReport >= 10000) { // periodic load figures
    lastReport = millis();
    printStats();
  }
}
