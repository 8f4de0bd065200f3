// Command-line plumbing shared by the subcommands: injectable stdout/stderr (tests run main() in-process), usage
// errors with their exit code, a tiny option parser, and the stderr progress bar.
import { describeErrno } from '../io/errors.ts';


export interface Stream {
  write(s: string): unknown;
  isTTY?: boolean;
}
export interface CliIO { out: Stream; err: Stream }

/**
 * The real stdout/stderr, guarded: a reader that went away (EPIPE: `piwip params | head -1`) ends the output
 * quietly, a failed write (ENOSPC: `> /dev/full`) is one line on stderr and exit code 1 — never Node's unhandled
 * 'error' event and its stack trace. Writes after a failure are dropped.
 */
export function processIO(command = ''): CliIO {
  return { out: guardStream(process.stdout, 'stdout', command), err: guardStream(process.stderr, 'stderr', command) };
}

function guardStream(s: NodeJS.WriteStream, name: string, command: string): Stream {
  let failed = false;
  s.on('error', (e: NodeJS.ErrnoException) => {
    if (failed) return;
    failed = true;
    if (e.code === 'EPIPE') return; // the reader stopped reading: not an error of ours
    process.exitCode = EXIT_FILE;
    if (name !== 'stderr') {
      process.stderr.write(`piwip${command ? ` ${command}` : ''}: error: cannot write to ${name}: ${describeErrno(e)}\n`);
    }
  });
  return {
    write: (text: string) => (failed ? false : s.write(text)),
    get isTTY() { return s.isTTY === true; },
  };
}


/** Exit codes: 0 ok, 1 bad input file / engine failure, 2 bad command line. */
export const EXIT_OK = 0;
export const EXIT_FILE = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A live command (app, play) could not start: a missing device, a port in use, a missing build. One line, exit 1. */
export class AppError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AppError';
  }
}

export interface OptionSpec {
  /** true: takes a value; false: a flag. */
  value: boolean;
  multiple?: boolean;
  alias?: string;
}

export interface ParsedArgs {
  positional: string[];
  values: Map<string, string[]>;
  flags: Set<string>;
}

/** Parse `--name value`, `--name=value`, `-o value`, flags and positionals; `--` ends the options. */
export function parseArgs(argv: readonly string[], spec: Record<string, OptionSpec>): ParsedArgs {
  const byAlias = new Map<string, string>();
  for (const [name, s] of Object.entries(spec)) if (s.alias) byAlias.set(s.alias, name);
  const out: ParsedArgs = { positional: [], values: new Map(), flags: new Set() };
  let i = 0;
  let optionsDone = false;
  while (i < argv.length) {
    const a = argv[i++]!;
    if (optionsDone || !a.startsWith('-') || a === '-') { out.positional.push(a); continue; }
    if (a === '--') { optionsDone = true; continue; }
    let name: string;
    let inline: string | undefined;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      inline = eq > 0 ? a.slice(eq + 1) : undefined;
    } else {
      const n = byAlias.get(a.slice(1, 2));
      if (!n) throw new UsageError(`unknown option "${a}"`);
      name = n;
      inline = a.length > 2 ? a.slice(2) : undefined;
    }
    const s = spec[name];
    if (!s) throw new UsageError(`unknown option "--${name}"`);
    if (!s.value) {
      if (inline !== undefined) throw new UsageError(`option --${name} takes no value`);
      out.flags.add(name);
      continue;
    }
    const v = inline ?? argv[i++];
    if (v === undefined) throw new UsageError(`option --${name} needs a value`);
    const list = out.values.get(name) ?? [];
    if (list.length && !s.multiple) throw new UsageError(`option --${name} given twice`);
    list.push(v);
    out.values.set(name, list);
  }
  return out;
}

/** A number option: finite, within [min, max], integer when asked. */
export function numberOption(name: string, text: string, min: number, max: number, integer = false): number {
  const v = text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(v)) throw new UsageError(`--${name} expects a number, got "${text}"`);
  if (integer && !Number.isInteger(v)) throw new UsageError(`--${name} expects a whole number, got "${text}"`);
  if (v < min || v > max) throw new UsageError(`--${name} must be from ${min} to ${max}, got ${text}`);
  return v;
}

/** A one-line progress bar redrawn in place with \r; at most one redraw per whole percent. */
export class ProgressBar {
  private last = -1;
  private shown = false;
  constructor(private readonly stream: Stream, private readonly label: string, private readonly width = 30) {}

  update(done: number, total: number, suffix = ''): void {
    const f = total > 0 ? Math.min(1, done / total) : 1;
    const pct = Math.floor(f * 100);
    if (pct === this.last) return;
    this.last = pct;
    const fill = Math.round(f * this.width);
    this.stream.write(`\r${this.label} [${'#'.repeat(fill)}${'-'.repeat(this.width - fill)}] ${String(pct).padStart(3)}%${suffix}`);
    this.shown = true;
  }

  /** Finish the line so later output starts on a fresh one. */
  done(): void {
    if (this.shown) this.stream.write('\n');
    this.shown = false;
  }
}
