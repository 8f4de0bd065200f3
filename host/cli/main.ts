// The `piwip` command: subcommand dispatch and the one place errors become a one-line message and an exit code
// (0 ok, 1 bad input file or engine failure, 2 bad command line). bin/piwip.mjs runs main() through tsx.
import { EngineError } from '../engine/engine.ts';
import { FileFormatError } from '../io/errors.ts';
import { runApp } from './app.ts';
import { runDemo } from './demo.ts';
import { AppError, EXIT_FILE, EXIT_USAGE, UsageError, parseArgs, processIO, type CliIO } from './io.ts';
import { runPlay } from './play.ts';
import { RenderAborted, paramCatalog, runRender } from './render.ts';
import { runModule } from './module.ts';
import { runLink } from './link.ts';
import { runConnect } from './connect.ts';
import { runFlash } from './flash.ts';

export const HELP = `usage: piwip <command> [options]

commands:
  app [--port N] [--open]
                 the web app: serves the page on 127.0.0.1 and prints its URL (npm start)
  play [--midi-in NAME|all] [--in f.wav]
                 the engine live in this terminal: default input -> engine -> default output, norns screen here
  render in.wav -o out.wav [--midi f.mid] [--events f.json] [--preset P] [--set id=value ...]
                 run a WAV through the engine offline (piwip render --help for all options)
  demo [-o out/demo.wav]
                 render the bundled instrument phrase through the follower preset + harmonizer
  params         list the engine's params: ids, ranges, options, defaults
  module --link pty|tcp:PORT [--input in.wav]
                 the virtual module: the engine at real-time pace on a pty or TCP link (no hardware needed)
  link [--port PATH] info|params|get|set|pset-get|pset-put|slots|save|load|delete|upload|key|enc|screen|ping
                 talk to a module (hardware, piwip-module or the virtual one) over the link
  connect [--port PATH] [--midi-in NAME|all] [--crow [PORT]]
                 a module's screen, keys and encoders in the terminal (piwip connect --help for the keys)
  flash firmware.hex [--port P]
                 reboot a running piwip Teensy 4.1 into its bootloader and write the HEX (teensy_loader_cli)
  help [command] show help
`;

function runParams(argv: string[], io: CliIO): number {
  const a = parseArgs(argv, { help: { value: false, alias: 'h' } });
  if (a.flags.has('help')) { io.out.write('usage: piwip params\n\nLists every param: group, id, type, default, range or options.\n'); return 0; }
  if (a.positional.length) throw new UsageError(`unexpected argument "${a.positional[0]}"`);
  for (const p of paramCatalog()) {
    const range = p.type === 'option' ? p.options.map((o, i) => `${i + 1}=${o}`).join(', ')
      : `${p.min}..${p.max}${p.units ? ` ${p.units}` : ''}${p.step > 0 && p.step !== 1 ? ` step ${p.step}` : ''}`;
    io.out.write(`${p.group.padEnd(11)} ${JSON.stringify(p.id).padEnd(24)} ${p.type.padEnd(8)} default ${String(p.formatted).padEnd(10)} ${range}\n`);
  }
  return 0;
}

export async function main(argv: string[], given?: CliIO): Promise<number> {
  const [cmd, ...rest] = argv;
  const name = cmd === 'render' || cmd === 'demo' || cmd === 'params' || cmd === 'module' || cmd === 'link' || cmd === 'app' || cmd === 'play' || cmd === 'connect' || cmd === 'flash' ? cmd : '';
  const io = given ?? processIO(name);
  try {
    switch (cmd) {
      case 'render': return await runRender(rest, io);
      case 'demo': return await runDemo(rest, io);
      case 'app': return await runApp(rest, io);
      case 'play': return await runPlay(rest, io);
      case 'params': return runParams(rest, io);
      case 'module': return await runModule(rest, io);
      case 'link': return await runLink(rest, io);
      case 'connect': return await runConnect(rest, io);
      case 'flash': return await runFlash(rest, io);
      case 'help':
        if (rest[0] === 'render' || rest[0] === 'demo' || rest[0] === 'module' || rest[0] === 'link' || rest[0] === 'app' || rest[0] === 'play' || rest[0] === 'flash') return await main([rest[0], '--help'], io);
        io.out.write(HELP);
        return 0;
      case '-h': case '--help':
        io.out.write(HELP);
        return 0;
      case undefined:
        io.err.write(HELP);
        return EXIT_USAGE;
      default:
        throw new UsageError(`unknown command "${cmd}" (app, play, render, demo, params, module, link, connect, flash, help)`);
    }
  } catch (e) {
    const prefix = `piwip${name ? ` ${name}` : ''}: error: `;
    if (e instanceof UsageError) {
      io.err.write(`${prefix}${e.message} (see piwip ${name ? `${name} ` : ''}--help)\n`);
      return EXIT_USAGE;
    }
    if (e instanceof FileFormatError || e instanceof EngineError || e instanceof AppError || e instanceof RenderAborted) {
      io.err.write(`${prefix}${e.message}\n`);
      return EXIT_FILE;
    }
    // Unexpected: one line unless PIWIP_DEBUG asks for the stack.
    const detail = e instanceof Error ? (process.env.PIWIP_DEBUG ? e.stack ?? e.message : e.message) : String(e);
    io.err.write(`${prefix}internal error: ${detail}\n`);
    return EXIT_FILE;
  }
}
