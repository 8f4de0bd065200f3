// npm run soak -- --minutes 60: the engine wasm under seeded random use for a wall-clock time, as fast as it
// runs; every block checked (see tools/soak/runner.ts). On a failure it prints the seed, the block and the last
// events, and the command that replays it. Exit 0 = no failure, 1 = a failure, 2 = bad arguments.
import { readFileSync } from 'node:fs';
import { runSoak, type SoakResult, type SoakFailure } from './soak/runner.ts';
import { EVENT_KINDS } from './soak/events.ts';
import { INPUT_KINDS } from './soak/input.ts';
import { OUTPUT_BOUND_PER_MID } from './soak/checks.ts';

const USAGE = 'usage: npm run soak -- [--minutes M (wall clock, default 1)] [--audio-minutes A] [--seed N] [--replay BLOCK [--trace-from BLOCK]] [--cpu-budget PCT] [--stop] [--wasm FILE] [--timing-runs K (with --audio-minutes)] [--no-link]';

function parse(argv: string[]): { minutes?: number; audioMinutes?: number; seed: number; replay?: number; traceFrom?: number; cpuBudget?: number; stop: boolean; wasm?: string; timingRuns: number; link: boolean } {
  const o: ReturnType<typeof parse> = { seed: (Date.now() % 1e9) >>> 0, stop: false, timingRuns: 1, link: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const num = (lo: number, int: boolean): number => {
      const s = argv[++i];
      const v = Number(s);
      if (s === undefined || s.trim() === '' || !Number.isFinite(v) || v < lo || (int && !Number.isInteger(v))) {
        throw new Error(`${a} needs a${int ? 'n integer' : ' number'} >= ${lo} (got ${s ?? 'nothing'})`);
      }
      return v;
    };
    if (a === '--minutes') o.minutes = num(0, false);
    else if (a === '--audio-minutes') o.audioMinutes = num(0, false);
    else if (a === '--seed') { o.seed = num(0, true); if (o.seed > 0xffffffff) throw new Error('--seed must fit 32 bits'); }
    else if (a === '--replay') o.replay = num(0, true);
    else if (a === '--trace-from') o.traceFrom = num(0, true);
    else if (a === '--cpu-budget') o.cpuBudget = num(0, false);
    else if (a === '--stop') o.stop = true;
    else if (a === '--no-link') o.link = false;
    else if (a === '--timing-runs') o.timingRuns = num(1, true);
    else if (a === '--wasm') { o.wasm = argv[++i]; if (!o.wasm) throw new Error('--wasm needs a file'); }
    else if (a === '--help' || a === '-h') { console.log(USAGE); process.exit(0); }
    else throw new Error(`unknown option ${a}`);
  }
  if (o.minutes === undefined && o.audioMinutes === undefined && o.replay === undefined) o.minutes = 1;
  if (o.timingRuns > 1 && (o.audioMinutes === undefined || o.minutes !== undefined)) throw new Error('--timing-runs needs --audio-minutes (the same blocks in every run) and no --minutes');
  return o;
}

const mb = (b: number) => `${(b / 1048576).toFixed(1)} MB`;

function summary(r: SoakResult, wallMinutes: number | undefined): string[] {
  const t = r.times, m = r.memory;
  const audioMin = r.audioSeconds / 60, wallMin = r.wallSeconds / 60;
  const rows: [string, string][] = [
    ['seed', String(r.seed)],
    ['result', `${r.ok ? 'PASS' : `FAIL: ${r.failureCount} failures of ${r.failures.length} kinds`} (stopped: ${r.stoppedAt}${wallMinutes !== undefined ? `, ${wallMinutes} min asked` : ''})`],
    ...r.failures.map((f, i): [string, string] => [`  failure ${i + 1}`, `${f.what} ×${f.count}, first at block ${f.block}: ${f.detail}`]),
    ['blocks', `${r.blocks} (frames per block ${r.framesSeen.min}..${r.framesSeen.max}), ${r.epochs} epochs (engine instances), ${r.probes} liveness probes`],
    ['sample rates', r.sampleRates.sort((a, b) => a - b).join(', ')],
    ['audio simulated', `${r.audioSeconds.toFixed(0)} s = ${audioMin.toFixed(1)} min = ${(audioMin / 60).toFixed(2)} h`],
    ['wall time', `${r.wallSeconds.toFixed(1)} s`],
    ['speed', `${(audioMin / Math.max(wallMin, 1e-9)).toFixed(0)} audio-minutes per wall-minute (${(audioMin / Math.max(r.cpuSeconds / 60, 1e-9)).toFixed(0)} per CPU-minute of the soak process)`],
    ['events', EVENT_KINDS.map((k) => `${k} ${r.events[k]}`).join(', ')],
    ['midi bytes', String(r.midiBytes)],
    ['link', `${r.link.framesIn} frames (${r.link.bytesIn} bytes) in, ${r.link.framesOut} frames (${r.link.bytesOut} bytes) out; linkService mean ${r.link.serviceMeanUs.toFixed(2)} µs, worst ${r.link.serviceWorstUs.toFixed(1)} µs at block ${r.link.serviceWorstBlock}`],
    ['input segments', INPUT_KINDS.map((k) => `${k} ${r.inputs[k]}`).join(', ')],
    ['output peak', `${r.outPeak.toPrecision(4)} (largest bound used ${r.boundMax.toPrecision(4)} = ${OUTPUT_BOUND_PER_MID} × input mid peak + block input peak)`],
    ['block time', `mean ${t.meanUs.toFixed(2)} µs over ${t.count} blocks`],
    ['worst block', `${t.worstUs.toFixed(1)} µs at block ${t.worstBlock} (${t.worstFrames} frames: ${t.worstOwnPct.toFixed(1)} % of their duration)`],
    ['worst vs duration', `${t.worstPct.toFixed(1)} % at block ${t.worstPctBlock} (${t.worstPctUs.toFixed(1)} µs for ${t.worstPctFrames} frames)`],
    ['blocks over budget', `${t.overBudget}`],
    ['128-frame blocks', t.count128 ? `${t.count128}: median ≤ ${t.quantile128(0.5)} µs, p99 ≤ ${t.quantile128(0.99)} µs, p99.9 ≤ ${t.quantile128(0.999)} µs, p99.99 ≤ ${t.quantile128(0.9999)} µs (of 2667 µs at 48 kHz)` : 'none'],
    ['cpu share', `the soak process got ${(100 * r.cpuSeconds / Math.max(r.wallSeconds, 1e-9)).toFixed(0)} % of a core (cpu ${r.cpuSeconds.toFixed(1)} s / wall ${r.wallSeconds.toFixed(1)} s; < 100 % = other load preempted it, so the worst wall-clock blocks include waits)`],
    ['wasm memory', r.wasmBytes.min === r.wasmBytes.max ? `${mb(r.wasmBytes.min)} per instance, never grew` : `${mb(r.wasmBytes.min)}..${mb(r.wasmBytes.max)} per instance (by buffer length), never grew after init`],
    ['node heap used', `start ${mb(m.start!.heapUsed)}, max ${mb(m.max.heapUsed)}, end ${mb(m.end!.heapUsed)} (${m.samples} samples)`],
    ['node rss', `start ${mb(m.start!.rss)}, max ${mb(m.max.rss)}, end ${mb(m.end!.rss)}`],
    ['array buffers (external)', `start ${mb(m.start!.external)}, max ${mb(m.max.external)}, end ${mb(m.end!.external)}`],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`);
}

let args: ReturnType<typeof parse>;
let wasm: Buffer | undefined;
try {
  args = parse(process.argv.slice(2));
  if (args.wasm) wasm = readFileSync(args.wasm);
} catch (e) { console.error(`soak: ${(e as Error).message}\n${USAGE}`); process.exit(2); }

// a terminal gets a live line; a log file one line a minute
let lastLine = 0;
function progress(line: string): void {
  if (process.stdout.isTTY) { process.stdout.write(`\r${line}   `); return; }
  if (Date.now() - lastLine >= 60000) { lastLine = Date.now(); console.log(line); }
}

console.log(`piwip soak, seed ${args.seed}${args.minutes !== undefined ? `, ${args.minutes} min wall clock` : ''}${args.audioMinutes !== undefined ? `, ${args.audioMinutes} audio-minutes` : ''}${args.replay !== undefined ? `, replay to block ${args.replay}` : ''}${args.wasm ? `, ${args.wasm}` : ''}`);
const opts = {
  seed: args.seed, wasm, wallMs: args.minutes !== undefined ? args.minutes * 60000 : undefined,
  audioSeconds: args.audioMinutes !== undefined ? args.audioMinutes * 60 : undefined, replayBlock: args.replay,
  traceFrom: args.traceFrom, cpuBudgetPct: args.cpuBudget, stopOnFirst: args.stop, link: args.link,
  onFailure: (f: SoakFailure) => { if (process.stdout.isTTY) process.stdout.write('\n'); printFailure(f, 'FAILURE'); },
  progress: args.replay === undefined ? progress : undefined,
};
const bt = args.timingRuns > 1 ? { us: new Float32Array(0), frames: new Uint16Array(0), rate: new Float32Array(0), n: 0 } : undefined;
const res = runSoak({ ...opts, blockTimes: bt });
/** Block times as the minimum over K runs of the same blocks: a wait for the CPU rarely hits one block K times. */
let minTimes: string[] = [];
if (bt) {
  const best = bt.us.slice(0, bt.n);
  for (let k = 1; k < args.timingRuns; k++) {
    const again = { us: new Float32Array(0), frames: new Uint16Array(0), rate: new Float32Array(0), n: 0 };
    runSoak({ ...opts, onFailure: undefined, progress: undefined, blockTimes: again });
    if (again.n !== bt.n) throw new Error(`timing run ${k + 1} ran ${again.n} blocks, the first ${bt.n}`);
    for (let i = 0; i < bt.n; i++) if (again.us[i]! < best[i]!) best[i] = again.us[i]!;
  }
  let worst = 0, worstPct = 0, wi = 0, pi = 0, sum = 0;
  for (let i = 0; i < bt.n; i++) {
    const us = best[i]!, pct = 100 * us * bt.rate[i]! / (bt.frames[i]! * 1e6);
    sum += us;
    if (us > worst) { worst = us; wi = i; }
    if (pct > worstPct) { worstPct = pct; pi = i; }
  }
  const own = (i: number) => (100 * best[i]! * bt.rate[i]! / (bt.frames[i]! * 1e6)).toFixed(1);
  minTimes = [
    `min of ${args.timingRuns} runs: mean ${(sum / bt.n).toFixed(2)} µs per block; worst ${worst.toFixed(1)} µs at block ${wi} (${bt.frames[wi]} frames at ${bt.rate[wi]} Hz: ${own(wi)} % of their duration)`,
    `min of ${args.timingRuns} runs: worst vs duration ${worstPct.toFixed(1)} % at block ${pi} (${best[pi]!.toFixed(1)} µs for ${bt.frames[pi]} frames at ${bt.rate[pi]} Hz)`,
  ];
}
if (process.stdout.isTTY) process.stdout.write('\n');
function printFailure(f: SoakFailure, title: string): void {
  console.log(`${title}: ${f.what}: ${f.detail}`);
  console.log(`  seed ${args.seed}, block ${f.block} (epoch ${f.epoch}, its block ${f.epochBlock}, ${f.epochSeconds.toFixed(3)} s into it)`);
  console.log(`  epoch: ${JSON.stringify(f.config)}`);
  console.log(`  last ${f.lastEvents.length} events:`);
  for (const l of f.lastEvents) console.log(`    ${l}`);
  if (f.what !== 'replay') console.log(`  replay: npm run soak -- --seed ${args.seed} --replay ${f.block} --trace-from ${Math.max(0, f.block - 2000)}`);
}
if (res.replay) { printFailure(res.replay, 'REPLAY reached'); console.log(`  block ${res.replay.block} took ${res.times.lastUs.toFixed(1)} µs in this run`); }
for (const l of summary(res, args.minutes)) console.log(l);
for (const l of minTimes) console.log(`block time (${l.slice(0, l.indexOf(':'))})  ` + l.slice(l.indexOf(':') + 2));
process.exit(res.ok ? 0 : 1);
