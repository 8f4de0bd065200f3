// The soak: the real engine wasm, epoch after epoch (a fresh instance with a seeded sample rate, block size,
// buffer length, seed and event intensity), fed seeded input and events, every block checked (output finite, no
// denormal, within the bound of checks.ts; wasm memory unchanged since init; process() returns 0) and timed.
// Each epoch ends with a liveness probe: defaults restored, a forced take of a tone and a note must sound.
// Everything derives from the seed and the global block number, so `--replay B` reaches block B bit for bit.
import { readFileSync } from 'node:fs';
import { PiwipEngine, DEFAULT_WASM } from '../../host/engine/engine.ts';
import { Rng } from './prng.ts';
import { InputGen, INPUT_KINDS, type InputKind } from './input.ts';
import { EventGen, EVENT_KINDS, InvariantError, type EventKind } from './events.ts';
import { checkSamples, OUTPUT_BOUND_PER_MID, LEVEL_CAP } from './checks.ts';
import { BlockTimes, MemoryTrack } from './stats.ts';
import { LinkSession } from './link.ts';

export interface SoakOptions {
  seed: number;
  /** Stop after this much wall time (ms) … */
  wallMs?: number;
  /** … or this much audio (s), whichever comes first; one of them (or replayBlock) must be given. */
  audioSeconds?: number;
  /** Stop at this global block and report the events leading to it. */
  replayBlock?: number;
  /** Print every event of blocks >= traceFrom as it happens. */
  traceFrom?: number;
  /** Stop at the first failure (default: record it, with its replay, and go on; a trap ends only its epoch). */
  stopOnFirst?: boolean;
  /** A block slower than this % of its own duration fails the soak (default: reported only). */
  cpuBudgetPct?: number;
  /** Called about once per wall second with a progress line. */
  progress?: (line: string) => void;
  print?: (line: string) => void;
  /** Called with each new kind of failure as it happens. */
  onFailure?: (f: SoakFailure) => void;
  wasm?: Uint8Array;
  /** Keep every block's wall time (µs, by global block) here, grown as needed (see --timing-runs). */
  blockTimes?: { us: Float32Array; frames: Uint16Array; rate: Float32Array; n: number };
  /** Host traffic on the link (docs/link.md) with its service call after every block (default on). */
  link?: boolean;
  /** Fold every output sample's bits into SoakResult.outputHash (determinism checks). */
  hash?: boolean;
}

export interface EpochConfig { sampleRate: number; blockSize: number; frames: 'fixed' | 'random' | 'mostly'; maxRecSeconds: number; seed: number; seconds: number; intensity: number }

export interface SoakFailure { what: string; detail: string; block: number; epoch: number; epochBlock: number; epochSeconds: number; config: EpochConfig; lastEvents: string[] }

export interface SoakResult {
  seed: number; ok: boolean;
  /** The first failure of each kind (at most MAX_FAILURES kinds), with how often that kind happened. */
  failures: (SoakFailure & { count: number })[]; failureCount: number;
  /** What a replay found at its block (the events leading to it). */
  replay: SoakFailure | null; stoppedAt: 'time' | 'audio' | 'replay' | 'failure';
  blocks: number; audioSeconds: number; wallSeconds: number; cpuSeconds: number; epochs: number; probes: number;
  events: Record<EventKind, number>; midiBytes: number;
  link: { framesIn: number; bytesIn: number; framesOut: number; bytesOut: number; serviceMeanUs: number; serviceWorstUs: number; serviceWorstBlock: number }; inputs: Record<InputKind, number>;
  times: BlockTimes; memory: MemoryTrack; wasmBytes: { min: number; max: number };
  outPeak: number; boundMax: number; outputHash: number; framesSeen: { min: number; max: number }; sampleRates: number[];
}

class Failure extends Error { constructor(readonly what: string, detail: string) { super(detail); } }
const MAX_FAILURES = 40;
/** Sample problems are grouped by what and by the input playing; other failures by their text without numbers. */
function failureKey(what: string, detail: string): string {
  const input = /input (\w+)\)$/.exec(detail);
  return input && (what === 'denormal' || what === 'non-finite' || what === 'out of bound') ? `${what} (input ${input[1]})` : `${what}: ${detail.replace(/[-+]?[0-9][-+0-9.e]*/g, '#')}`;
}
/** Failures after which the instance cannot be trusted: the epoch ends (a new instance starts). */
const FATAL = new Set(['trap', 'error', 'process error', 'memory growth', 'liveness']);

export function epochConfig(r: Rng): EpochConfig {
  const sampleRate = [48000, 44100, 96000, 22050, 8000, 192000][r.weighted([80, 10, 5, 2, 2, 1])]!;
  const blockSize = [128, 256, 0][r.weighted([70, 15, 15])] || r.int(1, 256);
  const frames = (['fixed', 'random', 'mostly'] as const)[r.weighted([60, 20, 20])]!;
  let maxRecSeconds = [300, 60, 0][r.weighted([50, 25, 25])] || r.int(1, 600);
  maxRecSeconds = Math.max(1, Math.min(maxRecSeconds, Math.floor(300 * 48000 / sampleRate))); // ≤ 57.6 MB of buffer
  const seconds = [r.logRange(5, 600), r.logRange(600, 3600), r.logRange(3600, 6 * 3600)][r.weighted([60, 30, 10])]!;
  return { sampleRate, blockSize, frames, maxRecSeconds, seed: r.u32(), seconds, intensity: r.logRange(0.1, 10) };
}

export function runSoak(o: SoakOptions): SoakResult {
  const wasm = o.wasm ?? readFileSync(DEFAULT_WASM);
  const mod = new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>);
  const master = new Rng(o.seed);
  const modes = highestMode(mod);
  const times = new BlockTimes();
  const memory = new MemoryTrack();
  const events = Object.fromEntries(EVENT_KINDS.map((k) => [k, 0])) as Record<EventKind, number>;
  const inputs = Object.fromEntries(INPUT_KINDS.map((k) => [k, 0])) as Record<InputKind, number>;
  const res: SoakResult = {
    seed: o.seed, ok: true, failures: [], failureCount: 0, replay: null, stoppedAt: 'time', blocks: 0, audioSeconds: 0, wallSeconds: 0, cpuSeconds: 0, epochs: 0,
    probes: 0, events, midiBytes: 0,
    link: { framesIn: 0, bytesIn: 0, framesOut: 0, bytesOut: 0, serviceMeanUs: 0, serviceWorstUs: 0, serviceWorstBlock: -1 }, inputs, times, memory, wasmBytes: { min: Infinity, max: 0 }, outPeak: 0, boundMax: 0, outputHash: 0x811c9dc5,
    framesSeen: { min: Infinity, max: 0 }, sampleRates: [],
  };
  const budget = o.cpuBudgetPct ?? Infinity;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let lastProgress = t0;
  memory.sample();
  let block = 0;
  let done = false;
  const peak = new Float64Array(1);
  let linkServiceUs = 0, linkServices = 0;

  while (!done) {
    const cfg = epochConfig(master);
    const rng = master.fork();
    res.epochs++;
    if (!res.sampleRates.includes(cfg.sampleRate)) res.sampleRates.push(cfg.sampleRate);
    const e = PiwipEngine.create({ sampleRate: cfg.sampleRate, blockSize: cfg.blockSize, maxRecSeconds: cfg.maxRecSeconds, seed: cfg.seed }, mod);
    const ex = e.ex;
    const wasmBytes = e.memoryBytes;
    res.wasmBytes.min = Math.min(res.wasmBytes.min, wasmBytes);
    res.wasmBytes.max = Math.max(res.wasmBytes.max, wasmBytes);
    const bs = cfg.blockSize, sr = cfg.sampleRate;
    const inL = e.input(0), inR = e.input(1), outL = e.output(0), outR = e.output(1);
    const bitsL = new Uint32Array(outL.buffer, outL.byteOffset, bs), bitsR = new Uint32Array(outR.buffer, outR.byteOffset, bs);
    const input = new InputGen(rng.fork(), sr);
    const gen = new EventGen(rng.fork(), e, cfg.intensity, modes);
    const link = o.link === false ? null : new LinkSession(new Rng(cfg.seed ^ 0x5bd1e995), e, (t) => gen.log2('link', t));
    gen.link = link;
    if (o.traceFrom !== undefined) gen.trace = (line) => { if (block >= o.traceFrom!) (o.print ?? console.log)(line); };
    const epochBlocks = Math.max(1, Math.round(cfg.seconds * sr / bs));
    let sample = 0;
    let epochBlock = 0;
    let failBlock = block;
    let probeInput: ((l: Float32Array, r: Float32Array, n: number) => void) | null = null;

    /** One block: events (unless probing), input, process, checks. */
    const runBlock = (frames: number, withEvents: boolean): void => {
      failBlock = block;
      if (withEvents) gen.step(block, sample, frames);
      else gen.block = block, gen.sample = sample;
      if (probeInput) probeInput(inL, inR, frames); else input.fill(inL, inR, frames);
      const a = performance.now();
      const rc = ex.process(frames) as number;
      const us = (performance.now() - a) * 1000;
      failBlock = block;
      sample += frames;
      res.audioSeconds += frames / sr;
      block++;
      epochBlock++;
      if (rc !== 0) throw new Failure('process error', `process(${frames}) returned ${rc}`);
      const bt = o.blockTimes;
      if (bt) {
        if (bt.n >= bt.us.length) {
          const grow = <T extends Float32Array | Uint16Array>(a: T, make: (n: number) => T): T => { const b = make(Math.max(1024, a.length * 2)); b.set(a); return b; };
          bt.us = grow(bt.us, (n) => new Float32Array(n)); bt.frames = grow(bt.frames, (n) => new Uint16Array(n)); bt.rate = grow(bt.rate, (n) => new Float32Array(n));
        }
        bt.us[bt.n] = us; bt.frames[bt.n] = frames; bt.rate[bt.n] = sr; bt.n++;
      }
      if (times.add(us, frames, sr, block, budget)) throw new Failure('cpu', `block took ${us.toFixed(1)} µs, over ${budget} % of its ${(frames * 1e6 / sr).toFixed(1)} µs`);
      if (ex.memory.buffer.byteLength !== wasmBytes) throw new Failure('memory growth', `wasm memory ${wasmBytes} → ${ex.memory.buffer.byteLength} bytes after init`);
      const mid = probeInput ? Math.max(input.midPeak, 0.5) : input.midPeak;
      const bound = OUTPUT_BOUND_PER_MID * mid + (probeInput ? 0.5 : input.blockPeak) + 1e-6;
      if (bound > res.boundMax) res.boundMax = bound;
      peak[0] = res.outPeak;
      const bad = checkSamples(outL, outR, frames, bound, peak);
      res.outPeak = peak[0]!;
      if (o.hash) {
        let h = res.outputHash;
        for (let i = 0; i < frames; i++) { h = Math.imul(h ^ bitsL[i]!, 0x01000193); h = Math.imul(h ^ bitsR[i]!, 0x01000193); }
        res.outputHash = h >>> 0;
      }
      if (bad) throw new Failure(bad.what, `output ${bad.ch ? 'R' : 'L'}[${bad.index}] = ${bad.value} (bound ${bound.toPrecision(4)}; input ${input.kind})`);
      if ((block & 15) === 0) checkState(e, cfg);
      if (link) {
        const a = performance.now();
        link.service();
        const lus = (performance.now() - a) * 1000;
        linkServiceUs += lus; linkServices++;
        if (lus > res.link.serviceWorstUs) { res.link.serviceWorstUs = lus; res.link.serviceWorstBlock = failBlock; }
      }
      if (frames < res.framesSeen.min) res.framesSeen.min = frames;
      if (frames > res.framesSeen.max) res.framesSeen.max = frames;
    };

    const pickFrames = (): number => {
      if (cfg.frames === 'fixed') return bs;
      if (cfg.frames === 'random' || rng.chance(0.05)) return rng.int(1, bs);
      return bs;
    };

    /** Defaults restored, notes released, menu closed, take stopped; then a forced take of a tone plays a note. */
    const probe = (): void => {
      res.probes++;
      probeInput = (l, r, n) => { l.fill(0, 0, n); r.fill(0, 0, n); };
      const note = (t: string) => gen.log2('probe', t);
      note('restore defaults, release notes, close menu, stop take');
      ex.key(1, 0); ex.key(2, 0); ex.key(3, 0);
      if (e.menuOpen()) { ex.key(1, 1); ex.key(1, 0); }
      gen.readPsetText(gen.defaults);
      e.setParam('midi during rec', 'enabled');
      e.setParam('vol pinch', 20);
      for (let ch = 1; ch <= 16; ch++) for (let n = 0; n < 128; n++) e.noteOff(n, ch);
      if (e.menuOpen()) throw new Failure('liveness', 'menu still open after a short K1 press');
      const runFor = (s: number) => { const end = sample + Math.round(s * sr); while (sample < end) runBlock(Math.min(bs, end - sample), false); };
      for (let k = 0; k < 40 && (ex.recording() || ex.forced()); k++) { if (ex.recording() && ex.forced()) { ex.key(3, 1); ex.key(3, 0); } runFor(0.25); }
      if (ex.recording()) throw new Failure('liveness', 'the take did not stop within 10 s of silence (and K3)');
      let ph = 0;
      const w = 2 * Math.PI * 220 / sr;
      probeInput = (l, r, n) => { for (let i = 0; i < n; i++) { const v = 0.4 * Math.sin(ph); ph += w; l[i] = v; r[i] = v; } };
      runFor(0.2);
      note('K3 (forced take), note 60');
      ex.key(3, 1); ex.key(3, 0);
      e.noteOn(60, 100);
      runFor(1.5);
      let sum = 0, count = 0;
      const end = sample + Math.round(0.5 * sr);
      while (sample < end) {
        const n = Math.min(bs, end - sample);
        runBlock(n, false);
        for (let i = 0; i < n; i++) sum += outL[i]! * outL[i]!;
        count += n;
      }
      const rms = Math.sqrt(sum / count);
      const st = e.state();
      if (!(rms > 0.02)) throw new Failure('liveness', `a forced take of a 0.4 tone with note 60 gives rms ${rms.toExponential(3)} (recording ${st.recording}, voices ${JSON.stringify(st.voices.map((v) => [v.note, v.started, +v.level.toFixed(3)]))})`);
      note(`sounds: rms ${rms.toFixed(3)}; K3 stops, note off`);
      ex.key(3, 1); ex.key(3, 0);
      e.noteOff(60);
      probeInput = null;
    };

    const record = (err: unknown): boolean => {
      const what = err instanceof Failure ? err.what : err instanceof InvariantError ? 'invariant' : err instanceof WebAssembly.RuntimeError ? 'trap' : 'error';
      const detail = (err as Error).message;
      res.ok = false;
      res.failureCount++;
      const key = failureKey(what, detail);
      const seen = res.failures.find((f) => failureKey(f.what, f.detail) === key);
      if (seen) seen.count++;
      else if (res.failures.length < MAX_FAILURES) {
        res.failures.push({ what, detail, block: failBlock, epoch: res.epochs, epochBlock: epochBlock - (failBlock < block ? 1 : 0),
          epochSeconds: sample / sr, config: cfg, lastEvents: gen.lastEvents(), count: 1 });
        o.onFailure?.(res.failures[res.failures.length - 1]!);
      }
      if (o.stopOnFirst) { res.stoppedAt = 'failure'; done = true; }
      return FATAL.has(what) || !!o.stopOnFirst || (what === 'error' && !(err instanceof Failure));
    };

    let endEpoch = false;
    while (!endEpoch && epochBlock < epochBlocks) {
      try {
        runBlock(pickFrames(), true);
      } catch (err) {
        if (record(err)) { endEpoch = true; break; }
      }
      if (o.replayBlock !== undefined && block > o.replayBlock) { res.stoppedAt = 'replay'; done = true; break; }
      if ((block & 255) === 0) {
        const now = performance.now();
        if (now - lastProgress > 1000) {
          lastProgress = now;
          memory.sample();
          o.progress?.(`${((now - t0) / 60000).toFixed(1)} min: ${block} blocks, ${(res.audioSeconds / 3600).toFixed(2)} h audio, epoch ${res.epochs} (${sr} Hz, block ${bs}), ${res.failureCount} failures`);
          if (o.wallMs !== undefined && now - t0 >= o.wallMs) { res.stoppedAt = 'time'; done = true; break; }
        }
        if (o.audioSeconds !== undefined && res.audioSeconds >= o.audioSeconds) { res.stoppedAt = 'audio'; done = true; break; }
      }
    }
    if (!endEpoch && res.stoppedAt !== 'replay' && !(done && o.stopOnFirst)) {
      try { probe(); } catch (err) { record(err); }
    }
    if (res.stoppedAt === 'replay') {
      res.replay = { what: 'replay', detail: `stopped after block ${block - 1}`, block: block - 1, epoch: res.epochs, epochBlock, epochSeconds: sample / sr, config: cfg, lastEvents: gen.lastEvents() };
    }
    for (const k of EVENT_KINDS) events[k] += gen.counts[k];
    for (const k of INPUT_KINDS) inputs[k] += input.counts[k];
    res.midiBytes += gen.midiBytes;
    if (link) { res.link.framesIn += link.frames; res.link.bytesIn += link.bytesIn; res.link.framesOut += link.framesOut; res.link.bytesOut += link.bytesOut; }
  }
  res.blocks = block;
  res.link.serviceMeanUs = linkServices ? linkServiceUs / linkServices : 0;
  memory.sample();
  res.wallSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  res.cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return res;
}

/** The highest mode setMode accepts, asked of a scratch instance (builds differ: 3 before the tune preset). */
function highestMode(mod: WebAssembly.Module): number {
  const e = PiwipEngine.create({ sampleRate: 48000, blockSize: 128, maxRecSeconds: 1, seed: 1 }, mod);
  let m = 0;
  while (m < 64 && e.ex.setMode(m + 1) === 0) m++;
  return m;
}

/** Engine state read through the getters: finite, and within its own limits. */
function checkState(e: PiwipEngine, cfg: EpochConfig): void {
  const ex = e.ex;
  for (let v = 0; v < 5; v++) {
    const level = ex.voiceLevel(v) as number, pos = ex.voicePos(v) as number, rate = ex.voiceRate(v) as number;
    if (!(Math.abs(level) <= LEVEL_CAP * 1.000001)) throw new Failure('state', `voice ${v} level ${level} (cap ${LEVEL_CAP})`);
    if (!(pos >= 0 && pos <= cfg.maxRecSeconds + 1)) throw new Failure('state', `voice ${v} position ${pos} s (buffer ${cfg.maxRecSeconds} s)`);
    if (!(Math.abs(rate) <= 64)) throw new Failure('state', `voice ${v} rate ${rate}`);
    if (!Number.isFinite(ex.voiceRef(v) as number)) throw new Failure('state', `voice ${v} reference ${ex.voiceRef(v)}`);
  }
  const checks: [string, number, number, number][] = [
    ['pitchHz', ex.pitchHz(), 0, 1e5], ['medianHz', ex.medianHz(), 0, 1e5], ['recLevel', ex.recLevel(), 0, 1],
    ['loopEnd', ex.loopEnd(), 0, cfg.maxRecSeconds + 1], ['startTrim', ex.startTrim(), 0, cfg.maxRecSeconds + 1],
    ['endTrim', ex.endTrim(), 0, cfg.maxRecSeconds + 1], ['writePos', ex.writePos(), 0, cfg.maxRecSeconds + 1],
    ['clockBpm', ex.clockBpm(), 0, 1e6], ['beats', ex.beats(), -1 / 24 - 1e-9, 1e12], ['ampLevel', ex.ampLevel(), 0, 16],
  ];
  for (const [name, v, lo, hi] of checks) if (!(v >= lo && v <= hi)) throw new Failure('state', `${name}() = ${v} (expected ${lo}..${hi})`);
}
