// One fuzz target in a worker thread (so the runner's watchdog can stop a real infinite loop): registers tsx,
// loads the loop and the target file, reports progress and the final stats to the runner.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { JsCoverage } = await import('./coverage.ts');
const coverage = new JsCoverage(); // before the parsers load, so V8 gives their functions block counters
const { fuzz } = await import('./loop.ts');
const { target } = await import(workerData.file);
const shared = { state: new Int32Array(workerData.state), bytes: new Uint8Array(workerData.bytes) };
const strip = (s) => ({ ...s, problems: s.problems.map((p) => ({ ...p, input: Array.from(p.input) })) });
parentPort.postMessage({ type: 'ready' }); // the watchdog counts from here, not from the (slow) module loading
const stats = fuzz(target, {
  inputs: workerData.inputs, seed: workerData.seed, seconds: workerData.seconds, dir: workerData.dir, shared, coverage,
  slowMs: workerData.slowMs, progressEvery: workerData.progressEvery,
  onProgress: (s) => parentPort.postMessage({ type: 'progress', stats: strip(s) }),
});
parentPort.postMessage({ type: 'done', stats: strip(stats) });
