// The web app in real headless Chromium: the page from `piwip app`'s server, the engine in its AudioWorklet, a fake
// microphone playing a 440 Hz sine, Web MIDI stubbed. Measures audio in the page, reads the worklet's engine
// through the page's test handle (window.piwip), and compares the canvas with the engine's framebuffer.
import { readFileSync } from 'node:fs';
import { decodeWav, encodeWav } from '../host/io/wav.ts';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PiwipEngine } from '../host/engine/engine.ts';
import { unpackScreen } from '../host/screen/png.ts';
import { canvasAndEngine, openApp, skipBrowser, startRig, waitEngine, type WebRig } from './helpers/browser.ts';

const skip = skipBrowser('web app tests');
const cents = (hz: number, ref: number) => 1200 * Math.log2(hz / ref);

/** The Node engine with the same input (a 0.5 × 440 Hz sine), for reference screens. */
function nodeEngine() {
  const e = PiwipEngine.create({ sampleRate: 48000 });
  const N = 128, inp = new Float32Array(N), o1 = new Float32Array(N), o2 = new Float32Array(N);
  let k = 0;
  const run = (s: number) => {
    for (let b = Math.round(s * 48000 / N); b > 0; b--) {
      for (let i = 0; i < N; i++) inp[i] = 0.5 * Math.sin(2 * Math.PI * 440 * (k++) / 48000);
      e.process(inp, inp, o1, o2);
    }
  };
  const tap = (n: number) => { e.key(n, 1); e.key(n, 0); run(0.05); };
  return { e, run, tap };
}

const tel = (page: Page) => page.evaluate(() => (window as any).piwip.face.lastTelemetry);
const measure = (page: Page, which: 'in' | 'out', n = 32768) => page.evaluate(([w, m]) => (window as any).piwip.measure(w, m), [which, n] as const);
const paramGet = (page: Page, id: string) => page.evaluate(async (pid) => {
  const p = (window as any).piwip;
  return p.face.paramGet(p.param(pid).index);
}, id);
const waitFor = async (page: Page, fn: string) => page.waitForFunction(fn, null, { timeout: 10_000 });

describe.skipIf(skip)('web app in Chromium', () => {
  let rig: WebRig;
  beforeAll(async () => { rig = await startRig(440); });
  afterAll(async () => { await rig?.close(); });

  it('serves the page, says what it drives, and audio flows through the worklet (RMS and pitch measured in the page)', async () => {
    const page = await openApp(rig);
    expect(await page.textContent('#where')).toContain('this computer');
    expect(await page.textContent('#latency')).toMatch(/base \d/);
    await waitEngine(page, 1); // a full analyser window of input (a loaded machine may also drop a few fake-mic blocks)
    const inp = await measure(page, 'in');
    expect(inp.rms).toBeGreaterThan(0.25);
    expect(Math.abs(cents(inp.hz, 440))).toBeLessThan(5);
    // the monitor (an engine param, off at start) passes the input to the output at `monitor level` 1
    expect((await measure(page, 'out')).rms).toBeLessThan(1e-4);
    await page.selectOption('select[name="monitor"]', { label: 'on' });
    await waitEngine(page, 1.5);
    const out = await measure(page, 'out');
    expect(out.rms).toBeGreaterThan(0.25);
    expect(out.rms).toBeLessThan(0.4);
    expect(Math.abs(cents(out.hz, 440))).toBeLessThan(5);
    const t = await tel(page);
    expect(t.pitchHz).toBeGreaterThan(430);
    expect(t.pitchHz).toBeLessThan(450);
    await page.close();
  });

  it('K2 on the page arms and a take starts: the canvas shows REC', async () => {
    const page = await openApp(rig);
    expect((await tel(page)).recording).toBe(false);
    await page.click('[data-key="2"]');
    await waitFor(page, '(window.piwip.face.lastTelemetry || {}).recording === true');
    await waitEngine(page, 0.3);
    const { canvas } = await canvasAndEngine(page);
    // the REC badge as the Node engine draws it for the same input and key (top right, level 15)
    const ref = nodeEngine();
    ref.run(1); ref.tap(2); ref.run(0.5);
    expect(ref.e.state().recording).toBe(true);
    const want = unpackScreen(ref.e.screen());
    let lit = 0;
    for (let y = 0; y < 13; y++) {
      for (let x = 104; x < 128; x++) {
        if (want[y * 128 + x] === 15) { lit++; expect(canvas[y * 128 + x], `pixel ${x},${y}`).toBe(15); }
      }
    }
    expect(lit).toBeGreaterThan(30);
    await page.close();
  });

  it('a MIDI note (Web MIDI) and a computer-keyboard note play the take back at the right pitch (±10 cents)', async () => {
    const page = await openApp(rig);
    expect(await page.textContent('#midi-status')).toContain('1 MIDI input');
    await page.click('[data-key="2"]'); // arm: the sine starts a take
    await waitFor(page, '(window.piwip.face.lastTelemetry || {}).recording === true');
    await waitEngine(page, 1.5);
    await page.click('[data-key="3"]'); // stop the take by hand
    await waitFor(page, '(window.piwip.face.lastTelemetry || {}).recording === false');
    await waitEngine(page, 0.7);
    expect((await measure(page, 'out')).rms).toBeLessThan(1e-3);
    await page.evaluate(() => (window as any).__midi([0x90, 67, 100]));
    await waitEngine(page, 1.2);
    const g = await measure(page, 'out', 16384);
    expect(g.rms).toBeGreaterThan(0.05);
    expect(Math.abs(cents(g.hz, 440 * 2 ** (7 / 12)))).toBeLessThan(10);
    await page.evaluate(() => (window as any).__midi([0x80, 67, 0]));
    await waitEngine(page, 2.5); // the voice's release
    await page.keyboard.down('d'); // E above middle C on the computer keyboard: note 64
    await waitEngine(page, 1.2);
    const e = await measure(page, 'out', 16384);
    await page.keyboard.up('d');
    expect(e.rms).toBeGreaterThan(0.05);
    expect(Math.abs(cents(e.hz, 440 * 2 ** (4 / 12)))).toBeLessThan(10);
    await page.close();
  });

  it('E1 to the tune preset: a MIDI note is sung from the live input at once, no take needed (±10 cents)', async () => {
    const page = await openApp(rig);
    for (let i = 0; i < 4; i++) await page.keyboard.press('PageDown'); // E1 + four detents: user → … → tune
    await waitFor(page, '(window.piwip.face.lastTelemetry || {}).modeName === "tune"');
    expect((await paramGet(page, 'shifter')).formatted).toBe('psola');
    await page.evaluate(() => (window as any).__midi([0x90, 64, 100]));
    await waitEngine(page, 1.0);
    const e = await measure(page, 'out', 16384);
    expect(e.rms).toBeGreaterThan(0.1);
    expect(Math.abs(cents(e.hz, 440 * 2 ** (-5 / 12)))).toBeLessThan(10);
    await page.close();
  });

  it('the canvas pixels equal the engine framebuffer (title screen and the params menu)', async () => {
    const page = await openApp(rig);
    const a = await canvasAndEngine(page);
    expect(a.canvas).toEqual(a.engine);
    expect(a.engine.filter((v) => v > 0).length).toBeGreaterThan(100);
    await page.keyboard.press('Digit1'); // short K1: the menu
    await waitFor(page, '(window.piwip.face.lastTelemetry || {}).menuOpen === true');
    const b = await canvasAndEngine(page);
    expect(b.canvas).toEqual(b.engine);
    expect(b.engine).not.toEqual(a.engine);
    await page.close();
  });

  it('a param moved in the panel equals paramGet in the worklet and shows in the menu', async () => {
    const page = await openApp(rig);
    await page.selectOption('select[name="scale_mode"]', { label: 'lydian' });
    await page.locator('input[name="tempo"]').fill('120');
    await waitEngine(page, 0.3);
    expect((await paramGet(page, 'scale_mode')).value).toBe(7);
    expect(await paramGet(page, 'tempo')).toMatchObject({ value: 120, formatted: '120 bpm' });
    expect(await page.textContent('label[data-id="tempo"] output')).toBe('120 bpm');
    // the engine's own menu, walked with the page's keyboard shortcuts, shows the new value: pixel-equal to the
    // Node engine's menu after the same param change and the same walk
    await page.click('#screen'); // the face takes the keyboard back from the focused slider
    for (const k of ['Digit1', 'Digit3', 'ArrowDown', 'ArrowDown', 'ArrowDown', 'Digit3', 'ArrowDown']) {
      await page.keyboard.press(k);
      await waitEngine(page, 0.12);
    }
    const { canvas } = await canvasAndEngine(page);
    const ref = nodeEngine();
    ref.run(1);
    ref.e.setParam('scale_mode', 'lydian');
    ref.e.setParam('tempo', 120);
    ref.tap(1); ref.tap(3); ref.e.enc(2, 3); ref.run(0.05); ref.tap(3); ref.e.enc(2, 1); ref.run(0.1);
    expect(canvas).toEqual(Array.from(unpackScreen(ref.e.screen())));
    // and a change in the menu (E3) shows in the panel
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => (document.querySelector('label[data-id="scale_mode"] output') as HTMLElement).textContent === 'mixolydian');
    expect((await paramGet(page, 'scale_mode')).value).toBe(8);
    // a focused slider keeps its arrow keys: the slider moves, the menu's E3 does not
    await page.locator('input[name="tempo"]').focus();
    await page.keyboard.press('ArrowRight');
    await waitEngine(page, 0.3);
    expect((await paramGet(page, 'tempo')).value).toBe(121);
    expect((await paramGet(page, 'scale_mode')).value).toBe(8);
    await page.close();
  });

  it('PSET export → import round trip, and a browser slot saved, reloaded and loaded', async () => {
    let page = await openApp(rig);
    await page.selectOption('select[name="scale_mode"]', { label: 'lydian' });
    await page.locator('input[name="tempo"]').fill('133');
    await page.fill('#pset-slot', '4');
    await waitEngine(page, 0.2);
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#pset-export')]);
    expect(dl.suggestedFilename()).toBe('piwip-04.pset');
    const text = readFileSync((await dl.path())!, 'utf8');
    expect(text.split('\n')[0]).toBe('-- piwip-04');
    expect(text).toContain('"tempo": 133');
    await page.click('#pset-save');
    await page.waitForFunction(() => document.getElementById('pset-list')!.textContent!.includes('piwip-04'));
    await page.close();

    page = await openApp(rig); // a fresh engine: defaults
    expect((await paramGet(page, 'tempo')).value).toBe(90);
    await page.setInputFiles('#pset-import', { name: 'piwip-04.pset', mimeType: 'text/plain', buffer: Buffer.from(text) });
    await page.waitForFunction(() => document.getElementById('message')!.textContent!.startsWith('imported'));
    expect((await paramGet(page, 'tempo')).value).toBe(133);
    expect((await paramGet(page, 'scale_mode')).value).toBe(7);
    expect(await page.evaluate(() => (window as any).piwip.face.psetGet('piwip-04'))).toBe(text);
    // a broken file reports and changes nothing it cannot read
    await page.setInputFiles('#pset-import', { name: 'bad.pset', mimeType: 'text/plain', buffer: Buffer.from('"tempo": fast\nnonsense\n') });
    await page.waitForFunction(() => document.getElementById('message')!.textContent!.includes('bad.pset'));
    expect(await page.textContent('#message')).toContain('corrupt');
    expect((await paramGet(page, 'tempo')).value).toBe(133);
    await page.close();

    page = await openApp(rig); // IndexedDB kept slot 4
    expect(await page.textContent('#pset-list')).toContain('4: piwip-04');
    await page.fill('#pset-slot', '4');
    await page.click('#pset-load');
    await page.waitForFunction(() => document.getElementById('message')!.textContent!.startsWith('loaded'));
    expect((await paramGet(page, 'tempo')).value).toBe(133);
    // the engine's own PSET menu saves through the page into IndexedDB: K1 (menu), E2 → PSET >, K3, K3 = SAVE slot 1
    for (const k of ['Digit1', 'ArrowDown', 'Digit3', 'Digit3']) { await page.keyboard.press(k); await waitEngine(page, 0.1); }
    await page.waitForFunction(() => document.getElementById('message')!.textContent === 'saved piwip-01 (menu)');
    await page.waitForFunction(() => document.getElementById('pset-list')!.textContent!.includes('1: piwip-01 *'));
    await page.close();
  });

  it('MIDI clock from the Web MIDI input is followed (clock source = midi)', async () => {
    const page = await openApp(rig);
    await page.selectOption('select[name="clock source"]', { label: 'midi' });
    await waitEngine(page, 0.2);
    // START, then 24 ticks per beat at 120 bpm, timed by the page (one tick every 20.8 ms for 3 s)
    await page.evaluate(async () => {
      const send = (window as any).__midi as (b: number[]) => void;
      send([0xfa]);
      const t0 = performance.now();
      for (let k = 1; k <= 144; k++) {
        while (performance.now() - t0 < k * 1000 / 48) await new Promise((r) => setTimeout(r, 2));
        send([0xf8]);
      }
    });
    await waitEngine(page, 0.3);
    const bpm = (await tel(page)).bpm;
    expect(bpm).toBeGreaterThan(108);
    expect(bpm).toBeLessThan(132);
    await page.close();
  });

  it('a dropped WAV becomes the (looped) input, and the output is recorded to a WAV file', async () => {
    const page = await openApp(rig);
    const sr = 48000, x = new Float32Array(sr);
    for (let i = 0; i < sr; i++) x[i] = 0.4 * Math.sin(2 * Math.PI * 330 * i / sr);
    const wav = Buffer.from(encodeWav([x], sr, '16')).toString('base64');
    await page.evaluate((b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], 'tone330.wav', { type: 'audio/wav' }));
      document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, wav);
    await page.waitForFunction(() => document.getElementById('source')!.textContent!.startsWith('tone330.wav (looped'));
    await waitEngine(page, 1.5); // longer than the file: it loops
    const inp = await measure(page, 'in');
    expect(Math.abs(cents(inp.hz, 330))).toBeLessThan(5);
    expect(inp.rms).toBeGreaterThan(0.25);
    await page.selectOption('select[name="monitor"]', { label: 'on' });
    await waitEngine(page, 0.5);
    await page.click('#rec-out');
    await waitEngine(page, 1.5);
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#rec-out')]);
    expect(dl.suggestedFilename()).toMatch(/^piwip-.*\.wav$/);
    const rec = decodeWav(readFileSync((await dl.path())!));
    expect(rec.channels).toHaveLength(2);
    expect(rec.bitDepth).toBe('32f');
    const ctxRate = await page.evaluate(() => (window as any).piwip.ctx.sampleRate);
    expect(rec.sampleRate).toBe(ctxRate);
    expect(rec.frames / rec.sampleRate).toBeGreaterThan(1.3);
    expect(rec.frames / rec.sampleRate).toBeLessThan(6);
    const tail = rec.channels[0]!.subarray(rec.frames - 16384);
    let s = 0;
    for (const v of tail) s += v * v;
    expect(Math.sqrt(s / tail.length)).toBeGreaterThan(0.25);
    await page.close();
  });
});
