// npm run bench: ns per input sample for the whole engine in Node — recording while 5 voices play and the
// detector runs — next to the same with the pitch detector's work removed (median of several runs). The input is
// computed before the clock starts and each block is copied straight into the engine's input buffers, so the figure
// is the engine's process() alone: no JS signal generator, no wrapper copies of the output.
import { PiwipEngine } from '../host/engine/engine.ts';
import { benchWeb } from './bench-web.ts';

const SR = 48000, N = 128, SECONDS = 20, RUNS = 5;
const BLOCKS = SECONDS * SR / N;
const START = Math.ceil(0.6 * SR / N); // keys are ignored for 0.5 s: the take starts at this block

/** A 220 Hz tone with a slow ±1 % drift and its octave, the whole run precomputed. */
function input(): Float32Array {
  const x = new Float32Array(BLOCKS * N);
  let ph = 0;
  for (let i = 0; i < x.length; i++) {
    ph += (220 * (1 + 0.01 * Math.sin(i * 0.0007))) / SR;
    x[i] = 0.4 * Math.sin(2 * Math.PI * ph) + 0.2 * Math.sin(4 * Math.PI * ph);
  }
  return x;
}

function scenario(detector: 'follower' | 'classic' | 'off', x: Float32Array, psola = false): number {
  const e = PiwipEngine.create({ sampleRate: SR, blockSize: N, maxRecSeconds: 60, seed: 1 });
  e.setParam('midi during rec', 'enabled');
  e.setParam('detector', detector);
  if (psola) e.setParam('shifter', 'psola'); // the notes play on the pitch-synchronous shifter instead
  const inL = e.input(0), inR = e.input(1); // memory never grows after init, so the views stay valid
  const proc = e.ex.process as (n: number) => number;
  let t0 = 0;
  for (let b = 0; b < BLOCKS; b++) {
    const blk = x.subarray(b * N, b * N + N);
    inL.set(blk);
    inR.set(blk);
    // K3 forces a take that silence cannot stop; 5 held notes play from the live recording
    if (b === START) { e.key(3, 1); e.key(3, 0); for (const n of [60, 64, 67, 71, 74]) e.noteOn(n); t0 = performance.now(); }
    if (proc(N) !== 0) throw new Error('process failed');
  }
  const elapsed = performance.now() - t0;
  const s = e.state();
  if (!s.recording || (!psola && s.voices.filter((v) => v.started).length !== 5)) throw new Error('bench scenario did not run as intended');
  return elapsed * 1e6 / ((BLOCKS - START) * N);
}

function median(xs: number[]): number { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]!; }

// "off" = param detector = off: recorder + voices + control only; the detector's cost is the difference.
const x = input();
const rows: [string, number][] = [];
for (const mode of ['follower', 'classic', 'off'] as const) {
  scenario(mode, x); // warm-up
  const xs: number[] = [];
  for (let r = 0; r < RUNS; r++) xs.push(scenario(mode, x));
  rows.push([mode, median(xs)]);
}
// shifter = psola: the same 5 notes sung by the pitch-synchronous voices from the live input (detector follower)
scenario('follower', x, true);
const ps: number[] = [];
for (let r = 0; r < RUNS; r++) ps.push(scenario('follower', x, true));
rows.push(['psola', median(ps)]);
console.log(`piwip engine, Node ${process.version}, ${SR} Hz, block ${N}, ${SECONDS} s per run, median of ${RUNS} runs (input precomputed: engine process() only)`);
console.log('recording + 5 voices playing, detector (psola = follower detector, 5 notes on shifter = psola):');
for (const [m, ns] of rows) console.log(`  ${m.padEnd(9)} ${ns.toFixed(1)} ns/sample  (${(ns * SR / 1e6).toFixed(2)} % of one core at ${SR / 1000} kHz)`);
await benchWeb(); // the worklet path (headless Chromium) next to Node's, same run
