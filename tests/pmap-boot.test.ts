// A module starts with its last PSET slot (pset-last.txt), MIDI map included, so a controller plays it with no
// screen and no host after power-on: the virtual module (host/module/virtual.ts) and the Linux firmware
// (firmware/linux/link_port.c, piwip-module over a socat pty; the Teensy's link_usb.h does the same from its SD card
// and is built by teensy-check, not run here).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LinkClient } from '../host/link/client.ts';
import { serialTransport } from '../host/link/transport.ts';
import { VirtualModule } from '../host/module/virtual.ts';
import { ptyPair, tempDir, until } from './helpers/pty.ts';
import { skipWithout } from './helpers/tools.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SKIP_FW = skipWithout('piwip-module boot PSET', ['socat', 'make', 'gcc', 'wasm2c'], 'apt-get install socat make gcc wabt');

/** A PSET dir whose last slot (3) holds a param and a map: K2 on CC 20, the preset on CC 21 (channel 2). */
function setsDir(tag: string): string {
  const dir = join(tempDir(tag), 'sets');
  mkdirSync(dir);
  writeFileSync(join(dir, 'piwip-03.pset'), [
    '-- my controller', '"probability": 77.0',
    '"pmap:K2": "{cc=20, ch=1, in_lo=0, in_hi=127, out_lo=0.0, out_hi=1.0, accum=false, value=0}"',
    '"pmap:preset": "{cc=21, ch=2, in_lo=0, in_hi=127, out_lo=0.0, out_hi=4.0, accum=false, value=0}"', '',
  ].join('\n'));
  writeFileSync(join(dir, 'piwip-01.pset'), '"probability": 5.0\n');
  writeFileSync(join(dir, 'pset-last.txt'), '3\n');
  return dir;
}

describe('the last slot comes back at start-up, MIDI map included', () => {
  it('virtual module', () => {
    const m = new VirtualModule({ maxRecSeconds: 5, psetDir: setsDir('boot-vm') });
    expect(m.engine.getParam('probability')).toBe(77);
    expect(m.engine.psetLast).toBe(3);
    expect(m.engine.pmapList().map((x) => [x.target, x.cc, x.ch])).toEqual([['K2', 20, 1], ['preset', 21, 2]]);
  });

  it('a module without pset-last.txt starts at the defaults', () => {
    const dir = setsDir('boot-none');
    writeFileSync(join(dir, 'pset-last.txt'), '0\n');
    const m = new VirtualModule({ maxRecSeconds: 5, psetDir: dir });
    expect(m.engine.getParam('probability')).toBe(0);
    expect(m.engine.pmapList()).toEqual([]);
  });

  it.skipIf(SKIP_FW)('piwip-module: the map plays from MIDI over the link right after start', async () => {
    const bin = join(ROOT, 'firmware/build/linux/piwip-module');
    if (!existsSync(bin)) throw new Error(`${bin} missing: make -C firmware linux`);
    const dir = tempDir('boot-fw');
    const pair = await ptyPair(join(dir, 'mod'), join(dir, 'host'));
    const proc = spawn(bin, ['--audio', 'none', '--link', pair.a, '--pset-dir', setsDir('boot-fw-sets'), '--max-rec', '5'],
      { stdio: ['pipe', 'ignore', 'pipe'] });
    const client = new LinkClient(serialTransport(pair.b), { telemetryHz: 20 });
    try {
      await client.connect();
      expect((await client.getParam('probability')).value).toBe(77);
      await until(() => (client.telemetry?.time ?? 0) > 0.6, 5000, 'the module past its 0.5 s key guard');
      expect(client.telemetry!.armed).toBe(false);
      client.midi([0xb0, 20, 127, 20, 0]); // the pad mapped to K2
      await until(() => client.telemetry?.armed === true, 3000, 'K2 from the mapped CC');
      client.midi([0xb1, 21, 127]); // the preset knob, channel 2: tune
      await until(() => client.telemetry?.mode === 4, 3000, 'the preset from the mapped CC');
    } finally {
      client.close();
      await new Promise<void>((r) => { proc.once('exit', () => r()); proc.kill('SIGTERM'); });
      await pair.kill();
    }
  }, 30_000);
});
