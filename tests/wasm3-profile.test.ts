// firmware/tools/wasm3_profile.c (npm run bench:m7's wasm3 profile per wasm function): on a short scenario its
// per-block sums equal the image's own SysTick count of piwip_process, nearly all of it is charged to wasm functions
// (not to the glue row), and the code map covers the exports. Runs only with WASM3_DIR (see firmware/README.md).
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { wasm3M7Dir } from './helpers/tools.ts';
import { eventsText, instrumentInput, standardScenario } from '../firmware/tools/scenario.ts';
import { m7QemuArgs, parseKv } from '../firmware/tools/qemu-m7.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FW = join(ROOT, 'firmware');
const WORK = join(FW, 'build', 'ci-wasm3-profile');
const W3 = wasm3M7Dir('wasm3 profile per function');
const have = W3 !== '';

describe.skipIf(!have)('wasm3 profile per wasm function (QEMU plugin)', () => {
  it('charges each block\'s instructions to wasm functions, summing to the SysTick count', () => {
    mkdirSync(WORK, { recursive: true });
    const wasm = join(WORK, 'piwip.wasm');
    copyFileSync(join(ROOT, 'build', 'piwip.wasm'), wasm);
    const rate = 44100;
    const input = instrumentInput(1, rate); // 1 s: the arm key, the first notes
    writeFileSync(join(WORK, 'in.f32'), new Uint8Array(input.buffer));
    writeFileSync(join(WORK, 'events.txt'), eventsText(standardScenario(rate)));
    execFileSync('make', ['-C', FW, '-s', 'B=build/ci-wasm3-profile/b', `WASM=${wasm}`, `WASM3_DIR=${W3}`, 'm7-wasm3-prof'],
      { stdio: 'pipe', timeout: 600_000 });
    const elf = join(WORK, 'b', 'm7', 'piwip-m7-wasm3-prof.elf');
    const rel = (p: string) => relative(ROOT, p);
    const argv = ['--in', rel(join(WORK, 'in.f32')), '--events', rel(join(WORK, 'events.txt'))];
    const run = (extra: string[]) => {
      const r = spawnSync('qemu-system-arm', m7QemuArgs(elf, argv, extra), { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout;
    };
    const first = run([]);
    const map = first.split('\n').filter((l) => l.startsWith('w3code '));
    expect(map.length).toBeGreaterThan(50);
    for (const l of map) {
      const [, lo, hi] = l.split(' ');
      expect(parseInt(hi as string, 16)).toBeGreaterThan(parseInt(lo as string, 16));
    }
    const mapPath = join(WORK, 'map.txt');
    writeFileSync(mapPath, first);
    const nm = execFileSync('arm-none-eabi-nm', [elf], { encoding: 'utf8' });
    const sym = (n: string) => new RegExp(`^([0-9a-f]+) [tT] ${n}$`, 'm').exec(nm)?.[1] as string;
    const out = join(WORK, 'profile.txt');
    const second = run(['-plugin', `${join(WORK, 'b', 'tools', 'libwasm3_profile.so')},map=${mapPath},` +
      `enter=${sym('piwip_process')},leave=${sym('systick_up')},out=${out}`, '-d', 'plugin']);
    const kv = parseKv(second);
    const perBlock = new Map<number, number>();
    let glue = 0; let all = 0;
    for (const l of readFileSync(out, 'utf8').split('\n')) {
      const f = l.split(' ');
      if (f[0] !== 'B') continue;
      const n = Number(f[3]);
      perBlock.set(Number(f[1]), (perBlock.get(Number(f[1])) ?? 0) + n);
      all += n;
      if (f[2] === '-1') glue += n;
    }
    expect(perBlock.size).toBe(Number(kv.blocks));
    // SysTick counts in steps of 40 instructions, read once before and once after each block
    expect(Math.abs(all - Number(kv.insns_total))).toBeLessThanOrEqual(80 * perBlock.size);
    expect(Math.abs(Math.max(...perBlock.values()) - Number(kv.insns_max_block))).toBeLessThanOrEqual(80);
    expect(glue / all).toBeLessThan(0.05);
  }, 900_000);
});
