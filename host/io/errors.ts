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
