// A socat pty pair for link tests: two linked ptys at a and b (as a USB CDC port looks to each side). kill() is an
// unplug; a new pair at the same paths is a replug.
import { mkdtempSync } from 'node:fs';
import { socatPair } from '../../host/module/serve.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type { PtyPair } from '../../host/module/serve.ts';
export const ptyPair = (a: string, b: string) => socatPair(a, b);

export function tempDir(tag: string): string { return mkdtempSync(join(tmpdir(), `piwip-${tag}-`)); }

export const until = async (cond: () => boolean, ms: number, what: string): Promise<void> => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};
