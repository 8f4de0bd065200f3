// A crow double on a serial port, speaking crow's real line protocol:
//  * input: bytes are collected until a packet ends in \0, \n or \r, then the chunk runs (crow lib/caw.c:143-160);
//    `^^x` system commands are recognised by their first letter (caw.c:104-122): ^^i → ^^identity(...),
//    ^^v → ^^version(...) (main.c:71-72)
//  * what it runs: `output[n].volts=v` sets an output; `output[n]()` fires its action; `output[n].action=…`,
//    `input[n].mode(…)` and `crow.reset()` are remembered; anything else is echoed back as a Lua error line
//  * output: every line ends "\n\r" (caw.c:42); events are `^^name(args)` lines (lua/input.lua:30 for change)
import { SerialPort } from 'serialport';

export interface VoltEvent { out: number; volts: number; at: number }

export class CrowDouble {
  readonly port: SerialPort;
  lines: string[] = [];
  volts: VoltEvent[] = [];
  fired: number[] = [];
  inputMode = '';
  actions = new Map<number, string>();
  errors: string[] = [];
  private buf = '';

  constructor(path: string) {
    this.port = new SerialPort({ path, baudRate: 115200 });
    this.port.on('data', (d: Buffer) => this.rx(d.toString('utf8')));
  }
  private rx(s: string): void {
    this.buf += s;
    for (;;) {
      const m = /[\0\n\r]/.exec(this.buf);
      if (!m) break;
      const chunk = this.buf.slice(0, m.index).trim();
      this.buf = this.buf.slice(m.index + 1);
      if (chunk) this.run(chunk);
    }
  }
  private run(chunk: string): void {
    this.lines.push(chunk);
    if (chunk.startsWith('^^')) {
      const c = chunk[2];
      if (c === 'i') this.send("^^identity('0x0042001e3236510b33323731')");
      else if (c === 'v') this.send("^^version('v4.0.4')");
      return;
    }
    let m: RegExpExecArray | null;
    if ((m = /^output\[(\d)\]\.volts\s*=\s*(-?[\d.e+-]+)$/.exec(chunk))) {
      this.volts.push({ out: Number(m[1]), volts: Number(m[2]), at: this.lines.length });
    } else if ((m = /^output\[(\d)\]\(\)$/.exec(chunk))) this.fired.push(Number(m[1]));
    else if ((m = /^output\[(\d)\]\.action\s*=\s*(.+)$/.exec(chunk))) this.actions.set(Number(m[1]), m[2]!);
    else if ((m = /^input\[1\]\.mode\((.*)\)$/.exec(chunk))) this.inputMode = m[1]!;
    else if (chunk !== 'crow.reset()') { this.errors.push(chunk); this.send(`\\lua: [string "${chunk.slice(0, 40)}"]: unexpected`); }
  }
  send(line: string): void { this.port.write(line + '\n\r'); }
  /** A rising edge on input 1 in 'change' mode: crow's default handler tells ^^change(1,1). */
  trigger(): void { if (this.inputMode.startsWith("'change'")) this.send('^^change(1,1)'); }
  close(): Promise<void> { return new Promise((r) => this.port.close(() => r())); }
}
