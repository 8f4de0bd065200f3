// Writes the README's pictures of the live faces from the real thing: docs/web-app.png (the page in headless
// Chromium, a sung-like phrase as the microphone, a take recorded with K2 and two MIDI notes playing it back) and
// docs/terminal-play.png (`piwip play` under tmux, its truecolor output captured with capture-pane -e and drawn
// cell by cell in Chromium, cells 1:2 as in a usual terminal font so half blocks are square pixels). Run: node bin/run-ts.mjs tools/screenshots-web.ts [outDir]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatePhrase } from '../host/cli/phrase.ts';
import { writeWav } from '../host/io/wav.ts';
import { openApp, startRig, waitEngine } from '../tests/helpers/browser.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const outDir = process.argv[2] ?? join(ROOT, 'docs');
mkdirSync(outDir, { recursive: true });
const tmp = mkdtempSync(join(tmpdir(), 'piwip-shots-'));
const phrase = generatePhrase({ sampleRate: 48000, seed: 3, after: 2 });
const mic = join(tmp, 'phrase.wav');
writeWav(mic, [phrase.samples], phrase.sampleRate, '16');

// ---- the page -------------------------------------------------------------------------------------------------
const rig = await startRig(mic, { width: 1400, height: 1000 });
try {
  const page = await openApp(rig);
  await page.click('[data-key="2"]'); // arm: the next phrase records itself
  await page.waitForFunction(() => (window as any).piwip.face.lastTelemetry?.recording === true, null, { timeout: 30_000 });
  await page.waitForFunction(() => (window as any).piwip.face.lastTelemetry?.recording === false, null, { timeout: 30_000 });
  await page.evaluate(() => { (window as any).__midi([0x90, 67, 100]); });
  await waitEngine(page, 0.9);
  await page.evaluate(() => { (window as any).__midi([0x90, 60, 100]); });
  await waitEngine(page, 1.2);
  await page.screenshot({ path: join(outDir, 'web-app.png'), fullPage: true });
  await page.close();
} finally { await rig.close(); }

// ---- the terminal ----------------------------------------------------------------------------------------------
const sock = `piwip-shot-${process.pid}`;
const tmux = (...a: string[]) => spawnSync('tmux', ['-L', sock, ...a], { encoding: 'utf8' });
const cmd = `cd ${ROOT} && COLORTERM=truecolor node bin/piwip.mjs play --out none --midi-in none --in ${mic} --pset-dir ${tmp}/psets 2>/dev/null; sleep 600`;
tmux('new-session', '-d', '-s', 'shot', '-x', '132', '-y', '38', cmd);
let ansi = '';
try {
  const until = async (ok: (s: string) => boolean) => {
    for (let i = 0; i < 300; i++) { const s = tmux('capture-pane', '-p', '-t', 'shot').stdout; if (ok(s)) return s; await new Promise((r) => setTimeout(r, 100)); }
    throw new Error('piwip play did not come up');
  };
  const t = (s: string) => Number(/ t (\d+\.\d) s /.exec(s)?.[1] ?? 0);
  await until((s) => t(s) >= 1);
  tmux('send-keys', '-t', 'shot', '2'); // arm
  await until((s) => s.includes('REC  in'));
  await until((s) => s.includes('---  in') && t(s) > 4);
  tmux('send-keys', '-t', 'shot', 'g'); // note G (67)
  const t1 = t(tmux('capture-pane', '-p', '-t', 'shot').stdout);
  await until((s) => t(s) > t1 + 1);
  ansi = tmux('capture-pane', '-e', '-p', '-t', 'shot').stdout;
  tmux('send-keys', '-t', 'shot', 'q');
} finally { tmux('kill-server'); }

/** tmux's SGR output → HTML spans (24-bit colours, default fg light grey on black). */
function ansiToHtml(text: string): string {
  let fg = '#c8c8c8', bg = '#000', html = '';
  const esc = (c: string) => (c === '<' ? '&lt;' : c === '&' ? '&amp;' : c);
  for (const line of text.replace(/\n+$/, '').split('\n')) {
    let row = '';
    const re = /\x1b\[([0-9;]*)m|([^\x1b]+)/g;
    for (let m = re.exec(line); m; m = re.exec(line)) {
      if (m[2] !== undefined) { row += `<span style="color:${fg};background:${bg}">${[...m[2]].map(esc).join('')}</span>`; continue; }
      const p = (m[1] || '0').split(';').map(Number);
      for (let i = 0; i < p.length; i++) {
        const v = p[i]!;
        if (v === 0) { fg = '#c8c8c8'; bg = '#000'; } else if (v === 39) fg = '#c8c8c8'; else if (v === 49) bg = '#000';
        else if ((v === 38 || v === 48) && p[i + 1] === 2) { const c = `rgb(${p[i + 2]},${p[i + 3]},${p[i + 4]})`; if (v === 38) fg = c; else bg = c; i += 4; }
      }
    }
    html += `<div>${row || '&nbsp;'}</div>`;
  }
  return html;
}

const rig2 = await startRig(440, { width: 1200, height: 900 });
try {
  const page = await rig2.ctx.newPage();
  await page.setContent(`<body style="margin:0;background:#000"><pre id="t" style="margin:0;padding:10px;display:inline-block;font:14px/16px 'DejaVu Sans Mono',monospace;color:#c8c8c8;background:#000">${ansiToHtml(ansi)}</pre></body>`);
  await page.locator('#t').screenshot({ path: join(outDir, 'terminal-play.png') });
} finally { await rig2.close(); rmSync(tmp, { recursive: true, force: true }); }
console.log(`wrote ${join(outDir, 'web-app.png')} and ${join(outDir, 'terminal-play.png')}`);
