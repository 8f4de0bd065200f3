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

  /** Blocks reached since the last take; returns how many of them are new. */
  take(): number {
    const res = this.post('Profiler.takePreciseCoverage') as { result: ScriptCov[] };
    let fresh = 0;
    for (const s of res.result) {
      if (!this.files.some((f) => s.url.includes(f))) continue;
      for (const fn of s.functions) {
        for (const r of fn.ranges) {
          const key = `${s.url}:${r.startOffset}:${r.endOffset}`;
          this.known.add(key);
          if (r.count > 0 && !this.covered.has(key)) { this.covered.add(key); fresh++; }
        }
      }
    }
    return fresh;
  }

  stop(): void {
    this.post('Profiler.stopPreciseCoverage');
    this.post('Profiler.disable');
    this.session.disconnect();
  }
}
