// Serving the virtual module on a link: a pty pair made by socat (hosts open the printed path, as they would a
// module's /dev/ttyACM0) or a TCP port on 127.0.0.1, and the real-time pacer that runs its blocks on the wall clock.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { SerialPort } from 'serialport';
import type { VirtualModule } from './virtual.ts';

export interface Served { describe: string; hostPath: string; close(): Promise<void> }

/**
 * The module's end of an existing tty (a pty end, a USB gadget port): opened now, and opened again after a hang-up
 * (the other side unplugged) every 50 ms until it is back.
 */
export async function serveTty(m: VirtualModule, path: string): Promise<Served> {
  let port: SerialPort | null = null;
  let closing = false;
  let retry: NodeJS.Timeout | null = null;
  const open = () => new Promise<void>((resolve, reject) => {
    const p = new SerialPort({ path, baudRate: 115200, autoOpen: false });
    p.open((e) => {
      if (e) { reject(e); return; }
      port = p;
      m.attach({ write: (b) => { if (port === p && p.isOpen) p.write(Buffer.from(b)); } });
      p.on('data', (d: Buffer) => m.receive(new Uint8Array(d.buffer, d.byteOffset, d.length)));
      const gone = () => {
        if (port !== p) return;
        port = null;
        m.attach(null);
        try { if (p.isOpen) p.close(() => {}); } catch { /* already gone */ }
        if (!closing) again();
      };
      p.on('error', gone);
      p.on('close', gone);
      resolve();
    });
  });
  const again = () => {
    retry = setTimeout(() => { open().catch(() => { if (!closing) again(); }); }, 50);
  };
  await open();
  return {
    describe: `tty ${path}`, hostPath: path,
    close: async () => {
      closing = true;
      if (retry) clearTimeout(retry);
      m.attach(null);
      const p = port as SerialPort | null;
      port = null;
      if (p?.isOpen) await new Promise<void>((r) => p.close(() => r()));
    },
  };
}

/** Two linked ptys made by socat, at paths a and b (each side sees a serial port); kill() is an unplug. */
export interface PtyPair { a: string; b: string; proc: ChildProcess; kill(): Promise<void> }

export async function socatPair(a: string, b: string): Promise<PtyPair> {
  const proc: ChildProcess = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-2048); });
  const spawned = await new Promise<Error | null>((resolve) => { proc.once('error', resolve); proc.once('spawn', () => resolve(null)); });
  if (spawned) throw new Error(`cannot run socat (${(spawned as NodeJS.ErrnoException).code === 'ENOENT' ? 'not installed: apt-get install socat' : spawned.message})`);
  for (let i = 0; i < 200 && !(existsSync(a) && existsSync(b)); i++) {
    if (proc.exitCode !== null) throw new Error(`socat exited: ${err.trim().split('\n').pop()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  if (!existsSync(a) || !existsSync(b)) { proc.kill(); throw new Error(`socat made no pty pair at ${a}, ${b}`); }
  return {
    a, b, proc,
    kill: () => new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) { resolve(); return; }
      proc.once('exit', () => resolve());
      proc.kill('SIGKILL');
    }),
  };
}

/** A socat pty pair: the module opens `<path>.module`, hosts open `<path>`. */
export async function servePty(m: VirtualModule, path: string): Promise<Served> {
  const pair = await socatPair(`${path}.module`, path);
  const tty = await serveTty(m, pair.a);
  return {
    describe: `pty ${path}`, hostPath: path,
    close: async () => { await tty.close(); await pair.kill(); },
  };
}

/** One host at a time on 127.0.0.1:port; a new connection replaces the old one (a replug). */
export async function serveTcp(m: VirtualModule, port: number, host = '127.0.0.1'): Promise<Served> {
  let current: Socket | null = null;
  const server: Server = createServer((s) => {
    current?.destroy();
    current = s;
    s.setNoDelay(true);
    m.attach({ write: (b) => { if (!s.destroyed) s.write(b); } });
    s.on('data', (d: Buffer) => m.receive(new Uint8Array(d.buffer, d.byteOffset, d.length)));
    s.on('error', () => {});
    s.on('close', () => { if (current === s) { current = null; m.attach(null); } });
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, host, () => resolve()); });
  const addr = server.address();
  const real = typeof addr === 'object' && addr ? addr.port : port;
  return {
    describe: `tcp:${host}:${real}`, hostPath: `tcp:${host}:${real}`,
    close: () => new Promise<void>((r) => { current?.destroy(); server.close(() => r()); }),
  };
}

/**
 * Run the module's blocks on the wall clock: every few ms, as many blocks as time has passed (at most 50 ms' worth
 * at once: after a stall the module skips ahead and counts an xrun instead of racing).
 */
export function pace(m: VirtualModule): { stop(): void } {
  const blockMs = (1000 * m.o.blockSize) / m.o.sampleRate;
  let t0 = performance.now(), done = 0;
  const timer = setInterval(() => {
    const due = Math.floor((performance.now() - t0) / blockMs) - done;
    const cap = Math.ceil(50 / blockMs);
    if (due > cap) { m.xruns++; t0 = performance.now(); done = 0; m.step(1); return; }
    if (due > 0) { m.step(due); done += due; }
  }, 2);
  return { stop: () => clearInterval(timer) };
}
