// `piwip flash firmware.hex`: reboot a running board into HalfKay by opening its serial port at 134 baud, then run
// teensy_loader_cli. The board is a pty pair made by socat; the loader is a fake on PATH that records its arguments
// and the port's baud rate at the moment it runs (so the reboot must have come first).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, constants, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './cli-helpers.ts';
import { skipWithout } from './helpers/tools.ts';

const HEX = ':100000000000000000000000000000000000000000F0\n:00000001FF\n';

describe('piwip flash: errors before anything is touched', () => {
  const t = tempDir('flash-err');
  afterAll(() => t.cleanup());

  it('a missing loader is a clear one-line error (exit 1) and the board is not rebooted', async () => {
    writeFileSync(t.path('fw.hex'), HEX);
    const r = await runCli(['flash', t.path('fw.hex'), '--port', t.path('no-such-tty'), '--loader', t.path('nope/teensy_loader_cli')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/teensy_loader_cli not found \(Debian: apt-get install teensy-loader-cli\)/);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).not.toMatch(/rebooting/);
  });

  it('a file that is not Intel HEX, or missing, is refused', async () => {
    writeFileSync(t.path('fw.elf'), '\x7fELF');
    let r = await runCli(['flash', t.path('fw.elf')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/not an Intel HEX file/);
    r = await runCli(['flash', t.path('missing.hex')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/missing\.hex: cannot open \(ENOENT\)/);
    r = await runCli(['flash']);
    expect(r.code).toBe(2);
  });
});

describe.skipIf(skipWithout('piwip flash against a pty double', ['socat', 'stty'], 'apt-get install socat coreutils'))(
  'piwip flash: the 134-baud reboot, then the loader', () => {
    const t = tempDir('flash');
    const tty = t.path('ttyACM0');
    let socat: ChildProcess;
    let hold = -1;
    const oldPath = process.env.PATH;

    beforeAll(async () => {
      socat = spawn('socat', [`pty,rawer,link=${tty}`, `pty,rawer,link=${t.path('host-side')}`], { stdio: 'ignore' });
      for (let i = 0; i < 100 && !existsSync(tty); i++) await new Promise((r) => setTimeout(r, 20));
      expect(existsSync(tty)).toBe(true);
      // keep the board side open ourselves, so its settings outlive the CLI's close
      hold = openSync(tty, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
      expect(spawnSync('stty', ['-F', tty, '9600']).status).toBe(0);
      // the fake loader: records argv and the board port's speed when it runs
      writeFileSync(t.path('teensy_loader_cli'),
        `#!/bin/sh\necho "$@" > "${t.path('loader-args')}"\nstty -F "${tty}" speed > "${t.path('loader-baud')}"\n` +
        'echo "Teensy Loader, Command Line, Version 2.2"\nexit ${FAKE_LOADER_EXIT:-0}\n');
      chmodSync(t.path('teensy_loader_cli'), 0o755);
      writeFileSync(t.path('fw.hex'), HEX);
      process.env.PATH = `${t.dir}:${oldPath}`;
    });
    afterAll(() => {
      process.env.PATH = oldPath;
      if (hold >= 0) closeSync(hold);
      socat?.kill();
      t.cleanup();
    });

    it('opens the port at 134 baud before running teensy_loader_cli --mcu=TEENSY41 -w -v', async () => {
      const r = await runCli(['flash', t.path('fw.hex'), '--port', tty]);
      expect(r.err).toMatch(/rebooting the board on .*ttyACM0 into its bootloader \(134 baud\)/);
      expect(r.code, r.err).toBe(0);
      expect(readFileSync(t.path('loader-args'), 'utf8').trim()).toBe(`--mcu=TEENSY41 -w -v ${t.path('fw.hex')}`);
      expect(readFileSync(t.path('loader-baud'), 'utf8').trim()).toBe('134');
      expect(r.out).toMatch(/Teensy Loader/);
    });

    it('--no-reboot leaves the port alone; a failing loader is exit 1 with its code', async () => {
      expect(spawnSync('stty', ['-F', tty, '9600']).status).toBe(0);
      process.env.FAKE_LOADER_EXIT = '3';
      const r = await runCli(['flash', t.path('fw.hex'), '--port', tty, '--no-reboot']);
      delete process.env.FAKE_LOADER_EXIT;
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/teensy_loader_cli failed \(exit 3\)/);
      expect(readFileSync(t.path('loader-baud'), 'utf8').trim()).toBe('9600');
    });
  });
