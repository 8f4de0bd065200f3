// A short run of every fuzz target (tools/fuzz/targets/) inside npm test: 0 failures, a growing corpus and some
// coverage; and proof the harness can fail: a planted throw, a planted NaN and a planted hang are all caught.
// The benchmark run (>= 10 M inputs per target) is `npm run fuzz`.
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzz } from '../tools/fuzz/loop.ts';
import { loadTargets } from '../tools/fuzz/registry.ts';
import { runTarget, type Args } from '../tools/fuzz/run.ts';
import type { FuzzTarget } from '../tools/fuzz/target.ts';
import { FileFormatError } from '../host/io/errors.ts';
import { ensureWasm, tempDir } from './cli-helpers.ts';

const tmp = tempDir('fuzz');
beforeAll(ensureWasm);
afterAll(tmp.cleanup);

/** Per target: coverage takes cost milliseconds inside vitest (it loads many scripts), so the JS parsers get fewer. */
const inputsFor = (t: FuzzTarget) => (t.coverFiles ? 400 : 1500);

describe('fuzz smoke run', async () => {
  const targets = await loadTargets();
  it('finds the six parsers that take outside bytes', () => {
    expect(targets.map((t) => t.target.name)).toEqual(['events', 'link', 'midi-file', 'midi-stream', 'pset', 'wav']);
  });
  for (const { target } of targets) {
    it(`${target.name}: ${inputsFor(target)} inputs, 0 failures`, () => {
      const s = fuzz(target, { inputs: inputsFor(target), seed: 12 });
      expect(s.problems.map((p) => `${p.kind}: ${p.message} [${Buffer.from(p.input).toString('hex')}]`)).toEqual([]);
      expect(s.failures).toBe(0);
      expect(s.inputs).toBeGreaterThanOrEqual(inputsFor(target));
      expect(s.corpus).toBeGreaterThan(target.seeds().length); // the guidance kept something new
      expect(s.coverage).toMatch(/^[1-9]\d* (states|\/\d+ blocks)|^[1-9]\d*\/\d+ blocks$/);
    });
  }
});

describe('the harness catches what it claims to', () => {
  // A toy parser with planted bugs: 0xAB 0xCD throws a TypeError, 0xEE yields NaN, a refusal is a FileFormatError.
  const toy: FuzzTarget = {
    name: 'toy', what: 'planted bugs', maxLen: 16,
    seeds: () => [Uint8Array.from([1, 2, 3, 0xab])],
    dictionary: [[0xab, 0xcd], [0xee]],
    run(x) {
      if (x[0] === 0) throw new FileFormatError('toy: refused');
      for (let i = 0; i + 1 < x.length; i++) if (x[i] === 0xab && x[i + 1] === 0xcd) throw new TypeError('planted');
      if (x.includes(0xee)) return 'output is NaN';
      return { rejected: false, signature: x.length };
    },
  };

  it('a foreign throw and a broken invariant are failures, a refusal is not', () => {
    const s = fuzz(toy, { inputs: 20000, seed: 3 });
    const kinds = new Set(s.problems.map((p) => `${p.kind}: ${p.message}`));
    expect(kinds).toContain('throw: TypeError: planted');
    expect(kinds).toContain('invariant: output is NaN');
    expect(s.rejected).toBeGreaterThan(0);
  });

  it('an input that never returns is caught by the watchdog as a hang, and the run goes on', async () => {
    const file = tmp.path('hang-target.mts');
    writeFileSync(file, `export const target = {
      name: 'hang', what: 'loops forever on 0x77', maxLen: 8,
      seeds: () => [Uint8Array.from([1, 2])], dictionary: [[0x77]],
      run(x) { if (x.includes(0x77)) for (;;) {} return { rejected: false, signature: x.length }; },
    };\n`);
    const { target } = await import(pathToFileURL(file).href) as { target: FuzzTarget };
    const a: Args = { out: tmp.path('out'), inputs: 3000, seconds: 3, only: [], seed: 5, jobs: 1, hangMs: 1000, quick: true };
    const s = await runTarget(pathToFileURL(file).href, target, a, () => {});
    const hangs = s.problems.filter((p) => p.kind === 'hang');
    expect(hangs.length).toBeGreaterThan(0);
    expect([...hangs[0]!.input]).toContain(0x77);
  }, 60000);
});
