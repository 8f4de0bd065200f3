// pitch-eval module adapter: runs the engine's real wasm (build/piwip.wasm) through its pitchTest* exports.
//   node pitch-eval.mjs run --detector module:host/pitch/adapter.mjs[?kind=classic&key=0.9...]
// Query: kind = follower (default) | classic; follower knobs (see P_* in assembly/dsp/pitch/follower.ts):
// key, on, off, gate, wminhi, wfactor, agree, jump, wminlo, subk, faston, cosine, lobe, … (KNOBS below);
// chord=1 is the tune mode's detector (the chord rule, docs/pitch-detector.md step 9).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const WASM = fileURLToPath(new URL('../../build/piwip.wasm', import.meta.url));
const KNOBS = ['key', 'on', 'off', 'gate', 'wminhi', 'wfactor', 'agree', 'jump', 'wminlo', 'subk', 'faston', 'cosine', 'lobe', 'refine', 'suball', 'subclar', 'skip', 'refinelo', 'split', 'wminms', 'altbelow', 'altn', 'hold', 'octagree', 'confirm', 'chord', 'chordbeat', 'chordpresent'];

let compiled = null;
function module() {
  if (!compiled) compiled = new WebAssembly.Module(readFileSync(WASM));
  return compiled;
}

export const name = 'piwip-follower';
export const description = 'piwip engine pitch detector (real wasm, pitchTest* ABI)';

/** create(sampleRate, opts) -> { push(Float32Array) -> { hz, confidence, rawHz } } */
export function create(sampleRate, opts = {}) {
  const kindOpt = opts.kind ?? 'follower';
  const kind = kindOpt === 'classic' || kindOpt === 1 || kindOpt === '1' ? 1 : 0;
  const ex = new WebAssembly.Instance(module(), {}).exports;
  if (typeof ex._start === 'function') ex._start();
  const rc = ex.pitchTestInit(sampleRate, kind);
  if (rc !== 0) throw new Error(`pitchTestInit(${sampleRate}, ${kind}) = ${rc}`);
  if (kind === 0) {
    KNOBS.forEach((k, id) => {
      if (opts[k] !== undefined) ex.pitchTestSetParam(id, Number(opts[k]));
    });
  }
  const ptr = ex.pitchTestInputPtr();
  let buf = ex.memory.buffer;
  let view = new Float32Array(buf, ptr, 256);
  return {
    push(chunk) {
      let hz = 0;
      for (let off = 0; off < chunk.length; off += 256) {
        const n = Math.min(256, chunk.length - off);
        if (ex.memory.buffer !== buf) { buf = ex.memory.buffer; view = new Float32Array(buf, ptr, 256); }
        view.set(n === chunk.length ? chunk : chunk.subarray(off, off + n));
        hz = ex.pitchTestPush(n);
      }
      return { hz, confidence: ex.pitchTestConfidence(), rawHz: ex.pitchTestRawHz() };
    },
    /** Diagnostics (follower only): [[hz, clarity], ...] key maxima of the last analysis. */
    candidates() {
      const out = [];
      for (let k = 0; k < ex.pitchTestCandidateCount(); k++) out.push([ex.pitchTestCandidateHz(k), ex.pitchTestCandidateClarity(k)]);
      return out;
    },
  };
}
