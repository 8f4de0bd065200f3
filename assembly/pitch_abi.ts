// Detector-only exports for the pitch evaluation harness (owned by the pitch-detector work).
export function pitchTestInit(sampleRate: f32, kind: i32): i32 { return -1; }
export function pitchTestInputPtr(): usize { return 0; }
export function pitchTestPush(n: i32): f32 { return 0; }
export function pitchTestHz(): f32 { return 0; }
export function pitchTestRawHz(): f32 { return 0; }
export function pitchTestConfidence(): f32 { return 0; }
