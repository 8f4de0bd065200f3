// Firmware scenarios from Node: JSON event descriptions -> the events line format of firmware/core/events.h,
// a deterministic instrument-like test input, and the Node/V8 reference run that the C targets must match bit for bit.
// CLI:  node bin/run-ts.mjs firmware/tools/scenario.ts events <desc.json> <out.events>
//       node bin/run-ts.mjs firmware/tools/scenario.ts input <seconds> <rate> <out.f32>
//       node bin/run-ts.mjs firmware/tools/scenario.ts run --in x.f32 [--events e.txt] [--out y.f32] [--rate 44100]
//                                                        [--max-rec 10] [--seed 1] [--channels 1] [--block 128]
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PiwipEngine } from '../../host/engine/engine.ts';

/** One event of a JSON description; time is `t` (seconds) or `frame`. */
export interface EventDesc {
  t?: number;
  frame?: number;
  midi?: number[];
  noteOn?: number;
  noteOff?: number;
  velocity?: number;
  channel?: number;
  key?: [number, number];
  enc?: [number, number];
  mode?: number;
  param?: string;
  parami?: number;
  value?: number;
}

export interface ScenarioDesc {
  sampleRate?: number;
  events: EventDesc[];
}

export type ScenarioEvent =
  | { frame: number; kind: 'midi'; bytes: number[] }
  | { frame: number; kind: 'key' | 'enc'; a: number; b: number }
  | { frame: number; kind: 'mode'; a: number }
  | { frame: number; kind: 'param'; id: string; value: number }
  | { frame: number; kind: 'parami'; a: number; value: number };

function num(v: number, what: string): string {
  if (!Number.isFinite(v)) throw new RangeError(`${what}: not a finite number (${v})`);
  return String(v);
}

/**
 * The firmware test and benchmark scenario (10 s): follower preset with harmonizer probability 100, arm (K2), MIDI
 * notes, an encoder turn, forced record (K3), then the ensemble preset (5 voices) with more notes.
 */
export function standardScenario(sampleRate = 44100): ScenarioDesc {
  return {
    sampleRate,
    events: [
      { t: 0, mode: 2 },
      { t: 0, param: 'probability', value: 100 },
      { t: 0.1, key: [2, 1] }, { t: 0.2, key: [2, 0] },
      { t: 2.0, noteOn: 60 }, { t: 2.6, noteOff: 60 },
      { t: 3.0, noteOn: 64 }, { t: 3.1, noteOn: 67 }, { t: 4.2, noteOff: 64 }, { t: 4.3, noteOff: 67 },
      { t: 5.0, noteOn: 72, velocity: 90 }, { t: 5.0, noteOn: 55 },
      { t: 5.0, mode: 3 }, { t: 5.0, param: 'probability', value: 100 },
      { t: 5.5, noteOn: 69 }, { t: 6.0, enc: [3, 2] }, { t: 6.5, noteOff: 72 }, { t: 7.0, noteOff: 55 },
      { t: 7.5, key: [3, 1] }, { t: 7.6, key: [3, 0] },
      { t: 8.0, noteOn: 62 }, { t: 8.9, noteOff: 69 }, { t: 9.5, noteOff: 62 },
    ],
  };
}

/** The shifter's cost scenario (10 s): the tune preset (E1 4: shifter = psola, autotune on), armed, five notes
 * held from 2 s to 9.5 s on the pitch-synchronous voices (autotune sings before and after). */
export function psolaScenario(sampleRate = 44100): ScenarioDesc {
  const notes = [60, 64, 67, 71, 74];
  return {
    sampleRate,
    events: [
      { t: 0, mode: 4 },
      { t: 0.1, key: [2, 1] }, { t: 0.2, key: [2, 0] },
      ...notes.map((n) => ({ t: 2.0, noteOn: n })),
      ...notes.map((n) => ({ t: 9.5, noteOff: n })),
    ],
  };
}

/** The events text for a description: sorted by frame (stable), one line per event. */
export function eventsText(desc: ScenarioDesc): string {
  const rate = desc.sampleRate ?? 44100;
  const lines: { frame: number; line: string }[] = [];
  desc.events.forEach((e, i) => {
    const frame = e.frame ?? (e.t !== undefined ? Math.round(e.t * rate) : NaN);
    if (!Number.isInteger(frame) || frame < 0) throw new RangeError(`event #${i}: needs t >= 0 or an integer frame >= 0`);
    const ch = ((e.channel ?? 1) - 1) & 15;
    let body: string;
    const hex = (bytes: number[]) => bytes.map((b) => {
      if (!Number.isInteger(b) || b < 0 || b > 255) throw new RangeError(`event #${i}: bad MIDI byte ${b}`);
      return b.toString(16).padStart(2, '0');
    }).join(' ');
    if (e.midi) body = `midi ${hex(e.midi)}`;
    else if (e.noteOn !== undefined) body = `midi ${hex([0x90 | ch, e.noteOn & 127, (e.velocity ?? 100) & 127])}`;
    else if (e.noteOff !== undefined) body = `midi ${hex([0x80 | ch, e.noteOff & 127, 0])}`;
    else if (e.key) body = `key ${e.key[0] | 0} ${e.key[1] | 0}`;
    else if (e.enc) body = `enc ${e.enc[0] | 0} ${e.enc[1] | 0}`;
    else if (e.mode !== undefined) body = `mode ${e.mode | 0}`;
    else if (e.param !== undefined) {
      if (!/^[ -~]{1,47}$/.test(e.param) || e.param.trim() !== e.param) throw new RangeError(`event #${i}: bad param id`);
      body = `param ${num(e.value ?? NaN, `event #${i}`)} ${e.param}`;
    } else if (e.parami !== undefined) body = `parami ${e.parami | 0} ${num(e.value ?? NaN, `event #${i}`)}`;
    else throw new RangeError(`event #${i}: no kind (midi, noteOn, noteOff, key, enc, mode, param, parami)`);
    lines.push({ frame, line: `${frame} ${body}` });
  });
  lines.sort((x, y) => x.frame - y.frame);
  return `# piwip events v1 (firmware/core/events.h)\n${lines.map((l) => l.line).join('\n')}\n`;
}

/** Parse the events text (the same grammar as firmware/core/events.c). */
export function parseEvents(text: string): ScenarioEvent[] {
  const out: ScenarioEvent[] = [];
  text.split('\n').forEach((raw, n) => {
    const line = raw.replace(/\r$/, '').trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(\d+)\s+(\w+)\s*(.*)$/.exec(line);
    if (!m) throw new SyntaxError(`events line ${n + 1}: ${raw}`);
    const frame = Number(m[1]);
    const kind = m[2];
    const rest = (m[3] ?? '').trim();
    const words = rest === '' ? [] : rest.split(/\s+/);
    const int = (s: string | undefined, base = 10) => {
      const v = parseInt(s ?? '', base);
      if (Number.isNaN(v)) throw new SyntaxError(`events line ${n + 1}: ${raw}`);
      return v;
    };
    if (kind === 'midi') out.push({ frame, kind, bytes: words.map((w) => int(w, 16) & 255) });
    else if (kind === 'key' || kind === 'enc') out.push({ frame, kind, a: int(words[0]), b: int(words[1]) });
    else if (kind === 'mode') out.push({ frame, kind, a: int(words[0]) });
    else if (kind === 'parami') out.push({ frame, kind, a: int(words[0]), value: Number(words[1]) });
    else if (kind === 'param') {
      const pm = /^(\S+)\s+(.+)$/.exec(rest);
      if (!pm) throw new SyntaxError(`events line ${n + 1}: ${raw}`);
      out.push({ frame, kind, value: Number(pm[1]), id: (pm[2] ?? '').trim() });
    } else throw new SyntaxError(`events line ${n + 1}: unknown kind "${kind}"`);
  });
  return out;
}

/**
 * Instrument-like mono test input: a harmonic tone (6 partials, 1/k amplitudes) with 5.5 Hz vibrato, ADSR-shaped
 * notes of a short melody separated by pauses, and a little deterministic noise. Deterministic for (seconds, rate).
 */
export function instrumentInput(seconds: number, rate: number): Float32Array {
  const n = Math.round(seconds * rate);
  const out = new Float32Array(n);
  const melody = [220, 246.94, 261.63, 329.63, 293.66, 220, 196, 261.63];
  const noteLen = 0.9;
  const gap = 0.35;
  let lcg = 12345;
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    const slot = Math.floor((t - 0.5) / (noteLen + gap));
    const inNote = t >= 0.5 ? (t - 0.5) - slot * (noteLen + gap) : -1;
    let env = 0;
    let f0 = melody[((slot % melody.length) + melody.length) % melody.length] ?? 220;
    if (inNote >= 0 && inNote < noteLen) {
      const a = Math.min(1, inNote / 0.02);
      const r = Math.min(1, (noteLen - inNote) / 0.08);
      env = 0.5 * a * r * (0.8 + 0.2 * Math.exp(-inNote * 4));
    }
    f0 *= 1 + 0.006 * Math.sin(2 * Math.PI * 5.5 * t);
    phase += (2 * Math.PI * f0) / rate;
    if (phase > 2 * Math.PI) phase -= 2 * Math.PI;
    let s = 0;
    for (let k = 1; k <= 6; k++) s += Math.sin(k * phase) / k;
    lcg = (Math.imul(lcg, 1664525) + 1013904223) | 0;
    out[i] = env * s * 0.5 + (lcg / 2147483648) * 0.002;
  }
  return out;
}

/** FNV-1a over bytes, as firmware/core/scenario.c hashes the interleaved float32 output. */
export function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ (bytes[i] ?? 0), 0x01000193) >>> 0;
  return h >>> 0;
}

export interface RunOptions {
  sampleRate?: number;
  maxRecSeconds?: number;
  seed?: number;
  block?: number;
  channels?: 1 | 2;
  /** Called after each block (for assertions on engine state). */
  onBlock?: (engine: PiwipEngine, block: number) => void;
}

export interface RunResult {
  out: Float32Array; // interleaved stereo
  hash: string; // 8 hex digits
  frames: number;
  events: number;
  eventErrors: number;
  firstError: number;
}

/** The Node/V8 reference: the scenario loop of firmware/core/scenario.c, on the engine wasm through host/engine. */
export function runScenario(wasm: Uint8Array, input: Float32Array, events: ScenarioEvent[], o: RunOptions = {}): RunResult {
  const block = o.block ?? 128;
  const channels = o.channels ?? 1;
  const eng = PiwipEngine.create({ sampleRate: o.sampleRate ?? 44100, blockSize: block, maxRecSeconds: o.maxRecSeconds ?? 10,
    seed: o.seed ?? 1 }, wasm);
  const ex = eng.ex;
  const frames = Math.floor(input.length / channels);
  const out = new Float32Array(frames * 2);
  let ei = 0;
  let eventErrors = 0;
  let firstError = 0;
  const apply = (e: ScenarioEvent): number => {
    switch (e.kind) {
      case 'midi': eng.midi(e.bytes); return 0;
      case 'key': ex.key(e.a, e.b); return 0;
      case 'enc': ex.enc(e.a, e.b); return 0;
      case 'mode': return ex.setMode(e.a) as number;
      case 'parami': return ex.paramSet(e.a, e.value) as number;
      case 'param': {
        const i = eng.paramIndex(e.id);
        return i < 0 ? -1 : (ex.paramSet(i, e.value) as number);
      }
    }
  };
  for (let pos = 0, b = 0; pos < frames; pos += block, b++) {
    const n = Math.min(block, frames - pos);
    while (ei < events.length && (events[ei]?.frame ?? Infinity) < pos + block) {
      if (apply(events[ei] as ScenarioEvent) < 0) eventErrors++;
      ei++;
    }
    const inL = eng.input(0);
    const inR = eng.input(1);
    for (let i = 0; i < n; i++) {
      inL[i] = input[(pos + i) * channels] ?? 0;
      inR[i] = input[(pos + i) * channels + channels - 1] ?? 0;
    }
    const rc = ex.process(n) as number;
    if (rc !== 0 && firstError === 0) firstError = rc;
    const oL = eng.output(0);
    const oR = eng.output(1);
    for (let i = 0; i < n; i++) {
      out[(pos + i) * 2] = oL[i] ?? 0;
      out[(pos + i) * 2 + 1] = oR[i] ?? 0;
    }
    o.onBlock?.(eng, b);
  }
  const hash = fnv1a(new Uint8Array(out.buffer, out.byteOffset, out.byteLength)).toString(16).padStart(8, '0');
  return { out, hash, frames, events: ei, eventErrors, firstError };
}

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

function main(argv: string[]): void {
  const cmd = argv[0];
  if (cmd === 'events' && argv[1] && argv[2]) {
    writeFileSync(argv[2], eventsText(JSON.parse(readFileSync(argv[1], 'utf8')) as ScenarioDesc));
  } else if (cmd === 'input' && argv[1] && argv[2] && argv[3]) {
    const x = instrumentInput(Number(argv[1]), Number(argv[2]));
    writeFileSync(argv[3], new Uint8Array(x.buffer));
  } else if (cmd === 'run' && arg(argv, '--in')) {
    const raw = readFileSync(arg(argv, '--in') as string);
    const input = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + (raw.byteLength & ~3)));
    const ev = arg(argv, '--events');
    const wasmPath = arg(argv, '--wasm') ?? resolve(fileURLToPath(new URL('../../build/piwip.wasm', import.meta.url)));
    const r = runScenario(readFileSync(wasmPath), input, ev ? parseEvents(readFileSync(ev, 'utf8')) : [], {
      sampleRate: Number(arg(argv, '--rate') ?? 44100), maxRecSeconds: Number(arg(argv, '--max-rec') ?? 10),
      seed: Number(arg(argv, '--seed') ?? 1), block: Number(arg(argv, '--block') ?? 128),
      channels: arg(argv, '--channels') === '2' ? 2 : 1,
    });
    const outPath = arg(argv, '--out');
    if (outPath) writeFileSync(outPath, new Uint8Array(r.out.buffer));
    console.log(`engine=node\nframes=${r.frames}\nevents=${r.events}\nevent_errors=${r.eventErrors}\nhash=${r.hash}\nfirst_error=${r.firstError}`);
  } else {
    console.error('usage: scenario.ts events <desc.json> <out.events> | input <seconds> <rate> <out.f32> | run --in x.f32 ...');
    process.exitCode = 2;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
