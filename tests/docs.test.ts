// README's params table is generated from the engine's table; it must not drift.
import { it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';

it('README params table matches the engine', () => {
  const out = execFileSync(process.execPath, ['bin/run-ts.mjs', 'tools/gen-params-doc.ts', '--check'], { encoding: 'utf8' });
  expect(out).toMatch(/up to date/);
});
