// The `piwip` command: subcommand dispatch and the one place errors become a one-line message and an exit code
// (0 ok, 1 bad input file or engine failure, 2 bad command line). bin/piwip.mjs runs main() through tsx.
import { EngineError } from '../engine/engine.ts';
import { FileFormatError } from '../io/errors.ts';
import { runDemo } from './demo.ts';
import { EXIT_FILE, EXIT_USAGE, UsageError, processIO, type CliIO } from './io.ts';
import { paramCatalog, runRender } from './render.ts';
import { runModule } from './module.ts';
import { runLink } from './link.ts';

export const HELP = `usage: piwip <command> [options]

commands:
  render in.wav -o out.wav [--midi f.mid] [--events f.json] [--preset P] [--set id=value ...]
                 run a WAV through the engine offline (piwip render --help for all options)
  demo [-o out/demo.wav]
                 render the bundled instrument phrase through the follower preset + harmonizer (npm start)
  params         list the engine's params: ids, ranges, options, defaults
  module --link pty|tcp:PORT [--input in.wav]
                 the virtual module: the engine at real-time pace on a pty or TCP link (no hardware needed)
  link [--port PATH] info|params|get|set|pset-get|pset-put|slots|save|load|delete|upload|key|enc|screen|ping
                 talk to a module (hardware, piwip-module or the virtual one) over the link
  help [command] show help
`;

function runParams(io: CliIO): number {
  for (const p of paramCatalog()) {
    const range = p.type === 'option' ? p.options.map((o, i) => `${i + 1}=${o}`).join(', ')
      : `${p.min}..${p.max}${p.units ? ` ${p.units}` : ''}${p.step > 0 && p.step !== 1 ? ` step ${p.step}` : ''}`;
    io.out.write(`${p.group.padEnd(11)} ${JSON.stringify(p.id).padEnd(24)} ${p.type.padEnd(8)} default ${String(p.formatted).padEnd(10)} ${range}\n`);
  }
  return 0;
}

export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [cmd, ...rest] = argv;
  const name = cmd === 'render' || cmd === 'demo' || cmd === 'params' || cmd === 'module' || cmd === 'link' ? cmd : '';
  try {
    switch (cmd) {
      case 'render': return await runRender(rest, io);
      case 'demo': return await runDemo(rest, io);
      case 'params': return runParams(io);
      case 'module': return await runModule(rest, io);
      case 'link': return await runLink(rest, io);
      case 'help':
        if (rest[0] === 'render' || rest[0] === 'demo' || rest[0] === 'module' || rest[0] === 'link') return await main([rest[0], '--help'], io);
        io.out.write(HELP);
        return 0;
      case '-h': case '--help':
        io.out.write(HELP);
        return 0;
      case undefined:
        io.err.write(HELP);
        return EXIT_USAGE;
      default:
        throw new UsageError(`unknown command "${cmd}" (render, demo, params, module, link, help)`);
    }
  } catch (e) {
    const prefix = `piwip${name ? ` ${name}` : ''}: error: `;
    if (e instanceof UsageError) {
      io.err.write(`${prefix}${e.message} (see piwip ${name && name !== 'params' ? `${name} ` : ''}--help)\n`);
      return EXIT_USAGE;
    }
    if (e instanceof FileFormatError || e instanceof EngineError) {
      io.err.write(`${prefix}${e.message}\n`);
      return EXIT_FILE;
    }
    // Unexpected: one line unless PIWIP_DEBUG asks for the stack.
    const detail = e instanceof Error ? (process.env.PIWIP_DEBUG ? e.stack ?? e.message : e.message) : String(e);
    io.err.write(`${prefix}internal error: ${detail}\n`);
    return EXIT_FILE;
  }
}
