// The shape every pitch detector in the engine shares, so the engine can swap them with one param.
// Input is mono f32 at the engine's sample rate, fed in order, in any block size up to 256.

export abstract class PitchDetector {
  /** Latest estimate in Hz; 0 = no pitch (unvoiced / below the gate). */
  hz: f32 = 0;
  /** Estimate before the voiced/unvoiced decision (0 if none). */
  rawHz: f32 = 0;
  /** 0..1, how sure the detector is of `hz`. */
  confidence: f32 = 0;
  /** Counts new estimates, so a caller can tell a fresh value from a held one. */
  estimates: i32 = 0;
  /** The input may hold chords (the tune mode's shifter): a detector that can tells a chord's common period from a
   *  note and names the chord's lowest note. Set around process() by its caller; off for the faithful presets. */
  chords: bool = false;

  /** Reserve every buffer. Called once, at engine init; nothing is allocated afterwards. */
  abstract init(sampleRate: f32): void;
  /** Forget the past (buffers to zero, no pitch). No allocation. */
  abstract reset(): void;
  /** Feed n samples (n <= 256) from a f32 pointer. Work per call is bounded. */
  abstract process(ptr: usize, n: i32): void;
}
