// piwip board file for Teensy 4.1 + audio shield: I2S in/out bridged to the shared engine (firmware/core) through
// AudioRecordQueue/AudioPlayQueue at 44.1 kHz, 128-frame blocks; MIDI from USB device, USB host and DIN (Serial1);
// key/encoder/param lines over USB serial. Only Teensy libraries plus firmware/core: keep this file thin.
#include <Arduino.h>
#include <Audio.h>
#include <USBHost_t36.h>

extern "C" {
#include "events.h"
#include "piwip_engine.h"
#ifndef PIWIP_ENGINE_WASM3
#include "rt_min.h"
#else
extern const uint8_t piwip_wasm[];
extern const uint32_t piwip_wasm_len;
#endif
extern uint8_t external_psram_size; // MB of PSRAM found at boot (cores/teensy4/startup.c)
}

AudioInputI2S i2sIn;
AudioOutputI2S i2sOut;
AudioRecordQueue recL, recR;
AudioPlayQueue playL, playR;
AudioConnection c1(i2sIn, 0, recL, 0), c2(i2sIn, 1, recR, 0), c3(playL, 0, i2sOut, 0), c4(playR, 0, i2sOut, 1);
AudioControlSGTL5000 codec;

USBHost usbHost;
MIDIDevice hostMidi(usbHost);

static const float kRate = AUDIO_SAMPLE_RATE_EXACT; // 44100 on Teensy 4
static const int kBlock = AUDIO_BLOCK_SAMPLES;      // 128
// Engine memory besides the recording buffer (measured ~134 KiB; kept generous) and the recording's cost per second.
static const uint32_t kEngineBaseBytes = 192 * 1024;
static const float kBytesPerSecond = 4.0f * kRate;  // mono f32

#ifndef PIWIP_ENGINE_WASM3
// Without PSRAM the linear memory lives in RAM2 (OCRAM, 512 KiB shared with DMA buffers and the heap).
static const uint32_t kRam2ArenaBytes = 384 * 1024;
DMAMEM static uint8_t ram2Arena[kRam2ArenaBytes] __attribute__((aligned(16)));
#endif

static float inL[kBlock], inR[kBlock], outL[kBlock], outR[kBlock];
static bool reportedDead = false;

static float recordSecondsFor(uint32_t arenaBytes) {
  float s = (float)(arenaBytes - kEngineBaseBytes) / kBytesPerSecond;
  s = floorf(s * 10.0f) / 10.0f;
  return s > 600.0f ? 600.0f : s;
}

static void startEngine() {
  uint32_t arenaBytes;
#ifndef PIWIP_ENGINE_WASM3
  uint8_t *arena = nullptr;
  if (external_psram_size > 0) {
    // PSRAM fitted: one allocation at boot, never freed (8 MB chip: ~46 s, 16 MB: ~94 s of recording)
    arenaBytes = (uint32_t)external_psram_size * 1024u * 1024u - 64u * 1024u;
    arena = (uint8_t *)extmem_malloc(arenaBytes);
  }
  if (!arena) {
    arena = ram2Arena;
    arenaBytes = kRam2ArenaBytes; // ~1.1 s of recording
  }
  rt_min_set_arena(arena, arenaBytes);
  int rc = piwip_load(nullptr, 0);
#else
  arenaBytes = 6u * 65536u; // d_m3MaxLinearMemoryPages=6 in platformio.ini, from wasm3's heap in RAM2
  int rc = piwip_load(piwip_wasm, piwip_wasm_len);
#endif
  piwip_config cfg = {kRate, kBlock, recordSecondsFor(arenaBytes), (uint32_t)micros()};
  if (rc == 0) rc = piwip_init(&cfg);
  Serial.printf("piwip: %s engine, %.1f s recording buffer, %s\n", piwip_engine_name(), cfg.max_rec_seconds,
                rc == 0 ? "ready" : piwip_last_error());
}

void setup() {
  AudioMemory(16);
  codec.enable();
  codec.inputSelect(AUDIO_INPUT_LINEIN);
  codec.volume(0.6f);
  Serial1.begin(31250); // DIN MIDI
  usbHost.begin();
  piwip_set_dead_output(PIWIP_DEAD_DRY);
  startEngine();
  recL.begin();
  recR.begin();
}

// Rebuild raw bytes from a parsed MIDI message (usbMIDI and USBHost_t36 both hand out type/channel/data).
template <typename M> static void forwardMidi(M &m) {
  while (m.read()) {
    uint8_t type = m.getType();
    if (type == 0xF0) continue; // SysEx: not used by the engine
    uint8_t status = type < 0xF0 ? (uint8_t)(type | ((m.getChannel() - 1) & 15)) : type;
    piwip_midi_byte(status);
    if (type == 0xF8 || type == 0xFA || type == 0xFB || type == 0xFC || type == 0xFE || type == 0xFF) continue;
    piwip_midi_byte(m.getData1() & 127);
    if (type != 0xC0 && type != 0xD0 && type != 0xF1 && type != 0xF3) piwip_midi_byte(m.getData2() & 127);
  }
}

// "key 2 1", "enc 3 -1", "mode 2", "param 100 probability", "midi 90 3c 64" from the USB serial host.
static void serialControl() {
  static char line[128];
  static size_t n = 0;
  while (Serial.available()) {
    char c = (char)Serial.read();
    if (c == '\n' || c == '\r' || n + 1 >= sizeof line) {
      line[n] = 0;
      piwip_event ev;
      if (n > 0 && piwip_event_parse(line, 0, &ev) == 1) piwip_event_apply(&ev);
      n = 0;
    } else {
      line[n++] = c;
    }
  }
}

static void toFloat(const int16_t *s, float *d) {
  for (int i = 0; i < kBlock; i++) d[i] = (float)s[i] * (1.0f / 32768.0f);
}
static void toInt16(const float *s, int16_t *d) {
  for (int i = 0; i < kBlock; i++) {
    float v = s[i] * 32767.0f;
    d[i] = (int16_t)(v > 32767.0f ? 32767.0f : v < -32768.0f ? -32768.0f : v);
  }
}

void loop() {
  usbHost.Task();
  forwardMidi(usbMIDI);
  forwardMidi(hostMidi);
  while (Serial1.available()) piwip_midi_byte((uint8_t)Serial1.read());
  serialControl();

  while (recL.available() > 0 && recR.available() > 0) {
    toFloat(recL.readBuffer(), inL);
    toFloat(recR.readBuffer(), inR);
    recL.freeBuffer();
    recR.freeBuffer();
    piwip_process(inL, inR, outL, outR, kBlock); // dead engine: dry input, never a crash
    int16_t *l = playL.getBuffer();
    int16_t *r = playR.getBuffer();
    toInt16(outL, l);
    toInt16(outR, r);
    playL.playBuffer();
    playR.playBuffer();
    if (!piwip_alive() && !reportedDead) {
      reportedDead = true;
      Serial.printf("piwip: engine stopped: %s (passing audio through)\n", piwip_last_error());
    }
  }
}
