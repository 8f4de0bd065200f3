// `piwip module`: the virtual module — the engine wasm run as a module shell runs it, served on a pty or TCP, at
// real-time pace — so hosts can be tried without hardware.
import { readWav } from '../io/wav.ts';
import { VirtualModule } from '../module/virtual.ts';
import { pace, servePty, serveTcp } from '../module/serve.ts';
import { UsageError, numberOption, parseArgs, type CliIO } from './io.ts';
import { readFileSync } from 'node:fs';
import { FileFormatError } from '../io/errors.ts';
import { npmLifeline } from './lifeline.ts';

export const MODULE_HELP = `usage: piwip module --link pty[:PATH] | tcp:PORT [--input in.wav] [--pset-dir DIR] [--boot-engine F]
                    [--rate 48000] [--block 128] [--max-rec 60] [--seconds N] [--wasm engine.wasm]

Runs the engine as a module at real-time pace and serves the piwip link (docs/link.md):
  --link pty          a pty pair (socat): hosts open the printed path (default /tmp/piwip-module)
  --link pty:PATH     the same at PATH
  --link tcp:PORT     TCP on 127.0.0.1:PORT (one host at a time; 0 picks a free port)
  --input in.wav      the input, looped (mono mix of the file; default silence)
  --pset-dir DIR      the module's PSET slots (piwip-NN.pset, as on norns)
  --boot-engine F     where a committed engine upload is stored, and read at start when present
  --seconds N         stop after N seconds (default: until Ctrl-C)
Try it: in one terminal \`piwip module --link pty\`, in another \`piwip link --port /tmp/piwip-module params\`.
`;

export async function runModule(argv: string[], io: CliIO): Promise<number> {
  const a = parseArgs(argv, {
    link: { value: true }, input: { value: true }, 'pset-dir': { value: true }, 'boot-engine': { value: true },
    rate: { value: true }, block: { value: true }, 'max-rec': { value: true }, seconds: { value: true },
    wasm: { value: true }, live: { value: false }, help: { value: false, alias: 'h' },
  });
  if (a.flags.has('help')) { io.out.write(MODULE_HELP); return 0; }
  if (a.positional.length) throw new UsageError(`unexpected argument "${a.positional[0]}"`);
  if (a.flags.has('live')) throw new UsageError('--live is not available in this build: use --input in.wav (piwip play runs the engine on live audio)');
  const spec = a.values.get('link')?.[0];
  if (!spec) throw new UsageError('--link pty|pty:PATH|tcp:PORT is required');
  const sampleRate = numberOption('rate', a.values.get('rate')?.[0] ?? '48000', 8000, 192000, true);
  const blockSize = numberOption('block', a.values.get('block')?.[0] ?? '128', 16, 256, true);
  const maxRecSeconds = numberOption('max-rec', a.values.get('max-rec')?.[0] ?? '60', 1, 600);
  const seconds = a.values.has('seconds') ? numberOption('seconds', a.values.get('seconds')![0]!, 0.1, 1e7) : 0;
  let input: Float32Array | undefined;
  const inPath = a.values.get('input')?.[0];
  if (inPath) {
    const w = readWav(inPath);
    if (w.sampleRate !== sampleRate) throw new FileFormatError(`${inPath}: ${w.sampleRate} Hz, the module runs at ${sampleRate} Hz (--rate)`);
    input = new Float32Array(w.frames);
    for (const ch of w.channels) for (let i = 0; i < w.frames; i++) input[i]! += ch[i]! / w.channels.length;
  }
  const boot = a.values.get('boot-engine')?.[0];
  const wasmPath = a.values.get('wasm')?.[0];
  let wasm: Uint8Array | undefined;
  const read = (p: string) => { try { return new Uint8Array(readFileSync(p)); } catch (e) { throw new FileFormatError(`${p}: cannot read (${(e as NodeJS.ErrnoException).code})`); } };
  if (wasmPath) wasm = read(wasmPath);
  else if (boot) { try { wasm = new Uint8Array(readFileSync(boot)); } catch { /* no committed engine yet */ } }
  const m = new VirtualModule({ sampleRate, blockSize, maxRecSeconds, input, psetDir: a.values.get('pset-dir')?.[0], bootEngine: boot, wasm });
  m.onLog = (line) => io.err.write(`piwip module: ${line}\n`);
  let served;
  if (spec === 'pty' || spec.startsWith('pty:')) served = await servePty(m, spec === 'pty' ? '/tmp/piwip-module' : spec.slice(4));
  else if (/^tcp:\d+$/.test(spec)) served = await serveTcp(m, Number(spec.slice(4)));
  else throw new UsageError(`--link must be pty, pty:PATH or tcp:PORT, got "${spec}"`);
  const pacer = pace(m);
  io.out.write(`piwip module: engine ${m.engineHash.slice(0, 12)}, ${sampleRate} Hz, block ${blockSize}, link on ${served.describe}\n`);
  io.out.write(`connect with: piwip link --port ${served.hostPath} info\n`);
  const life = npmLifeline();
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (seconds > 0) setTimeout(stop, seconds * 1000);
    // started through npx / npm and the launcher died: stop instead of serving on alone
    if (life) setInterval(() => { if (!life.alive()) stop(); }, 250).unref();
  });
  pacer.stop();
  await served.close();
  io.out.write(`piwip module: ${m.blocks} blocks, ${m.xruns} xruns, engine ${m.alive ? 'alive' : `dead (${m.deadReason})`}\n`);
  return 0;
}
