// The worklet path of `npm run bench`: the engine's cost per 128-frame block inside headless Chromium's
// AudioWorklet (the page served by `piwip app`, a 48 kHz context) next to Node's, in the same run, on the same
// scenario (host/web/bench-scenario.ts: recording + 5 voices + the follower detector, 20 s of audio per run,
// median of 5). Standalone: node bin/run-ts.mjs tools/bench-web.ts
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { DEFAULT_WASM } from '../host/engine/engine.ts';
import { benchScenario, BENCH_N, BENCH_SR } from '../host/web/bench-scenario.ts';
import { instantiate, setOption } from '../host/web/raw.ts';
import { startAppServer } from '../host/web/server.ts';

const CHROMIUM = '/usr/bin/chromium';
const SECONDS = 20, RUNS = 5;
const blockMsOf = (ns: number) => ns * BENCH_N / 1e6;
const pctOf = (ns: number) => 100 * blockMsOf(ns) / (1000 * BENCH_N / BENCH_SR);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const row = (label: string, ns: number) =>
  `  ${label.padEnd(30)} ${blockMsOf(ns).toFixed(4)} ms per ${BENCH_N}-frame block = ${pctOf(ns).toFixed(2)} % of its ${(1000 * BENCH_N / BENCH_SR).toFixed(3)} ms  (${ns.toFixed(1)} ns/sample)`;

function nodeRun(wasm: Uint8Array): number {
  const ex = instantiate(wasm);
  ex._start();
  if (ex.init(BENCH_SR, BENCH_N, 60, 1) !== 0) throw new Error('init failed');
  setOption(ex, 'midi during rec', 'enabled');
  setOption(ex, 'detector', 'follower');
  return benchScenario(ex, SECONDS, () => performance.now());
}

async function chromiumRuns(): Promise<{ ns: number[]; version: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'piwip-bench-web-'));
  const app = await startAppServer(0);
  const ctx = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM, headless: true, permissions: ['microphone'],
    args: ['--no-sandbox', '--disable-gpu', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--autoplay-policy=no-user-gesture-required'],
  });
  try {
    const page = await ctx.newPage();
    await page.goto(`${app.url}?autostart&rate=${BENCH_SR}`);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 30_000 });
    const ns: number[] = [];
    await page.evaluate((s) => (window as any).piwip.face.bench(s), 2); // warm-up (JIT tiers)
    for (let r = 0; r < RUNS; r++) ns.push((await page.evaluate((s) => (window as any).piwip.face.bench(s), SECONDS)).nsPerSample);
    return { ns, version: ctx.browser()?.version() ?? (await page.evaluate(() => navigator.userAgent)).replace(/.*Chrome\/(\S+).*/, '$1') };
  } finally {
    await ctx.close(); await app.close(); rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchWeb(): Promise<void> {
  const wasm = readFileSync(DEFAULT_WASM);
  nodeRun(wasm); // warm-up
  const node: number[] = [];
  for (let r = 0; r < RUNS; r++) node.push(nodeRun(wasm));
  console.log(`worklet path: engine cost per block, recording + 5 voices + follower, ${BENCH_SR} Hz, ${SECONDS} s per run, median of ${RUNS}`);
  console.log(row(`Node ${process.version}`, median(node)));
  if (!existsSync(CHROMIUM)) { console.log(`  Chromium worklet: skipped, ${CHROMIUM} missing (apt-get install chromium)`); return; }
  const c = await chromiumRuns();
  console.log(row(`Chromium ${c.version}`, median(c.ns)));
}

if (process.argv[1]?.endsWith('bench-web.ts')) await benchWeb(); // run standalone
