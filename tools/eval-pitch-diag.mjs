// Diagnostic for the pitch follower: per note of a corpus file, the truth and what the follower said
// (median estimate over the sustain, share of correct / octave / other / unvoiced frames).
//   node tools/eval-pitch-diag.mjs FILE-REGEX [--bad] [knob=value ...]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { create } from '../host/pitch/adapter.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const corpus = path.join(root, '.eval/pitch-eval/corpus');
const manifest = JSON.parse(readFileSync(path.join(corpus, 'manifest.json'), 'utf8'));
const args = process.argv.slice(2);
const re = new RegExp(args[0] ?? '.');
const onlyBad = args.includes('--bad');
const dumpAt = args.find((a) => a.startsWith('--at='));
const opts = {};
for (const a of args.slice(1)) { const m = /^(\w+)=(.*)$/.exec(a); if (m) opts[m[1]] = m[2]; }

function readWav(file) {
  const b = readFileSync(file);
  let off = 12; let fmt = null; let data = null;
  while (off + 8 <= b.length) {
    const id = b.toString('ascii', off, off + 4); const len = b.readUInt32LE(off + 4);
    if (id === 'fmt ') fmt = { ch: b.readUInt16LE(off + 10), sr: b.readUInt32LE(off + 12), bits: b.readUInt16LE(off + 22) };
    if (id === 'data') data = b.subarray(off + 8, off + 8 + len);
    off += 8 + len + (len & 1);
  }
  const n = data.length / 2 / fmt.ch; const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = data.readInt16LE(i * 2 * fmt.ch) / 32768;
  return { sr: fmt.sr, x };
}

for (const f of manifest.files.filter((f) => re.test(f.file))) {
  const { sr, x } = readWav(path.join(corpus, f.file));
  const det = create(sr, opts);
  const hop = 256; const est = []; const raw = []; const conf = [];
  for (let k = 0; (k + 1) * hop <= x.length; k++) {
    const r = det.push(x.subarray(k * hop, (k + 1) * hop)); est.push(r.hz); raw.push(r.rawHz); conf.push(r.confidence);
    if (dumpAt) {
      const [t0, t1] = dumpAt.slice(5).split(',').map(Number); const t = (k + 1) * hop / sr;
      if (t >= t0 && t <= t1) console.log(t.toFixed(3), r.hz.toFixed(1), r.rawHz.toFixed(1), r.confidence.toFixed(3), det.candidates().map(([h, c]) => `${h.toFixed(1)}:${c.toFixed(2)}`).join(' '));
    }
  }
  console.log(`== ${f.file}`);
  for (const s of f.segments) {
    const k0 = Math.ceil((s.start_s + 0.03) * sr / hop) - 1; const k1 = Math.floor(s.end_s * sr / hop) - 1;
    const hz = []; let ok = 0, oct = 0, other = 0, unv = 0;
    for (let k = Math.max(0, k0); k <= k1 && k < est.length; k++) {
      const e = est[k];
      if (s.kind !== 'note') { if (e > 0) other++; else unv++; hz.push(e); continue; }
      if (!(e > 0)) { unv++; continue; }
      hz.push(e);
      const c = 1200 * Math.log2(e / s.freq_hz); const o = Math.round(c / 1200);
      if (Math.abs(c) <= 50) ok++; else if (o !== 0 && Math.abs(c - 1200 * o) <= 50) oct++; else other++;
    }
    hz.sort((a, b) => a - b);
    const n = ok + oct + other + unv;
    if (onlyBad && s.kind === 'note' && ok >= 0.95 * n) continue;
    if (onlyBad && s.kind !== 'note' && other === 0) continue;
    const med = hz.length ? hz[hz.length >> 1].toFixed(1) : '-';
    const cs = [];
    for (let k = Math.max(0, k0); k <= Math.min(k1, k0 + 11) && k < est.length; k++) cs.push(`${est[k].toFixed(0)}/${raw[k].toFixed(0)}:${conf[k].toFixed(2)}`);
    console.log(`${s.kind} ${s.start_s.toFixed(2)} ${s.freq_hz ? s.freq_hz.toFixed(1) : s.unvoiced_type} med ${med} ok ${ok} oct ${oct} other ${other} unv ${unv} | ${cs.join(' ')}`);
  }
}
