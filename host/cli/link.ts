// `piwip link`: a small command line over the link client — info, params, get/set, PSETs, slots, upload, ping,
// keys — against a hardware module, piwip-module or the virtual module.
import { readFileSync, writeFileSync } from 'node:fs';
import { LinkClient } from '../link/client.ts';
import { findModules, transportFor } from '../link/transport.ts';
import { UPLOAD_STAGE } from '../link/messages.ts';
import { FileFormatError } from '../io/errors.ts';
import { screenToPng } from '../screen/png.ts';
import { UsageError, parseArgs, type CliIO } from './io.ts';

export const LINK_HELP = `usage: piwip link [--port PATH|tcp:HOST:PORT] <command> [args]

Talks to a module over the piwip link (docs/link.md). Without --port the first serial port that looks like a
piwip module (USB product "piwip", or a Teensy MIDI/Audio/Serial) is used.
commands:
  info                  who the module is (firmware, board, engine hash, sample rate …) and the link round trip
  params                every param with its value as the module shows it
  get ID                one param
  set ID VALUE          set a param (a number, or an option's name); prints the module's value
  pset-get [-o FILE]    the module's params as a norns .pset (stdout, or FILE)
  pset-put FILE         apply a norns .pset file on the module
  slots                 the module's own PSET slots
  save N | load N | delete N    the module's slot N (1..99)
  upload engine.wasm    replace the module's engine without reflashing (checked, self-tested, swapped)
  key N Z | enc N D     press a key (Z 1/0) or turn an encoder
  screen -o FILE.png    the module's screen as a PNG
  ping [N]              N round trips, min/median/max ms
`;

export async function runLink(argv: string[], io: CliIO): Promise<number> {
  const a = parseArgs(argv, { port: { value: true }, output: { value: true, alias: 'o' }, help: { value: false, alias: 'h' } });
  if (a.flags.has('help') || !a.positional.length) { (a.flags.has('help') ? io.out : io.err).write(LINK_HELP); return a.flags.has('help') ? 0 : 2; }
  const [cmd, ...args] = a.positional as [string, ...string[]];
  const known = ['info', 'params', 'get', 'set', 'pset-get', 'pset-put', 'slots', 'save', 'load', 'delete', 'upload', 'key', 'enc', 'screen', 'ping'];
  if (!known.includes(cmd)) throw new UsageError(`unknown link command "${cmd}" (${known.join(', ')})`);
  const need = (k: number, what: string) => { if (args.length !== k) throw new UsageError(`${cmd} expects ${what}`); };
  // check the arguments before touching the module
  let wasm: Uint8Array | null = null, psetText: string | null = null;
  if (cmd === 'get') need(1, 'a param id');
  if (cmd === 'set') need(2, 'a param id and a value');
  if (cmd === 'key' || cmd === 'enc') need(2, 'two numbers');
  if (cmd === 'save' || cmd === 'load' || cmd === 'delete') {
    need(1, 'a slot 1..99');
    if (!/^\d+$/.test(args[0]!) || Number(args[0]) < 1 || Number(args[0]) > 99) throw new UsageError(`slot must be 1..99, got "${args[0]}"`);
  }
  if (cmd === 'upload' || cmd === 'pset-put') {
    need(1, 'a file');
    let b: Buffer;
    try { b = readFileSync(args[0]!); } catch (e) { throw new FileFormatError(`${args[0]}: cannot read (${(e as NodeJS.ErrnoException).code})`); }
    if (cmd === 'upload') wasm = new Uint8Array(b); else psetText = b.toString('utf8');
  }
  if (cmd === 'screen' && !a.values.has('output')) throw new UsageError('screen needs -o FILE.png');
  let port = a.values.get('port')?.[0];
  if (!port) {
    const found = await findModules();
    if (!found.length) throw new FileFormatError('no module found (give --port PATH, or tcp:HOST:PORT for a virtual module)');
    port = found[0]!.path;
  }
  const c = new LinkClient(transportFor(port), { reconnect: false, hostName: 'piwip link', screenFps: cmd === 'screen' ? 30 : 0 });
  try {
    let h;
    try { h = await c.connect(); } catch (e) { throw new FileFormatError(`${port}: ${e instanceof Error ? e.message : e}`); }
    const out = (s: string) => io.out.write(s.endsWith('\n') ? s : `${s}\n`);
    if (!h.engineOk && !['info', 'upload', 'ping'].includes(cmd)) throw new FileFormatError(`${port}: the module's engine has stopped; only info, ping and upload work (upload a new engine)`);
    switch (cmd) {
      case 'info': {
        const rtt = await c.ping();
        out(`module ${h.firmware} ${h.version} on ${h.board}\nengine ${h.engineOk ? 'running' : 'STOPPED'}, ABI ${h.abi}, hash ${h.engineHash || '(compiled in)'}\n` +
          `${h.sampleRate} Hz, block ${h.blockSize}, recording up to ${Math.round(h.recSeconds * 10) / 10} s\n` +
          `link protocol ${h.protocol}, upload ${h.caps & 1 ? 'yes' : 'no (reflash to update the engine)'}, round trip ${rtt.toFixed(1)} ms`);
        break;
      }
      case 'params': for (const p of c.params) out(`${p.group.padEnd(11)} ${JSON.stringify(p.id).padEnd(24)} ${p.formatted}`); break;
      case 'get': { const v = await c.getParam(args[0]!); out(`${args[0]} = ${v.formatted} (${v.value})`); break; }
      case 'set': { const v = await c.setParam(args[0]!, args[1]!); out(`${args[0]} = ${v.formatted} (${v.value})`); break; }
      case 'pset-get': {
        const t = await c.psetGet('piwip');
        const o = a.values.get('output')?.[0];
        if (o) { writeFileSync(o, t); out(`wrote ${o} (${t.split('\n').filter(Boolean).length} lines)`); } else io.out.write(t);
        break;
      }
      case 'pset-put': {
        const r = await c.psetPut(psetText!);
        out(`applied ${r.applied}, clamped ${r.clamped}, unknown ${r.unknown}, corrupt ${r.corrupt}${r.firstCorruptLine ? ` (first at line ${r.firstCorruptLine})` : ''}, duplicate ${r.duplicate}`);
        break;
      }
      case 'slots': {
        const s = await c.psetList();
        if (!s.slots.length) out('no slots saved');
        for (const x of s.slots) out(`${String(x.slot).padStart(2)} ${x.name}${x.slot === s.last ? ' *' : ''}`);
        break;
      }
      case 'save': case 'load': case 'delete': { const r = await c.psetOp(cmd, Number(args[0])); out(`slot ${args[0]} ${r.text}`); break; }
      case 'upload': {
        let last = -1;
        const s = await c.upload(wasm!, (sent, total, st) => {
          const pct = Math.floor((100 * sent) / total);
          if (pct !== last && io.err.isTTY) { io.err.write(`\rupload ${pct} %`); last = pct; }
          if (st && st.stage >= UPLOAD_STAGE.VERIFIED && st.stage !== UPLOAD_STAGE.FAILED && st.text) out(st.text);
        });
        if (io.err.isTTY) io.err.write('\n');
        if (s.stage === UPLOAD_STAGE.FAILED) throw new FileFormatError(`upload refused: ${s.text}`);
        out(`upload done: ${s.text}`);
        break;
      }
      case 'key': case 'enc': {
        const n = Number(args[0]), v = Number(args[1]);
        if (!Number.isInteger(n) || n < 1 || n > 3 || !Number.isInteger(v)) throw new UsageError(`${cmd} expects N (1..3) and an integer`);
        if (cmd === 'key') c.key(n, v); else c.enc(n, v);
        await c.ping();
        out(`${cmd} ${n} ${v} sent`);
        break;
      }
      case 'screen': {
        await new Promise<void>((resolve, reject) => {
          const t = setTimeout(() => reject(new FileFormatError('no screen frame within 2 s')), 2000);
          c.once('screen', () => { clearTimeout(t); resolve(); });
        });
        const o = a.values.get('output')![0]!;
        writeFileSync(o, screenToPng(c.screen, 4));
        out(`wrote ${o}`);
        break;
      }
      case 'ping': {
        const n = args.length ? Number(args[0]) : 10;
        if (!Number.isInteger(n) || n < 1 || n > 10000) throw new UsageError('ping N: 1..10000');
        const ms: number[] = [];
        for (let i = 0; i < n; i++) ms.push(await c.ping());
        ms.sort((x, y) => x - y);
        out(`${n} pings: min ${ms[0]!.toFixed(2)} ms, median ${ms[n >> 1]!.toFixed(2)} ms, max ${ms[n - 1]!.toFixed(2)} ms`);
        break;
      }
    }
    return 0;
  } finally { c.close(); }
}
