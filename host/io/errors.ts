// Errors raised by the file readers in host/io: one class, so the CLI can map every bad input file to exit code 1
// with a one-line message that already names the file.

/** An input file is missing, unreadable, malformed, truncated or unsupported. The message names the file. */
export class FileFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FileFormatError';
  }
}

/** Text of a thrown value (midi-file throws plain strings). */
export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/** "no space left on device (ENOSPC)" from a Node fs/stream error. */
export function describeErrno(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const text: Record<string, string> = {
    ENOSPC: 'no space left on device', EPIPE: 'the reader closed the pipe', EACCES: 'permission denied',
    EPERM: 'operation not permitted', EROFS: 'read-only file system', ENOENT: 'no such file or directory',
    ENOTDIR: 'a path component is not a directory', EISDIR: 'is a directory', EEXIST: 'already exists',
    EIO: 'input/output error', EFBIG: 'file too large', EDQUOT: 'disk quota exceeded', ELOOP: 'too many symbolic links',
    ENAMETOOLONG: 'name too long', EINVAL: 'invalid argument',
  };
  if (err && typeof err.code === 'string') return `${text[err.code] ?? err.message.replace(/^\w+: /, '').replace(/,.*$/, '')} (${err.code})`;
  return e instanceof Error ? e.message : String(e);
}
