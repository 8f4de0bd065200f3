// Exports for hardware hosts (the Teensy board file, the Linux module); re-exported from index.ts.
// A board has several MIDI inputs (DIN bytes arriving a few at a time, whole USB messages, USB host cables): each
// source gets its own parser state. And a board sizes the recording buffer from its memory by asking the engine.
import { engine, MIDI_SOURCES } from "./piwip/engine";

/** One raw MIDI byte from source 0..3 (0 is the source midiIn() feeds). Each source keeps its own running status
 *  and partial message. Returns 0, or -1 for a bad source (the byte is ignored). */
export function midiInFrom(source: i32, byte: i32): i32 {
  if (source < 0 || source >= MIDI_SOURCES) return -1;
  if (engine.ready) engine.midiByteFrom(source, byte);
  return 0;
}
export function midiSources(): i32 { return MIDI_SOURCES; }

/**
  * init returns -5 (instead of trapping) when the host cannot give that memory.
 * Bytes of linear memory (counted from address 0, so the whole memory a host must provide) that
 * init(sampleRate, *, seconds) needs; 0 for arguments init would refuse, or a rate other than an initialised
 * engine's. Computed by the same functions init sizes its storage with; may allocate the rate's detectors
 * (a ~100 KiB, once per rate) so call it with the rate you will pass to init.
 */
export function bytesForSeconds(sampleRate: f32, seconds: f32): f64 {
  return engine.bytesFor(sampleRate, seconds);
}

/** The longest recording, in tenths of a second (1..600 s), whose bytesForSeconds fits in `bytes`; 0 = not even 1 s. */
export function secondsForBytes(sampleRate: f32, bytes: f64): f32 {
  let lo = 10; // tenths known to fit (after the first test)
  let hi = 6000;
  if (!(engine.bytesFor(sampleRate, 1) > 0) || engine.bytesFor(sampleRate, 1) > bytes) return 0;
  if (engine.bytesFor(sampleRate, 600) <= bytes) return 600;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (engine.bytesFor(sampleRate, <f32>mid / 10) <= bytes) lo = mid; else hi = mid;
  }
  return <f32>lo / 10;
}
