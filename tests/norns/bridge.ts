// The test bridge between the norns double (the real Lua files under Debian lua5.3, tests/norns/double/) and a
// real piwip engine wasm acting as the module: bytes the script writes with serial.send go to engine.linkIn, the
// engine runs block by block (process + linkService, as a module's shell does), and its linkOut bytes come back
// as norns serial events of at most 256 bytes (matron reads 256 at a time), split wherever the test says.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PiwipEngine, type EngineState } from '../../host/engine/engine.ts';

export const NORNS_DIR = fileURLToPath(new URL('../../norns', import.meta.url));
const RUN = fileURLToPath(new URL('./double/run.lua', import.meta.url));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export interface Reply { tx: Uint8Array[]; crow: string[]; value?: string; screen?: Uint8Array; matched?: string }

/** The Lua side: one command per line, each answered "ok" after what it caused. */
export class NornsDouble {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'piwip-norns-'));
  private p: ChildProcessWithoutNullStreams;
  private rl: Interface;
  private waiting: ((l: string) => void)[] = [];
  private lines: string[] = [];
  stderr = '';
  private exited = false;
  crowLines: string[] = [];

  constructor() {
    this.p = spawn('lua5.3', [RUN, NORNS_DIR, this.dataDir]);
    this.p.stderr.on('data', (d) => { this.stderr += d; });
    this.rl = createInterface({ input: this.p.stdout });
    this.p.on('exit', () => { this.exited = true; for (const w of this.waiting.splice(0)) w('err lua5.3 exited'); });
    this.rl.on('line', (l) => { const w = this.waiting.shift(); if (w) w(l); else this.lines.push(l); });
  }
  private next(): Promise<string> {
    const l = this.lines.shift();
    if (l !== undefined) return Promise.resolve(l);
    if (this.exited) return Promise.reject(new Error(`lua5.3 exited: ${this.stderr}`));
    return new Promise((res) => { this.waiting.push(res); });
  }
  private chain: Promise<unknown> = Promise.resolve();
  /** One command; commands from concurrent callers run one after the other. */
  cmd(line: string): Promise<Reply> {
    const r = this.chain.then(() => this.cmd1(line));
    this.chain = r.catch(() => {});
    return r;
  }
  private async cmd1(line: string): Promise<Reply> {
    this.p.stdin.write(line + '\n');
    const r: Reply = { tx: [], crow: [] };
    for (;;) {
      const l = await this.next();
      const sp = l.indexOf(' ');
      const k = sp < 0 ? l : l.slice(0, sp), rest = sp < 0 ? '' : l.slice(sp + 1);
      if (k === 'ok') return r;
      if (k === 'err') throw new Error(`norns double: ${line.slice(0, 60)}: ${rest}\n${this.stderr}`);
      if (k === 'tx') r.tx.push(Buffer.from(rest, 'hex'));
      else if (k === 'crow') { r.crow.push(rest); this.crowLines.push(rest); }
      else if (k === 'value') r.value = rest;
      else if (k === 'screen') r.screen = Buffer.from(rest, 'hex');
      else if (k === 'matched') r.matched = rest;
    }
  }
  async eval(expr: string): Promise<string> { return (await this.cmd(`eval ${expr}`)).value ?? ''; }
  close(): void { this.p.stdin.end(); this.p.kill(); rmSync(this.dataDir, { recursive: true, force: true }); }
}

/** Deterministic PRNG (xorshift32) for event splits and garbage. */
export function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
}

export type Splitter = (bytes: Uint8Array) => Uint8Array[];
/** norns-like reads: pieces of 1..256 bytes, sizes from a seeded PRNG. */
export function randomReads(seed = 7): Splitter {
  const r = prng(seed);
  return (b) => {
    const out: Uint8Array[] = [];
    for (let i = 0; i < b.length;) { const n = 1 + Math.floor(r() * 256); out.push(b.subarray(i, i + n)); i += n; }
    return out;
  };
}

/** norns double + engine, stepped together on one simulated clock. */
export class Rig {
  readonly e = PiwipEngine.create();
  readonly norns = new NornsDouble();
  t = 0;
  plugged = false;
  split: Splitter = randomReads();
  /** Rewrites the module's bytes on their way to norns (a lossy cable, in tests). */
  transform: ((b: Uint8Array) => Uint8Array) | null = null;
  private z = new Float32Array(this.e.blockSize);
  private oL = new Float32Array(this.e.blockSize);
  private oR = new Float32Array(this.e.blockSize);
  probes: ((s: EngineState, t: number) => void)[] = [];
  input: (t: number) => number = () => 0;

  constructor() {
    this.e.linkIdentity('piwip-test', '0.1.0', 'node', '', 2 | 4);
  }
  /** A norns command; whatever it made the script write goes to the module (if plugged). */
  async cmd(line: string): Promise<Reply> {
    const r = await this.norns.cmd(line);
    if (this.plugged) for (const b of r.tx) this.e.linkIn(b);
    return r;
  }
  /** Module bytes to norns as serial events. */
  async deliver(bytes: Uint8Array, split = this.split): Promise<void> {
    const parts = split(bytes);
    for (let i = 0; i < parts.length; i += 64) {
      await this.cmd('serial ' + parts.slice(i, i + 64).map(hex).join(' '));
    }
  }
  async plug(model = 'piwip'): Promise<Reply> { this.plugged = true; return this.cmd(`plug ${model}`); }
  async unplug(): Promise<void> { await this.cmd('unplug'); this.plugged = false; }

  /** Advance both sides by `seconds` in steps of ~10.7 ms (4 blocks). */
  async run(seconds: number): Promise<void> {
    const bs = this.e.blockSize, sr = this.e.sampleRate;
    const end = this.t + seconds;
    const inBuf = new Float32Array(bs);
    while (this.t < end - 1e-9) {
      for (let k = 0; k < 4; k++) {
        for (let i = 0; i < bs; i++) inBuf[i] = this.input(this.t + i / sr);
        this.e.process(inBuf, inBuf, this.oL, this.oR);
        this.e.linkService();
        this.t += bs / sr;
        if (this.probes.length) { const s = this.e.state(); for (const p of this.probes) p(s, this.t); }
      }
      await this.cmd(`time ${this.t.toFixed(6)}`);
      let out = this.e.linkOut();
      if (this.transform) out = this.transform(out);
      if (this.plugged && out.length) await this.deliver(out);
    }
  }
  async screen(): Promise<Uint8Array> { return (await this.cmd('screen')).screen!; }
  close(): void { this.norns.close(); }
}

/** The engine's packed framebuffer (4 bits, even x high) as one byte per pixel, as screen.poke takes it. */
export function unpackScreen(packed: Uint8Array): Uint8Array {
  const px = new Uint8Array(8192);
  for (let i = 0; i < 4096; i++) { px[2 * i] = packed[i]! >> 4; px[2 * i + 1] = packed[i]! & 15; }
  return px;
}
export const enc20 = (id: string) => id.replace(/ /g, '%20');
