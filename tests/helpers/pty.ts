// A socat pty pair for link tests: two linked ptys at a and b (as a USB CDC port looks to each side). kill() is an
// unplug; a new pair at the same paths is a replug.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PtyPair { a: string; b: string; proc: ChildProcess; kill(): Promise<void> }

export async function ptyPair(a: string, b: string): Promise<PtyPair> {
  const proc = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
  for (let i = 0; i < 200 && !(existsSync(a) && existsSync(b)); i++) await new Promise((r) => setTimeout(r, 10));
  if (!existsSync(a) || !existsSync(b)) { proc.kill(); throw new Error('socat did not make the pty pair'); }
  return {
    a, b, proc,
    kill: () => new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) { resolve(); return; }
      proc.once('exit', () => resolve());
      proc.kill('SIGKILL');
    }),
  };
}

export function tempDir(tag: string): string { return mkdtempSync(join(tmpdir(), `piwip-${tag}-`)); }

export const until = async (cond: () => boolean, ms: number, what: string): Promise<void> => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};
