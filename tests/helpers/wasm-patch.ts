// Test engines made from the real one with wabt (wasm2wat → edit → wat2wasm): an engine that reports another ABI,
// and one whose process() traps after N calls. Everything else is the real engine.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function edit(wasm: Uint8Array, fn: (wat: string) => string): Uint8Array {
  const d = mkdtempSync(join(tmpdir(), 'piwip-patch-'));
  writeFileSync(join(d, 'in.wasm'), wasm);
  execFileSync('wasm2wat', [join(d, 'in.wasm'), '-o', join(d, 'in.wat')]);
  const wat = fn(readFileSync(join(d, 'in.wat'), 'utf8'));
  writeFileSync(join(d, 'out.wat'), wat);
  execFileSync('wat2wasm', [join(d, 'out.wat'), '-o', join(d, 'out.wasm')]);
  return new Uint8Array(readFileSync(join(d, 'out.wasm')));
}

/** Point an export at a new function added at the end of the module. */
function reexport(wat: string, name: string, func: string, extra = ''): string {
  const re = new RegExp(`\\(export "${name}" \\(func (\\d+)\\)\\)`);
  const m = re.exec(wat);
  if (!m) throw new Error(`no export ${name}`);
  const body = func.replace(/\$ORIG/g, m[1]!);
  const out = wat.replace(re, `(export "${name}" (func $piwip_test_${name}))`);
  const end = out.lastIndexOf(')');
  return `${out.slice(0, end)}  ${extra}\n  ${body}\n)\n`;
}

export function withAbi(wasm: Uint8Array, abi: number): Uint8Array {
  return edit(wasm, (w) => reexport(w, 'abiVersion', `(func $piwip_test_abiVersion (result i32) i32.const ${abi})`));
}

export function trappingAfter(wasm: Uint8Array, calls: number): Uint8Array {
  return edit(wasm, (w) => reexport(w, 'process',
    `(func $piwip_test_process (param i32) (result i32)
    global.get $piwip_test_calls i32.const 1 i32.add global.set $piwip_test_calls
    global.get $piwip_test_calls i32.const ${calls} i32.gt_s if unreachable end
    local.get 0 call $ORIG)`,
    '(global $piwip_test_calls (mut i32) (i32.const 0))'));
}
