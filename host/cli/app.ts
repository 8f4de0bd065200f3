// `piwip app` (npm start): the local web app. Bundles the page, serves it on 127.0.0.1, prints the URL and, with
// --open, opens the default browser. Runs until Ctrl-C.
import { spawn } from 'node:child_process';
import { startAppServer } from '../web/server.ts';
import { AppError, UsageError, numberOption, parseArgs, type CliIO } from './io.ts';

export const APP_HELP = `usage: piwip app [--port N] [--open] [--module PATH|tcp:HOST:PORT]

Serves piwip's web app on http://127.0.0.1:N/ (default port 8140; 0 = any free port) and prints the URL. Open it
in Chromium or Chrome, press "start audio", allow the microphone: the engine runs in the browser's AudioWorklet with
the norns screen, K1-K3 / E1-E3 (mouse or keyboard; the shortcuts are listed on the page), the params panel,
PSETs, Web MIDI and the computer keyboard as a MIDI keyboard. Ctrl-C stops the server.
Module mode: the same page drives a module instead (hardware on USB serial, piwip-module --link, or the virtual
module: piwip module --link pty); the server bridges the link to the page over a WebSocket. Pick the module on the
page ("drive a module"), or start with --module: screen, keys, encoders, params, the module's PSET slots, PSET
backup/restore, engine upload with progress, module CPU and link quality. The module makes the sound.
  --port N         port to listen on (127.0.0.1 only)
  --open           open the page in the default browser (xdg-open / open / start)
  --module PORT    the page drives this module (a serial port or pty path, or tcp:HOST:PORT)
`;

export async function runApp(argv: string[], io: CliIO, signal?: AbortSignal): Promise<number> {
  const a = parseArgs(argv, { port: { value: true, alias: 'p' }, open: { value: false }, module: { value: true }, help: { value: false, alias: 'h' } });
  if (a.flags.has('help')) { io.out.write(APP_HELP); return 0; }
  if (a.positional.length) throw new UsageError(`unexpected argument "${a.positional[0]}"`);
  const port = numberOption('port', a.values.get('port')?.[0] ?? '8140', 0, 65535, true);
  const module = a.values.get('module')?.[0];
  if (module !== undefined && !module.trim()) throw new UsageError('--module needs a port (a path, or tcp:HOST:PORT)');
  let app;
  try { app = await startAppServer(port, undefined, { module }); } catch (e) { throw new AppError((e as Error).message.split('\n').slice(0, 2).join(' ')); }
  io.out.write(`piwip app: serving ${app.url}${module ? ` driving the module on ${module}` : ''}  (Ctrl-C to stop)\n`);
  if (a.flags.has('open')) openBrowser(app.url, io);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop); process.once('SIGTERM', stop);
    signal?.addEventListener('abort', stop);
  });
  await app.close();
  io.out.write('piwip app: stopped\n');
  return 0;
}

function openBrowser(url: string, io: CliIO): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'cmd' : 'xdg-open';
  const args = process.platform === 'win32' ? ['/c', 'start', '', url] : [url];
  const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
  child.on('error', () => io.err.write(`piwip app: could not open a browser (${cmd}); open ${url} yourself\n`));
  child.unref();
}
