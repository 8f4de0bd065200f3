// Byte transports for the link client: a serial port / pty (serialport), a TCP socket. Each is opened by a
// factory so the client can reopen it after an unplug. The client never sees which one it has.
import { connect as tcpConnect } from 'node:net';
import { SerialPort } from 'serialport';

export interface Transport {
  write(bytes: Uint8Array): void;
  close(): void;
  /** Human name ("/dev/ttyACM0", "tcp:127.0.0.1:7070"). */
  readonly name: string;
  onData: ((bytes: Uint8Array) => void) | null;
  onClose: ((why: string) => void) | null;
}
export type TransportFactory = () => Promise<Transport>;

/** The module's USB identity (firmware/teensy: the product string; Teensy's VID:PID for USB_MIDI_AUDIO_SERIAL). */
export const MODULE_PRODUCT = 'piwip';
export const TEENSY_VID = '16c0', TEENSY_PID_MIDI_AUDIO_SERIAL = '048a';

export function serialTransport(path: string): TransportFactory {
  return () => new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
    port.open((err) => {
      if (err) { reject(new Error(`${path}: ${err.message.replace(/^Error: /, '')}`)); return; }
      let closed = false;
      const t: Transport = {
        name: path, onData: null, onClose: null,
        write: (b) => { if (!closed) port.write(Buffer.from(b)); },
        close: () => { if (!closed) { closed = true; port.close(() => {}); } },
      };
      port.on('data', (d: Buffer) => t.onData?.(new Uint8Array(d.buffer, d.byteOffset, d.length)));
      const gone = (why: string) => { if (closed) return; closed = true; t.onClose?.(why); };
      port.on('close', () => gone('port closed'));
      port.on('error', (e: Error) => { gone(e.message); try { port.close(() => {}); } catch { /* already closed */ } });
      resolve(t);
    });
  });
}

export function tcpTransport(host: string, port: number): TransportFactory {
  return () => new Promise((resolve, reject) => {
    const s = tcpConnect({ host, port });
    s.setNoDelay(true);
    let closed = false, opened = false;
    const t: Transport = {
      name: `tcp:${host}:${port}`, onData: null, onClose: null,
      write: (b) => { if (!closed) s.write(b); },
      close: () => { if (!closed) { closed = true; s.destroy(); } },
    };
    s.once('connect', () => { opened = true; resolve(t); });
    s.on('data', (d: Buffer) => t.onData?.(new Uint8Array(d.buffer, d.byteOffset, d.length)));
    s.on('error', (e) => { if (!opened) reject(new Error(`tcp:${host}:${port}: ${e.message}`)); });
    s.on('close', () => { if (opened && !closed) { closed = true; t.onClose?.('connection closed'); } });
  });
}

/** `--port` text: "tcp:HOST:PORT", "tcp:PORT" or a device path. */
export function transportFor(spec: string): TransportFactory {
  const m = /^tcp:(?:([^:]+):)?(\d+)$/.exec(spec);
  if (m) return tcpTransport(m[1] ?? '127.0.0.1', Number(m[2]));
  return serialTransport(spec);
}

export interface FoundModule { path: string; product: string }

/**
 * Serial ports that look like a piwip module: its product string, or a Teensy in USB_MIDI_AUDIO_SERIAL mode.
 * SerialPort.list() needs udev; without it (containers) it rejects, and that means "none found".
 */
export async function findModules(): Promise<FoundModule[]> {
  let ports: Awaited<ReturnType<typeof SerialPort.list>>;
  try { ports = await SerialPort.list(); } catch { return []; }
  const out: FoundModule[] = [];
  for (const p of ports) {
    const product = String((p as { product?: string }).product ?? (p as { pnpId?: string }).pnpId ?? '');
    const vid = (p.vendorId ?? '').toLowerCase(), pid = (p.productId ?? '').toLowerCase();
    if (product.toLowerCase().includes(MODULE_PRODUCT) || (vid === TEENSY_VID && pid === TEENSY_PID_MIDI_AUDIO_SERIAL)) out.push({ path: p.path, product });
  }
  return out;
}
