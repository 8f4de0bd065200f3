// norns/screen.png: the norns screen as the norns double drew it (the real Lua mod + script under lua5.3, its
// screen.poke pixels) while mirroring a real engine that recorded a phrase. Deterministic: same bits every run.
// Usage: npm run norns:screenshot [-- out.png]
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { levelsToPng } from '../host/screen/png.ts';
import { harmonicTone } from '../tests/helpers/sim.ts';
import { Rig } from '../tests/norns/bridge.ts';

export const SCREENSHOT = fileURLToPath(new URL('../norns/screen.png', import.meta.url));

/** The scene: boot with the module plugged in, K2 on norns arms, a 2 s phrase is recorded, then it plays. */
export async function nornsScreenshot(): Promise<Uint8Array> {
  const rig = new Rig();
  try {
    await rig.cmd('boot'); await rig.plug(); await rig.cmd('script');
    let phase = 0;
    const notes = [220, 247, 262, 294];
    rig.input = (t) => {
      if (t < 1 || t > 3) return 0;
      phase += notes[Math.floor((t - 1) * 2) % 4]! / 48000;
      return 0.5 * harmonicTone(phase % 1) * Math.min(1, (3 - t) * 4);
    };
    await rig.run(0.7);
    await rig.cmd('key 2 1'); await rig.cmd('key 2 0');
    await rig.run(3.3);
    await rig.cmd('midi 1 904864');
    await rig.run(0.3);
    return await rig.screen();
  } finally { rig.close(); }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const out = process.argv[2] ?? SCREENSHOT;
  const px = await nornsScreenshot();
  writeFileSync(out, levelsToPng(px, 4));
  console.log(`norns screen (as the double drew it) → ${out}`);
}
