// npm run bench:m7 — Cortex-M7 (QEMU mps2-an500, -icount shift=0) instructions per sample for the standard firmware
// scenario via wasm2c, the image's flash/RAM, where the instructions go (TCG plugin, per function), and the same
// under wasm3 when WASM3_DIR points to a user-built wasm3 (see firmware/README.md). Budget at 44.1 kHz on a
// 600 MHz Teensy 4.1: <= 400 instructions/sample (wasm2c), <= 4000 (wasm3).
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventsText, instrumentInput, standardScenario, psolaScenario } from './scenario.ts';
import { m7QemuArgs, parseKv } from './qemu-m7.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FW = join(ROOT, 'firmware');
const WORK = join(FW, 'build', 'bench');
const RATE = 44100;
const BUDGET_W2C = 400;
const BUDGET_W3 = 4000;
const rel = (p: string) => relative(ROOT, p);

function sh(cmd: string, args: string[], timeout = 900_000): string {
  return execFileSync(cmd, args, { cwd: ROOT, encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'] });
}

function make(...args: string[]): void { sh('make', ['-C', FW, '-s', ...args]); }

/** The scenario on an M7 image under QEMU; its stdout (a code-map image prints a line per compiled function). */
function qemuRun(elf: string, extra: string[] = [], events = 'events.txt', timeout = 1_800_000): string {
  const argv = ['--in', rel(join(WORK, 'in.f32')), '--events', rel(join(WORK, events))];
  const r = spawnSync('qemu-system-arm', m7QemuArgs(elf, argv, extra), { cwd: ROOT, encoding: 'utf8', timeout, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`qemu failed (${r.status ?? r.signal}): ${r.stderr}`);
  return r.stdout;
}

function qemu(elf: string, extra: string[] = [], events = 'events.txt'): Record<string, string> {
  return parseKv(qemuRun(elf, extra, events));
}

function size(elf: string): { flash: number; ram: number; text: number; data: number; bss: number; psram: number } {
  const out = sh('arm-none-eabi-size', ['-A', elf]);
  const sec: Record<string, number> = {};
  for (const l of out.split('\n')) { const m = /^(\.\S+)\s+(\d+)\s+(\d+)/.exec(l); if (m) sec[m[1] as string] = Number(m[2]); }
  const text = (sec['.text'] ?? 0) + (sec['.ARM.exidx'] ?? 0) + (sec['.ARM.extab'] ?? 0);
  const data = sec['.data'] ?? 0;
  const bss = sec['.bss'] ?? 0;
  const psram = sec['.psram'] ?? 0;
  return { flash: text + data, ram: data + bss, text, data, bss, psram };
}

function kib(n: number): string { return `${(n / 1024).toFixed(1)} KiB`; }

/** Map the plugin's per-TB counts onto the ELF's functions. */
function functionCounts(elf: string, profPath: string): Map<string, number> {
  const syms = sh('arm-none-eabi-nm', ['-n', '-S', '--defined-only', elf]).split('\n')
    .map((l) => /^([0-9a-f]+) ([0-9a-f]+) [tTwW] (\S+)/.exec(l)).filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ lo: parseInt(m[1] as string, 16), hi: parseInt(m[1] as string, 16) + parseInt(m[2] as string, 16), name: m[3] as string }));
  const byFn = new Map<string, number>();
  for (const line of readFileSync(profPath, 'utf8').split('\n')) {
    const [a, n, c] = line.split(' ');
    if (!a || !n || !c) continue;
    const addr = parseInt(a, 16) & ~1;
    let lo = 0; let hi = syms.length - 1; let hit = '?';
    while (lo <= hi) {
      const mid = (lo + hi) >> 1; const s = syms[mid];
      if (!s) break;
      if (addr < s.lo) hi = mid - 1; else if (addr >= s.hi) lo = mid + 1; else { hit = s.name; break; }
    }
    byFn.set(hit, (byFn.get(hit) ?? 0) + Number(n) * Number(c));
  }
  return byFn;
}

/** wasm3: where the interpreter's instructions go, by op handler (wasm3's op_* functions) and kind of op. Which wasm
 *  function runs them is profileWasm3Functions's table. */
function profileWasm3(elf: string, profPath: string, frames: number): void {
  const byFn = functionCounts(elf, profPath);
  const groups: [string, RegExp][] = [
    ['memory loads/stores (op_*_Load_*, op_*_Store_*)', /^op_.*_(Load|Store)_/],
    ['copies between slots/registers, constants, locals (op_SetSlot/CopySlot/Const/SetRegister/PreserveSetSlot)', /^op_(SetSlot|CopySlot|PreserveCopySlot|Const|SetRegister|PreserveSetSlot|SetGlobal|GetGlobal|Select)/],
    ['calls and returns (op_Call, op_Entry, op_Return, op_CallIndirect)', /^op_(Call|Entry|Return|CallIndirect|Compile)/],
    ['branches and loops (op_Branch*, op_If, op_Loop, op_ContinueLoop, op_BranchTable)', /^op_(Branch|If|Loop|Continue|Else|End)/],
    ['conversions (op_*_Convert/Trunc/Demote/Promote/Extend/Wrap/Reinterpret)', /^op_.*(Convert|Trunc|Demote|Promote|Extend|Wrap|Reinterpret)/],
    ['f32 arithmetic and compares', /^op_f32_/],
    ['f64 arithmetic and compares', /^op_f64_/],
    ['i32 arithmetic and compares', /^op_(i32_|u32_)/],
    ['i64 arithmetic and compares', /^op_(i64_|u64_)/],
    ['other ops', /^op_/],
    ['libm / libgcc called by ops', /^(__aeabi_|__ieee754|sqrt|floor|ceil|trunc|fabs|fmin|fmax|nearbyint|rint|copysign)/],
    ['memcpy/memset (bulk memory ops, block copies)', /^(memcpy|memset|memmove)/],
    ['wasm3 runtime and API (m3_*, Call, RunCode)', /^(m3_|M3|Call|RunCode|Resize|Init)/],
    ['engine glue (engine_wasm3.c)', /^piwip_/],
  ];
  const total = [...byFn.values()].reduce((x, y) => x + y, 0);
  const grouped = new Map<string, number>();
  for (const [name, n] of byFn) {
    const g = groups.find(([, re]) => re.test(name))?.[0] ?? 'harness: file I/O, newlib, scenario runner, other';
    grouped.set(g, (grouped.get(g) ?? 0) + n);
  }
  console.log(`  where wasm3's instructions go (TCG plugin, whole run: ${(total / frames).toFixed(1)} insns/sample)`);
  for (const [g, n] of [...grouped].sort((x, y) => y[1] - x[1])) console.log(`  ${(n / frames).toFixed(1).padStart(8)}  ${g}`);
  console.log('  top op handlers (insns/sample):');
  for (const [name, n] of [...byFn].sort((x, y) => y[1] - x[1]).slice(0, 20)) {
    console.log(`  ${(n / frames).toFixed(1).padStart(8)}  ${name}`);
  }
}

/** Map the plugin's per-TB counts onto the ELF's functions and group them. */
function profile(elf: string, profPath: string, frames: number): Map<string, number> {
  const byFn = functionCounts(elf, profPath);
  const groups: [string, RegExp][] = [
    ['pitch detector (dsp/pitch)', /_dsp_pitch_/],
    ['Engine.render: amp followers, recorder write, voice playback, monitor mix (inlined by GCC)', /_piwip_engine_Engine_render$/],
    ['voices: softcut playback (dsp/softcut, players)', /_dsp_softcut_|_players_|Voice/],
    ['recorder + buffer', /recording|Recorder|guardBuffer/],
    ['amp followers / analysis', /_dsp_analysis_|Amp/],
    ['control: ticks, pitch map, harmonizer, ensembler, MIDI, params', /_piwip_(engine|controls|harmonizer|ensembler|pitch_map|midi_parser|params|state|text|scales)_/],
    ['Math (AS std lib)', /_lib_math_/],
    ['memory.fill/copy and other AS runtime', /_lib_|memset|memcpy|memmove/],
    ['other engine code (w2c_*)', /^w2c_/],
    ['engine glue (engine_wasm2c, rt_min)', /^piwip_|^Z_piwip|^wasm_rt|^rt_min|^CALL/],
    ['libgcc i64<->f64 helpers (no M7 instruction; called by the engine, today from dsp/pitch)', /^__aeabi_[lu]*l2d$|^__aeabi_d(add|sub)$|^__(add|sub)df3$|^__float(un)?didf$/],
  ];
  const total = [...byFn.values()].reduce((x, y) => x + y, 0);
  const grouped = new Map<string, number>();
  for (const [name, n] of byFn) {
    const g = groups.find(([, re]) => re.test(name))?.[0] ?? 'harness: file I/O, newlib, scenario runner (outside process)';
    grouped.set(g, (grouped.get(g) ?? 0) + n);
  }
  console.log(`\nwhere the instructions go (TCG plugin, whole run incl. harness: ${(total / frames).toFixed(1)} insns/sample)`);
  for (const [g, n] of [...grouped].sort((x, y) => y[1] - x[1])) console.log(`  ${(n / frames).toFixed(1).padStart(8)}  ${g}`);
  console.log('top functions (insns/sample; GCC may inline callees into them):');
  for (const [name, n] of [...byFn].sort((x, y) => y[1] - x[1]).slice(0, 15)) {
    console.log(`  ${(n / frames).toFixed(1).padStart(8)}  ${name.replace(/^w2c_/, '')}`);
  }
  return new Map([...grouped].map(([g, n]) => [g, n / frames]));
}

/** wasm3 per wasm function: the code-map image (make m7-wasm3-prof) prints which code-page words each function's
 *  compilation filled; tools/wasm3_profile.c charges every translation block to the function whose code the
 *  interpreter last read, per audio block. Prints the mean per function and per source file, and the worst blocks'
 *  breakdown (the instructions of piwip_process, as the SysTick figures). */
function profileWasm3Functions(elf: string, plugin: string, events: string, label: string, frames: number): void {
  const run = (extra: string[]): string => qemuRun(elf, extra, events, 3_600_000);
  const first = run([]);
  const names = new Map<number, string>([[-1, '(engine glue and wasm3 outside any wasm function)']]);
  for (const l of first.split('\n')) {
    const m = /^w3code \S+ \S+ (\d+) (.*)$/.exec(l);
    if (m) names.set(Number(m[1]), m[2] as string);
  }
  const mapPath = join(WORK, `wasm3-code-map-${label}.txt`);
  writeFileSync(mapPath, first);
  const symbols = sh('arm-none-eabi-nm', [elf]);
  const sym = (name: string): string => {
    const m = new RegExp(`^([0-9a-f]+) [tT] ${name}$`, 'm').exec(symbols);
    if (!m) throw new Error(`no symbol ${name} in ${elf}`);
    return m[1] as string;
  };
  const outPath = join(WORK, `wasm3-profile-${label}.txt`);
  const kvs = parseKv(run(['-plugin', `${plugin},map=${mapPath},enter=${sym('piwip_process')},leave=${sym('systick_up')},out=${outPath}`, '-d', 'plugin']));
  const total = new Map<number, number>();
  const blocks = new Map<number, Map<number, number>>();
  for (const l of readFileSync(outPath, 'utf8').split('\n')) {
    const f = l.split(' ');
    if (f[0] === 'T') total.set(Number(f[1]), Number(f[2]));
    else if (f[0] === 'B') {
      const b = Number(f[1]);
      let m = blocks.get(b);
      if (!m) blocks.set(b, (m = new Map()));
      m.set(Number(f[2]), Number(f[3]));
    }
  }
  const nm = (i: number): string => names.get(i) ?? `#${i}`;
  const file = (i: number): string => { const n = nm(i); return i < 0 ? n : n.includes('/') ? n.replace(/\/[^/]*$/, '') : '(other)'; };
  const sum = (m: Map<number, number>): number => [...m.values()].reduce((x, y) => x + y, 0);
  const all = sum(total);
  console.log(`\n  wasm3 per wasm function (${label}; tools/wasm3_profile.c, code-map image: ${kvs.insns_per_sample} insns/sample,` +
    ` worst block ${(Number(kvs.insns_max_block) / 128).toFixed(0)} by SysTick; plugin: ${(all / frames).toFixed(1)} insns/sample in piwip_process)`);
  const byFile = new Map<string, number>();
  for (const [i, n] of total) byFile.set(file(i), (byFile.get(file(i)) ?? 0) + n);
  console.log('  mean insns/sample per source file:');
  for (const [f, n] of [...byFile].sort((x, y) => y[1] - x[1]).slice(0, 16)) console.log(`  ${(n / frames).toFixed(1).padStart(8)}  ${f}`);
  console.log('  mean insns/sample per function (top 25):');
  for (const [i, n] of [...total].sort((x, y) => y[1] - x[1]).slice(0, 25)) console.log(`  ${(n / frames).toFixed(1).padStart(8)}  ${nm(i)}`);
  // engine areas, by source directory: which one a block would need to lose to get under the issue-16 target
  const areas: [string, RegExp][] = [
    ['voices (dsp/softcut, players)', /^assembly\/(dsp\/softcut|piwip\/players)/],
    ['pitch detector (dsp/pitch)', /^assembly\/dsp\/pitch/],
    ['screen and menu (screen, ui)', /^assembly\/(screen|ui)\//],
    ['link (link)', /^assembly\/link\//],
  ];
  const area = (i: number): string => areas.find(([, re]) => re.test(nm(i)))?.[0] ?? 'rest (engine, controls, glue)';
  const byArea = (m: Map<number, number>): Map<string, number> => {
    const a = new Map<string, number>();
    for (const [i, n] of m) a.set(area(i), (a.get(area(i)) ?? 0) + n);
    return a;
  };
  const worst = [...blocks].map(([b, m]) => ({ b, m, n: sum(m), a: byArea(m) })).sort((x, y) => y.n - x.n);
  const LIMIT = 8000 * 128;
  console.log('  per area: mean, worst block of that area alone, blocks over 8,000 insns/sample if that area cost nothing:');
  for (const name of [...areas.map(([n]) => n), 'rest (engine, controls, glue)']) {
    const alone = Math.max(...worst.map((w) => w.a.get(name) ?? 0));
    const without = worst.filter((w) => w.n - (w.a.get(name) ?? 0) > LIMIT).length;
    const mean = worst.reduce((x, w) => x + (w.a.get(name) ?? 0), 0) / frames;
    console.log(`  ${mean.toFixed(1).padStart(8)}  worst ${(alone / 128).toFixed(0).padStart(6)}  without it ${String(without).padStart(5)}  ${name}`);
  }
  const over = worst.filter((w) => w.n / 128 > 8000).length;
  console.log(`  blocks over 8,000 insns/sample: ${over} of ${worst.length}; the worst ${Math.min(6, worst.length)}` +
    ' (insns/sample of the block, its top functions):');
  for (const w of worst.slice(0, 6)) {
    const top = [...w.m].sort((x, y) => y[1] - x[1]).slice(0, 8).map(([i, n]) => `${(n / 128).toFixed(0)} ${nm(i)}`);
    const split = [...w.a].sort((x, y) => y[1] - x[1]).map(([g, n]) => `${(n / 128).toFixed(0)} ${g.replace(/ \(.*/, '')}`).join(', ');
    console.log(`  block ${w.b} (t = ${(w.b * 128 / RATE).toFixed(2)} s): ${(w.n / 128).toFixed(0)} = ${split}\n      ${top.join('\n      ')}`);
  }
}

/** Build the code-map image of the named wasm and print the per-function tables of the standard scenario. */
function wasm3FunctionTables(pb: string, named: string, w3: string, frames: number): void {
  make(`B=${pb}`, `WASM=${named}`, `WASM3_DIR=${w3}`, 'm7-wasm3-prof');
  profileWasm3Functions(join(FW, pb, 'm7', 'piwip-m7-wasm3-prof.elf'), join(FW, pb, 'tools', 'libwasm3_profile.so'),
    'events.txt', 'standard', frames);
}

function main(): void {
  mkdirSync(WORK, { recursive: true });
  const built = join(ROOT, 'build', 'piwip.wasm');
  if (!existsSync(built)) sh('npx', ['asc', '--config', 'asconfig.json', '--target', 'release']);
  const wasm = join(WORK, 'piwip.wasm');
  copyFileSync(built, wasm);
  const input = instrumentInput(10, RATE);
  writeFileSync(join(WORK, 'in.f32'), new Uint8Array(input.buffer));
  writeFileSync(join(WORK, 'events.txt'), eventsText(standardScenario(RATE)));
  // the same scenario with the pitch detector switched off: what the rest of the engine costs on its own
  const noDetector = standardScenario(RATE);
  noDetector.events.unshift({ t: 0, param: 'detector', value: 3 });
  writeFileSync(join(WORK, 'events-no-detector.txt'), eventsText(noDetector));
  // the tune preset (shifter = psola, autotune on), the detector on, five held notes on the shifter from 2 s
  writeFileSync(join(WORK, 'events-psola.txt'), eventsText(psolaScenario(RATE)));
  // the same two scenarios with the varispeed voices reading through the windowed sinc (interpolation = sinc)
  const sinc = standardScenario(RATE);
  sinc.events.unshift({ t: 0, param: 'interpolation', value: 2 });
  writeFileSync(join(WORK, 'events-sinc.txt'), eventsText(sinc));
  const sincNoDetector = standardScenario(RATE);
  sincNoDetector.events.unshift({ t: 0, param: 'detector', value: 3 }, { t: 0, param: 'interpolation', value: 2 });
  writeFileSync(join(WORK, 'events-sinc-no-detector.txt'), eventsText(sincNoDetector));

  // --wasm3-functions: only the per-wasm-function profile of wasm3 (needs WASM3_DIR), for working on the worst blocks
  if (process.argv.includes('--wasm3-functions')) {
    const w3 = process.env.WASM3_DIR;
    if (!w3) throw new Error('--wasm3-functions needs WASM3_DIR (see firmware/README.md)');
    const PB = 'build/bench/prof';
    const named = join(FW, PB, 'piwip.wasm');
    mkdirSync(dirname(named), { recursive: true });
    sh('npx', ['asc', 'assembly/index.ts', '--config', 'asconfig.json', '--target', 'release', '--debug', '-o', named]);
    wasm3FunctionTables(PB, named, w3, input.length);
    return;
  }

  const B = 'build/bench/w2c';
  make(`B=${B}`, `WASM=${wasm}`, 'm7');
  const elf = join(FW, B, 'm7', 'piwip-m7.elf');
  const r = qemu(elf);
  const ips = Number(r.insns_per_sample);
  const sz = size(elf);
  console.log('piwip firmware benchmark: Cortex-M7 (QEMU mps2-an500, -icount shift=0, SysTick x40), 10 s scenario at 44.1 kHz');
  console.log(`wasm2c: ${ips.toFixed(1)} insns/sample (budget ${BUDGET_W2C}: ${ips <= BUDGET_W2C ? 'OK' : `OVER x${(ips / BUDGET_W2C).toFixed(1)}`}),` +
    ` worst block ${(Number(r.insns_max_block) / 128).toFixed(0)} insns/sample (block ${r.insns_max_block_at}, t = ${(Number(r.insns_max_block_at) * 128 / RATE).toFixed(2)} s),` +
    ` hash ${r.hash}, linear memory ${kib(Number(r.memory_bytes))}`);
  console.log(`  image: flash ${kib(sz.flash)} (text ${kib(sz.text)}, data ${kib(sz.data)}), RAM ${kib(sz.ram)} (bss ${kib(sz.bss)})` +
    ` + linear-memory arena ${kib(sz.psram)} in PSRAM`);
  console.log(`  at 600 MHz and 1 insn/cycle: ${(ips * RATE / 6e6).toFixed(1)} % CPU (mean), ${(Number(r.insns_max_block) / 128 * RATE / 6e6).toFixed(1)} % (worst block)`);
  console.log(sh('arm-none-eabi-size', [elf]).trimEnd());
  const nd = qemu(elf, [], 'events-no-detector.txt');
  console.log(`without the pitch detector (param detector = off, otherwise the same scenario): ${Number(nd.insns_per_sample).toFixed(1)}` +
    ` insns/sample, hash ${nd.hash},` +
    ` worst block ${(Number(nd.insns_max_block) / 128).toFixed(0)} insns/sample (t = ${(Number(nd.insns_max_block_at) * 128 / RATE).toFixed(2)} s)`);

  const si = qemu(elf, [], 'events-sinc.txt');
  const sn = qemu(elf, [], 'events-sinc-no-detector.txt');
  console.log(`interpolation = sinc (12-tap windowed sinc reads, otherwise the same scenario): ${Number(si.insns_per_sample).toFixed(1)}` +
    ` insns/sample (${(Number(si.insns_per_sample) - ips >= 0 ? '+' : '')}${(Number(si.insns_per_sample) - ips).toFixed(1)} over hermite), hash ${si.hash},` +
    ` worst block ${(Number(si.insns_max_block) / 128).toFixed(0)} insns/sample (t = ${(Number(si.insns_max_block_at) * 128 / RATE).toFixed(2)} s);` +
    ` with detector = off: ${Number(sn.insns_per_sample).toFixed(1)} insns/sample` +
    ` (${(Number(sn.insns_per_sample) - Number(nd.insns_per_sample)).toFixed(1)} over hermite), worst block ${(Number(sn.insns_max_block) / 128).toFixed(0)}`);

  const ps = qemu(elf, [], 'events-psola.txt');
  console.log(`tune preset (shifter = psola + autotune, detector on, 5 held notes from 2 s on the shifter): ${Number(ps.insns_per_sample).toFixed(1)}` +
    ` insns/sample, hash ${ps.hash},` +
    ` worst block ${(Number(ps.insns_max_block) / 128).toFixed(0)} insns/sample (t = ${(Number(ps.insns_max_block_at) * 128 / RATE).toFixed(2)} s)`);

  // profile with a named build of the same engine
  const PB = 'build/bench/prof';
  const named = join(FW, PB, 'piwip.wasm');
  mkdirSync(dirname(named), { recursive: true });
  sh('npx', ['asc', 'assembly/index.ts', '--config', 'asconfig.json', '--target', 'release', '--debug', '-o', named]);
  make(`B=${PB}`, `WASM=${named}`, 'm7', 'prof-plugin');
  const profPath = join(WORK, 'profile.txt');
  const pr = qemu(join(FW, PB, 'm7', 'piwip-m7.elf'), ['-plugin', `${join(FW, PB, 'tools', 'libinsn_profile.so')},out=${profPath}`, '-d', 'plugin']);
  console.log(`(named build: ${pr.insns_per_sample} insns/sample, hash ${pr.hash}${pr.hash === r.hash ? ', same output' : ', DIFFERENT output'})`);
  const groups = profile(join(FW, PB, 'm7', 'piwip-m7.elf'), profPath, input.length);
  let rest = 0;
  for (const [g, n] of groups) if (!/^pitch detector|^harness|^libgcc/.test(g)) rest += n;
  console.log(`everything but the pitch detector (and its libgcc calls) and the harness: ${rest.toFixed(1)} insns/sample`);

  const w3 = process.env.WASM3_DIR;
  if (w3 && existsSync(join(w3, 'build-m7', 'libm3.a'))) {
    make(`B=${B}`, `WASM=${wasm}`, `WASM3_DIR=${w3}`, 'm7-wasm3');
    const elf3 = join(FW, B, 'm7', 'piwip-m7-wasm3.elf');
    const r3 = qemu(elf3);
    const ips3 = Number(r3.insns_per_sample);
    const sz3 = size(elf3);
    console.log(`\nwasm3 (${w3}): ${ips3.toFixed(1)} insns/sample (budget ${BUDGET_W3}: ${ips3 <= BUDGET_W3 ? 'OK' : `OVER x${(ips3 / BUDGET_W3).toFixed(1)}`}),` +
      ` worst block ${(Number(r3.insns_max_block) / 128).toFixed(0)} insns/sample, hash ${r3.hash}${r3.hash === r.hash ? ' (= wasm2c)' : ' (DIFFERS from wasm2c)'},` +
      ` linear memory ${kib(Number(r3.memory_bytes))}`);
    console.log(`  image: flash ${kib(sz3.flash)}, static RAM ${kib(sz3.ram)} (+ wasm3 heap: linear memory and compiled code)`);
    const nd3 = qemu(elf3, [], 'events-no-detector.txt');
    console.log(`  without the pitch detector: ${Number(nd3.insns_per_sample).toFixed(1)} insns/sample,` +
      ` worst block ${(Number(nd3.insns_max_block) / 128).toFixed(0)} insns/sample, hash ${nd3.hash}${nd3.hash === nd.hash ? ' (= wasm2c)' : ' (DIFFERS from wasm2c)'}`);
    console.log(`  wasm3 / wasm2c = ${(ips3 / ips).toFixed(1)}x`);
    if (r3.psram_high_water) console.log(`  linear memory in PSRAM (core/ext_heap.h, the Teensy's layout): high-water ${kib(Number(r3.psram_high_water))}`);
    const prof3 = join(WORK, 'profile-wasm3.txt');
    qemu(elf3, ['-plugin', `${join(FW, PB, 'tools', 'libinsn_profile.so')},out=${prof3}`, '-d', 'plugin']);
    profileWasm3(elf3, prof3, input.length);
    wasm3FunctionTables(PB, named, w3, input.length);
  } else {
    console.log('\nwasm3: skipped (set WASM3_DIR to a wasm3 tree with build-m7/libm3.a, see firmware/README.md)');
  }
}

main();
