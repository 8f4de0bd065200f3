// `make -C firmware run-m7 ARGS="..."` (documented in firmware/README.md) passes ARGS to the M7 image as semihosting
// argv: one `,arg=` per word, no spaces (QEMU takes a space as the end of -semihosting-config's value).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { skipWithout } from './helpers/tools.ts';

const FW = join(dirname(fileURLToPath(import.meta.url)), '..', 'firmware');

describe('make run-m7 ARGS=...', () => {
  it('builds one -semihosting-config value with an arg= per word (dry run)', () => {
    const r = spawnSync('make', ['-C', FW, '-n', 'run-m7', 'ELF=Makefile',
      'ARGS=--in x.f32 --events e.txt'], { encoding: 'utf8' });
    const line = r.stdout.split('\n').find((l) => l.includes('-semihosting-config')) ?? '';
    expect(line, r.stdout + r.stderr).toContain(
      '-semihosting-config enable=on,target=native,arg=piwip-m7,arg=--in,arg=x.f32,arg=--events,arg=e.txt -kernel');
  });

  it.skipIf(skipWithout('make run-m7 under QEMU', ['qemu-system-arm', 'arm-none-eabi-gcc', 'wasm2c', 'wat2wasm'],
    'apt-get install qemu-system-arm gcc-arm-none-eabi libnewlib-arm-none-eabi wabt'))(
    'runs the M7 image with the input and events it was given', () => {
      const dir = join(FW, 'build', 'ci-make');
      mkdirSync(dir, { recursive: true });
      const frames = 4410;
      const input = new Float32Array(frames);
      for (let i = 0; i < frames; i++) input[i] = 0.3 * Math.sin(i * 0.06);
      writeFileSync(join(dir, 'in.f32'), new Uint8Array(input.buffer));
      writeFileSync(join(dir, 'e.txt'), '441 midi 90 3c 64\n');
      // the small trap.wat engine (same exports, traps only on its 51st block): a quick image, own build dir
      execFileSync('wat2wasm', [join(FW, 'tests', 'trap.wat'), '-o', join(dir, 'trap.wasm')]);
      const r = spawnSync('make', ['-C', FW, '-s', 'B=build/ci-make/b', 'WASM=build/ci-make/trap.wasm', 'run-m7',
        'ARGS=--in build/ci-make/in.f32 --events build/ci-make/e.txt --max-rec 2'], { encoding: 'utf8', timeout: 600_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^frames=${frames}$`, 'm'));
      expect(r.stdout).toMatch(/^events=1$/m);
      expect(r.stdout).toMatch(/^alive=1$/m);
    }, 600_000);
});
