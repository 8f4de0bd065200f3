// The norns double on a real serial line: a pty whose other end is a module (the virtual module, or the Linux
// piwip-module). Reads become norns serial events of at most 256 bytes (matron's read size); the script's
// serial.send bytes are written to the port; the double's clock follows the wall clock.
import { SerialPort } from 'serialport';
import { NornsDouble, type Reply } from './bridge.ts';

export class PtyNorns {
  readonly norns = new NornsDouble();
  private port: SerialPort | null = null;
  private timer: NodeJS.Timeout | null = null;
  private t0 = performance.now();
  private pending: Promise<unknown> = Promise.resolve();
  rx = 0;
  /** Errors of serial deliveries (none expected); the test checks this. */
  errors: string[] = [];
  private closing = false;

  async cmd(line: string): Promise<Reply> {
    const r = await this.norns.cmd(line);
    for (const b of r.tx) this.port?.write(Buffer.from(b));
    return r;
  }
  /** Open the pty (the tty norns would see) and tell the double a device with this product string appeared. */
  async plug(path: string, model: string): Promise<Reply> {
    const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
    await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
    port.on('error', () => {});
    port.on('data', (d: Buffer) => {
      if (this.closing) return;
      this.rx += d.length;
      const parts: string[] = [];
      for (let i = 0; i < d.length; i += 256) parts.push(d.subarray(i, i + 256).toString('hex'));
      this.pending = this.cmd('serial ' + parts.join(' ')).catch((e: Error) => { if (!this.closing) this.errors.push(e.message); });
    });
    this.port = port;
    return this.cmd(`plug ${model}`);
  }
  async unplug(): Promise<void> {
    await this.cmd('unplug');
    const p = this.port;
    this.port = null;
    if (p) await new Promise<void>((r) => p.close(() => r()));
  }
  /** Start the double's clock on the wall clock (metros, clock coroutines, refresh). */
  start(): void {
    this.t0 = performance.now();
    this.timer = setInterval(() => {
      this.cmd(`time ${((performance.now() - this.t0) / 1000).toFixed(4)}`).catch((e: Error) => { if (!this.closing) this.errors.push(e.message); });
    }, 10);
  }
  async settle(ms: number): Promise<void> { await new Promise((r) => setTimeout(r, ms)); await this.pending; }
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.pending;
    this.closing = true;
    await this.unplug().catch(() => {});
    this.norns.close();
  }
}
