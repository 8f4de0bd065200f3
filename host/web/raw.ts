// The engine's raw exports seen from hosts that have no Node (the AudioWorklet): text buffer in/out as UTF-8
// without TextEncoder/TextDecoder (Chrome's AudioWorkletGlobalScope has neither), param table as JSON.
// host/engine/engine.ts is the Node-side wrapper; this is its small, dependency-free twin for the worklet.

export type RawExports = Record<string, any> & { memory: WebAssembly.Memory };

export function instantiate(bytes: ArrayBuffer | Uint8Array | WebAssembly.Module): RawExports {
  const mod = bytes instanceof WebAssembly.Module ? bytes : new WebAssembly.Module(bytes as BufferSource);
  return new WebAssembly.Instance(mod, {}).exports as unknown as RawExports;
}

export function utf8Encode(s: string): Uint8Array {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

export function utf8Decode(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length;) {
    const c = b[i++]!;
    let cp = c;
    if (c >= 0xf0) { cp = ((c & 7) << 18) | ((b[i]! & 63) << 12) | ((b[i + 1]! & 63) << 6) | (b[i + 2]! & 63); i += 3; }
    else if (c >= 0xe0) { cp = ((c & 15) << 12) | ((b[i]! & 63) << 6) | (b[i + 1]! & 63); i += 2; }
    else if (c >= 0xc0) { cp = ((c & 31) << 6) | (b[i]! & 63); i += 1; }
    s += String.fromCodePoint(cp);
  }
  return s;
}

export function writeText(ex: RawExports, bytes: Uint8Array): number {
  const n = Math.min(bytes.length, ex.textCap() as number);
  new Uint8Array(ex.memory.buffer, ex.textPtr(), n).set(bytes.subarray(0, n));
  return n;
}

export function readText(ex: RawExports, len: number): string {
  return len <= 0 ? '' : utf8Decode(new Uint8Array(ex.memory.buffer, ex.textPtr(), len).slice());
}

export interface RawParamInfo {
  index: number; id: string; group: string; type: 'control' | 'taper' | 'number' | 'option';
  min: number; max: number; step: number; default: number; value: number; k: number; units: string;
  note: boolean; options: string[]; formatted: string;
}

export function paramInfo(ex: RawExports, i: number): RawParamInfo {
  return JSON.parse(readText(ex, ex.paramInfo(i))) as RawParamInfo;
}
export function paramFormat(ex: RawExports, i: number): string { return readText(ex, ex.paramFormat(i)); }

/** Index of a param by id, -1 when unknown. */
export function paramIndex(ex: RawExports, id: string): number { return ex.paramIndex(writeText(ex, utf8Encode(id))) as number; }

/** Set an option param by its option name (options are stored 1-based). */
export function setOption(ex: RawExports, id: string, option: string): void {
  const i = paramIndex(ex, id);
  const k = i < 0 ? -1 : paramInfo(ex, i).options.indexOf(option);
  if (k < 0) throw new RangeError(`no option "${option}" for param "${id}"`);
  ex.paramSet(i, k + 1);
}
