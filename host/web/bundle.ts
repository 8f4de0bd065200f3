// Bundles the page (page/main.ts → app.js) and the engine's worklet (worklet.ts → worklet.js) with esbuild, in
// memory, at server start: a fresh clone needs only `npm install`. piwip play writes the worklet to a file for
// node-web-audio-api's audioWorklet.addModule().
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_DIR = fileURLToPath(new URL('.', import.meta.url));

export async function bundleWeb(which: ('app' | 'worklet')[] = ['app', 'worklet']): Promise<Map<string, string>> {
  const entryPoints: Record<string, string> = {};
  if (which.includes('app')) entryPoints.app = join(WEB_DIR, 'page/main.ts');
  if (which.includes('worklet')) entryPoints.worklet = join(WEB_DIR, 'worklet.ts');
  const r = await build({
    entryPoints, bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, outdir: '/out',
    sourcemap: 'inline', logLevel: 'silent', legalComments: 'none',
  });
  const out = new Map<string, string>();
  for (const f of r.outputFiles) out.set(f.path.replace(/^\/out\//, ''), f.text);
  return out;
}

/** The worklet bundle written to dir/worklet.js (for Node); returns its path. */
export async function writeWorklet(dir: string): Promise<string> {
  const code = (await bundleWeb(['worklet'])).get('worklet.js');
  if (!code) throw new Error('worklet bundle missing');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'worklet.js');
  writeFileSync(path, code);
  return path;
}
