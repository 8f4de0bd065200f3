// Writes the README's screenshots, docs/screen-play.png and docs/screen-menu.png (×4), from the real engine: a
// played phrase recorded in the sampler preset with two notes sounding, and the params menu inside "harmonizer".
// Run: node bin/run-ts.mjs tools/screenshots.ts [outDir]   (needs build/piwip.wasm: npm run build)
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PiwipEngine } from '../host/engine/engine.ts';
import { writeScreenPng } from '../host/screen/png.ts';

const SR = 48000, N = 128, SCALE = 4;
const outDir = process.argv[2] ?? fileURLToPath(new URL('../docs/', import.meta.url));

/** A sung-like phrase: eight notes with soft attacks, swells and small gaps, 0.5 s to 6.5 s. */
function phrase(t: number): number {
  if (t < 0.5 || t >= 6.5) return 0;
  const notes = [220, 262, 247, 294, 330, 294, 262, 220];
  const len = 0.75;
  const k = Math.min(notes.length - 1, Math.floor((t - 0.5) / len));
  const local = t - 0.5 - k * len;
  const env = Math.min(1, local / 0.08) * Math.min(1, (len - local) / 0.12) * (0.55 + 0.35 * Math.sin(k * 1.7 + local * 5));
  const f = notes[k]!;
  return 0.5 * env * (Math.sin(2 * Math.PI * f * t) + 0.4 * Math.sin(4 * Math.PI * f * t) + 0.2 * Math.sin(6 * Math.PI * f * t)) / 1.6;
}

const e = PiwipEngine.create({ sampleRate: SR, blockSize: N, maxRecSeconds: 20 });
const inp = new Float32Array(N), o1 = new Float32Array(N), o2 = new Float32Array(N);
let frame = 0;
const run = (seconds: number) => {
  for (let b = Math.round(seconds * SR / N); b > 0; b--) {
    for (let i = 0; i < N; i++) inp[i] = phrase((frame + i) / SR);
    e.process(inp, inp, o1, o2);
    frame += N;
  }
};

mkdirSync(outDir, { recursive: true });
e.setMode(1); // sampler: armed, the phrase records itself
run(8);
e.noteOn(67);
run(0.9);
e.noteOn(60);
run(1.6);
writeScreenPng(join(outDir, 'screen-play.png'), e.screen(), SCALE);

e.key(1, 1); run(0.05); e.key(1, 0); run(0.05); // K1 tap: the menu
e.key(3, 1); e.key(3, 0); run(0.05); // EDIT
e.enc(2, 3); run(0.05); // recording, playback, harmonizer
e.key(3, 1); e.key(3, 0); run(0.05);
e.enc(2, 1); run(0.05); // probability, scale mode
e.enc(3, 2); run(0.06); // dorian → two scales on
writeScreenPng(join(outDir, 'screen-menu.png'), e.screen(), SCALE);
console.log(`wrote ${join(outDir, 'screen-play.png')} and ${join(outDir, 'screen-menu.png')}`);
