// The norns mod + script (norns/piwip-module, the real Lua files under Debian lua5.3) in the norns API double
// (tests/norns/double: each part says which norns behaviour it copies, with its source file:line), bridged to a
// real engine wasm acting as the module (tests/norns/bridge.ts). Screen mirror, hot-plug, framing robustness.
import { describe, it, expect, afterEach } from 'vitest';
import { Rig, unpackScreen, prng } from './norns/bridge.ts';
import { encodeFrame } from '../host/link/frame.ts';
import { M } from '../host/link/messages.ts';
import { skipWithout } from './helpers/tools.ts';

const skip = skipWithout('norns Lua tests', [{ name: 'lua5.3', probe: ['-v'] }], 'apt-get install lua5.3');

const texts = async (rig: Rig) => rig.norns.eval('table.concat(DOUBLE.screen.shown_texts or {}, "|")');
const mirrored = async (rig: Rig) => Buffer.from(await rig.screen()).equals(Buffer.from(unpackScreen(rig.e.screen())));

describe.skipIf(skip)('norns: screen mirror and hot-plug', () => {
  let rig: Rig;
  afterEach(() => rig?.close());

  it('module plugged before boot: the poked screen equals the module framebuffer; raw termios', async () => {
    rig = new Rig();
    await rig.cmd('boot');
    expect((await rig.plug()).matched).toBe('piwip-module');
    await rig.cmd('script');
    await rig.run(1.0);
    const fb = unpackScreen(rig.e.screen());
    expect(fb.some((v) => v > 0)).toBe(true);
    expect(await rig.screen()).toEqual(Buffer.from(fb));
    expect(await rig.norns.eval('DOUBLE.serial.term.lflag, DOUBLE.serial.term.iflag, DOUBLE.serial.term.oflag')).toBe('0\t0\t0');
    // the module's own keys change its screen: the mirror follows (E1 changes the mode page)
    rig.e.enc(1, 1);
    await rig.run(0.3);
    expect(await mirrored(rig)).toBe(true);
    // no single write is longer than a piece
    expect(Number(await rig.norns.eval('DOUBLE.serial.max_send'))).toBeLessThanOrEqual(256);
  });

  it('never pokes over the system menu; redraws the mirror when the menu closes', async () => {
    rig = new Rig();
    await rig.cmd('boot'); await rig.plug(); await rig.cmd('script');
    await rig.run(0.8);
    const before = await rig.screen();
    const pokes = Number(await rig.norns.eval('DOUBLE.screen.pokes'));
    await rig.cmd('menu 1');
    rig.e.enc(1, 1); // the module's screen changes while norns shows its menu
    await rig.run(0.5);
    expect(Buffer.from(unpackScreen(rig.e.screen())).equals(Buffer.from(before))).toBe(false);
    // unplugging and replugging calls the script's redraw() from its handlers: still nothing over the menu
    await rig.unplug(); await rig.run(0.1); await rig.plug(); await rig.run(0.5);
    expect(Number(await rig.norns.eval('DOUBLE.screen.pokes'))).toBe(pokes);
    expect(await texts(rig)).toMatch(/SELECT/);
    await rig.cmd('menu 0');
    expect(await mirrored(rig)).toBe(true);
  });

  it('hot-plug after boot, unplug with a message, replug recovers; a script reload keeps the link', async () => {
    rig = new Rig();
    await rig.cmd('boot'); await rig.cmd('script');
    await rig.run(0.2);
    expect(await texts(rig)).toMatch(/plug in the piwip module/);
    expect((await rig.plug('piwip')).matched).toBe('piwip-module');
    await rig.run(0.8);
    expect(await mirrored(rig)).toBe(true);
    await rig.unplug();
    await rig.run(0.2);
    expect(await texts(rig)).toMatch(/piwip module unplugged/);
    rig.e.enc(1, 1);
    await rig.run(0.2);
    await rig.plug('piwip_virtual_module'); // the virtual module's product string is accepted too
    await rig.run(0.8);
    expect(await mirrored(rig)).toBe(true);
    // reload: the mod's handler is not registered twice (serial.lua asserts on a duplicate id) and the new
    // script instance gets the session (HELLO again) without a replug
    await rig.cmd('reload');
    rig.e.enc(1, 1);
    await rig.run(0.8);
    expect(await mirrored(rig)).toBe(true);
    expect(await rig.norns.eval('DOUBLE.serial.api._handlers["piwip-module"] ~= nil')).toBe('true');
  });

  it('a tty that is not a piwip is left alone', async () => {
    rig = new Rig();
    await rig.cmd('boot');
    expect((await rig.norns.cmd('plug Arduino_Uno')).matched).toBe('nil');
  });

  it('serial events split at every byte boundary, and garbage between frames, do not break the mirror', async () => {
    rig = new Rig();
    await rig.cmd('boot'); await rig.plug(); await rig.cmd('script');
    await rig.run(0.8);
    // a full screen frame of the module's current screen, as the module would send it
    const fb = rig.e.screen();
    const w: number[] = [0, 0, 0, 0, 1, 64];
    const rows: number[] = [];
    for (let y = 0; y < 64; y++) {
      rows.push(y, 63); // PackBits: 64 literal bytes
      for (let i = 0; i < 64; i++) rows.push(fb[y * 64 + i]!);
    }
    const frame = encodeFrame(M.SCREEN, 0, Uint8Array.from([...w, ...rows]));
    // every boundary: the frame as two events split at k, for k = 1 .. len-1; each must decode exactly once
    await rig.cmd('eval DOUBLE.screen.api.clear()');
    const base = Number(await rig.norns.eval('require("piwip-module/lib/mod").rx.frames'));
    const corrupt0 = Number(await rig.norns.eval('require("piwip-module/lib/mod").rx.corrupt'));
    rig.plugged = false; // keep the engine's own frames out of this: only our bytes reach norns
    let n = 0;
    for (let k = 1; k < frame.length; k++) {
      n++;
      await rig.deliver(frame, (b) => [b.subarray(0, k), b.subarray(k)].flatMap((p) => {
        const out: Uint8Array[] = [];
        for (let i = 0; i < p.length; i += 256) out.push(p.subarray(i, i + 256));
        return out;
      }));
    }
    expect(Number(await rig.norns.eval('require("piwip-module/lib/mod").rx.frames'))).toBe(base + n);
    expect(Number(await rig.norns.eval('require("piwip-module/lib/mod").rx.corrupt'))).toBe(corrupt0);
    // garbage (with and without END and ESC bytes) between frames: counted as corrupt, the frames still land
    const r = prng(3);
    for (let g = 0; g < 20; g++) {
      const junk = Uint8Array.from({ length: 1 + Math.floor(r() * 40) }, () => Math.floor(r() * 256));
      await rig.deliver(Uint8Array.from([...junk, ...frame]), (b) => {
        const out: Uint8Array[] = [];
        for (let i = 0; i < b.length;) { const m = 1 + Math.floor(r() * 256); out.push(b.subarray(i, i + m)); i += m; }
        return out;
      });
    }
    expect(Number(await rig.norns.eval('require("piwip-module/lib/mod").rx.frames'))).toBe(base + n + 20);
    expect(Number(await rig.norns.eval('require("piwip-module/lib/mod").rx.corrupt'))).toBeGreaterThan(corrupt0);
    rig.plugged = true;
    await rig.cmd('redraw');
    expect(await rig.screen()).toEqual(Buffer.from(unpackScreen(fb)));
    // and the live link still mirrors afterwards (the script asked for a full frame after the corrupt ones)
    rig.e.enc(1, 1);
    await rig.run(0.5);
    expect(await mirrored(rig)).toBe(true);
  }, 60_000);
});

describe.skipIf(skip)('norns/screen.png', () => {
  it('is the screen the double draws for the scene in tools/norns-screenshot.ts (regenerate: npm run norns:screenshot)', async () => {
    const { nornsScreenshot, SCREENSHOT } = await import('../tools/norns-screenshot.ts');
    const { pngToLevels } = await import('../host/screen/png.ts');
    const { readFileSync } = await import('node:fs');
    const px = await nornsScreenshot();
    expect(px.some((v) => v > 0)).toBe(true);
    const png = pngToLevels(readFileSync(SCREENSHOT));
    expect(Buffer.from(png).equals(Buffer.from(px))).toBe(true);
  }, 30_000);
});
