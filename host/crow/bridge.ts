// `piwip connect --crow [PORT]`: crow on the computer's USB, driven from a piwip module's TELEMETRY through the
// link client, with crow's own text protocol at 115200 (protocol.ts). Not realtime code: it runs in the host.
import { SerialPort } from 'serialport';
import type { Telemetry } from '../link/messages.ts';
import type { LinkClient } from '../link/client.ts';
import { FileFormatError } from '../io/errors.ts';
import { CrowParser, crowChunk, CROW_BAUD, CROW_PID, CROW_VID } from './protocol.ts';
import { CrowMapper, DEFAULT_CROW_MAP, type CrowMapOptions } from './mapping.ts';

/** What the crow bridge needs from a link client (host/link/client.ts provides it). */
export interface CrowLinkSide {
  /** Subscribe to TELEMETRY (the client asks the module for it at `hz`); returns an unsubscribe function. */
  onTelemetry(fn: (t: Telemetry) => void, hz: number): () => void;
  /** Send KEY n z to the module. */
  key(n: number, z: number): void;
}

/** The crow side of a connected LinkClient (its telemetry events, its KEY messages). */
export function clientSide(c: LinkClient): CrowLinkSide {
  return {
    onTelemetry: (fn, hz) => {
      c.on('telemetry', fn);
      c.setTelemetry(hz);
      return () => { c.off('telemetry', fn); };
    },
    key: (n, z) => c.key(n, z),
  };
}

export interface CrowBridgeOptions {
  link: CrowLinkSide;
  /** crow's serial port; found by USB id 0483:5740 when omitted. */
  port?: string;
  map?: Partial<CrowMapOptions>;
  telemetryHz?: number;
  log?: (line: string) => void;
}

export interface CrowBridge { port: string; close(): Promise<void>; sent: string[] }

/** The first serial port that is a crow (USB 0483:5740, as druid finds it: druid/crow.py:14-36). */
export async function findCrow(): Promise<string | null> {
  let ports: Awaited<ReturnType<typeof SerialPort.list>>;
  try { ports = await SerialPort.list(); } catch { return null; } // no udev (containers): none found
  const c = ports.find((p) => p.vendorId?.toLowerCase() === CROW_VID && p.productId?.toLowerCase() === CROW_PID);
  return c?.path ?? null;
}

export async function runCrowBridge(opts: CrowBridgeOptions): Promise<CrowBridge> {
  const log = opts.log ?? (() => {});
  const path = opts.port ?? (await findCrow());
  if (!path) throw new FileFormatError('no crow found (USB 0483:5740); plug it in or give its port: piwip connect --crow /dev/ttyACM1');
  const sp = new SerialPort({ path, baudRate: CROW_BAUD, autoOpen: false });
  await new Promise<void>((res, rej) => sp.open((e) => (e ? rej(new FileFormatError(`cannot open crow at ${path}: ${e.message}`)) : res())));
  const mapper = new CrowMapper({ ...DEFAULT_CROW_MAP, ...opts.map });
  const parser = new CrowParser();
  const sent: string[] = [];
  const write = (lines: string[]) => {
    for (const l of lines) { sent.push(l); sp.write(crowChunk(l)); }
  };
  sp.on('data', (d: Buffer) => {
    for (const m of parser.push(d.toString('utf8'))) {
      if (m.kind === 'error') log(`crow error: ${m.text}`);
      else if (m.kind === 'event') {
        const k = mapper.key(m);
        if (k) { opts.link.key(k, 1); opts.link.key(k, 0); log(`crow in 1 → K${k}`); }
      }
    }
  });
  sp.on('error', (e) => log(`crow: ${e.message}`));
  write(['crow.reset()', ...mapper.setup()]); // as norns does on connect (lua/core/crow.lua:183)
  const off = opts.link.onTelemetry((t) => write(mapper.telemetry(t)), opts.telemetryHz ?? 25);
  log(`crow on ${path}`);
  return {
    port: path,
    sent,
    close: async () => {
      off();
      await new Promise<void>((res) => sp.drain(() => sp.close(() => res())));
    },
  };
}
