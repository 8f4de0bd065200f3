// npm run fuzz: every target under tools/fuzz/targets/ (any file exporting `target`) for >= 10 M inputs each, in a
// worker with a watchdog (no heartbeat for --hang-ms = a hang, the input saved, the worker restarted). Prints
// inputs/s, total, rejected, failures, corpus size and coverage per target; exit 1 on any failure.
//   npm run fuzz -- [--quick] [--inputs N] [--seconds S] [--target a,b] [--seed N] [--jobs N] [--hang-ms MS]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FuzzStats } from './loop.ts';
import type { FuzzTarget } from './target.ts';
import { loadTargets } from './registry.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const OUT = join(HERE, '..', '..', 'build', 'fuzz');
const MAX_LEN = 65536;
/** After this many hangs a target's run ends (each costs --hang-ms and a worker start). */
const MAX_RESTARTS = 20;

export interface Args { out: string; inputs: number; seconds: number; only: string[]; seed: number; jobs: number; hangMs: number; quick: boolean }

function parse(argv: string[]): Args {
  const a: Args = { out: OUT, inputs: 10_000_000, seconds: 0, only: [], seed: 1, jobs: 1, hangMs: 10000, quick: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const v = () => { const x = argv[++i]; if (x === undefined) throw new Error(`${k} needs a value`); return x; };
    const num = (x: string) => { const n = Number(x); if (!Number.isFinite(n) || n < 0) throw new Error(`${k}: not a number: ${x}`); return n; };
    if (k === '--quick') { a.quick = true; a.inputs = 20000; a.seconds = 2; } else if (k === '--inputs') a.inputs = num(v());
    else if (k === '--seconds') a.seconds = num(v());
    else if (k === '--target') a.only = v().split(',');
    else if (k === '--seed') a.seed = num(v());
    else if (k === '--jobs') a.jobs = Math.max(1, num(v()));
    else if (k === '--hang-ms') a.hangMs = num(v());
    else throw new Error(`unknown option ${k} (--quick, --inputs N, --seconds S, --target a,b, --seed N, --jobs N, --hang-ms MS)`);
  }
  return a;
}

/** Run one target to `inputs`, restarting its worker after a hang. */
export function runTarget(file: string, t: FuzzTarget, a: Args, log: (s: string) => void): Promise<FuzzStats> {
  const total: FuzzStats = { target: t.name, inputs: 0, rejected: 0, failures: 0, corpus: 0, coverage: '', seconds: 0, slowestMs: 0, stalls: 0, problems: [] };
  const dir = join(a.out, t.name);
  const t0 = Date.now();
  let restarts = 0;
  return new Promise((resolve) => {
    const start = () => {
      const state = new SharedArrayBuffer(8);
      const bytes = new SharedArrayBuffer(Math.min(MAX_LEN, t.maxLen));
      const st = new Int32Array(state);
      const left = a.inputs - total.inputs;
      const secondsLeft = a.seconds ? Math.max(0.1, a.seconds - (Date.now() - t0) / 1000) : 0;
      const w = new Worker(new URL('./worker.mjs', import.meta.url), {
        workerData: { file, inputs: left, seed: a.seed + restarts * 7919, seconds: secondsLeft, dir, state, bytes,
          slowMs: Math.min(1000, a.hangMs), progressEvery: 10000 },
      });
      let beat = -1;
      let beatAt = Date.now();
      let lastLog = Date.now();
      let ready = false;
      let lastSeen = 0;
      const dog = setInterval(() => {
        if (!ready) return;
        const b = Atomics.load(st, 0);
        if (b !== beat) { beat = b; beatAt = Date.now(); return; }
        if (Date.now() - beatAt < a.hangMs) return;
        clearInterval(dog);
        const input = new Uint8Array(bytes).slice(0, Atomics.load(st, 1));
        total.inputs += lastSeen; // inputs the worker reported before it hung
        total.failures++;
        total.problems.push({ kind: 'hang', message: `no progress for ${a.hangMs} ms`, input });
        mkdirSync(join(dir, 'failures'), { recursive: true });
        writeFileSync(join(dir, 'failures', `hang-${restarts}.bin`), input);
        log(`  ${t.name}: HANG after ${total.inputs} inputs (input saved); restarting the worker`);
        restarts++;
        const more = total.inputs < a.inputs && restarts <= MAX_RESTARTS && (!a.seconds || Date.now() - t0 < a.seconds * 1000);
        void w.terminate().then(() => {
          if (more) start();
          else { total.seconds = (Date.now() - t0) / 1000; resolve(total); }
        });
      }, 250);
      w.on('message', (m: { type: string; stats: FuzzStats }) => {
        if (m.type === 'ready') { ready = true; beatAt = Date.now(); return; }
        const s = m.stats;
        lastSeen = s.inputs;
        if (m.type === 'progress' && Date.now() - lastLog > (a.quick ? 1e9 : 10000)) {
          lastLog = Date.now();
          log(`  ${t.name}: ${(total.inputs + s.inputs).toLocaleString('en')} inputs, ${Math.round(s.inputs / s.seconds).toLocaleString('en')}/s, `
            + `${total.failures + s.failures} failures, corpus ${s.corpus}, ${s.coverage}`);
        }
        if (m.type !== 'done') return;
        clearInterval(dog);
        total.inputs += s.inputs; total.rejected += s.rejected; total.failures += s.failures;
        total.corpus = s.corpus; total.coverage = s.coverage; total.slowestMs = Math.max(total.slowestMs, s.slowestMs);
        total.stalls += s.stalls;
        total.problems.push(...s.problems.map((p) => ({ ...p, input: Uint8Array.from(p.input as unknown as number[]) })));
        total.seconds = (Date.now() - t0) / 1000;
        resolve(total);
      });
      // A worker that dies (an uncaught error, out of memory, its modules missing) ends this target as a failure.
      w.on('error', (e) => {
        clearInterval(dog);
        total.failures++;
        total.problems.push({ kind: 'worker', message: `worker died: ${e.message.split('\n')[0]}`, input: new Uint8Array(0) });
        total.seconds = (Date.now() - t0) / 1000;
        resolve(total);
      });
    };
    start();
  });
}

async function main(): Promise<number> {
  let a: Args;
  try { a = parse(process.argv.slice(2)); } catch (e) { console.error(`fuzz: ${(e as Error).message}`); return 2; }
  const all = await loadTargets();
  const chosen = a.only.length ? all.filter((x) => a.only.includes(x.target.name)) : all;
  if (a.only.length && chosen.length !== a.only.length) {
    console.error(`fuzz: unknown target in ${a.only.join(',')} (targets: ${all.map((x) => x.target.name).join(', ')})`);
    return 2;
  }
  console.log(`piwip fuzz: ${chosen.length} targets, up to ${a.inputs.toLocaleString('en')} inputs each${a.seconds ? ` or ${a.seconds} s` : ''}, seed ${a.seed}, ${a.jobs} at a time`);
  for (const { target: t } of chosen) console.log(`  ${t.name.padEnd(12)} ${t.what}; guided by ${t.coverFiles ? `V8 block coverage of ${t.coverFiles.join(', ')}` : 'engine state signatures'}`);
  const results: FuzzStats[] = [];
  const queue = [...chosen];
  await Promise.all(Array.from({ length: Math.min(a.jobs, queue.length) }, async () => {
    for (let job = queue.shift(); job; job = queue.shift()) results.push(await runTarget(job.file, job.target, a, (s) => console.log(s)));
  }));
  results.sort((x, y) => chosen.findIndex((c) => c.target.name === x.target) - chosen.findIndex((c) => c.target.name === y.target));
  console.log('\ntarget        inputs        inputs/s  rejected  failures  corpus  coverage              slowest (stalls)');
  for (const r of results) {
    console.log(`${r.target.padEnd(12)} ${r.inputs.toLocaleString('en').padStart(11)} ${Math.round(r.inputs / r.seconds).toLocaleString('en').padStart(11)}  `
      + `${(100 * r.rejected / Math.max(1, r.inputs)).toFixed(1).padStart(6)} %  ${String(r.failures).padStart(8)}  ${String(r.corpus).padStart(6)}  `
      + `${r.coverage.padEnd(20)}  ${r.slowestMs.toFixed(1)} ms (${r.stalls})`);
    for (const p of r.problems.slice(0, 5)) console.log(`    ${p.kind}: ${p.message} (input ${Buffer.from(p.input).toString('hex').slice(0, 80)})`);
  }
  const failures = results.reduce((s, r) => s + r.failures, 0);
  const inputs = results.reduce((s, r) => s + r.inputs, 0);
  console.log(`\n${inputs.toLocaleString('en')} inputs in all, ${failures} failures (traps, foreign throws, hangs, NaN/out-of-range, multi-line errors); corpus and failures in build/fuzz/`);
  return failures ? 1 : 0;
}

// Imported by tests for runTarget(); run as a script, it fuzzes.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = await main();
