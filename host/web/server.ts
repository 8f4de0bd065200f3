// The local web server of `piwip app`: 127.0.0.1 only, serving the page, its bundles and build/piwip.wasm.
// localhost counts as a secure context, so getUserMedia, AudioWorklet and Web MIDI are allowed.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { DEFAULT_WASM } from '../engine/engine.ts';
import { findModules } from '../link/transport.ts';
import { attachBridge, type Bridge } from './bridge.ts';
import { bundleWeb, WEB_DIR } from './bundle.ts';

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8', css: 'text/css; charset=utf-8', js: 'text/javascript; charset=utf-8', wasm: 'application/wasm',
};

export interface AppServer { server: Server; url: string; bridge: Bridge; close(): Promise<void> }

export interface AppOptions {
  /** Module mode by default: the page drives this module (a serial port / pty path, or tcp:HOST:PORT). */
  module?: string;
}

export async function startAppServer(port: number, wasmPath = DEFAULT_WASM, opts: AppOptions = {}): Promise<AppServer> {
  if (!existsSync(wasmPath)) throw new Error(`${wasmPath} is missing: run npm run build`);
  const files = new Map<string, Buffer>();
  for (const [name, text] of await bundleWeb()) files.set(name, Buffer.from(text));
  files.set('index.html', readFileSync(join(WEB_DIR, 'index.html')));
  files.set('style.css', readFileSync(join(WEB_DIR, 'style.css')));
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
    if (path === 'modules.json' && req.method === 'GET') {
      // module mode's picker: the module given with --module, and the serial ports that look like a module
      void findModules().then((found) => {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify({ default: opts.module ?? null, found }));
      });
      return;
    }
    // The wasm is read on each request so a rebuilt engine is picked up by a reload.
    const body = path === 'piwip.wasm' ? readFileSync(wasmPath) : files.get(path);
    if (!body || req.method !== 'GET' && req.method !== 'HEAD') { res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n'); return; }
    res.writeHead(200, { 'content-type': TYPES[path.split('.').pop() ?? ''] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? new Error(`port ${port} is in use (try --port 0 for any free port)`) : e));
    server.listen(port, '127.0.0.1', () => resolve());
  });
  let bridge: Bridge;
  try { bridge = await attachBridge(server, opts.module ?? null); } catch (e) {
    await new Promise((r) => server.close(() => r(undefined)));
    throw new Error(`module ${(e as Error).message}`);
  }
  const addr = server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : port}/`;
  return { server, url, bridge, close: async () => { await bridge.close(); server.closeAllConnections?.(); await new Promise<void>((r) => server.close(() => r())); } };
}
