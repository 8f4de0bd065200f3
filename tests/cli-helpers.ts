// Shared by the tests/cli-*.test.ts suites: builds the release wasm if it is missing, runs main() in-process with
// captured output, and makes temporary directories.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_WASM } from '../host/engine/engine.ts';
import { main } from '../host/cli/main.ts';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

export function ensureWasm(): void {
  if (!existsSync(DEFAULT_WASM)) {
    execFileSync('npx', ['asc', '--config', 'asconfig.json', '--target', 'release'], { cwd: ROOT, stdio: 'inherit' });
  }
}

export interface CliRun { code: number; out: string; err: string }

/** Run the CLI in-process; `tty` says whether the fake stderr claims to be a terminal. */
export async function runCli(argv: string[], tty = false): Promise<CliRun> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    out: { write: (s: string) => { out += s; return true; } },
    err: { write: (s: string) => { err += s; return true; }, isTTY: tty },
  });
  return { code, out, err };
}

export function tempDir(tag: string): { dir: string; path: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `piwip-${tag}-`));
  return { dir, path: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A sine burst then silence: `on` seconds of `hz` at `amp`, `off` seconds of silence. */
export function toneBurst(sr: number, hz: number, on: number, off: number, amp = 0.5): Float32Array {
  const x = new Float32Array(Math.round((on + off) * sr));
  const n = Math.round(on * sr);
  for (let i = 0; i < n; i++) x[i] = amp * Math.sin((2 * Math.PI * hz * i) / sr);
  return x;
}
