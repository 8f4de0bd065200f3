// A pty pair from socat (two linked pseudo-terminals, raw, no echo), for serial tests without hardware.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PtyPair { a: string; b: string; close(): void }

export async function ptyPair(): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), 'piwip-pty-'));
  const a = join(dir, 'a'), b = join(dir, 'b');
  const p: ChildProcess = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !(existsSync(a) && existsSync(b)); i++) await new Promise((r) => setTimeout(r, 20));
  if (!existsSync(a) || !existsSync(b)) { p.kill(); throw new Error('socat did not make the pty pair'); }
  return { a, b, close: () => { p.kill(); rmSync(dir, { recursive: true, force: true }); } };
}
