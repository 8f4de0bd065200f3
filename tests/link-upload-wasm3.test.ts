// Engine upload into piwip-module built with wasm3 (firmware/core/engine_stage.c, the same code the Teensy wasm3 env
// runs), driven over a socat pty by the real host client: the upload cases the virtual module passes
// (helpers/upload-cases.ts), then the boot engine — committed after 10 s of engine time and started the next time,
// a broken one replaced by --wasm. wasm3 is not packaged in Debian or npm and is never committed: this runs only
// when WASM3_DIR points to a user-built tree (firmware/README.md "wasm3"), and says it is skipped otherwise (CI has
// no wasm3, so it is not a PIWIP_REQUIRE_TOOLS failure there).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LinkClient } from '../host/link/client.ts';
import { UPLOAD_STAGE, type Hello } from '../host/link/messages.ts';
import { serialTransport } from '../host/link/transport.ts';
import { ptyPair, tempDir, until, type PtyPair } from './helpers/pty.ts';
import { skipWithout } from './helpers/tools.ts';
import { DEBUG, RELEASE, hashOf, uploadCases } from './helpers/upload-cases.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FW = join(ROOT, 'firmware');
const W3 = process.env.WASM3_DIR ?? '';
const haveW3 = W3 !== '' && existsSync(join(W3, 'build-host', 'source', 'libm3.a')) && existsSync(join(W3, 'source', 'wasm3.h'));
if (!haveW3) console.warn('engine upload into piwip-module (wasm3): skipped, WASM3_DIR is not set to a built wasm3 tree (see firmware/README.md "wasm3")');
// only asked when wasm3 is there: CI has these tools but no wasm3
const SKIP = !haveW3 || skipWithout('engine upload into piwip-module (wasm3)', ['socat', 'make', 'gcc', 'wasm2c', 'wasm2wat', 'wat2wasm'], 'apt-get install socat make gcc wabt');
const B = 'build/ci-w3upload';
const BIN = join(FW, B, 'linux', 'piwip-module-wasm3');

function build(): void {
  execFileSync('make', ['-C', FW, '-s', `B=${B}`, `WASM=${join(ROOT, 'build', 'piwip.wasm')}`, `WASM3_DIR=${W3}`, 'linux-wasm3'],
    { stdio: 'pipe', timeout: 600_000 });
}

interface Module { proc: ChildProcess; stderr: () => string; stop(): Promise<void> }
function start(pair: PtyPair, dir: string, extra: string[] = []): Module {
  const proc = spawn(BIN, ['--wasm', join(ROOT, 'build', 'piwip.wasm'), '--audio', 'none', '--link', pair.a,
    '--pset-dir', join(dir, 'sets'), '--max-rec', '10', ...extra], { stdio: ['pipe', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  return {
    proc, stderr: () => err,
    stop: () => new Promise<void>((r) => { if (proc.exitCode !== null) { r(); return; } proc.once('exit', () => r()); proc.kill('SIGTERM'); }),
  };
}

describe.skipIf(SKIP)('engine upload into piwip-module (wasm3) over a pty', () => {
  let pair: PtyPair, mod: Module, c: LinkClient;
  const dir = tempDir('w3up');
  beforeAll(async () => {
    build();
    mkdirSync(join(dir, 'sets'));
    pair = await ptyPair(join(dir, 'mod'), join(dir, 'host'));
    mod = start(pair, dir, ['--confirm-seconds', '2']);
    c = new LinkClient(serialTransport(pair.b), {});
    await c.connect();
    expect(c.hello!.caps & 1).toBe(1);
    expect(c.hello!.engineHash).toBe(hashOf(RELEASE));
    await c.setParam('monitor', 'on');
  }, 600_000);
  afterAll(async () => { c?.close(); await mod?.stop(); await pair?.kill(); });

  uploadCases({
    client: () => c,
    setClient: (n) => { c = n; },
    newClient: (o) => new LinkClient(serialTransport(pair.b), { reconnect: o?.reconnect ?? true }),
    // what the module says in a fresh HELLO, on the same client (the cases' listeners stay): its own re-handshake
    engine: async () => {
      const h = await (c as unknown as { handshake(): Promise<Hello> }).handshake();
      return { hash: h.engineHash, alive: h.engineOk };
    },
    confirmSeconds: 2,
    callsPerSecond: 48000 / 128,
    bootEngine: join(dir, 'sets', 'engine.wasm'),
    replug: async () => {
      await pair.kill();
      await new Promise((r) => setTimeout(r, 150));
      pair = await ptyPair(pair.a, pair.b);
    },
  });

  it('images that are not piwip engines are refused before they run: imports, missing exports (firmware/tests/trap.wat)', async () => {
    const running = c.hello!.engineHash;
    const wat = join(dir, 'imp.wat');
    writeFileSync(wat, '(module (import "env" "tick" (func)) (memory (export "memory") 1))');
    execFileSync('wat2wasm', [wat, '-o', join(dir, 'imp.wasm')]);
    const imp = await c.upload(new Uint8Array(readFileSync(join(dir, 'imp.wasm'))));
    expect(imp.stage).toBe(UPLOAD_STAGE.FAILED);
    expect(imp.text).toBe('the engine must have no imports (it has 1: env.tick); the running engine stays');
    execFileSync('wat2wasm', [join(FW, 'tests', 'trap.wat'), '-o', join(dir, 'trap.wasm')]);
    const trap = await c.upload(new Uint8Array(readFileSync(join(dir, 'trap.wasm'))));
    expect(trap.stage).toBe(UPLOAD_STAGE.FAILED);
    expect(trap.text).toBe('not a piwip engine: missing exports abiVersion, paramInfo; the running engine stays');
    const big = await c.upload(new Uint8Array(300 * 1024));
    expect(big.text).toBe('image size 307200 out of range (8 B .. 256 KiB)');
    const h = new LinkClient(serialTransport(pair.b), {});
    c.close();
    expect((await h.connect()).engineHash).toBe(running);
    c = h;
  }, 60_000);
});

describe.skipIf(SKIP)('the boot engine of piwip-module (wasm3)', () => {
  const dir = tempDir('w3boot');
  let pair: PtyPair;
  beforeAll(async () => {
    build();
    mkdirSync(join(dir, 'sets'));
    pair = await ptyPair(join(dir, 'mod'), join(dir, 'host'));
  }, 600_000);
  afterAll(async () => { await pair?.kill(); });

  it('an upload is committed after 10 s of engine time, started at the next start; a broken one falls back to --wasm', async () => {
    let mod = start(pair, dir); // the default confirmation time
    let c = new LinkClient(serialTransport(pair.b), { telemetryHz: 20 });
    await c.connect();
    const t0 = performance.now();
    const stages: { stage: number; ms: number; engineTime: number }[] = [];
    c.on('upload', (s) => stages.push({ stage: s.stage, ms: performance.now() - t0, engineTime: c.telemetry?.time ?? -1 }));
    const s = await c.upload(DEBUG);
    const swapMs = performance.now() - t0;
    expect(s.stage, s.text).toBe(UPLOAD_STAGE.SWAPPED);
    expect(s.text).toMatch(/committed after 10 s without a trap/);
    await until(() => stages.some((x) => x.stage === UPLOAD_STAGE.COMMITTED || x.stage === UPLOAD_STAGE.FAILED), 40_000, 'the commit');
    const done = stages.find((x) => x.stage === UPLOAD_STAGE.COMMITTED);
    expect(done, JSON.stringify(stages)).toBeDefined();
    const verified = stages.find((x) => x.stage === UPLOAD_STAGE.VERIFIED)!.ms;
    const lastChunk = stages.filter((x) => x.stage === UPLOAD_STAGE.CHUNK).at(-1)!.ms;
    const tested = stages.find((x) => x.stage === UPLOAD_STAGE.TESTED)!.ms;
    // the confirmation counts engine time: the new engine's clock (telemetry, 20 Hz) says 2 s of self-test plus
    // 10 s of playing when the commit comes
    expect(done!.engineTime).toBeGreaterThan(12 - 0.15);
    expect(done!.engineTime).toBeLessThan(12 + 0.05);
    console.log(`wasm3 upload of ${DEBUG.length} B: swapped after ${swapMs.toFixed(0)} ms (chunks ${lastChunk.toFixed(0)} ms, END to verified: checks, load, init ${(verified - lastChunk).toFixed(0)} ms, self-test ${(tested - verified).toFixed(0)} ms), committed ${((done!.ms - swapMs) / 1000).toFixed(1)} s (wall) after the swap, at engine time ${done!.engineTime.toFixed(2)} s`);
    c.close();
    await mod.stop();
    // the next start runs the committed engine
    mod = start(pair, dir);
    c = new LinkClient(serialTransport(pair.b), {});
    expect((await c.connect()).engineHash).toBe(hashOf(DEBUG));
    expect(mod.stderr()).toMatch(/boot engine .*engine\.wasm \(141825 bytes\)|boot engine .*engine\.wasm/);
    c.close();
    await mod.stop();
    // a boot engine that does not start: --wasm instead, and stderr says why in one line
    writeFileSync(join(dir, 'sets', 'engine.wasm'), DEBUG.subarray(0, 50_000));
    mod = start(pair, dir);
    c = new LinkClient(serialTransport(pair.b), {});
    expect((await c.connect()).engineHash).toBe(hashOf(RELEASE));
    expect(mod.stderr()).toMatch(/^boot engine .*engine\.wasm: not a valid wasm module \(.*\); starting .*piwip\.wasm instead$/m);
    c.close();
    await mod.stop();
  }, 120_000);
});

// The Teensy's side of it, on the M7 under QEMU with the board's memory layout (firmware/tests/m7_stage_main.c): the
// first runtime's code pages fill most of what RAM2's heap has (492,608 B on the board), so the uploaded engine's
// runtime is loaded with every allocation routed to PSRAM (core/ext_heap.h ext_heap_route_all, as link_usb.h does).
const haveM7 = haveW3 && existsSync(join(W3, 'build-m7', 'libm3.a'));
describe.skipIf(SKIP || !haveM7 || skipWithout('the upload sequence on the M7', ['qemu-system-arm', 'arm-none-eabi-gcc'], 'apt-get install qemu-system-arm gcc-arm-none-eabi'))('two wasm3 runtimes on the M7 with the Teensy layout', () => {
  it('the second runtime takes (almost) nothing of the internal heap, both run, then the new one alone; three uploads in a row', () => {
    execFileSync('make', ['-C', FW, '-s', 'B=build/ci-w3stage', `WASM=${join(ROOT, 'build', 'piwip.wasm')}`, `WASM3_DIR=${W3}`, 'm7-stage-wasm3'],
      { stdio: 'pipe', timeout: 600_000 });
    const out = execFileSync('qemu-system-arm', ['-M', 'mps2-an500', '-cpu', 'cortex-m7', '-nographic', '-icount', 'shift=0',
      '-semihosting-config', 'enable=on,target=native,arg=stage', '-kernel', join(FW, 'build', 'ci-w3stage', 'm7', 'piwip-m7-stage-wasm3.elf')],
    { encoding: 'utf8', timeout: 600_000 });
    const kv = Object.fromEntries(out.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    console.log(`M7, Teensy layout: running runtime ${kv.running_heap_bytes} B of the internal heap, the staged one ${kv.staged_heap_bytes} B; PSRAM ${kv.psram_after_running} -> ${kv.psram_after_staged} of ${kv.psram_bytes} B; ${kv.record_seconds} s recording each`);
    expect(kv.buffers_in_psram).toBe('1');
    expect(kv.running_rc).toBe('0');
    expect(kv.staged_rc).toBe('0');
    expect(kv.staged_abi).toBe('2');
    // a second runtime's code pages would not fit beside the first one's in the board's RAM2 heap
    expect(Number(kv.running_heap_bytes) * 2).toBeGreaterThan(492_608);
    expect(Number(kv.staged_heap_bytes)).toBeLessThan(4096);
    expect(Number(kv.psram_after_staged)).toBeLessThanOrEqual(Number(kv.psram_bytes));
    expect(kv.both_ran).toBe('1');
    expect(kv.swapped_ran).toBe('1');
    expect(kv.alive).toBe('1');
    // each upload after the previous one's commit starts in the hole its predecessor's engine left (core/ext_heap.h)
    expect(kv.uploads_committed).toBe('3');
    expect(Number(kv.psram_high_water)).toBeLessThanOrEqual(Number(kv.psram_bytes));
  }, 900_000);
});
