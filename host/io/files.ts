// Where the command line writes: directories made one level at a time (Node's recursive mkdir spins forever on
// procfs, where mkdir fails with ENOENT under an existing parent), outputs that never replace an input (same path,
// a symlink or a hard link to it: compared by device and inode), all checked before any rendering starts.
import { closeSync, lstatSync, mkdirSync, openSync, realpathSync, renameSync, statSync, unlinkSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { FileFormatError, describeErrno } from './errors.ts';

/** Deepest directory chain ensureDir will create: a path is a few dozen levels at most. */
const MAX_NEW_LEVELS = 64;

function errnoOf(e: unknown): string { return (e as NodeJS.ErrnoException).code ?? ''; }

function statOrNull(p: string): Stats | null {
  try { return statSync(p); } catch (e) {
    if (['ENOENT', 'ENOTDIR'].includes(errnoOf(e))) return null;
    throw e;
  }
}

function isSymlink(p: string): boolean {
  try { return lstatSync(p).isSymbolicLink(); } catch { return false; }
}

/**
 * Make `dir` and any missing parents (`label` starts the message: `--screens "shots"`). A dangling symlink, a file
 * in the way, or a file system that refuses (procfs, read-only, permissions) is a one-line FileFormatError.
 */
export function ensureDir(dir: string, label: string): void {
  const missing: string[] = [];
  let p = resolve(dir);
  try {
    for (;;) {
      const st = statOrNull(p);
      if (st) {
        if (!st.isDirectory()) throw new FileFormatError(`${label}: ${p} is not a directory`);
        break;
      }
      if (isSymlink(p)) throw new FileFormatError(`${label}: ${p} is a symbolic link to something that does not exist`);
      missing.push(p);
      if (missing.length > MAX_NEW_LEVELS) throw new FileFormatError(`${label}: too many missing directory levels`);
      const up = dirname(p);
      if (up === p) break;
      p = up;
    }
    for (const m of missing.reverse()) {
      try {
        mkdirSync(m);
      } catch (e) {
        if (errnoOf(e) === 'EEXIST' && statOrNull(m)?.isDirectory()) continue;
        throw new FileFormatError(`${label}: cannot create directory ${m}: ${describeErrno(e)}`);
      }
    }
  } catch (e) {
    if (e instanceof FileFormatError) throw e;
    throw new FileFormatError(`${label}: ${describeErrno(e)}`);
  }
}

/** An input the outputs must not replace: what the user called it, and its device/inode. */
export interface InputFile { label: string; path: string; dev: number; ino: number }

export function inputFile(label: string, path: string): InputFile | null {
  const st = statOrNull(path);
  return st && st.isFile() ? { label, path, dev: st.dev, ino: st.ino } : null;
}

/** Refuse `target` when it is (or resolves to) one of the inputs. */
export function refuseInput(target: string, inputs: readonly InputFile[], what: string): void {
  const st = statOrNull(target);
  let real = resolve(target);
  try { real = realpathSync(target); } catch { /* not there yet: compare the plain path */ }
  for (const i of inputs) {
    let inReal = resolve(i.path);
    try { inReal = realpathSync(i.path); } catch { /* checked by dev/ino */ }
    if (real === inReal || (st && st.dev === i.dev && st.ino === i.ino)) {
      throw new FileFormatError(`${what} "${target}" is the ${i.label} "${i.path}"; refusing to write over an input (choose another output name)`);
    }
  }
}

/**
 * An output file opened before the render: a regular file is written to a temporary name next to it and renamed
 * into place at the end (a failed render leaves the old file alone); a device or pipe (/dev/null, /dev/stdout) is
 * written directly. Symlinked outputs write to the file they point at.
 */
export class OutputFile {
  readonly fd: number;
  private readonly tmp: string | null;
  private done = false;

  private constructor(readonly path: string, readonly finalPath: string, fd: number, tmp: string | null) {
    this.fd = fd;
    this.tmp = tmp;
  }

  static open(path: string, inputs: readonly InputFile[], what = 'output'): OutputFile {
    refuseInput(path, inputs, what);
    let target = path;
    if (isSymlink(path)) {
      try { target = realpathSync(path); } catch {
        throw new FileFormatError(`${what} "${path}" is a symbolic link to something that does not exist`);
      }
    }
    const st = statOrNull(target);
    if (st?.isDirectory()) throw new FileFormatError(`${what} "${path}" is a directory`);
    try {
      if (st && !st.isFile()) return new OutputFile(path, target, openSync(target, 'w'), null);
      ensureDir(dirname(resolve(target)), `${what} "${path}"`);
      const tmp = join(dirname(resolve(target)), `.${basename(target)}.${process.pid}.part`);
      try {
        return new OutputFile(path, target, openSync(tmp, 'w'), tmp);
      } catch (e) {
        // a writable file in a directory we may not add to: write it in place (no rename, so no atomicity)
        if (st && ['EACCES', 'EPERM'].includes(errnoOf(e))) return new OutputFile(path, target, openSync(target, 'w'), null);
        throw e;
      }
    } catch (e) {
      if (e instanceof FileFormatError) throw e;
      throw new FileFormatError(`cannot write ${what} "${path}": ${describeErrno(e)}`);
    }
  }

  /** Close and move the finished file into place. */
  commit(): void {
    if (this.done) return;
    this.done = true;
    try {
      closeSync(this.fd);
      if (this.tmp) renameSync(this.tmp, this.finalPath);
    } catch (e) {
      this.removeTmp();
      throw new FileFormatError(`cannot write ${this.path}: ${describeErrno(e)}`);
    }
  }

  /** Close and drop the partial file (after an error). */
  abandon(): void {
    if (this.done) return;
    this.done = true;
    try { closeSync(this.fd); } catch { /* already failing */ }
    this.removeTmp();
  }

  private removeTmp(): void {
    if (this.tmp) try { unlinkSync(this.tmp); } catch { /* gone */ }
  }
}
