// Detector-only exports for the pitch evaluation harness and tests (owned by the pitch-detector work).
// kind 0 = PitchFollower (engine default), kind 1 = ClassicPitch (the Pitch.kr-like detector).
import { PitchDetector } from "./dsp/pitch/detector";
import { PitchFollower } from "./dsp/pitch/follower";
import { ClassicPitch } from "./dsp/pitch/classic";

const INPUT_CAP: i32 = 256;
let testInput: StaticArray<f32> | null = null;
let testFollower: PitchFollower | null = null;
let testClassic: ClassicPitch | null = null;
let testRate: f32 = 0;
let testKind: i32 = -1;

function active(): PitchDetector | null {
  if (testKind == 0) return testFollower;
  if (testKind == 1) return testClassic;
  return null;
}

/**
 * Select and reset a detector at sampleRate (8000..192000 Hz); kind 0 = follower, 1 = classic.
 * Allocates on the first call per kind and rate only. Returns 0, -1 bad kind, -2 bad rate.
 */
export function pitchTestInit(sampleRate: f32, kind: i32): i32 {
  if (!(sampleRate >= 8000 && sampleRate <= 192000)) return -2;
  if (kind != 0 && kind != 1) return -1;
  if (testInput == null) testInput = new StaticArray<f32>(INPUT_CAP);
  if (sampleRate != testRate) { testFollower = null; testClassic = null; testRate = sampleRate; }
  if (kind == 0) {
    if (testFollower == null) { const f = new PitchFollower(); f.init(sampleRate); testFollower = f; }
    else (testFollower as PitchFollower).reset();
  } else {
    if (testClassic == null) { const c = new ClassicPitch(); c.init(sampleRate); testClassic = c; }
    else (testClassic as ClassicPitch).reset();
  }
  testKind = kind;
  return 0;
}

/** Where the host writes up to 256 input samples (f32) before pitchTestPush. */
export function pitchTestInputPtr(): usize {
  return testInput == null ? 0 : changetype<usize>(testInput);
}

/** Feed n (1..256) samples from the input buffer; returns hz (0 = unvoiced), or -1 if not initialised. */
export function pitchTestPush(n: i32): f32 {
  const d = active();
  if (d == null || n < 1 || n > INPUT_CAP) return -1;
  d.process(changetype<usize>(testInput), n);
  return d.hz;
}

export function pitchTestHz(): f32 { const d = active(); return d == null ? 0 : d.hz; }
export function pitchTestRawHz(): f32 { const d = active(); return d == null ? 0 : d.rawHz; }
export function pitchTestConfidence(): f32 { const d = active(); return d == null ? 0 : d.confidence; }
export function pitchTestEstimates(): i32 { const d = active(); return d == null ? 0 : d.estimates; }

/** Tuning knob of the follower (id = P_* in dsp/pitch/follower.ts); resets it. Returns 0, or -1. */
export function pitchTestSetParam(id: i32, value: f32): i32 {
  if (testFollower == null) return -1;
  (testFollower as PitchFollower).setParam(id, value);
  (testFollower as PitchFollower).reset();
  return 0;
}

/** Follower diagnostics: candidates (key maxima) of the last analysis. */
export function pitchTestCandidateCount(): i32 { return testFollower == null ? 0 : (testFollower as PitchFollower).candidateCount(); }
export function pitchTestCandidateHz(k: i32): f32 { return testFollower == null ? 0 : (testFollower as PitchFollower).candidateHz(k); }
export function pitchTestCandidateClarity(k: i32): f32 { return testFollower == null ? 0 : (testFollower as PitchFollower).candidateClarity(k); }
