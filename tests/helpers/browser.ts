// Headless Debian Chromium (playwright-core) against `piwip app`'s real server, with a fake microphone playing a
// WAV the test writes, Web MIDI stubbed (containers have no ALSA sequencer), and the page's test handle.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { writeWav } from '../../host/io/wav.ts';
import { startAppServer, type AppServer } from '../../host/web/server.ts';
import { skipWithout } from './tools.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const skipBrowser = (what: string): boolean => skipWithout(what, [CHROMIUM], 'apt-get install chromium');

export interface WebRig { app: AppServer; ctx: BrowserContext; dir: string; close(): Promise<void> }

/** A sine of `hz` at `amp` (mono, 48 kHz, 16-bit) as the fake microphone. */
export function fakeMicWav(dir: string, hz = 440, amp = 0.5, seconds = 4): string {
  const sr = 48000, x = new Float32Array(sr * seconds);
  for (let i = 0; i < x.length; i++) x[i] = amp * Math.sin(2 * Math.PI * hz * i / sr);
  const path = join(dir, `mic-${hz}.wav`);
  writeWav(path, [x], sr, '16');
  return path;
}

/** A fake Web MIDI with one input; window.__midi(bytes) plays bytes into it. */
const MIDI_STUB = `(() => {
  const input = { id: 'test-in', name: 'piwip test keyboard', manufacturer: 'test', type: 'input', state: 'connected', onmidimessage: null };
  const access = { inputs: new Map([[input.id, input]]), outputs: new Map(), sysexEnabled: false, onstatechange: null };
  navigator.requestMIDIAccess = async () => access;
  window.__midi = (bytes) => { if (input.onmidimessage) input.onmidimessage({ data: Uint8Array.from(bytes) }); };
})();`;

/** mic: a sine's frequency, or the path of a WAV to play as the microphone (looped by Chromium). */
export async function startRig(mic: number | string = 440, viewport = { width: 1280, height: 800 }): Promise<WebRig> {
  const dir = mkdtempSync(join(tmpdir(), 'piwip-web-'));
  const micPath = typeof mic === 'string' ? mic : fakeMicWav(dir, mic);
  const app = await startAppServer(0);
  const ctx = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM, headless: true, acceptDownloads: true, viewport, permissions: ['microphone'],
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${micPath}`,
      '--autoplay-policy=no-user-gesture-required'],
  });
  await ctx.addInitScript(MIDI_STUB);
  return { app, ctx, dir, close: async () => { await ctx.close(); await app.close(); rmSync(dir, { recursive: true, force: true }); } };
}

/** A fresh page with the engine running (past the engine's 0.5 s key lock-out). */
export async function openApp(rig: WebRig): Promise<Page> {
  const page = await rig.ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${rig.app.url}?autostart`);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 30_000 }).catch(async () => {
    throw new Error(`page did not start: ${await page.textContent('#message')} ${errors.join('; ')}`);
  });
  await page.waitForFunction(() => ((window as any).piwip.face.lastTelemetry?.time ?? 0) > 0.8, null, { timeout: 10_000 });
  return page;
}

/** Canvas levels and the worklet's framebuffer (unpacked), read when the screen is still. */
export async function canvasAndEngine(page: Page): Promise<{ canvas: number[]; engine: number[] }> {
  return page.evaluate(async () => {
    const p = (window as any).piwip;
    for (let k = 0; ; k++) {
      const { fb } = await p.face.screenGet();
      await new Promise((r) => setTimeout(r, 100));
      const engine: number[] = [];
      for (const b of fb as Uint8Array) engine.push(b >> 4, b & 15);
      const canvas = p.screen.levels() as number[];
      if (k >= 20 || canvas.every((v, i) => v === engine[i])) return { canvas, engine };
    }
  });
}

/** Wait until the engine has run `seconds` more of audio (wall time is no measure on a loaded machine). */
export async function waitEngine(page: Page, seconds: number): Promise<void> {
  const t0 = await page.evaluate(() => (window as any).piwip.face.lastTelemetry?.time ?? 0);
  await page.waitForFunction((t) => ((window as any).piwip.face.lastTelemetry?.time ?? 0) >= t, t0 + seconds, { timeout: 30_000 });
}
