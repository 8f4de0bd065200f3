// A few seconds of the soak (npm run soak) inside npm test: a fixed seed and a fixed amount of audio, so the
// outcome is the same on any machine. Also checks that the soak's own checks and replay work.
import { describe, it, expect } from 'vitest';
import { runSoak } from '../tools/soak/runner.ts';
import { checkSamples } from '../tools/soak/checks.ts';

// seed 7: every event and input kind happens within the first 120 s (and so does the open denormal bug)
const SEED = 7;
const AUDIO_SECONDS = 120;

describe('soak smoke', () => {
  const res = runSoak({ seed: SEED, audioSeconds: AUDIO_SECONDS });

  it(`runs ${AUDIO_SECONDS} s of audio with every kind of event and input`, () => {
    expect(res.audioSeconds).toBeGreaterThanOrEqual(AUDIO_SECONDS);
    expect(res.epochs).toBeGreaterThanOrEqual(1);
    expect(res.probes).toBe(res.epochs); // every epoch ended with a liveness probe that sounded
    for (const [kind, n] of Object.entries(res.events)) expect(n, kind).toBeGreaterThan(0);
    for (const [kind, n] of Object.entries(res.inputs)) expect(n, kind).toBeGreaterThan(0);
    expect(res.wasmBytes.min).toBeGreaterThan(0);
  });

  it('finds no NaN, trap, memory growth, out-of-bound sample, bad state or silent engine', () => {
    // denormals are a known open bug (tests/soak-findings.test.ts); anything else is new
    expect(res.failures.filter((f) => f.what !== 'denormal').map((f) => `${f.what} at block ${f.block}: ${f.detail}`)).toEqual([]);
  });

  it('finds no denormal either (open: tests/soak-findings.test.ts; make this it() with the fix)', () => {
    expect(res.failures.map((f) => `${f.what} at block ${f.block}: ${f.detail}`)).toEqual([]);
  });

  it('replays: the same seed reaches the same failure at the same block, bit for bit', () => {
    const first = res.failures[0];
    const stopAt = first ? first.block : 20000;
    const a = runSoak({ seed: SEED, replayBlock: stopAt, hash: true });
    const b = runSoak({ seed: SEED, replayBlock: stopAt, hash: true });
    expect(a.replay?.block).toBe(stopAt);
    expect(b.outputHash).toBe(a.outputHash);
    expect(b.replay?.lastEvents).toEqual(a.replay?.lastEvents);
    if (first) expect(a.failures[0]).toMatchObject({ what: first.what, detail: first.detail, block: first.block });
    // another seed takes another path
    expect(runSoak({ seed: SEED + 1, replayBlock: 2000, hash: true }).outputHash).not.toBe(runSoak({ seed: SEED, replayBlock: 2000, hash: true }).outputHash);
  });

  it('its sample check catches NaN, Inf, denormals and samples over the bound', () => {
    const peak = new Float64Array(1);
    const ok = new Float32Array([0, 0.5, -1, 1e-30]);
    expect(checkSamples(ok, ok, 4, 1, peak)).toBeNull();
    const bad = (v: number) => { const x = new Float32Array([0.1, v]); return checkSamples(ok, x, 2, 1, peak)?.what; };
    expect(bad(NaN)).toBe('non-finite');
    expect(bad(-Infinity)).toBe('non-finite');
    expect(bad(1e-40)).toBe('denormal');
    expect(bad(-1.5)).toBe('out of bound');
  });
});
