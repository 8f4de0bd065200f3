// Checks an uploaded engine must pass before it may replace the running one: a valid zero-import wasm with the
// ABI every shell calls, then a self-test of silence and noise through process() beside the running engine.
import type { PiwipEngine } from '../engine/engine.ts';

export const REQUIRED_ABI = 2;
export const SELF_TEST_SECONDS = 2;
/** Exports a module shell calls (assembly/index.ts, link_abi.ts, screen_abi.ts). */
export const REQUIRED_EXPORTS = [
  'memory', '_start', 'abiVersion', 'init', 'inputPtr', 'outputPtr', 'process', 'midiIn', 'key', 'enc', 'paramSet',
  'paramGet', 'paramCount', 'paramInfo', 'psetWrite', 'psetRead', 'screenPtr', 'screenFrame', 'linkIn', 'linkInPtr',
  'linkOut', 'linkOutPtr', 'linkService', 'linkIdentity', 'linkShellType', 'linkSend', 'linkSendPtr',
];

/** null when the image may be started, else why not (one line). */
export function checkEngineImage(bytes: Uint8Array): string | null {
  let mod: WebAssembly.Module;
  try { mod = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>); } catch (e) {
    return `not a valid wasm module (${e instanceof Error ? e.message.replace(/^WebAssembly\.Module\(\): /, '') : e})`;
  }
  const imports = WebAssembly.Module.imports(mod);
  if (imports.length) return `the engine must have no imports (it has ${imports.length}: ${imports[0]!.module}.${imports[0]!.name})`;
  const names = new Set(WebAssembly.Module.exports(mod).map((e) => e.name));
  const missing = REQUIRED_EXPORTS.filter((n) => !names.has(n));
  if (missing.length) return `not a piwip engine: missing export${missing.length > 1 ? 's' : ''} ${missing.slice(0, 4).join(', ')}`;
  const inst = new WebAssembly.Instance(mod, {});
  const abi = (inst.exports.abiVersion as () => number)();
  if (abi !== REQUIRED_ABI) return `engine ABI ${abi}, this module needs ${REQUIRED_ABI}`;
  return null;
}

export interface SelfTest { engine: PiwipEngine; block: number; blocks: number; noise: number }

/** Run up to k test blocks: first half silence, second half noise. true = passed, false = not done, string = failed. */
export function selfTestBlock(st: SelfTest, k: number): boolean | string {
  const e = st.engine, n = e.blockSize;
  const inL = new Float32Array(n), outL = new Float32Array(n), outR = new Float32Array(n);
  for (let j = 0; j < k && st.block < st.blocks; j++, st.block++) {
    if (st.block >= st.blocks / 2) {
      for (let i = 0; i < n; i++) {
        let x = st.noise;
        x ^= x << 13; x ^= x >>> 17; x ^= x << 5; st.noise = x >>> 0;
        inL[i] = (st.noise / 4294967296 - 0.5) * 1.6;
      }
    }
    try { e.process(inL, inL, outL, outR); } catch (err) { return `trap in process at block ${st.block} (${err instanceof Error ? err.message : err})`; }
    for (let i = 0; i < n; i++) if (!Number.isFinite(outL[i]!) || !Number.isFinite(outR[i]!)) return `non-finite output at block ${st.block}`;
  }
  return st.block >= st.blocks;
}
