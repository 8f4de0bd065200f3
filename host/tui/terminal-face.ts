// The terminal face over any EngineFace (piwip play: the local engine; piwip connect: a module): the norns screen
// in half blocks, a status line (REC, level, pitch, CPU, extra host info) and the key help, keys and encoders from
// the keyboard (keys.ts). It takes over the terminal (alternate screen, raw mode, hidden cursor) and gives it back
// exactly on quit, on SIGINT/SIGTERM/SIGHUP and on process exit.
import type { EngineFace, Telemetry } from '../face/face.ts';
import { KEY_HELP, parseKeys, type Action } from './keys.ts';
import { screenLines, type ScreenMode } from './screen.ts';

export interface TerminalFaceOptions {
  input: NodeJS.ReadStream; output: NodeJS.WriteStream; mode: ScreenMode;
  /** More status to show (the host's MIDI ports, link quality …). */
  extra?: () => string;
}

const ENTER = '\x1b[?1049h\x1b[?25l\x1b[2J';
const LEAVE = '\x1b[0m\x1b[?25h\x1b[?1049l';

export function statusLine(t: Telemetry | null, held: Set<number>, octave: number, notes: number): string {
  const rec = !t ? '---' : t.recording ? 'REC' : t.armed ? 'RDY' : '---';
  const db = t && t.inPeak > 0 ? `${(20 * Math.log10(t.inPeak)).toFixed(1)} dB` : '-inf dB';
  const hz = t && t.pitchHz > 0 ? `${t.pitchHz.toFixed(1)} Hz` : '-- Hz';
  const cpu = t ? `${(t.cpu * 100).toFixed(1)}%` : '--';
  const keys = held.size ? ` held K${[...held].sort().join('+K')}` : '';
  const time = t ? `  t ${t.time.toFixed(1)} s` : '';
  return `${rec}  in ${db}  pitch ${hz}  cpu ${cpu}${time}  ${t?.modeName ?? ''}${keys}  oct C${octave - 1}${notes ? ` notes ${notes}` : ''}`;
}

export class TerminalFace {
  private fb: Uint8Array = new Uint8Array(4096);
  private tel: Telemetry | null = null;
  private held = new Set<1 | 2 | 3>();
  private notes = new Map<number, number>();
  private octave = 5;
  private dirty = true;
  private timer: NodeJS.Timeout | null = null;
  private active = false;
  private done: (() => void) | null = null;
  private readonly restore = () => this.leave();

  constructor(readonly face: EngineFace, readonly opts: TerminalFaceOptions) {
    face.on('screen', (fb) => { this.fb = fb; this.dirty = true; });
    face.on('telemetry', (t) => { this.tel = t; this.dirty = true; });
  }

  /** Take over the terminal; resolves when the user quits (q, Ctrl-C) or a signal arrives. */
  run(): Promise<void> {
    const { input, output } = this.opts;
    this.active = true;
    output.write(ENTER);
    if (input.isTTY) input.setRawMode(true);
    input.setEncoding('utf8');
    input.on('data', this.onData);
    input.resume();
    process.on('exit', this.restore);
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(s, () => this.quit());
    this.timer = setInterval(() => { if (this.dirty) this.draw(); }, 33);
    this.draw();
    return new Promise((resolve) => { this.done = resolve; });
  }

  /** Redraw at the next tick (the host's own status changed: a module unplugged, a port opened). */
  invalidate(): void { this.dirty = true; }

  quit(): void {
    for (const n of this.notes.values()) this.face.midi([0x80, n, 0]);
    this.notes.clear();
    this.leave();
    this.done?.();
    this.done = null;
  }

  private leave(): void {
    if (!this.active) return;
    this.active = false;
    if (this.timer) clearInterval(this.timer);
    const { input, output } = this.opts;
    input.off('data', this.onData);
    if (input.isTTY) input.setRawMode(false);
    input.pause();
    output.write(LEAVE);
    process.off('exit', this.restore);
  }

  private onData = (chunk: string): void => { for (const a of parseKeys(chunk)) this.act(a); this.dirty = true; };

  private act(a: Action): void {
    const f = this.face;
    switch (a.a) {
      case 'tap': f.key(a.n, 1); f.key(a.n, 0); break;
      case 'hold':
        if (this.held.has(a.n)) { this.held.delete(a.n); f.key(a.n, 0); } else { this.held.add(a.n); f.key(a.n, 1); }
        break;
      case 'enc': f.enc(a.n, a.d); break;
      case 'octave': this.octave = Math.max(0, Math.min(9, this.octave + a.d)); break;
      case 'note': {
        const note = Math.min(127, this.octave * 12 + a.i);
        if (this.notes.has(note)) { this.notes.delete(note); f.midi([0x80, note, 0]); } else { this.notes.set(note, note); f.midi([0x90, note, 100]); }
        break;
      }
      case 'allOff': for (const n of this.notes.values()) f.midi([0x80, n, 0]); this.notes.clear(); break;
      case 'quit': this.quit(); break;
    }
  }

  private draw(): void {
    if (!this.active) return;
    this.dirty = false;
    const lines = [
      `piwip  driving: ${this.face.where}`,
      ...screenLines(this.fb, this.opts.mode),
      statusLine(this.tel, this.held, this.octave, this.notes.size) + (this.opts.extra ? `  ${this.opts.extra()}` : ''),
      ...KEY_HELP,
    ];
    this.opts.output.write(`\x1b[H${lines.map((l) => `${l}\x1b[K`).join('\r\n')}`);
  }
}
