// The fuzz loop for one target: mutate a corpus entry, run it, judge it, keep it when it reached something new
// (V8 block coverage for JS parsers, the target's state signature for the wasm engine). Pure of I/O except the
// optional corpus/failure directory; the runner (run.ts) adds workers, a hang watchdog and the report.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileFormatError } from '../../host/io/errors.ts';
import { JsCoverage } from './coverage.ts';
import { Rng, mutate } from './mutate.ts';
import type { FuzzTarget, Outcome } from './target.ts';



export interface Problem { kind: string; message: string; input: Uint8Array }

export interface FuzzStats {
  target: string;
  inputs: number;
  rejected: number;
  failures: number;
  corpus: number;
  /** "412/530 blocks" (JS) or "87 states" (signature). */
  coverage: string;
  seconds: number;
  slowestMs: number;
  /** Inputs that were slow once but not when run again (a stalled machine, a GC pause): not failures. */
  stalls: number;
  problems: Problem[];
}

export interface LoopOptions {
  inputs: number;
  seed: number;
  /** Stop early after this many seconds (0 = no limit). */
  seconds?: number;
  /** Most inputs between coverage takes (the batch starts at 8 and doubles while nothing new turns up; default 1024). */
  batch?: number;
  /** An input slower than this is a failure ("hang"); the runner's watchdog catches real infinite loops. */
  slowMs?: number;
  corpusCap?: number;
  /** Where the corpus is loaded from and saved to (optional). */
  dir?: string;
  /** Called about every `progressEvery` inputs. */
  onProgress?(s: FuzzStats): void;
  progressEvery?: number;
  /** A coverage session started before the target's code was loaded (the worker does this); else one is made here. */
  coverage?: JsCoverage;
  /** Shared with the runner: [heartbeat, current input length] and the current input's bytes (hang capture). */
  shared?: { state: Int32Array; bytes: Uint8Array };
}

const MAX_PROBLEMS = 20;

function expectedDefault(e: unknown): boolean { return e instanceof FileFormatError; }

export function fuzz(target: FuzzTarget, o: LoopOptions): FuzzStats {
  // Rejections are thrown errors whose stacks are never read: capturing them costs more than the parsing.
  const stackLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return fuzzLoop(target, o);
  } finally {
    Error.stackTraceLimit = stackLimit;
  }
}

function fuzzLoop(target: FuzzTarget, o: LoopOptions): FuzzStats {
  const rng = new Rng(o.seed);
  const maxBatch = o.batch ?? 1024;
  let batch = 8;
  const cap = o.corpusCap ?? 4096;
  const slowMs = o.slowMs ?? 1000;
  const expected = target.expected ?? expectedDefault;
  const dict = target.dictionary ?? [];
  target.setup?.();
  const corpus: Uint8Array[] = target.seeds().map((s) => s.subarray(0, target.maxLen));
  const corpusDir = o.dir ? join(o.dir, 'corpus') : '';
  if (corpusDir && existsSync(corpusDir)) {
    for (const f of readdirSync(corpusDir).sort()) if (corpus.length < cap) corpus.push(new Uint8Array(readFileSync(join(corpusDir, f))));
  }
  let cov: JsCoverage | null = null;
  if (target.coverFiles) {
    cov = o.coverage ?? new JsCoverage();
    cov.files = target.coverFiles;
  } else o.coverage?.stop();
  const sigs = new Set<number>();
  const stats: FuzzStats = { target: target.name, inputs: 0, rejected: 0, failures: 0, corpus: 0, coverage: '', seconds: 0, slowestMs: 0, stalls: 0, problems: [] };
  const t0 = performance.now();

  /** Run one input; `replay` = a second run to locate new coverage (not counted again). */
  const judge = (x: Uint8Array, replay = false): Outcome | null => {
    if (o.shared) { o.shared.bytes.set(x.subarray(0, o.shared.bytes.length)); o.shared.state[1] = x.length; }
    const s = performance.now();
    let out: Outcome | null = null;
    let problem: [string, string] | null = null;
    try {
      const r = target.run(x);
      if (typeof r === 'string') problem = ['invariant', r];
      else out = r;
    } catch (e) {
      if (expected(e)) {
        const msg = (e as Error).message ?? '';
        if (!msg || msg.includes('\n')) problem = ['message', `refusal is not one line: ${JSON.stringify(msg)}`];
        else { if (!replay) stats.rejected++; out = { rejected: true }; }
      } else {
        problem = ['throw', `${(e as Error)?.name ?? typeof e}: ${(e as Error)?.message ?? String(e)}`.slice(0, 300)];
      }
    }
    if (o.shared) Atomics.add(o.shared.state, 0, 1); // the watchdog's heartbeat: replays are progress too
    if (replay) return out;
    const dt = performance.now() - s;
    if (dt > stats.slowestMs) stats.slowestMs = dt;
    if (!problem && dt > slowMs) {
      // Confirm on a second run: a busy machine (or a GC pause) can stall any one input; a slow parser stalls twice.
      const again = performance.now();
      try { target.run(x); } catch { /* judged above */ }
      const dt2 = performance.now() - again;
      if (dt2 > slowMs) problem = ['slow', `took ${dt.toFixed(0)} ms, then ${dt2.toFixed(0)} ms again (limit ${slowMs} ms)`];
      else stats.stalls++;
    }
    stats.inputs++;
    if (problem) {
      stats.failures++;
      if (stats.problems.length < MAX_PROBLEMS) stats.problems.push({ kind: problem[0], message: problem[1], input: x.slice() });
      return null;
    }
    return out;
  };
  const next = (x: Uint8Array): Outcome | null => { const r = judge(x); target.idle?.(); return r; };
  const keep = (x: Uint8Array) => { if (corpus.length < cap) corpus.push(x); else corpus[rng.below(cap)] = x; };
  /**
   * A batch reached blocks never seen (`want`): find the inputs responsible by bisection — replay each half, ask
   * which of the wanted blocks it reached, recurse — so a take (milliseconds) is paid about 2·log2(batch) times.
   */
  const locate = (xs: Uint8Array[], want: Set<string>): Set<string> => {
    if (xs.length === 1) { keep(xs[0]!); return want; } // it alone reached every block in `want`
    const explained = new Set<string>();
    const mid = xs.length >> 1;
    for (const half of [xs.slice(0, mid), xs.slice(mid)]) {
      const rest = new Set([...want].filter((k) => !explained.has(k)));
      if (!rest.size) break; // one input per new block: what the first half explains, the second is not asked for
      for (const y of half) judge(y, true);
      const got = new Set(cov!.take(false).filter((k) => rest.has(k)));
      if (got.size) for (const k of locate(half, got)) explained.add(k);
    }
    return explained;
  };

  const settle = (xs: Uint8Array[]): boolean => {
    const fresh = cov!.take(false);
    if (!fresh.length) return false;
    locate(xs, new Set(fresh));
    for (const k of fresh) cov!.covered.add(k);
    return true;
  };

  // Seeds first: they set the baseline coverage.
  for (const s of corpus.slice()) { const r = judge(s); if (r?.signature !== undefined) sigs.add(r.signature); }
  cov?.take();
  const pending: Uint8Array[] = [];
  const every = o.progressEvery ?? 50000;
  let nextProgress = every;
  let round = 0;
  const deadline = o.seconds ? t0 + o.seconds * 1000 : Infinity;
  while (stats.inputs < o.inputs) {
    const parent = corpus[rng.below(corpus.length)]!;
    const x = target.mutate?.(parent, rng) ?? mutate(parent, rng, corpus[rng.below(corpus.length)]!, dict, target.maxLen);
    const r = next(x);
    if (r?.signature !== undefined && !sigs.has(r.signature)) { sigs.add(r.signature); keep(x); }
    if (cov) {
      pending.push(x);
      if (pending.length >= batch) {
        // Something in the batch reached new blocks: replay it one input at a time to find which. A take costs
        // milliseconds, so batches shrink while new blocks keep turning up and grow while they do not.
        if (settle(pending)) batch = Math.max(8, batch >> 1);
        else batch = Math.min(maxBatch, batch * 2);
        pending.length = 0;
      }
    }
    if (stats.inputs >= nextProgress || stats.inputs >= o.inputs) {
      nextProgress = stats.inputs + every;
      fill();
      o.onProgress?.(stats);
    }
    if ((++round & 1023) === 0 && performance.now() > deadline) break;
  }
  if (cov) { if (pending.length) settle(pending); cov.stop(); }
  fill();
  if (o.dir) save(o.dir);
  return stats;

  function fill(): void {
    stats.corpus = corpus.length;
    stats.seconds = (performance.now() - t0) / 1000;
    stats.coverage = cov ? `${cov.covered.size}/${cov.known.size} blocks` : `${sigs.size} states`;
  }
  function save(dir: string): void {
    mkdirSync(corpusDir, { recursive: true });
    corpus.forEach((c, i) => writeFileSync(join(corpusDir, `${String(i).padStart(5, '0')}.bin`), c));
    if (stats.problems.length) {
      const fd = join(dir, 'failures');
      mkdirSync(fd, { recursive: true });
      stats.problems.forEach((p, i) => writeFileSync(join(fd, `${p.kind}-${i}.bin`), p.input));
    }
  }
}
