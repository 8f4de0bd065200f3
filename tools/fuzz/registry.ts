// The fuzz targets: every file under tools/fuzz/targets/ that exports `target` (helpers such as engine.ts do not).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FuzzTarget } from './target.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));

export async function loadTargets(): Promise<{ file: string; target: FuzzTarget }[]> {
  const dir = join(HERE, 'targets');
  const out: { file: string; target: FuzzTarget }[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts')).sort()) {
    const file = pathToFileURL(join(dir, f)).href;
    const m = await import(file) as { target?: FuzzTarget };
    if (m.target) out.push({ file, target: m.target });
  }
  return out;
}

