// npm run bench:link — the link over a socat pty against the virtual module and piwip-module: full-change screen
// frames per second, key → changed screen round trip, MIDI note-on → voice started, wire bytes per second of a
// 30 fps play-screen mirror; and the module-side cost of the link per block on the Cortex-M7 (QEMU instructions)
// with mirroring and telemetry on, beside the engine's own.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LinkClient } from '../host/link/client.ts';
import { serialTransport } from '../host/link/transport.ts';
import { VirtualModule } from '../host/module/virtual.ts';
import { pace, serveTty } from '../host/module/serve.ts';
import { ptyPair, tempDir, until } from '../tests/helpers/pty.ts';
import { eventsText, instrumentInput, standardScenario } from '../firmware/tools/scenario.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FW = join(ROOT, 'firmware');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (x: number[]) => { const s = [...x].sort((a, b) => a - b); return s[s.length >> 1] ?? NaN; };
const p90 = (x: number[]) => { const s = [...x].sort((a, b) => a - b); return s[Math.floor(s.length * 0.9)] ?? NaN; };

interface Figures { fullFps: number; keyMs: number[]; midiMs: number[]; mirrorBps: number; pingMs: number[] }

async function measure(c: LinkClient, canRecord: boolean): Promise<Figures> {
  const pingMs: number[] = [];
  for (let i = 0; i < 30; i++) pingMs.push(await c.ping());
  await until(() => (c.telemetry?.time ?? 0) > 0.7, 5000, 'the key guard (0.5 s)');

  // full-change frames: ask for a whole frame each time one arrives, for 2 s
  let full = 0;
  const onFull = (_s: Uint8Array, u: { full: boolean }) => { if (u.full) { full++; c.requestFullScreen(); } };
  c.mirror(60, true);
  c.on('screen', onFull);
  const t0 = performance.now();
  await sleep(2000);
  c.off('screen', onFull);
  const secs = (performance.now() - t0) / 1000;

  // key → changed screen: a short K1 toggles the menu; time until the mirrored screen changes
  c.mirror(60, true);
  await sleep(200);
  const keyMs: number[] = [];
  for (let i = 0; i < 20; i++) {
    const before = Buffer.from(c.screen);
    const t = performance.now();
    const changed = new Promise<void>((res) => { const on = () => { if (!Buffer.from(c.screen).equals(before)) { c.off('screen', on); res(); } }; c.on('screen', on); });
    c.key(1, 1); c.key(1, 0);
    await changed;
    keyMs.push(performance.now() - t);
    await sleep(60);
  }

  // MIDI note-on → the voice started (telemetry at 50 Hz; includes the 50 ms control tick of the engine)
  const midiMs: number[] = [];
  if (canRecord) {
    c.setTelemetry(50);
    c.key(3, 1); c.key(3, 0); // K3: forced take of the looping input
    await sleep(1500);
    for (let i = 0; i < 10; i++) {
      const note = 60 + i;
      const t = performance.now();
      const started = new Promise<void>((res) => { const on = () => { if (c.telemetry?.voices.some((v) => v.note === note && v.started)) { c.off('telemetry', on); res(); } }; c.on('telemetry', on); });
      c.midi([0x90, note, 100]);
      await started;
      midiMs.push(performance.now() - t);
      c.midi([0x80, note, 0]);
      await sleep(150);
    }
  }

  // a 30 fps mirror of the play screen while recording: wire bytes per second
  c.mirror(30, true);
  await sleep(300);
  c.setTelemetry(0);
  await sleep(100);
  const w0 = c.rxBytes, tw = performance.now();
  await sleep(3000);
  const mirrorBps = (c.rxBytes - w0) / ((performance.now() - tw) / 1000);
  return { fullFps: full / secs, keyMs, midiMs, mirrorBps, pingMs };
}

function print(name: string, f: Figures): void {
  console.log(`\n${name}`);
  console.log(`  ping round trip            median ${median(f.pingMs).toFixed(2)} ms, p90 ${p90(f.pingMs).toFixed(2)} ms`);
  console.log(`  full-change screen frames  ${f.fullFps.toFixed(1)} frames/s`);
  console.log(`  key -> changed screen      median ${median(f.keyMs).toFixed(1)} ms, p90 ${p90(f.keyMs).toFixed(1)} ms`);
  if (f.midiMs.length) console.log(`  MIDI note-on -> started    median ${median(f.midiMs).toFixed(1)} ms, p90 ${p90(f.midiMs).toFixed(1)} ms (engine tick 50 ms, telemetry 50 Hz)`);
  console.log(`  30 fps play-screen mirror  ${(f.mirrorBps / 1024).toFixed(2)} KiB/s on the wire (while recording, telemetry off)`);
}

async function virtualModule(): Promise<void> {
  const dir = tempDir('bench');
  const pair = await ptyPair(join(dir, 'mod'), join(dir, 'host'));
  const input = new Float32Array(48000);
  for (let i = 0; i < input.length; i++) input[i] = 0.3 * Math.sin((2 * Math.PI * 220 * i) / 48000) * (i < 36000 ? 1 : 0.2);
  const m = new VirtualModule({ maxRecSeconds: 30, input });
  const served = await serveTty(m, pair.a);
  const pacer = pace(m);
  const c = new LinkClient(serialTransport(pair.b), { telemetryHz: 10 });
  await c.connect();
  print('virtual module (Node, 48 kHz, block 128) over a socat pty', await measure(c, true));
  c.close(); pacer.stop(); await served.close(); await pair.kill();
}

async function firmwareModule(): Promise<void> {
  const out = join(FW, 'build', 'bench-link');
  mkdirSync(out, { recursive: true });
  copyFileSync(join(ROOT, 'build', 'piwip.wasm'), join(out, 'piwip.wasm'));
  execFileSync('make', ['-C', FW, '-s', `B=${out}`, `WASM=${join(out, 'piwip.wasm')}`, 'linux'], { stdio: 'inherit' });
  const dir = tempDir('bench-fw');
  const pair = await ptyPair(join(dir, 'mod'), join(dir, 'host'));
  // a looping 220 Hz tone as the input (WAV written here)
  const sr = 48000, n = sr, wav = Buffer.alloc(44 + n * 2);
  wav.write('RIFF', 0); wav.writeUInt32LE(36 + n * 2, 4); wav.write('WAVEfmt ', 8); wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20); wav.writeUInt16LE(1, 22); wav.writeUInt32LE(sr, 24); wav.writeUInt32LE(sr * 2, 28);
  wav.writeUInt16LE(2, 32); wav.writeUInt16LE(16, 34); wav.write('data', 36); wav.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) wav.writeInt16LE(Math.round(9000 * Math.sin((2 * Math.PI * 220 * i) / sr) * (i < 36000 ? 1 : 0.2)), 44 + i * 2);
  writeFileSync(join(dir, 'in.wav'), wav);
  const proc = spawn(join(out, 'linux', 'piwip-module'), ['--audio', 'none', '--input', join(dir, 'in.wav'), '--link', pair.a, '--max-rec', '30'], { stdio: 'ignore' });
  const c = new LinkClient(serialTransport(pair.b), { telemetryHz: 10 });
  await c.connect();
  print('piwip-module (Linux firmware, wasm2c, --audio none) over a socat pty', await measure(c, true));
  c.close();
  proc.kill('SIGTERM');
  await pair.kill();
}

function m7Cost(): void {
  const work = join(FW, 'build', 'bench-link-m7');
  mkdirSync(work, { recursive: true });
  copyFileSync(join(ROOT, 'build', 'piwip.wasm'), join(work, 'piwip.wasm'));
  const rate = 44100;
  writeFileSync(join(work, 'in.f32'), new Uint8Array(instrumentInput(10, rate).buffer));
  writeFileSync(join(work, 'events.txt'), eventsText(standardScenario(rate)));
  execFileSync('make', ['-C', FW, '-s', `B=${work}`, `WASM=${join(work, 'piwip.wasm')}`, 'm7'], { stdio: 'inherit' });
  const rel = (p: string) => relative(ROOT, p);
  const run = (mirror: boolean) => {
    const args = ['--in', rel(join(work, 'in.f32')), '--events', rel(join(work, 'events.txt')), ...(mirror ? ['--link-mirror', '1'] : [])];
    const semi = ['enable=on', 'target=native', 'arg=piwip-m7', ...args.map((a) => `arg=${a}`)].join(',');
    const r = spawnSync('qemu-system-arm', ['-M', 'mps2-an500', '-cpu', 'cortex-m7', '-nographic', '-icount', 'shift=0',
      '-semihosting-config', semi, '-kernel', join(work, 'm7', 'piwip-m7.elf')], { cwd: ROOT, encoding: 'utf8', timeout: 1_800_000 });
    const kv: Record<string, string> = {};
    for (const l of r.stdout.split('\n')) { const i = l.indexOf('='); if (i > 0) kv[l.slice(0, i)] = l.slice(i + 1); }
    return kv;
  };
  const plain = run(false), mirrored = run(true);
  const block = 128;
  const perBlock = Number(mirrored.link_insns_per_block);
  console.log('\nCortex-M7 (QEMU -icount, 44.1 kHz, block 128, the standard 10 s scenario), wasm2c:');
  console.log(`  engine alone                 ${plain.insns_per_sample} insns/sample, worst block ${plain.insns_max_block}`);
  console.log(`  link with 30 fps mirror + 10 Hz telemetry: ${perBlock} insns/block mean (${(perBlock / block).toFixed(1)} per sample), worst block ${mirrored.link_insns_max_block} (${(Number(mirrored.link_insns_max_block) / block).toFixed(1)} per sample), ${mirrored.link_bytes} bytes out in 10 s`);
  console.log(`  same audio with the link on: hash ${mirrored.hash} (without: ${plain.hash})`);
  console.log(`  at 1 instruction/cycle on the 600 MHz Teensy 4.1 a 128-frame block lasts ${(600e6 * block / rate).toFixed(0)} cycles: the link's mean is ${(100 * perBlock / (600e6 * block / rate)).toFixed(2)} %, its worst block ${(100 * Number(mirrored.link_insns_max_block) / (600e6 * block / rate)).toFixed(2)} %`);
}

await virtualModule();
await firmwareModule();
m7Cost();
process.exit(0);
