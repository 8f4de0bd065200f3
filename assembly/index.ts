// piwip engine ABI: the flat facade every host (Node, AudioWorklet, wasm2c, wasm3) calls.
// Audio is planar f32: hosts write inputPtr(0/1), call process(frames), read outputPtr(0/1).
// Strings (param ids, info, PSET text) go through one shared text buffer: textPtr()/textCap().
// Every function is safe to call with bad arguments: it returns an error code, it never traps.
import { engine } from "./piwip/engine";

export * from "./screen_abi";
export * from "./pitch_abi";

/** ABI version; bump when an export changes meaning. */
export function abiVersion(): i32 { return 1; }

/**
 * Reserve all memory and reset. sampleRate 8000..192000 Hz, blockSize 1..256 frames,
 * maxRecSeconds 1..600 s (the recording buffer), seed for the engine's PRNG.
 * Returns 0, or a negative error: -1 already initialised, -2 bad sample rate, -3 bad block size, -4 bad length.
 */
export function init(sampleRate: f32, blockSize: i32, maxRecSeconds: f32, seed: u32): i32 {
  return engine.init(sampleRate, blockSize, maxRecSeconds, seed);
}
export function inputPtr(ch: i32): usize { return engine.inputPtr(ch); }
export function outputPtr(ch: i32): usize { return engine.outputPtr(ch); }
/** Process `frames` (1..blockSize) frames. Returns 0, or -1 when not initialised / bad frame count. */
export function process(frames: i32): i32 { return engine.process(frames); }
