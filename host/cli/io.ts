// Command-line plumbing shared by the subcommands: injectable stdout/stderr (tests run main() in-process), usage
// errors with their exit code, a tiny option parser, and the stderr progress bar.

export interface Stream {
  write(s: string): unknown;
  isTTY?: boolean;
}
export interface CliIO { out: Stream; err: Stream }

export const processIO = (): CliIO => ({ out: process.stdout, err: process.stderr });

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
