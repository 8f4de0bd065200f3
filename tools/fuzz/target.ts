// The contract of one fuzz target (one file per target under tools/fuzz/targets/, found by the runner): the bytes it
// takes from outside, how it judges an input, and what guides the search. Add a target by adding a file that
// exports `target` (the link-frame parser goes here once it exists).
import type { Rng } from './mutate.ts';

/** What one input did. A thrown value that is not `expected` is a failure; so is `check` returning a string. */
export interface Outcome {
  /** true: the parser refused the input with its own clear error. */
  rejected: boolean;
  /**
   * A cheap coverage proxy for code V8 cannot see into (the wasm engine): a small integer describing the state the
   * input led to (return code, report counters, engine state). New values grow the corpus.
   */
  signature?: number;
}

export interface FuzzTarget {
  name: string;
  /** One line for the report: what is fed where. */
  what: string;
  /** Hand-written seeds: valid inputs and near misses. */
  seeds(): Uint8Array[];
  /** Inputs are cut to this many bytes. */
  maxLen: number;
  /** Tokens the mutator may insert or overwrite with (chunk ids, status bytes, JSON keys). */
  dictionary?: readonly (string | number[])[];
  /** A structure-aware mutation (e.g. of parsed JSON); return null to fall back to byte mutation. */
  mutate?(input: Uint8Array, rng: Rng): Uint8Array | null;
  /** Files (path substrings) whose V8 block coverage guides the search; absent = use `signature`. */
  coverFiles?: readonly string[];
  /** Errors that mean "refused with a clear message" (default: FileFormatError). */
  expected?(e: unknown): boolean;
  /** Called between inputs, outside the timing (e.g. replacing a worn engine, which records a take first). */
  idle?(): void;
  /** Called once per worker before the first input. */
  setup?(): void;
  /**
   * Run one input. Throw `expected` errors to reject it (counted, not a failure); return a problem string for
   * a broken invariant (NaN out, a param out of range, a multi-line error message).
   */
  run(input: Uint8Array): Outcome | string;
}
