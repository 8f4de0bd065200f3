// npm run bench:render: peak memory (max RSS) and time of 10-minute `piwip render` runs, each in a fresh process:
// a 10-minute input, and a 2-second input whose events last 10 minutes. The output is streamed to disk, so memory is
// the input plus the engine, whatever the render length. Inputs are generated into build/bench/ once.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../host/cli/main.ts';
import { encodeWav } from '../host/io/wav.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIR = join(ROOT, 'build', 'bench');
const SR = 48000;

if (process.argv[2] === '--child') {
  // One render in this process; print its peak RSS (KiB) for the parent.
  const t0 = performance.now();
  const code = await main(['render', ...process.argv.slice(3)]);
  console.log(JSON.stringify({ code, maxRssKiB: process.resourceUsage().maxRSS, seconds: (performance.now() - t0) / 1000 }));
} else {
  mkdirSync(DIR, { recursive: true });
  /** 3 s of a 330 Hz tone every 8 s, mono 16-bit. */
  const tone = (seconds: number) => {
    const x = new Float32Array(seconds * SR);
    for (let i = 0; i < x.length; i++) { const t = i / SR; x[i] = t % 8 < 3 ? 0.27 * Math.sin(2 * Math.PI * 330 * t) : 0; }
    return encodeWav([x], SR, '16');
  };
  const long = join(DIR, 'ten-minutes.wav');
  const short = join(DIR, 'two-seconds.wav');
  if (!existsSync(long)) writeFileSync(long, tone(600));
  if (!existsSync(short)) writeFileSync(short, tone(2));
  const ev = join(DIR, 'ten-minutes.json');
  writeFileSync(ev, JSON.stringify([{ t: 0, preset: 'sampler' }, { t: 4, note: 67, dur: 300 }, { t: 598, note: 60 }]));
  const out = join(DIR, 'out.wav');
  console.log(`piwip render, Node ${process.version}, ${SR} Hz, stereo 32-bit float out, each run in a fresh process`);
  for (const [label, input] of [['10-minute input', long], ['2-second input, events to 10 minutes', short]] as const) {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'run-ts.mjs'), fileURLToPath(import.meta.url), '--child', input, '--events', ev,
      '--tail', '0', '-q', '-o', out], { encoding: 'utf8' });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    let res: { code: number; maxRssKiB: number; seconds: number };
    try { res = JSON.parse(line); } catch { console.error(`render failed: ${r.stderr || line}`); process.exit(1); }
    if (res.code !== 0) { console.error(`render failed (exit ${res.code}): ${r.stderr}`); process.exit(1); }
    console.log(`  ${label.padEnd(38)} peak RSS ${(res.maxRssKiB / 1024).toFixed(0).padStart(5)} MiB  render ${res.seconds.toFixed(1)} s`);
  }
  rmSync(out, { force: true });
}
