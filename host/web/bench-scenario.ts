// The benchmark scenario on raw exports, shared by Node (tools/bench-web.ts) and the AudioWorklet, so both figures
// time the same work: recording a 220 Hz tone (K3 forced take) while 5 held notes play, 128-frame blocks.
import type { RawExports } from './raw.ts';

export const BENCH_SR = 48000;
export const BENCH_N = 128;

/** Runs `seconds` of audio through a fresh, initialised engine; returns ns per input sample over the measured part. */
export function benchScenario(ex: RawExports, seconds: number, now: () => number): number {
  const SR = BENCH_SR, N = BENCH_N;
  const inL = new Float32Array(ex.memory.buffer, ex.inputPtr(0), N);
  const inR = new Float32Array(ex.memory.buffer, ex.inputPtr(1), N);
  const total = Math.round(seconds * SR / N);
  const start = Math.ceil(0.6 * SR / N);
  let ph = 0;
  let t0 = 0;
  for (let b = 0; b < total; b++) {
    for (let i = 0; i < N; i++) {
      const k = b * N + i;
      ph += (220 * (1 + 0.01 * Math.sin(k * 0.0007))) / SR;
      inL[i] = 0.4 * Math.sin(2 * Math.PI * ph) + 0.2 * Math.sin(4 * Math.PI * ph);
    }
    inR.set(inL);
    if (b === start) {
      ex.key(3, 1); ex.key(3, 0);
      for (const n of [60, 64, 67, 71, 74]) { ex.midiIn(0x90); ex.midiIn(n); ex.midiIn(100); }
      t0 = now();
    }
    ex.process(N);
  }
  let started = 0;
  for (let v = 0; v < ex.voiceCount(); v++) started += ex.voiceStarted(v);
  if (ex.recording() !== 1 || started !== 5) throw new Error('bench scenario did not run as intended');
  return (now() - t0) * 1e6 / ((total - start - 1) * N);
}
