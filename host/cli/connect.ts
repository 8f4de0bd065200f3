// `piwip connect`: a module's screen, keys and encoders in the terminal (the same terminal face as piwip play, on a
// LinkFace), its status and the link's health on the status line, the computer's MIDI inputs forwarded to it, and
// crow driven from what it plays (--crow). For SSH and Raspberry Pi users; survives an unplug and comes back.
import { CROW_HELP, startCrow, takeCrowOption } from '../crow/cli.ts';
import { LinkFace } from '../face/link-face.ts';
import { FileFormatError } from '../io/errors.ts';
import { LinkClient } from '../link/client.ts';
import { findModules, transportFor } from '../link/transport.ts';
import { detectMode, type ScreenMode } from '../tui/screen.ts';
import { TerminalFace } from '../tui/terminal-face.ts';
import { AppError, UsageError, parseArgs, type CliIO } from './io.ts';
import { openMidi } from './play.ts';

export const CONNECT_HELP = `usage: piwip connect [--port PATH|tcp:HOST:PORT] [--midi-in NAME|all|none] [--screen truecolor|plain] [--crow [PORT]]

Shows a module's screen in the terminal and drives it: a hardware module (USB serial), piwip-module --link, or the
virtual module (piwip module --link pty). Without --port the first serial port that looks like a piwip module is used.
The keyboard plays the module's keys and encoders:
  1 2 3      tap K1 K2 K3 (a short K1 opens/closes the module's params menu; K2 arms, K3 records/stops)
  ! @ #      hold / release K1 K2 K3 (K1 held = shift: K1+K2 monitor, K1+E2 jumps; K3 held = fine steps)
  [ ]        E1 (or Page Up / Page Down)      up down  E2      left right  E3
  a w s e d f t g y h u j k   toggle MIDI notes C..C (z x: octave down / up), space: all notes off
  q          quit (Ctrl-C too); the terminal is restored
The status line shows REC/RDY, the input level, the detected pitch, the module's CPU, and the link: round trip,
corrupt/lost frames, and "unplugged" while the module is away (it reconnects by itself).
Options:
  --midi-in NAME|all|none  computer MIDI input ports forwarded to the module (default all)
  --screen truecolor|plain screen drawing (default: truecolor when COLORTERM says so, else plain half blocks)
${CROW_HELP}`;

export async function runConnect(argv: string[], io: CliIO): Promise<number> {
  const { argv: rest, crow } = takeCrowOption(argv);
  const a = parseArgs(rest, { port: { value: true }, 'midi-in': { value: true }, screen: { value: true }, help: { value: false, alias: 'h' } });
  if (a.flags.has('help')) { io.out.write(CONNECT_HELP); return 0; }
  if (a.positional.length) throw new UsageError(`unexpected argument "${a.positional[0]}"`);
  const screenOpt = a.values.get('screen')?.[0];
  if (screenOpt !== undefined && screenOpt !== 'truecolor' && screenOpt !== 'plain') throw new UsageError(`--screen must be truecolor or plain, got "${screenOpt}"`);
  const mode: ScreenMode = (screenOpt as ScreenMode | undefined) ?? detectMode(process.env);
  if (!process.stdin.isTTY) throw new AppError('piwip connect needs a terminal (stdin is not a TTY)');
  let port = a.values.get('port')?.[0];
  if (!port) {
    const found = await findModules();
    if (!found.length) throw new FileFormatError('no module found (give --port PATH, or tcp:HOST:PORT for a virtual module)');
    port = found[0]!.path;
  }
  const client = new LinkClient(transportFor(port), { screenFps: 30, telemetryHz: 10, hostName: 'piwip connect' });
  try { await client.connect(); } catch (e) { throw new FileFormatError(`${port}: ${e instanceof Error ? e.message : e}`); }
  const face = new LinkFace(client);
  let rtt = 0;
  let away = false;
  let tf: TerminalFace | null = null;
  client.on('disconnect', () => { away = true; tf?.invalidate(); });
  client.on('reconnect', () => { away = false; tf?.invalidate(); });
  const pinger = setInterval(() => { void client.ping().then((ms) => { rtt = ms; }, () => {}); }, 1000);
  const midi = openMidi(face, a.values.get('midi-in')?.[0] ?? 'all');
  const crowBridge = crow ? await startCrow(client, crow, (l) => io.err.write(`piwip connect: ${l}\n`)) : null;
  const link = () => {
    if (away) return '| link: UNPLUGGED, reconnecting…';
    const t = client.telemetry;
    const c = client.decoder.counters;
    return `| link ${rtt.toFixed(1)} ms, in ${c.corrupt} corrupt ${c.lost} lost${t ? `, module saw ${t.rxCorrupt} corrupt` : ''}${client.hello?.engineOk === false ? ' | ENGINE STOPPED' : ''} | MIDI ${midi.status}${crowBridge ? ` | crow ${crowBridge.port}` : ''}`;
  };
  tf = new TerminalFace(face, { input: process.stdin, output: process.stdout, mode, extra: link });
  await tf.run();
  clearInterval(pinger);
  midi.close();
  await crowBridge?.close();
  client.close();
  io.out.write('piwip connect: disconnected\n');
  return 0;
}
