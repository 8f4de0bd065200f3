// Coverage guidance for JS parsers from V8 itself: precise block coverage through the inspector (the same data
// `c8` and `node --experimental-test-coverage` read). Counts reset at every take, so a take after a batch of
// inputs says which blocks the batch reached; blocks never seen before mark the batch as interesting.
import { Session } from 'node:inspector';

interface Range { startOffset: number; endOffset: number; count: number }
interface FunctionCov { functionName: string; ranges: Range[] }
interface ScriptCov { scriptId: string; url: string; functions: FunctionCov[] }

export class JsCoverage {
  private readonly session = new Session();
  /** Every block ever reached, as "url:start:end". */
  readonly covered = new Set<string>();
  /** Every block V8 has reported in the files (reached or not): the denominator of the figure. */
  readonly known = new Set<string>();

  /**
   * Start before the code to watch is loaded: functions V8 compiled earlier report only whole-function counts.
   * `files` (path substrings) can be set later, before the first take.
   */
  constructor(public files: readonly string[] = []) {
    this.session.connect();
    // inspector calls on the main thread of an isolate complete synchronously: the callbacks run inside post()
    this.post('Profiler.enable');
    this.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
  }

  private post(method: string, params?: object): unknown {
    let out: unknown;
    let err: Error | null = null;
    this.session.post(method, params ?? {}, (e: Error | null, r: unknown) => { err = e; out = r; });
    if (err) throw err;
    return out;
  }

  /** Per function (script url + function start): every range V8 has reported in it, as [start, end, key]. */
  private readonly blocks = new Map<string, [number, number, string][]>();

  /**
   * Blocks reached since the last take that were never reached before (counts reset at every take). V8 merges a
   * nested range into its parent when their counts agree, so the ranges reported differ from take to take; a block
   * is therefore every range ever reported in a function, and its count in a take is that of the innermost range
   * of that take that holds it. `commit` adds the new blocks to `covered`; without it they stay new, so a replay
   * of part of a batch can be asked about them.
   */
  take(commit = true): string[] {
    const res = this.post('Profiler.takePreciseCoverage') as { result: ScriptCov[] };
    const fresh: string[] = [];
    for (const s of res.result) {
      if (!this.files.some((f) => s.url.includes(f))) continue;
      for (const fn of s.functions) {
        const head = fn.ranges[0];
        if (!head) continue;
        const id = `${s.url}@${head.startOffset}`;
        let known = this.blocks.get(id);
        if (!known) { known = []; this.blocks.set(id, known); }
        for (const r of fn.ranges) {
          if (!known.some((k) => k[0] === r.startOffset && k[1] === r.endOffset)) {
            const key = `${id}:${r.startOffset}:${r.endOffset}`;
            known.push([r.startOffset, r.endOffset, key]);
            this.known.add(key);
          }
        }
        if (head.count === 0) continue; // not run in this take: nothing new in it
        for (const [a, b, key] of known) {
          if (this.covered.has(key)) continue;
          let span = Infinity;
          let count = 0;
          for (const r of fn.ranges) {
            if (r.startOffset <= a && r.endOffset >= b && r.endOffset - r.startOffset < span) { span = r.endOffset - r.startOffset; count = r.count; }
          }
          if (count > 0) fresh.push(key);
        }
      }
    }
    if (commit) for (const k of fresh) this.covered.add(k);
    return fresh;
  }

  stop(): void {
    this.post('Profiler.stopPreciseCoverage');
    this.post('Profiler.disable');
    this.session.disconnect();
  }
}
