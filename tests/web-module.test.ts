// Module mode in real headless Chromium: `piwip app --module PTY`'s server bridges the virtual module (on a socat pty
// pair, paced in real time in this process) to the page over its WebSocket. The page's canvas equals the module's
// framebuffer, K2 clicked on the page arms the module, a param set in the panel is read back from the module, the
// page says it drives a module, the module's PSET slots and backup work, and an engine uploaded from the page shows
// progress and runs on the module.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_WASM } from '../host/engine/engine.ts';
import { pace, serveTty, type Served } from '../host/module/serve.ts';
import { VirtualModule } from '../host/module/virtual.ts';
import { unpackScreen } from '../host/screen/png.ts';
import { startAppServer, type AppServer } from '../host/web/server.ts';
import { CHROMIUM } from './helpers/browser.ts';
import { ptyPair, type PtyPair } from './helpers/pty.ts';
import { skipWithout } from './helpers/tools.ts';

const SKIP = skipWithout('web app module mode', [CHROMIUM, 'socat'], 'apt-get install chromium socat');
const DEBUG_WASM = DEFAULT_WASM.replace(/piwip\.wasm$/, 'piwip.debug.wasm');

describe.skipIf(SKIP)('web app module mode: the page drives the virtual module over the bridge', () => {
  let dir = '', pair: PtyPair, m: VirtualModule, served: Served, stop: () => void, app: AppServer, ctx: BrowserContext, page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'piwip-webmod-'));
    pair = await ptyPair(join(dir, 'mod'), join(dir, 'host'));
    const input = new Float32Array(48000);
    for (let i = 0; i < input.length; i++) input[i] = 0.4 * Math.sin((2 * Math.PI * 330 * i) / 48000);
    m = new VirtualModule({ maxRecSeconds: 10, input, psetDir: join(dir, 'psets'), confirmSeconds: 1 });
    served = await serveTty(m, pair.a);
    stop = pace(m).stop;
    app = await startAppServer(0, DEFAULT_WASM, { module: pair.b });
    ctx = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM, headless: true, acceptDownloads: true, viewport: { width: 1280, height: 900 },
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await ctx.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(app.url);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 30_000 }).catch(async () => {
      throw new Error(`page did not start: ${await page.textContent('#message')} ${errors.join('; ')}`);
    });
  }, 60_000);
  afterAll(async () => {
    await ctx?.close(); await app?.close(); stop?.(); await served?.close(); await pair?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The canvas levels once they equal the module's framebuffer (or the last pair after ~5 s). */
  async function canvasAndModule(): Promise<{ canvas: number[]; module: number[] }> {
    for (let k = 0; ; k++) {
      const module = Array.from(unpackScreen(m.engine.screen()));
      const canvas = await page.evaluate(() => (window as any).piwip.screen.levels() as number[]);
      if (k >= 50 || canvas.every((v, i) => v === module[i])) return { canvas, module };
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('says it drives the module, and its canvas equals the module\'s framebuffer (play screen and menu)', async () => {
    expect(await page.textContent('#where')).toContain('module piwip-virtual');
    expect(await page.textContent('#where')).toContain(pair.b);
    expect(await page.isVisible('#audio-panel')).toBe(false); // no audio here: the module makes the sound
    const a = await canvasAndModule();
    expect(a.canvas).toEqual(a.module);
    expect(a.module.filter((v) => v > 0).length).toBeGreaterThan(100);
    while (m.engine.time < 1) await new Promise((r) => setTimeout(r, 50)); // the module's 0.5 s key lock-out
    await page.keyboard.press('Digit1'); // short K1: the module's params menu
    await page.waitForFunction(() => (window as any).piwip.face.lastTelemetry?.menuOpen === true, null, { timeout: 10_000 });
    expect(m.engine.menuOpen()).toBe(true);
    const b = await canvasAndModule();
    expect(b.canvas).toEqual(b.module);
    expect(b.module).not.toEqual(a.module);
    await page.keyboard.press('Digit1'); // and closed again
    await page.waitForFunction(() => (window as any).piwip.face.lastTelemetry?.menuOpen === false, null, { timeout: 10_000 });
  }, 60_000);

  it('K2 clicked on the page arms the module (the sine starts a take); the canvas follows', async () => {
    expect(m.engine.state().recording).toBe(false);
    await page.click('[data-key="2"]');
    const t0 = Date.now();
    while (!m.engine.state().recording && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 20));
    expect(m.engine.state().recording).toBe(true);
    await page.waitForFunction(() => (window as any).piwip.face.lastTelemetry?.recording === true, null, { timeout: 10_000 });
    await page.click('[data-key="3"]'); // stop the take
    while (m.engine.state().recording && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 20));
    expect(m.engine.state().recording).toBe(false);
    const s = await canvasAndModule();
    expect(s.canvas).toEqual(s.module);
  }, 60_000);

  it('a param set in the panel is read back from the module, and a module-side change shows in the panel', async () => {
    await page.selectOption('select[name="scale_mode"]', { label: 'lydian' });
    await page.locator('input[name="tempo"]').fill('121');
    const t0 = Date.now();
    while ((m.engine.getParam('tempo') !== 121 || m.engine.getParam('scale_mode') !== 7) && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 20));
    expect(m.engine.getParam('scale_mode')).toBe(7);
    expect(m.engine.getParam('tempo')).toBe(121);
    await page.waitForFunction(() => document.querySelector('label[data-id="tempo"] output')!.textContent === '121 bpm', null, { timeout: 10_000 });
    // through the link too: the page's paramGet asks the module
    expect(await page.evaluate(async () => { const p = (window as any).piwip; return p.face.paramGet(p.param('tempo').index); }))
      .toMatchObject({ value: 121, formatted: '121 bpm' });
    // the module's link status and CPU are shown
    await page.waitForFunction(() => /round trip \d/.test(document.getElementById('link-status')!.textContent!), null, { timeout: 10_000 });
    expect(await page.textContent('#module-cpu')).toMatch(/CPU \d+\.\d %/);
  }, 30_000);

  it('PSET backup to the computer and restore from a file; the module\'s own slots saved, listed, loaded', async () => {
    await page.fill('#pset-slot', '3');
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#pset-export')]);
    expect(dl.suggestedFilename()).toBe('piwip-03.pset');
    const text = readFileSync((await dl.path())!, 'utf8');
    expect(text).toContain('"tempo": 121');
    await page.click('#pset-save');
    await page.waitForFunction(() => document.getElementById('pset-list')!.textContent!.includes('3:'), null, { timeout: 10_000 });
    // change it on the module, then restore from the file
    await page.locator('input[name="tempo"]').fill('95');
    const t0 = Date.now();
    while (m.engine.getParam('tempo') !== 95 && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 20));
    await page.setInputFiles('#pset-import', { name: 'piwip-03.pset', mimeType: 'text/plain', buffer: Buffer.from(text) });
    await page.waitForFunction(() => document.getElementById('message')!.textContent!.startsWith('imported'), null, { timeout: 10_000 });
    expect(m.engine.getParam('tempo')).toBe(121);
    // and from the module's slot 3
    await page.locator('input[name="tempo"]').fill('100');
    while (m.engine.getParam('tempo') !== 100 && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 20));
    await page.click('#pset-load');
    await page.waitForFunction(() => document.getElementById('message')!.textContent!.startsWith('module: load slot 3'), null, { timeout: 10_000 });
    expect(m.engine.getParam('tempo')).toBe(121);
  }, 30_000);

  it('an engine uploaded from the page shows progress and runs on the module', async () => {
    const wasm = readFileSync(DEBUG_WASM);
    const want = createHash('sha256').update(wasm).digest('hex');
    expect(m.engineHash).not.toBe(want);
    await page.evaluate(() => {
      const bar = document.getElementById('upload-progress') as HTMLProgressElement;
      (window as any).__seen = [] as number[];
      new MutationObserver(() => (window as any).__seen.push(bar.value)).observe(document.getElementById('upload-state')!, { childList: true, characterData: true, subtree: true });
    });
    await page.setInputFiles('#engine-file', DEBUG_WASM);
    await page.waitForFunction(() => /running on the module|not uploaded/.test(document.getElementById('upload-state')!.textContent!), null, { timeout: 60_000 });
    expect(await page.textContent('#upload-state')).toContain('running on the module');
    expect(m.engineHash).toBe(want);
    const seen = await page.evaluate(() => (window as any).__seen as number[]);
    expect(seen.filter((v) => v > 0 && v < 1).length).toBeGreaterThan(5); // the bar moved through the transfer
    expect(seen.at(-1)).toBe(1);
    // the page follows the new engine: its hash, and params carried over
    await page.waitForFunction((h) => document.getElementById('engine-hash')!.textContent === h.slice(0, 16), want, { timeout: 10_000 });
    expect(m.engine.getParam('tempo')).toBe(121);
    const s = await canvasAndModule();
    expect(s.canvas).toEqual(s.module);
  }, 90_000);

  it('an unplug shows UNPLUGGED on the page; after the replug the link status and the screen come back', async () => {
    await pair.kill();
    await page.waitForFunction(() => document.getElementById('link-status')!.textContent!.includes('UNPLUGGED'), null, { timeout: 15_000 });
    expect(await page.getAttribute('#link-status', 'class')).toContain('link-down');
    pair = await ptyPair(pair.a, pair.b); // serveTty reopens the module's end by itself
    await page.waitForFunction(() => /round trip \d/.test(document.getElementById('link-status')!.textContent!), null, { timeout: 30_000 });
    const s = await canvasAndModule();
    expect(s.canvas).toEqual(s.module);
    expect(errors).toEqual([]);
  }, 60_000);
});
