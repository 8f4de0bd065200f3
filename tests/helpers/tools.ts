// Which Debian tools a test needs, and what happens when they are missing: the test is skipped with the reason
// (a laptop without the toolchains), unless PIWIP_REQUIRE_TOOLS=1 (set by .ci/run), where a missing tool fails it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const REQUIRE_TOOLS = process.env.PIWIP_REQUIRE_TOOLS === '1';

/** A tool is a command (run with `--version`, or `probe` args) or an absolute path that must exist. */
export interface Tool { name: string; probe?: string[] }

function present(t: Tool): boolean {
  if (t.name.startsWith('/')) return existsSync(t.name);
  const r = spawnSync(t.name, t.probe ?? ['--version'], { stdio: 'ignore', timeout: 10_000 });
  return !r.error;
}

const cache = new Map<string, boolean>();

/** The names of the missing tools (cached per process). */
export function missingTools(tools: (string | Tool)[]): string[] {
  const out: string[] = [];
  for (const x of tools) {
    const t = typeof x === 'string' ? { name: x } : x;
    let ok = cache.get(t.name);
    if (ok === undefined) { ok = present(t); cache.set(t.name, ok); }
    if (!ok) out.push(t.name);
  }
  return out;
}

/**
 * For `describe.skipIf(...)`/`it.skipIf(...)`: true when tools are missing and skipping is allowed. Prints the reason
 * once. Under PIWIP_REQUIRE_TOOLS=1 it never skips: it throws (so the suite fails with the install hint).
 */
export function skipWithout(what: string, tools: (string | Tool)[], install: string): boolean {
  const missing = missingTools(tools);
  if (!missing.length) return false;
  const msg = `${what}: skipped, missing ${missing.join(', ')} (install: ${install})`;
  if (REQUIRE_TOOLS) throw new Error(`${msg} — PIWIP_REQUIRE_TOOLS=1 turns this skip into a failure`);
  console.warn(msg);
  return true;
}

/**
 * The wasm3 tree a test builds against: WASM3_DIR when it holds wasm3's header and the Cortex-M7 library of
 * firmware/README.md's recipe, else '' after the line saying `what` is skipped (wasm3 is not a Debian package: CI
 * has none, and these tests skip there).
 */
export function wasm3M7Dir(what: string): string {
  const dir = process.env.WASM3_DIR ?? '';
  if (dir !== '' && existsSync(`${dir}/build-m7/libm3.a`) && existsSync(`${dir}/source/wasm3.h`)) return dir;
  console.warn(`${what}: skipped, WASM3_DIR is not set to a built wasm3 tree (see firmware/README.md)`);
  return '';
}
