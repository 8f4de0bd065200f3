// Firmware: the engine wasm run by the C firmware (wasm2c) must give bit-identical output to Node/V8 on x86, in the
// Linux module's offline mode (x86, and cross-built for Raspberry Pi arm64/armhf, run under qemu-user) and on a
// Cortex-M7 under QEMU; a trap inside the wasm must leave the firmware alive, passing dry (or silent) audio and
// reporting the error. Builds with `make -C firmware` (wabt, gcc-arm-none-eabi, libnewlib-arm-none-eabi,
// qemu-system-arm, libasound2-dev; for the Pi: the cross gcc, libc6-dev-*-cross, qemu-user, libasound2-dev:arm64/armhf).
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { skipWithout } from './helpers/tools.ts';
import { eventsText, instrumentInput, parseEvents, runScenario, standardScenario, type ScenarioDesc } from '../firmware/tools/scenario.ts';
import { m7QemuArgs, parseKv } from '../firmware/tools/qemu-m7.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FW = join(ROOT, 'firmware');
const WORK = join(FW, 'build', 'ci');
const RATE = 44100;
const SECONDS = 10;
const MAX_REC = 10;

const DESC: ScenarioDesc = standardScenario(RATE);

function make(...targets: string[]): void {
  execFileSync('make', ['-C', FW, '-s', ...targets], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
}

function run(cmd: string, args: string[], timeout = 60_000): Record<string, string> {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', timeout });
  if (r.error) throw r.error;
  expect(r.signal, `${cmd} killed (timeout or crash)\n${r.stderr}`).toBeNull();
  expect(r.status, `${cmd} exit status\n${r.stderr}`).toBe(0);
  return parseKv(r.stdout);
}

function qemu(elf: string, args: string[], timeout = 120_000): Record<string, string> {
  return run('qemu-system-arm', m7QemuArgs(elf, args), timeout);
}

function readF32(path: string): Float32Array {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

const rel = (p: string) => relative(ROOT, p);

/** Raspberry Pi OS targets: Debian cross triplet, qemu-user binary, ELF e_machine, fused multiply-add mnemonics. */
interface PiTarget { name: string; triplet: string; qemu: string; machine: number; elfClass: number; fused: RegExp }
const PI_TARGETS: PiTarget[] = [
  { name: 'Raspberry Pi arm64', triplet: 'aarch64-linux-gnu', qemu: 'qemu-aarch64', machine: 0xb7, elfClass: 2,
    fused: /\t(fmadd|fmsub|fnmadd|fnmsub|fmla|fmls)\t/g },
  { name: 'Raspberry Pi armhf', triplet: 'arm-linux-gnueabihf', qemu: 'qemu-arm', machine: 0x28, elfClass: 1,
    fused: /\t(vfma|vfms|vfnma|vfnms)\.f(32|64)\t/g },
];
const PI_APT = 'dpkg --add-architecture arm64 && dpkg --add-architecture armhf && apt-get update && apt-get install ' +
  'gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf libc6-dev-arm64-cross libc6-dev-armhf-cross qemu-user ' +
  'libasound2-dev:arm64 libasound2-dev:armhf   (.ci/run does this)';

/** The Debian tools the x86 + Cortex-M7 firmware tests need: without them they are skipped and say why (CI sets
 *  PIWIP_REQUIRE_TOOLS=1, which turns the skip into a failure). */
const FW_APT = 'apt-get install make gcc wabt gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm libasound2-dev (.ci/run does this)';
const SKIP_FW = skipWithout('firmware tests', ['make', 'gcc', 'wasm2c', 'arm-none-eabi-gcc', 'qemu-system-arm',
  '/usr/include/alsa/asoundlib.h'], FW_APT);

/** A Pi target's cross toolchain, qemu-user and target ALSA: skipped (with the reason) when missing. */
const skipPi = (t: PiTarget): boolean => SKIP_FW || skipWithout(`${t.name} tests`, [`${t.triplet}-gcc`, `${t.triplet}-objdump`,
  t.qemu, `/usr/${t.triplet}/lib`, `/usr/lib/${t.triplet}/libasound.so`], PI_APT);

/** The binary really is for the Pi's architecture (so qemu-user, not the host CPU, ran it). */
function expectElf(path: string, t: PiTarget): void {
  const h = readFileSync(path).subarray(0, 20);
  expect(h.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
  expect(h[4], `${rel(path)} ELF class`).toBe(t.elfClass);
  expect(h.readUInt16LE(18), `${rel(path)} e_machine`).toBe(t.machine);
}

function qemuUser(t: PiTarget, exe: string, args: string[], timeout = 60_000): Record<string, string> {
  return run(t.qemu, ['-L', `/usr/${t.triplet}`, exe, ...args], timeout);
}

describe.skipIf(SKIP_FW)('firmware scenario: bit-identical in Node, wasm2c x86, Linux offline, Cortex-M7 (QEMU)', () => {
  const wasmPath = join(WORK, 'piwip.wasm');
  const inPath = join(WORK, 'in.f32');
  const evPath = join(WORK, 'events.txt');
  let node: ReturnType<typeof runScenario>;
  const activity = { recordingBlocks: 0, pitchBlocks: 0, maxVoices: 0 };

  beforeAll(() => {
    mkdirSync(WORK, { recursive: true });
    const built = join(ROOT, 'build', 'piwip.wasm');
    if (!existsSync(built)) execFileSync('npx', ['asc', '--config', 'asconfig.json', '--target', 'release'], { cwd: ROOT });
    // one snapshot of the engine for every runner: other work may rebuild build/piwip.wasm meanwhile
    copyFileSync(built, wasmPath);
    const input = instrumentInput(SECONDS, RATE);
    writeFileSync(inPath, new Uint8Array(input.buffer));
    writeFileSync(evPath, eventsText(DESC));
    node = runScenario(readFileSync(wasmPath), input, parseEvents(readFileSync(evPath, 'utf8')), {
      sampleRate: RATE, maxRecSeconds: MAX_REC, seed: 1,
      onBlock: (e) => {
        const s = e.state();
        if (s.recording) activity.recordingBlocks++;
        if (s.pitchHz > 0) activity.pitchBlocks++;
        activity.maxVoices = Math.max(activity.maxVoices, s.voices.filter((v) => v.started).length);
      },
    });
    make(`WASM=${wasmPath}`, 'host', 'linux', 'm7');
  }, 330_000); // three builds of the whole engine's C (make's own limit is 300 s); on a loaded machine > 120 s

  it('the scenario exercises recording, the detector, MIDI and 5 voices', () => {
    expect(node.frames).toBe(SECONDS * RATE);
    expect(node.eventErrors).toBe(0);
    expect(node.firstError).toBe(0);
    expect(activity.recordingBlocks).toBeGreaterThan(500);
    expect(activity.pitchBlocks).toBeGreaterThan(500);
    expect(activity.maxVoices).toBe(5);
    let e = 0;
    for (const x of node.out) e += x * x;
    expect(Math.sqrt(e / node.out.length)).toBeGreaterThan(0.01);
  });

  /** A wasm2c run that stayed alive, took every event and wrote Node's bits (hash and bytes). */
  function expectSameAsNode(kv: Record<string, string>, out: string): void {
    expect(kv.engine).toBe('wasm2c');
    expect(kv.alive).toBe('1');
    expect(kv.event_errors).toBe('0');
    expect(kv.hash).toBe(node.hash);
    expect(Buffer.compare(readFileSync(out), Buffer.from(node.out.buffer))).toBe(0);
  }

  it('wasm2c on x86 matches Node bit for bit', () => {
    const out = join(WORK, 'out-host.f32');
    const kv = run(join(FW, 'build/host/piwip-scenario'), ['--in', rel(inPath), '--events', rel(evPath), '--out', rel(out),
      '--rate', String(RATE), '--max-rec', String(MAX_REC)]);
    expectSameAsNode(kv, out);
  });

  it('the hash depends on the events (dropping the MIDI notes changes it)', () => {
    const noNotes = join(WORK, 'events-no-notes.txt');
    writeFileSync(noNotes, readFileSync(evPath, 'utf8').split('\n').filter((l) => !/ midi /.test(l)).join('\n'));
    const kv = run(join(FW, 'build/host/piwip-scenario'), ['--in', rel(inPath), '--events', rel(noNotes)]);
    expect(kv.hash).toMatch(/^[0-9a-f]{8}$/);
    expect(kv.hash).not.toBe(node.hash);
  });

  it('the Linux module offline mode matches Node bit for bit', () => {
    const out = join(WORK, 'out-linux.f32');
    const kv = run(join(FW, 'build/linux/piwip-module'), ['--in', rel(inPath), '--events', rel(evPath), '--out', rel(out)]);
    expect(kv.hash).toBe(node.hash);
    expect(Buffer.compare(readFileSync(out), Buffer.from(node.out.buffer))).toBe(0);
  });

  for (const t of PI_TARGETS) {
    it.skipIf(skipPi(t))(`${t.name}: the cross-built Linux module's offline mode under qemu-user matches Node bit for bit`, () => {
      make(`WASM=${wasmPath}`, `CROSS=${t.triplet}-`, 'linux');
      const exe = join(FW, `build/linux-${t.triplet}/piwip-module`);
      expectElf(exe, t);
      // -ffp-contract=off must keep GCC from fusing multiply-adds (fused = different float bits)
      const objs = ['piwip.o', 'engine_wasm2c.o', 'rt_min.o', 'scenario.o'].map((o) => join(FW, `build/obj-${t.triplet}`, o));
      const asm = execFileSync(`${t.triplet}-objdump`, ['-d', ...objs], { maxBuffer: 1 << 28 }).toString();
      expect(asm.length).toBeGreaterThan(100_000);
      expect(asm.match(t.fused) ?? [], 'fused multiply-add instructions').toEqual([]);
      const out = join(WORK, `out-${t.triplet}.f32`);
      const kv = qemuUser(t, exe, ['--in', rel(inPath), '--events', rel(evPath), '--out', rel(out),
        '--rate', String(RATE), '--max-rec', String(MAX_REC)]);
      expectSameAsNode(kv, out);
    });
  }

  it('the Cortex-M7 image under QEMU matches Node bit for bit and counts instructions', () => {
    const out = join(WORK, 'out-m7.f32');
    const kv = qemu(join(FW, 'build/m7/piwip-m7.elf'), ['--in', rel(inPath), '--events', rel(evPath), '--out', rel(out)]);
    expect(kv.engine).toBe('wasm2c');
    expect(kv.alive).toBe('1');
    expect(kv.hash).toBe(node.hash);
    expect(Buffer.compare(readFileSync(out), Buffer.from(node.out.buffer))).toBe(0);
    expect(Number(kv.insns_per_sample)).toBeGreaterThan(10);
  });
});

describe.skipIf(SKIP_FW)('firmware trap handling: a broken engine is caught, audio continues, the error is reported', () => {
  const inPath = join(WORK, 'trap-in.f32');
  let input: Float32Array;
  const BLOCK = 128;
  const TRAP_BLOCK = 50; // firmware/tests/trap.wat: process() traps on its 51st call

  beforeAll(() => {
    mkdirSync(WORK, { recursive: true });
    input = instrumentInput(1, RATE);
    writeFileSync(inPath, new Uint8Array(input.buffer));
    make('trap');
  });

  /** Interleaved stereo output: 0.5·input before the trap block, then dry (input) or silence. */
  function checkOutput(out: Float32Array, trapBlock: number, dead: 'dry' | 'silence'): void {
    expect(out.length).toBe(input.length * 2);
    let mismatches = 0;
    for (let i = 0; i < input.length; i++) {
      const x = input[i] ?? 0;
      const want = i < trapBlock * BLOCK ? Math.fround(0.5 * x) : dead === 'dry' ? x : 0;
      if (out[2 * i] !== want || out[2 * i + 1] !== want) mismatches++;
    }
    expect(mismatches).toBe(0);
  }

  const targets: [string, (args: string[]) => Record<string, string>, boolean?][] = [
    ['x86 wasm2c', (a) => run(join(FW, 'build/trap/host/piwip-scenario'), a, 30_000)],
    ['Linux module offline', (a) => run(join(FW, 'build/trap/linux/piwip-module'), a, 30_000)],
    ['Cortex-M7 under QEMU', (a) => qemu(join(FW, 'build/trap/m7/piwip-m7.elf'), a, 60_000)],
    ...PI_TARGETS.map((t): [string, (args: string[]) => Record<string, string>, boolean] => [`${t.name} Linux module under qemu-user`, (a) => {
      make('trap', `CROSS=${t.triplet}-`);
      const exe = join(FW, `build/trap/linux-${t.triplet}/piwip-module`);
      expectElf(exe, t);
      return qemuUser(t, exe, a, 30_000);
    }, skipPi(t)]),
  ];

  for (const [name, exec, skip] of targets) {
    it.skipIf(skip === true)(`${name}: unreachable in process -> dry output, error reported, no crash`, () => {
      const out = join(WORK, `trap-${name.replace(/\W+/g, '_')}.f32`);
      const kv = exec(['--in', rel(inPath), '--out', rel(out)]);
      expect(kv.alive).toBe('0');
      expect(kv.error).toBe('trap: unreachable in process');
      expect(kv.first_error).toBe('-101');
      expect(kv.first_error_block).toBe(String(TRAP_BLOCK));
      expect(kv.frames).toBe(String(input.length));
      checkOutput(readF32(out), TRAP_BLOCK, 'dry');
    });
  }

  it('silence mode, and a trap in an event handler (out-of-bounds load in midiIn)', () => {
    const ev = join(WORK, 'trap-events.txt');
    writeFileSync(ev, '0 midi 90 3c 64\n1280 midi f4\n');
    const out = join(WORK, 'trap-silence.f32');
    const kv = run(join(FW, 'build/trap/host/piwip-scenario'),
      ['--in', rel(inPath), '--events', rel(ev), '--out', rel(out), '--dead', 'silence'], 30_000);
    expect(kv.alive).toBe('0');
    expect(kv.error).toBe('trap: out of bounds memory access in midiIn');
    expect(kv.first_error).toBe('-100'); // process() then reports the dead engine
    expect(kv.first_error_block).toBe('10');
    checkOutput(readF32(out), 10, 'silence');
  });
});

describe.skipIf(SKIP_FW)('firmware/core/wasm2c_patch.h: the cheaper bounds checks and Arm conversions keep wasm semantics', () => {
  beforeAll(() => { make('patch-test'); });

  it('x86: every access traps exactly past the end of memory (before and after grow); conversions, abs exact', () => {
    const kv = run(join(FW, 'build/patch/host/patch-test'), [], 30_000);
    expect(Number(kv.bounds_checked)).toBeGreaterThan(1000);
    expect(kv.bounds_failed).toBe('0');
    expect(kv.conversions_failed).toBe('0');
  });

  for (const t of PI_TARGETS) {
    it.skipIf(skipPi(t))(`${t.name} under qemu-user: the same${t.triplet.startsWith('arm-') ? ' (VCVT/VABS replacements, as on the M7)' : ''}`, () => {
      make('patch-test', `CROSS=${t.triplet}-`);
      const exe = join(FW, `build/patch/host-${t.triplet}/patch-test`);
      expectElf(exe, t);
      const kv = qemuUser(t, exe, [], 30_000);
      expect(Number(kv.bounds_checked)).toBeGreaterThan(1000);
      expect(kv.bounds_failed).toBe('0');
      expect(kv.conversions_failed).toBe('0');
    });
  }

  it('Cortex-M7 under QEMU: the same, with the single-instruction VCVT/VABS replacements', () => {
    const kv = qemu(join(FW, 'build/patch/m7/patch-test.elf'), [], 60_000);
    expect(Number(kv.bounds_checked)).toBeGreaterThan(1000);
    expect(kv.bounds_failed).toBe('0');
    expect(kv.conversions_failed).toBe('0');
  });
});
