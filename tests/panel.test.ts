// The optional front panel's pure units (firmware/core/ssd1322.c, firmware/core/panel_input.c), compiled with gcc into
// firmware/tests/panel_sim.c and checked against what the real parts do:
// - the SSD1322 init stream byte for byte against norns' own (monome/norns matron/src/hardware/screen/ssd1322.c);
// - the frame stream read back by an SSD1322 double (below) into a GDDRAM model and compared pixel-exactly with the
//   engine's real framebuffer (test card, font sample, play screen from build/piwip.wasm);
// - key bounce and encoder sequences against Linux gpio-keys / rotary-encoder (half-period) and norns' encoders.lua.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { readScreen, unpackScreen } from '../host/screen/png.ts';
import { skipWithout } from './helpers/tools.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FW = join(ROOT, 'firmware');
const SIM = join(FW, 'build', 'ci-panel', 'host', 'panel-sim'); // own build dir: test files run in parallel
const WASM = join(ROOT, 'build', 'piwip.wasm');

type Run = { dc: 0 | 1; bytes: number[] };

function sim(args: string[], input?: string): string {
  const r = spawnSync(SIM, args, { encoding: 'utf8', input, timeout: 30_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}
function runs(out: string): Run[] {
  return out.split('\n').filter((l) => l[0] === 'C' || l[0] === 'D').map((l) => {
    const [k, ...hex] = l.split(' ');
    return { dc: k === 'D' ? 1 : 0, bytes: hex.map((h) => parseInt(h, 16)) };
  });
}
function summaries(out: string): Record<string, number>[] {
  return out.split('\n').filter((l) => l.startsWith('# frame')).map((l) => {
    const kv: Record<string, number> = {};
    for (const p of l.slice(8).split(' ')) { const [k, v] = p.split('='); kv[k!] = Number(v); }
    return kv;
  });
}
/** The wire as (D/C, byte) pairs: what the SSD1322 sees, whatever the run boundaries. */
const wire = (rs: Run[]) => rs.flatMap((r) => r.bytes.map((b) => (r.dc << 8) | b));

// norns matron/src/hardware/screen/ssd1322.c:168-188 (monome/norns 529b4e39), as commands with their parameters;
// the remap is 0x16 0x11 on a factory norns (line 185) and 0x04 0x11 on the shield (line 187). The display is not
// turned on there: AFh follows the first frame (lines 190-192, 270-273).
const NORNS_INIT = (remap: number): number[][] => [
  [0xae], [0xb9], [0xb3, 0x91], [0xca, 0x3f], [0xa2, 0x00], [0xa1, 0x00], [0xab, 0x01], [0xb4, 0xa0, 0xfd],
  [0xc1, 0x7f], [0xc7, 0x0f], [0xb1, 0xf2], [0xbb, 0x1f], [0xbe, 0x04], [0xa6], [0xa0, remap, 0x11],
];
// monome/linux drivers/staging/fbtft/fb_ssd1322.c init_display (3b730ecb), which norns says it copied: the same
// settings, A0h sent earlier and AFh at the end.
const FBTFT_INIT: number[][] = [
  [0xae], [0xb9], [0xb3, 0x91], [0xca, 0x3f], [0xa2, 0x00], [0xa1, 0x00], [0xa0, 0x16, 0x11], [0xab, 0x01],
  [0xb4, 0xa0, 0xfd], [0xc1, 0x7f], [0xc7, 0x0f], [0xb1, 0xf2], [0xbb, 0x1f], [0xbe, 0x04], [0xa6], [0xaf],
];
const asWire = (cmds: number[][]) => cmds.flatMap(([op, ...args]) => [op!, ...args.map((a) => 0x100 | a)]);

/**
 * An SSD1322 double after the Solomon Systech SSD1322 datasheet's command table and GDDRAM description: 480 x 128
 * 4-bit GDDRAM addressed as 120 columns of 4 segments (one 16-bit word, first data byte = D[15:8]) by 128 rows;
 * 15h / 75h set the column / row window and reset the pointer to its start; after 5Ch every data byte pair is one
 * word, the column pointer steps (horizontal increment, A0h A[0] = 0) and wraps to the next row inside the window.
 * A0h A[2] (nibble re-map) decides whether a word's segments run from D[15:12] (on) or from D[3:0] (off); A[1]
 * (column re-map) mirrors SEG0..479. Parameters are counted per command, and data where none is expected throws.
 */
class Ssd1322Double {
  readonly ram = new Uint16Array(120 * 128);
  remapA = 0x00; // reset value (datasheet: A0h A[7:0] = 00h)
  on = false;
  colWin = [0, 119]; rowWin = [0, 127];
  col = 0; row = 0;
  dataSeenWhileOff = false;
  private cmd = -1; private args: number[] = []; private writing = false; private hi = -1;
  static readonly PARAMS: Record<number, number> = {
    0x15: 2, 0x75: 2, 0xa0: 2, 0xa1: 1, 0xa2: 1, 0xab: 1, 0xb1: 1, 0xb3: 1, 0xb4: 2, 0xb5: 1, 0xb6: 1, 0xb8: 15,
    0xbb: 1, 0xbe: 1, 0xc1: 1, 0xc7: 1, 0xca: 1, 0xd1: 2, 0xfd: 1, 0xa8: 2,
  };
  feed(rs: Run[]): this {
    for (const r of rs) for (const b of r.bytes) (r.dc ? this.data(b) : this.command(b));
    return this;
  }
  private command(b: number): void {
    if (this.cmd >= 0) throw new Error(`command ${hex(b)} while ${hex(this.cmd)} still waits for parameters`);
    this.writing = false; this.hi = -1;
    const n = Ssd1322Double.PARAMS[b] ?? 0;
    if (b === 0x5c) { this.writing = true; return; }
    if (b === 0xaf) this.on = true;
    if (b === 0xae) this.on = false;
    if (n) { this.cmd = b; this.args = []; }
  }
  private data(b: number): void {
    if (this.cmd >= 0) {
      this.args.push(b);
      if (this.args.length === Ssd1322Double.PARAMS[this.cmd]) this.apply();
      return;
    }
    if (!this.writing) throw new Error(`data byte ${hex(b)} with no command expecting it`);
    if (!this.on) this.dataSeenWhileOff = true;
    if (this.hi < 0) { this.hi = b; return; }
    if (this.remapA & 0x01) throw new Error('vertical address increment is not modelled');
    this.ram[this.row * 120 + this.col] = (this.hi << 8) | b;
    this.hi = -1;
    if (++this.col > this.colWin[1]!) { this.col = this.colWin[0]!; if (++this.row > this.rowWin[1]!) this.row = this.rowWin[0]!; }
  }
  private apply(): void {
    const [a, b] = this.args as [number, number];
    if (this.cmd === 0x15) {
      if (a > 119 || b > 119 || a > b) throw new Error(`column window ${a}..${b} outside 0..119`);
      this.colWin = [a, b]; this.col = a;
    } else if (this.cmd === 0x75) {
      if (a > 127 || b > 127 || a > b) throw new Error(`row window ${a}..${b} outside 0..127`);
      this.rowWin = [a, b]; this.row = a;
    } else if (this.cmd === 0xa0) this.remapA = a;
    this.cmd = -1;
  }
  /** Level of segment `seg` (0..479) in GDDRAM row `row`, as the segment driver outputs it. */
  segment(row: number, seg: number): number {
    const s = this.remapA & 0x02 ? 479 - seg : seg; // column re-map mirrors the segment order
    const word = this.ram[row * 120 + (s >> 2)]!;
    const j = s & 3; // segment within the column
    const shift = this.remapA & 0x04 ? 12 - 4 * j : 4 * j;
    return (word >> shift) & 15;
  }
  /**
   * The 128x64 picture on a panel wired to the segments at column address firstCol: one segment per pixel
   * (packed) or two (doubled: both must show the same level). Under column re-map the panel is mounted turned, so
   * x counts from the other end of the same segment range.
   */
  picture(layout: 'doubled' | 'packed', firstCol: number): Uint8Array {
    const k = layout === 'doubled' ? 2 : 1, seg0 = 4 * firstCol, out = new Uint8Array(128 * 64);
    for (let y = 0; y < 64; y++) for (let x = 0; x < 128; x++) {
      const segAt = (i: number) => (this.remapA & 0x02 ? 479 - (seg0 + i) : seg0 + i);
      const v = this.segment(y, segAt(k * x));
      if (k === 2 && this.segment(y, segAt(k * x + 1)) !== v) throw new Error(`pixel ${x},${y}: its two segments differ`);
      out[y * 128 + x] = v;
    }
    return out;
  }
}
const hex = (b: number) => `0x${b.toString(16).padStart(2, '0')}`;

function firstDiff(a: Uint8Array, b: Uint8Array): string {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `x=${i % 128} y=${Math.floor(i / 128)}: ${a[i]} vs ${b[i]}`;
  return 'none';
}

describe.skipIf(skipWithout('front panel units', ['gcc', 'make'], 'apt-get install gcc make'))(
  'front panel: SSD1322 stream and key/encoder decoding (firmware/core/ssd1322.c, panel_input.c)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'piwip-panel-'));
    const fbs: Record<string, string> = {};
    beforeAll(() => {
      execFileSync('make', ['-C', FW, '-s', 'B=build/ci-panel', 'panel-sim'], { stdio: 'pipe', timeout: 120_000 });
      // the engine's real framebuffers
      type Ex = Record<string, any> & { memory: WebAssembly.Memory };
      const ex = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(WASM)), {}).exports as unknown as Ex;
      ex._start();
      const grab = (name: string) => { fbs[name] = join(dir, `${name}.bin`); writeFileSync(fbs[name]!, readScreen(ex.memory, ex.screenPtr())); };
      ex.screenTestPattern(0); grab('card');
      ex.screenTestPattern(1); grab('text');
      const n = 300;
      new Float32Array(ex.memory.buffer, ex.screenTestPlayAmpsPtr(), n).set(Array.from({ length: n }, (_, i) => Math.abs(Math.sin(i * 0.11))));
      ex.screenTestPlaySet(1, 1, 0, n, 0.05, 1.0, 12.0, 15.0, 2);
      ex.screenTestPlayhead(0, 4.0, 1.0, 12.0);
      ex.screenTestPlayhead(1, 9.5, 2.0, 10.0);
      ex.screenTestPlayDraw(); grab('play');
      // the card with a few rows changed: 10..12 and 40 (partial update)
      const card = readFileSync(fbs.card!);
      const edit = Uint8Array.from(card);
      for (const y of [10, 11, 12, 40]) for (let i = 0; i < 64; i++) edit[y * 64 + i] = (edit[y * 64 + i]! ^ 0x5a) & 0xff;
      fbs.edit = join(dir, 'edit.bin'); writeFileSync(fbs.edit, edit);
    });
    const levels = (name: string) => unpackScreen(readFileSync(fbs[name]!));

    it('power-on stream: norns\' init sequence byte for byte, display left off', () => {
      expect(wire(runs(sim(['init'])))).toEqual(asWire(NORNS_INIT(0x16)));
      expect(wire(runs(sim(['init', '--remap', '0x04'])))).toEqual(asWire(NORNS_INIT(0x04)));
      // every command goes out with D/C low and its parameters with D/C high, one run each
      for (const r of runs(sim(['init']))) if (r.dc === 0) expect(r.bytes.length).toBe(1);
      // the same settings as the fbtft driver norns copied them from; only A0h's place and AFh differ
      const key = (c: number[]) => c.map(hex).join(' ');
      const ours = NORNS_INIT(0x16).map(key).sort(), fbtft = FBTFT_INIT.filter((c) => c[0] !== 0xaf).map(key).sort();
      expect(ours).toEqual(fbtft);
    });

    for (const [layout, remap, firstCol] of [['doubled', 0x16, 28], ['doubled', 0x04, 28], ['doubled', 0x14, 28], ['packed', 0x14, 0], ['packed', 0x10, 8]] as const) {
      it(`a whole frame read back by the SSD1322 double is the engine's framebuffer (${layout}, A0h ${hex(remap)})`, () => {
        for (const name of ['card', 'text', 'play']) {
          const out = sim(['frame', '--layout', layout, '--remap', String(remap), '--first-col', String(firstCol), '--init', fbs[name]!]);
          const d = new Ssd1322Double().feed(runs(out));
          expect(d.remapA).toBe(remap);
          const pic = d.picture(layout, firstCol), want = levels(name);
          expect(firstDiff(pic, want), name).toBe('none');
          expect(d.on).toBe(true);
          expect(d.dataSeenWhileOff).toBe(true); // GDDRAM filled while the panel is dark, then AFh
          const last = runs(out).at(-1)!;
          expect(last).toEqual({ dc: 0, bytes: [0xaf] });
          expect(summaries(out)[0]).toMatchObject({ queued: 64, rows: 64, windows: 1, busy: 0 });
        }
      });
    }

    it('the double is not fooled: the packed bytes with nibble re-map off (unconverted) show a different picture', () => {
      const out = runs(sim(['frame', '--layout', 'packed', '--remap', '0x14', '--first-col', '0', '--init', fbs.card!]));
      const d = new Ssd1322Double().feed(out);
      d.remapA = 0x10; // same bytes, panel set up without nibble re-map
      expect(firstDiff(d.picture('packed', 0), levels('card'))).not.toBe('none');
    });

    it('partial update: only the changed rows go out, each run of rows one window, and the result is exact', () => {
      const out = sim(['frame', '--init', fbs.card!, fbs.edit!, fbs.edit!]);
      const [first, second, third] = summaries(out);
      expect(first).toMatchObject({ rows: 64, windows: 1 });
      expect(second).toMatchObject({ queued: 4, rows: 4, windows: 2 }); // rows 10..12 and 40
      expect(third).toMatchObject({ queued: 0, rows: 0, windows: 0, calls: 0 });
      const rs = runs(out);
      const d = new Ssd1322Double().feed(rs);
      expect(firstDiff(d.picture('doubled', 28), levels('edit'))).toBe('none');
      // the windows as the SSD1322 sees them: 15h 1c 5b, 75h y0 y1, 5Ch
      const windows = wire(rs).join(',');
      expect(windows).toContain([0x75, 0x10a, 0x10c, 0x5c].join(','));
      expect(windows).toContain([0x75, 0x128, 0x128, 0x5c].join(','));
      expect(windows.split(`${0x15},${0x11c},${0x15b}`).length - 1).toBe(3);
    });

    it('bounded pieces: no pump call emits more than its budget, and any budget gives the same wire bytes', () => {
      const ref = wire(runs(sim(['frame', '--budget', '100000', fbs.play!])));
      for (const budget of [8, 64, 200, 1000]) {
        const out = sim(['frame', '--budget', String(budget), fbs.play!]);
        const s = summaries(out)[0]!;
        expect(s.max_call).toBeLessThanOrEqual(budget);
        expect(s.calls).toBeGreaterThanOrEqual(Math.ceil(ref.length / budget));
        expect(wire(runs(out))).toEqual(ref);
      }
      // several windows in one upload (a partial update), budgets that do not divide a row: a window is never split
      // and never pushes a call over its budget
      const refEdit = wire(runs(sim(['frame', '--budget', '100000', fbs.card!, fbs.edit!])));
      for (const budget of [9, 10, 100, 135]) {
        const out = sim(['frame', '--budget', String(budget), fbs.card!, fbs.edit!]);
        for (const s of summaries(out)) expect(s.max_call).toBeLessThanOrEqual(budget);
        expect(wire(runs(out))).toEqual(refEdit);
        const rs = runs(out);
        for (let i = 0; i < rs.length; i++) {
          if (rs[i]!.dc === 0 && rs[i]!.bytes[0] === 0x15) expect(rs.slice(i, i + 5).map((r) => r.bytes[0])).toEqual([0x15, 0x1c, 0x75, rs[i + 3]!.bytes[0], 0x5c]);
        }
      }
      expect(spawnSync(SIM, ['frame', '--budget', '4', fbs.play!], { encoding: 'utf8' }).status).toBe(2);
    });
  });

/** Sample lines "t_us value" from a list of [duration_us, value] segments, every `dt` µs. */
function samples(segs: [number, number][], dt = 100): string {
  let t = 1_000_000;
  const lines: string[] = [];
  for (const [dur, v] of segs) for (let e = 0; e < dur; e += dt) { lines.push(`${t} ${v}`); t += dt; }
  return lines.join('\n') + '\n';
}
const events = (out: string, kind: string) => out.split('\n').filter((l) => l.startsWith(kind + ' ')).map((l) => l.split(' ').slice(1).map(Number));

describe.skipIf(skipWithout('front panel units', ['gcc', 'make'], 'apt-get install gcc make'))(
  'front panel keys: Linux gpio-keys debounce (5 ms default, as norns\' overlay leaves it)', () => {
    beforeAll(() => { execFileSync('make', ['-C', FW, '-s', 'B=build/ci-panel', 'panel-sim'], { stdio: 'pipe', timeout: 120_000 }); });

    it('a bouncing press and release give one press and one release, 5 ms after the last bounce', () => {
      const bounce: [number, number][] = [[300, 1], [200, 0], [400, 1], [100, 0], [300, 1]];
      const out = sim(['keys'], samples([[10_000, 0], ...bounce, [50_000, 1], [300, 0], [200, 1], [200, 0], [60_000, 0]]));
      const ev = events(out, 'key');
      expect(ev.map(([n, z]) => [n, z])).toEqual([[1, 1], [1, 0]]);
      // press: last edge at 10 ms + 1.0 ms of bounce, reported 5 ms later
      expect(ev[0]![2]! - 1_000_000).toBe(10_000 + 1000 + 5000);
    });

    it('a glitch shorter than the debounce time is no event; keys are independent', () => {
      expect(events(sim(['keys'], samples([[5000, 0], [4900, 1], [20_000, 0]])), 'key')).toEqual([]);
      // K1 and K3 (bits 0 and 2) pressed together, K3 released first
      const ev = events(sim(['keys'], samples([[5000, 0], [20_000, 5], [20_000, 1], [20_000, 0]])), 'key');
      expect(ev.map(([n, z]) => [n, z])).toEqual([[1, 1], [3, 1], [3, 0], [1, 0]]);
    });
  });

describe.skipIf(skipWithout('front panel units', ['gcc', 'make'], 'apt-get install gcc make'))(
  'front panel encoders: rotary-encoder half-period steps, norns encoders.lua sens/accel', () => {
    beforeAll(() => { execFileSync('make', ['-C', FW, '-s', 'B=build/ci-panel', 'panel-sim'], { stdio: 'pipe', timeout: 120_000 }); });
    // ab = (A << 1) | B. One detent clockwise: 00 -> 10 -> 11 -> 01 -> 00 (A leads B)
    const CW = [2, 3, 1, 0], CCW = [1, 3, 2, 0];
    // `detents` detents of `detentUs` each: 4 states, a driver step every 2 of them (detentUs / 2 apart)
    const turn = (seq: number[], detents: number, detentUs: number): [number, number][] =>
      Array.from({ length: detents }, () => seq.map((v) => [detentUs / 4, v] as [number, number])).flat();
    // 100 ms at rest first, so the first step is not accelerated against the start time
    const run = (segs: [number, number][], args: string[] = []) => sim(['enc', ...args], samples([[100_000, 0], ...segs, [1000, 0]]));
    const sum = (out: string) => events(out, 'enc').reduce((a, [d]) => a + d!, 0);

    it('slow turns: one delta per detent (2 driver steps, sens 2), forward and back', () => {
      const fwd = run(turn(CW, 5, 80_000));
      expect(events(fwd, 'step').length).toBe(10);
      expect(events(fwd, 'enc').map(([d]) => d)).toEqual([1, 1, 1, 1, 1]);
      expect(sum(run(turn(CCW, 3, 80_000)))).toBe(-3);
      expect(sum(run([...turn(CW, 4, 80_000), ...turn(CCW, 4, 80_000)]))).toBe(0);
    });

    it('contact bounce on an edge counts once', () => {
      // A chatters while leaving 00, then again on arriving at 11 (11 -> 10 -> 11): still one step each half
      const chatter: [number, number][] = [[500, 2], [200, 0], [300, 2], [100, 0], [40_000, 2], [40_000, 3], [300, 2], [200, 3], [40_000, 3],
        [40_000, 1], [40_000, 0]];
      const out = run(chatter);
      expect(events(out, 'step').map(([d]) => d)).toEqual([1, 1]);
      expect(sum(out)).toBe(1);
    });

    it('fast turns accelerate as encoders.process_with_accel does (6x under 5 ms, 2x under 30 ms)', () => {
      // steps 4 ms apart: the first step counts 1 (tick 1), each later one 6: 7 -> 3 out (tick 1), 7 -> 3 ...
      expect(events(run(turn(CW, 2, 8000)), 'enc').map(([d]) => d)).toEqual([3, 3, 3]);
      // 25 ms apart: 1, then 2 each: tick 1, 3 -> 1 out (tick 1), 3 -> 1 ...
      expect(events(run(turn(CW, 2, 50_000)), 'enc').map(([d]) => d)).toEqual([1, 1, 1]);
      // accel off (as the menu sets E1/E2), sens 1: every driver step is one delta
      expect(events(run(turn(CW, 2, 8000), ['--accel', '0', '--sens', '1']), 'enc').map(([d]) => d)).toEqual([1, 1, 1, 1]);
      // sens 8 (the menu's E1): 4 detents for one delta
      expect(sum(run(turn(CW, 8, 80_000), ['--accel', '0', '--sens', '8']))).toBe(2);
    });

    it('missed states: a skipped intermediate counts in the last direction seen; with none seen yet, nothing', () => {
      // one detent CW, then 00 -> 11 -> 00 with no intermediate sampled: two more CW steps
      const out = run([...turn(CW, 1, 80_000), [40_000, 3], [40_000, 0]], ['--accel', '0', '--sens', '1']);
      expect(events(out, 'step').map(([d]) => d)).toEqual([1, 1, 1, 1]);
      // straight from the start: the driver's dir is 0, the input core drops a REL 0
      expect(events(run([[40_000, 3], [40_000, 0]], ['--accel', '0', '--sens', '1']), 'enc')).toEqual([]);
    });
  });
