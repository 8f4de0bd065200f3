// `piwip flash firmware.hex`: put a new firmware on a Teensy 4.1 running piwip. A board built with
// USB_MIDI_AUDIO_SERIAL cannot be soft-rebooted by `teensy_loader_cli -s`; opening its USB serial port at 134 baud
// makes the Teensy core reboot into the HalfKay bootloader. Then Debian's teensy_loader_cli writes the HEX
// (`--mcu=TEENSY41 -w -v`: wait for the bootloader, verbose).
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { SerialPort } from 'serialport';
import { FileFormatError } from '../io/errors.ts';
import { UsageError, parseArgs, type CliIO } from './io.ts';

export const FLASH_HELP = `usage: piwip flash firmware.hex [--port /dev/ttyACM0] [--no-reboot] [--loader PATH]

Reboots a running piwip Teensy 4.1 into its bootloader (opens its USB serial port at 134 baud) and writes the
HEX with teensy_loader_cli --mcu=TEENSY41 -w -v (Debian: apt-get install teensy-loader-cli).
  --port P      the board's serial port (default: the first PJRC port, USB vendor 16c0, that serialport lists)
  --no-reboot   do not touch the serial port (the board is already in the bootloader, or press its button)
  --loader P    the loader to run (default: teensy_loader_cli on PATH, or $PIWIP_TEENSY_LOADER)
`;

const REBOOT_BAUD = 134;
const PJRC_VENDOR = '16c0';

/** The loader's path, or null: an explicit path must exist; a bare name is looked up on PATH. */
export function findLoader(name: string): string | null {
  if (name.includes('/')) return existsSync(name) ? name : null;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try { if (statSync(p).isFile()) return p; } catch { /* not here */ }
  }
  return null;
}

/** An Intel HEX file: it exists and its first byte is ':' (what the loader reads). */
function checkHex(path: string): void {
  let fd: number;
  try { fd = openSync(path, 'r'); } catch (e) {
    throw new FileFormatError(`${path}: cannot open (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const b = Buffer.alloc(1);
  const n = readSync(fd, b, 0, 1, 0);
  closeSync(fd);
  if (n !== 1 || b[0] !== 0x3a) throw new FileFormatError(`${path}: not an Intel HEX file (the build's .hex, not the .elf)`);
}

/** Open the port at 134 baud and close it again: the Teensy core reboots into HalfKay when it sees that rate. */
export async function rebootToLoader(path: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const port = new SerialPort({ path, baudRate: REBOOT_BAUD, autoOpen: false });
    port.open((err) => {
      if (err) { reject(new FileFormatError(`${path}: cannot open the board's serial port (${err.message})`)); return; }
      // give the board's CDC driver the SET_LINE_CODING before the port goes away
      setTimeout(() => port.close(() => resolve()), 100);
    });
  });
}

async function findPort(): Promise<string | null> {
  const ports = await SerialPort.list();
  const t = ports.find((p) => (p.vendorId ?? '').toLowerCase() === PJRC_VENDOR);
  return t ? t.path : null;
}

export async function runFlash(argv: string[], io: CliIO): Promise<number> {
  const a = parseArgs(argv, {
    port: { value: true }, 'no-reboot': { value: false }, loader: { value: true }, help: { value: false, alias: 'h' },
  });
  if (a.flags.has('help')) { io.out.write(FLASH_HELP); return 0; }
  if (a.positional.length !== 1) throw new UsageError('give one firmware .hex file');
  const hex = a.positional[0]!;
  checkHex(hex);
  const loaderName = a.values.get('loader')?.[0] ?? process.env.PIWIP_TEENSY_LOADER ?? 'teensy_loader_cli';
  // before touching the board: a rebooted board with no loader to talk to would sit in its bootloader
  const loader = findLoader(loaderName);
  if (!loader) {
    throw new FileFormatError(`${loaderName} not found${loaderName.includes('/') ? '' : ' on PATH'} ` +
      '(Debian: apt-get install teensy-loader-cli)');
  }
  if (!a.flags.has('no-reboot')) {
    const port = a.values.get('port')?.[0] ?? await findPort();
    if (port) {
      io.err.write(`piwip flash: rebooting the board on ${port} into its bootloader (${REBOOT_BAUD} baud)\n`);
      await rebootToLoader(port);
    } else {
      io.err.write('piwip flash: no Teensy serial port found; waiting for the bootloader (press the board\'s button)\n');
    }
  }
  const args = ['--mcu=TEENSY41', '-w', '-v', hex];
  io.err.write(`piwip flash: ${loader} ${args.join(' ')}\n`);
  const code = await new Promise<number>((resolve) => {
    const child = spawn(loader, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => io.out.write(d.toString()));
    child.stderr.on('data', (d: Buffer) => io.err.write(d.toString()));
    child.on('error', (e) => { io.err.write(`piwip flash: error: cannot run ${loader}: ${e.message}\n`); resolve(127); });
    child.on('close', (c, sig) => resolve(c ?? (sig ? 128 : 1)));
  });
  if (code !== 0) {
    io.err.write(`piwip flash: error: ${loader} failed (exit ${code})\n`);
    return 1;
  }
  io.err.write('piwip flash: done\n');
  return 0;
}
