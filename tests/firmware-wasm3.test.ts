// wasm3 with the Teensy's memory layout, on the Cortex-M7 under QEMU: the wasm bytes read in place from flash, the
// linear memory a block in "PSRAM" (0x60000000) through core/ext_heap.h's malloc wrappers (what teensy/src/main.cpp
// links), wasm3's structures in the internal heap. Same output hash as Node. wasm3 is not packaged in Debian and is
// never committed: this runs only when WASM3_DIR points to a user-built tree (firmware/README.md "wasm3"), and says
// it is skipped otherwise.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { wasm3M7Dir } from './helpers/tools.ts';
import { eventsText, instrumentInput, parseEvents, runScenario, standardScenario } from '../firmware/tools/scenario.ts';
import { m7QemuArgs, parseKv } from '../firmware/tools/qemu-m7.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FW = join(ROOT, 'firmware');
const WORK = join(FW, 'build', 'ci-wasm3');
const W3 = wasm3M7Dir('wasm3 on the M7 with the Teensy layout');
const have = W3 !== '';

describe.skipIf(!have)('wasm3 on the M7 (QEMU) with the Teensy memory layout', () => {
  it('gives Node\'s hash with the linear memory in PSRAM, grown in place', () => {
    mkdirSync(WORK, { recursive: true });
    const wasm = join(WORK, 'piwip.wasm');
    copyFileSync(join(ROOT, 'build', 'piwip.wasm'), wasm);
    const rate = 44100;
    const input = instrumentInput(10, rate);
    writeFileSync(join(WORK, 'in.f32'), new Uint8Array(input.buffer));
    writeFileSync(join(WORK, 'events.txt'), eventsText(standardScenario(rate)));
    const node = runScenario(readFileSync(wasm), input, parseEvents(readFileSync(join(WORK, 'events.txt'), 'utf8')),
      { sampleRate: rate, maxRecSeconds: 10, seed: 1 });
    execFileSync('make', ['-C', FW, '-s', `B=build/ci-wasm3/b`, `WASM=${wasm}`, `WASM3_DIR=${W3}`, 'm7-wasm3'],
      { stdio: 'pipe', timeout: 600_000 });
    const rel = (p: string) => relative(ROOT, p);
    const argv = ['--in', rel(join(WORK, 'in.f32')), '--events', rel(join(WORK, 'events.txt')), '--max-rec', '10'];
    const r = spawnSync('qemu-system-arm', m7QemuArgs(join(FW, 'build', 'ci-wasm3', 'b', 'm7', 'piwip-m7-wasm3.elf'), argv),
      { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
    expect(r.status, r.stderr).toBe(0);
    const kv = parseKv(r.stdout);
    expect(kv.alive).toBe('1');
    expect(kv.hash).toBe(node.hash);
    expect(kv.psram_base).toBe('0x60000000');
    // the linear memory is the region's only block, grown in place: memory + wasm3's header, nothing copied
    const mem = Number(kv.memory_bytes);
    expect(Number(kv.psram_high_water)).toBeGreaterThanOrEqual(mem);
    expect(Number(kv.psram_high_water)).toBeLessThan(mem + 256);
  });
});
