// The MIDI map (assembly/piwip/pmap.ts) through the real engine wasm: norns' PMAP behaviour (monome/norns 529b4e39,
// lua/core/pmap.lua and norns.menu_midi_event in lua/core/menu/params.lua:710-758) for params, and the module's
// own targets K1-K3 (pads), E1-E3 (knobs / endless encoders), preset (the E1 mode) and pset (slot to load); the map
// in the PSET text, on disk through PsetDir and into a fresh engine; old and corrupt PSETs; the menu's MAP pages;
// and `piwip render` with a PSET holding a map and raw-MIDI CC events.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PiwipEngine } from '../host/engine/engine.ts';
import { PsetDir } from '../host/io/pset.ts';
import { encodeWav } from '../host/io/wav.ts';
import { runCli, toneBurst } from './cli-helpers.ts';
import { expectGoldenScreen, pixelAt } from './screen-golden.ts';

const SR = 48000, N = 128;

/** An engine fed silence (or a tone), advanced in whole blocks; keys work after 0.6 s. */
function rig() {
  const e = PiwipEngine.create({ sampleRate: SR, blockSize: N, maxRecSeconds: 10 });
  const z = new Float32Array(N), o1 = new Float32Array(N), o2 = new Float32Array(N);
  let phase = 0;
  const run = (seconds: number, hz = 0) => {
    for (let i = 0; i < Math.round(seconds * SR / N); i++) {
      if (hz > 0) {
        const x = new Float32Array(N);
        for (let k = 0; k < N; k++) { x[k] = 0.5 * Math.sin(phase); phase += 2 * Math.PI * hz / SR; }
        e.process(x, x, o1, o2);
      } else e.process(z, z, o1, o2);
    }
  };
  run(0.6); // keys are ignored for the first 0.5 s (spec)
  return { e, run };
}

/** norns util.linlin (lua/lib/util.lua:150-158) and util.round. */
const linlin = (slo: number, shi: number, dlo: number, dhi: number, f: number) =>
  f <= slo ? dlo : f >= shi ? dhi : (f - slo) / (shi - slo) * (dhi - dlo) + dlo;
const luaRound = (x: number) => Math.floor(x + 0.5);
/** norns Taper:map_value (lua/core/params/taper.lua:36-46). */
const taperMap = (x: number, min: number, max: number, k: number) =>
  (k === 0 ? x : (Math.exp(x * k) - 1) / (Math.exp(k) - 1)) * (max - min) + min;

describe('learn: the next CC binds (params.lua:715-723)', () => {
  it('learns channel and CC, consumes that CC, then moves a number param over its range', () => {
    const { e } = rig();
    e.pmapLearn('root_note');
    expect(e.pmapLearning()).toBe('root_note');
    const before = e.getParam('root_note');
    e.cc(21, 5, 3); // CC 21 = 5 on channel 3: binds, does not move
    expect(e.pmapLearning()).toBe(null);
    expect(e.getParam('root_note')).toBe(before);
    // a new mapping of a number param takes the param's range as out (params.lua:215-220)
    expect(e.pmapGet('root_note')).toEqual({ target: 'root_note', cc: 21, ch: 3, inLo: 0, inHi: 127, outLo: 0, outHi: 127, accum: false });
    for (const v of [0, 1, 64, 100, 127]) {
      e.cc(21, v, 3);
      expect(e.getParam('root_note')).toBe(luaRound(linlin(0, 127, 0, 127, v)));
    }
    expect(e.ex.pmapCount()).toBe(1);
  });

  it('option params: every option reachable; a two-option param is a toggle at 64', () => {
    const { e } = rig();
    e.pmapSet('scale_mode', { cc: 30 });
    const n = e.paramInfo('scale_mode').options.length;
    expect(n).toBe(41);
    const seen = new Set<number>();
    for (let v = 0; v <= 127; v++) { e.cc(30, v); seen.add(e.getParam('scale_mode')); }
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    e.cc(30, 0); expect(e.formatParam('scale_mode')).toBe('major');
    e.cc(30, 127); expect(e.formatParam('scale_mode')).toBe('chromatic');
    // monitor off/on: out 1..2, round(1 + v/127) flips between 63 and 64 (a pad or a sustain pedal)
    e.pmapSet('monitor', { cc: 64 });
    e.cc(64, 63); expect(e.state().monitor).toBe(false);
    e.cc(64, 64); expect(e.state().monitor).toBe(true);
    e.cc(64, 0); expect(e.state().monitor).toBe(false);
  });

  it('control and taper params take the CC as their raw position (set_raw, params.lua:737-738)', () => {
    const { e } = rig();
    e.pmapSet('probability', { cc: 1 }); // taper 0..100, k = 1
    expect(e.pmapGet('probability')!.outLo).toBe(0);
    expect(e.pmapGet('probability')!.outHi).toBe(1);
    for (const v of [0, 32, 64, 127]) {
      e.cc(1, v);
      expect(e.getParam('probability')).toBeCloseTo(taperMap(v / 127, 0, 100, 1), 9);
    }
    e.pmapSet('monitor level', { cc: 2, outLo: 0.25, outHi: 0.75 }); // control 0..1 step 0.01: half the range
    e.cc(2, 0); expect(e.getParam('monitor level')).toBeCloseTo(0.25, 9);
    e.cc(2, 127); expect(e.getParam('monitor level')).toBeCloseTo(0.75, 9);
    e.cc(2, 64); expect(e.getParam('monitor level')).toBeCloseTo(0.5, 9); // 0.5039 snapped to the 0.01 step
    // in range 20..100: below 20 is the bottom, above 100 the top (util.clamp then linlin)
    e.pmapSet('monitor level', { cc: 2, inLo: 20, inHi: 100 });
    e.cc(2, 10); expect(e.getParam('monitor level')).toBeCloseTo(0.25, 9);
    e.cc(2, 110); expect(e.getParam('monitor level')).toBeCloseTo(0.75, 9);
    e.cc(2, 60); expect(e.getParam('monitor level')).toBeCloseTo(0.5, 9);
  });

  it('accum: one step per message, up when the value is > 64 (params.lua:730-733), from pm.value = 0', () => {
    const { e } = rig();
    e.pmapSet('root_note', { cc: 40, accum: true });
    for (let i = 0; i < 5; i++) e.cc(40, 65);
    expect(e.getParam('root_note')).toBe(5);
    e.cc(40, 63);
    expect(e.getParam('root_note')).toBe(4);
    e.cc(40, 64); // norns: 64 counts as down
    expect(e.getParam('root_note')).toBe(3);
    for (let i = 0; i < 10; i++) e.cc(40, 1);
    expect(e.getParam('root_note')).toBe(0); // clamped at in_lo
  });

  it('channel filter: a binding answers its own channel only, whatever `midi channel` says', () => {
    const { e } = rig();
    e.setParam('midi channel', 5); // filters notes only
    e.pmapSet('tempo', { cc: 7, ch: 2 });
    const t0 = e.getParam('tempo');
    e.cc(7, 127, 1);
    e.cc(7, 127, 16);
    expect(e.getParam('tempo')).toBe(t0);
    e.cc(7, 127, 2);
    expect(e.getParam('tempo')).toBe(300);
  });

  it('a (channel, CC) is held by one target: learning it for another takes it away (pmap.lua:31-34)', () => {
    const { e } = rig();
    e.pmapSet('tempo', { cc: 7 });
    e.pmapLearn('probability');
    e.cc(7, 0);
    expect(e.pmapGet('tempo')).toBe(null);
    expect(e.pmapGet('probability')!.cc).toBe(7);
    const tempo = e.getParam('tempo');
    e.cc(7, 127);
    expect(e.getParam('probability')).toBe(100);
    expect(e.getParam('tempo')).toBe(tempo);
    e.pmapClear('probability');
    e.cc(7, 0);
    expect(e.getParam('probability')).toBe(100);
    expect(e.ex.pmapCount()).toBe(0);
  });

  it('CCs from every MIDI source (midiInFrom), each on its own parser: a DIN CC split around a USB one', () => {
    const { e } = rig();
    e.pmapSet('tempo', { cc: 7 });
    e.pmapSet('root_note', { cc: 8, ch: 2 });
    const ex = e.ex;
    ex.midiInFrom(1, 0xb0); ex.midiInFrom(1, 7); // DIN: half a CC 7 …
    for (const b of [0xb1, 8, 100]) ex.midiInFrom(2, b); // … a whole USB CC 8 on channel 2 …
    ex.midiInFrom(1, 127); // … the rest of DIN's
    expect(e.getParam('root_note')).toBe(100);
    expect(e.getParam('tempo')).toBe(300);
    ex.midiInFrom(3, 0xb0); ex.midiInFrom(3, 7); ex.midiInFrom(3, 0); // USB host
    expect(e.getParam('tempo')).toBe(20);
    ex.midiInFrom(1, 7); ex.midiInFrom(1, 127); // DIN's running status
    expect(e.getParam('tempo')).toBe(300);
  });

  it('bad calls answer -1 and never trap; CCs with nothing mapped do nothing', () => {
    const { e } = rig();
    const ex = e.ex;
    expect(ex.pmapLearn(9999)).toBe(-1);
    expect(ex.pmapSet(0, 128, 1, 0, 127, 0, 1, 0)).toBe(-1);
    expect(ex.pmapSet(0, 1, 17, 0, 127, 0, 1, 0)).toBe(-1);
    expect(ex.pmapSet(-5, 1, 1, 0, 127, 0, 1, 0)).toBe(-1);
    expect(ex.pmapClear(9999)).toBe(-1);
    expect(ex.pmapGet(3)).toBe(-1);
    expect(ex.pmapTargetName(-1)).toBe(-1);
    expect(() => e.pmapTarget('nope')).toThrow(/unknown MIDI map target/);
    const text = e.psetWrite();
    for (let c = 0; c < 128; c++) e.cc(c, 127, 1 + (c % 16));
    expect(e.psetWrite()).toEqual(text);
    expect(e.pmapTargets().slice(-8)).toEqual(['K1', 'K2', 'K3', 'E1', 'E2', 'E3', 'preset', 'pset']);
  });
});

describe('K1-K3 from pads, E1-E3 from knobs, the preset and the PSET slot', () => {
  it('pad CCs on K2 / K3 arm and force a take: >= 64 is down, < 64 up, only changes act', () => {
    const { e, run } = rig();
    e.pmapSet('K2', { cc: 36 });
    e.pmapSet('K3', { cc: 37 });
    expect(e.state().armed).toBe(false);
    e.cc(36, 127); // K2 down: arm (spec §7)
    expect(e.state().armed).toBe(true);
    e.cc(36, 100); // still down: no second press
    expect(e.state().armed).toBe(true);
    e.cc(36, 0); // up
    e.cc(36, 127); e.cc(36, 0); // second press: disarm
    expect(e.state().armed).toBe(false);
    e.cc(37, 127); // K3: force a take
    expect(e.state().recording).toBe(true);
    expect(e.state().forced).toBe(true);
    e.cc(37, 0);
    run(0.5, 220);
    expect(e.state().recording).toBe(true);
    e.cc(37, 127); // K3 again: stop
    expect(e.state().recording).toBe(false);
    expect(e.state().forced).toBe(false);
    expect(e.state().takes).toBe(1);
  });

  it('K1 from a pad: a short press opens the menu, a held one is shift (K1+K2 = monitor)', () => {
    const { e, run } = rig();
    e.pmapSet('K1', { cc: 50 });
    e.pmapSet('K2', { cc: 51 });
    e.cc(50, 127); run(0.05); e.cc(50, 0); run(0.05);
    expect(e.menuOpen()).toBe(true);
    e.cc(50, 127); run(0.05); e.cc(50, 0); run(0.05);
    expect(e.menuOpen()).toBe(false);
    e.cc(50, 127); e.cc(51, 127); e.cc(51, 0); e.cc(50, 0);
    expect(e.state().monitor).toBe(true);
    expect(e.menuOpen()).toBe(false);
  });

  it('E2 / E3: an absolute knob turns into detents (10 ms each); accum is a 64-centred relative encoder', () => {
    const { e, run } = rig();
    e.key(3, 1); e.key(3, 0); run(2, 220); e.key(3, 1); e.key(3, 0); run(0.6);
    const loop = e.state().loopEnd;
    expect(loop).toBeGreaterThan(1.5);
    e.pmapSet('E2', { cc: 70 }); // absolute, out 0..127 detents over the knob's travel
    e.cc(70, 50); // the first CC only says where the knob is: no jump
    expect(e.state().startTrim).toBe(0);
    e.cc(70, 60);
    expect(e.state().startTrim).toBeCloseTo(0.10, 9);
    e.cc(70, 55);
    expect(e.state().startTrim).toBeCloseTo(0.05, 9);
    e.pmapSet('E3', { cc: 71, accum: true });
    e.cc(71, 60); // 64 - 4: four detents anticlockwise = the end trim grows by 40 ms (spec A12)
    expect(e.state().endTrim).toBeCloseTo(0.04, 9);
    e.cc(71, 66); // +2
    expect(e.state().endTrim).toBeCloseTo(0.02, 9);
    e.cc(71, 64); // 0: nothing
    expect(e.state().endTrim).toBeCloseTo(0.02, 9);
    // E1 with K1 held (a mapped K1 pad) trims notes vol as the real E1 does
    e.pmapSet('K1', { cc: 72 });
    e.pmapSet('E1', { cc: 73, accum: true });
    const vol = e.getParam('notes vol');
    e.cc(72, 127); e.cc(73, 67); e.cc(72, 0);
    expect(e.getParam('notes vol')).toBeCloseTo(vol + 0.03, 9);
  });

  it('preset: the CC picks the E1 mode 0..4 (spec §4; out 0..4), each change applies the preset', () => {
    const { e } = rig();
    e.pmapSet('preset', { cc: 80 });
    e.cc(80, 127);
    expect(e.state().mode).toBe(4);
    expect(e.state().modeName).toBe('tune');
    expect(e.formatParam('shifter')).toBe('psola');
    e.cc(80, 40); // round(40/127·4) = 1
    expect(e.state().modeName).toBe('sampler');
    expect(e.state().armed).toBe(true); // presets arm (spec §4)
    expect(e.formatParam('shifter')).toBe('varispeed');
    e.setParam('probability', 30); // user setting made while in a preset … then back to 0 restores the user's own
    e.cc(80, 0);
    expect(e.state().mode).toBe(0);
  });

  it('pset: the CC picks a slot (out 1..8) and queues one load of an existing slot; a fast sweep leaves the last', () => {
    const { e } = rig();
    for (const slot of [1, 3, 5]) e.psetSlotSet(slot, `piwip-0${slot}`);
    e.pmapSet('pset', { cc: 90 });
    const valueFor = (slot: number) => Math.ceil((slot - 1.5) / 7 * 127); // the first CC value rounding to slot
    e.cc(90, valueFor(3));
    expect(e.takePsetRequest()).toEqual({ op: 'load', slot: 3 });
    e.cc(90, valueFor(3) + 1); // same slot: nothing
    e.cc(90, valueFor(2)); // an empty slot: nothing
    expect(e.takePsetRequest()).toBe(null);
    for (let v = 0; v <= 127; v++) e.cc(90, v); // sweep up: 1 … 8, of which 1, 3, 5 exist
    e.cc(90, valueFor(5));
    expect(e.takePsetRequest()).toEqual({ op: 'load', slot: 5 });
    expect(e.takePsetRequest()).toBe(null);
  });
});

describe('the map is saved with the PSETs', () => {
  const tmp = () => mkdtempSync(join(tmpdir(), 'piwip-pmap-'));

  it('written as "pmap:" lines in norns .pmap syntax; a slot on disk reloads into a fresh engine, map intact', () => {
    const a = rig();
    a.e.pmapSet('K2', { cc: 36, ch: 10 });
    a.e.pmapSet('E3', { cc: 71, accum: true });
    a.e.pmapSet('probability', { cc: 1, inLo: 10, inHi: 110, outLo: 0.25, outHi: 0.75 });
    a.e.pmapSet('preset', { cc: 80, ch: 16 });
    a.e.setParam('probability', 40);
    const text = a.e.psetWrite('my map').toString();
    expect(text).toContain('"pmap:K2": "{cc=36, ch=10, in_lo=0, in_hi=127, out_lo=0.0, out_hi=1.0, accum=false, value=0}"\n');
    expect(text).toContain('"pmap:probability": "{cc=1, ch=1, in_lo=10, in_hi=110, out_lo=0.25, out_hi=0.75, accum=false, value=10}"\n');
    const dir = new PsetDir(tmp());
    a.e.psetRequest('save', 4);
    expect(dir.service(a.e)[0]).toMatchObject({ op: 'save', slot: 4, ok: true });

    const b = rig();
    dir.scan(b.e);
    expect(b.e.pmapList()).toEqual([]);
    b.e.psetRequest('load', 4);
    const [r] = dir.service(b.e);
    expect(r).toMatchObject({ op: 'load', ok: true, report: { corrupt: 0, unknown: 0, name: 'piwip-04' } });
    expect(b.e.psetMapped()).toBe(4);
    expect(b.e.pmapList()).toEqual(a.e.pmapList());
    expect(b.e.psetWrite('my map').toString()).toBe(text); // params and map, byte for byte
    expect(b.e.getParam('probability')).toBeCloseTo(40, 9);
    b.e.cc(36, 127, 10);
    expect(b.e.state().armed).toBe(true);
    b.e.cc(80, 127, 16);
    expect(b.e.state().mode).toBe(4);
  });

  it('a PSET from before the map loads and leaves the current map alone; a PSET with a map replaces it', () => {
    const { e } = rig();
    e.pmapSet('K3', { cc: 37 });
    const old = '-- before the map\n"resolution": 20.0\n"probability": 100.0\n';
    const r = e.psetRead(old);
    expect(r).toMatchObject({ applied: 2, corrupt: 0, unknown: 0 });
    expect(e.psetMapped()).toBe(0);
    expect(e.pmapGet('K3')!.cc).toBe(37);
    const withMap = old + '"pmap:K2": "{cc=20, ch=1, in_lo=0, in_hi=127, out_lo=0, out_hi=1, accum=false, value=0}"\n';
    expect(e.psetRead(withMap)).toMatchObject({ applied: 2, corrupt: 0 });
    expect(e.psetMapped()).toBe(1);
    expect(e.pmapGet('K3')).toBe(null);
    expect(e.pmapGet('K2')!.cc).toBe(20);
  });

  it('norns fields it has no use for (dev, echo) pass; corrupt map lines count as corrupt, valid ones apply', () => {
    const { e } = rig();
    const lines = [
      '"pmap:K2": "{cc=20, ch=2, dev=1, echo=false, value=0}"', // 1 ok (norns 230816 lines carry echo)
      '"pmap:K3": "{ch=1}"', // 2 corrupt: no cc
      '"pmap:E1": "{cc=300}"', // 3 corrupt: cc out of range
      '"pmap:E2": "cc=5"', // 4 corrupt: not a {table}
      '"pmap:E3": "{cc=5, accum=maybe}"', // 5 corrupt
      '"pmap:preset": "{cc=6, in_lo=90, in_hi=10}"', // 6 corrupt: in_lo > in_hi
      '"pmap:nope": "{cc=7}"', // 7 unknown target: skipped like an unknown id
      '"pmap:K2": "{cc=21}"', // 8 duplicate: the first wins
      '"pmap:tempo": "{cc=8, ch=1, in_lo=0, in_hi=127, out_lo=20, out_hi=9999, accum=false, value=500}"', // 9 ok, clamped
      '"pmap:": "{cc=9}"', // 10 unknown
      '"pmap:pset": "{cc=10, ch=x}"', // 11 corrupt
      '"pmap:E2": "{cc=11, ch=1, out_lo=nan}"', // 12 corrupt
      '"probability": 50.0', // 13 a param still applies
    ];
    const r = e.psetRead(lines.join('\n') + '\n');
    expect(r).toMatchObject({ applied: 1, corrupt: 7, unknown: 2, duplicate: 1, firstCorruptLine: 2 });
    expect(e.psetMapped()).toBe(2);
    expect(e.pmapList().map((m) => [m.target, m.cc, m.ch])).toEqual([['tempo', 8, 1], ['K2', 20, 2]]);
    expect(e.pmapGet('tempo')!.outHi).toBe(300);
    expect(e.getParam('probability')).toBe(50);
    // garbage after the prefix never traps
    let seed = 7;
    const rnd = () => { seed = (seed * 1103515245 + 12345) >>> 0; return seed >>> 16; };
    for (let i = 0; i < 300; i++) {
      const bytes = Array.from({ length: rnd() % 60 }, () => ' ={},"=cc chin_loaccumtrue0123456789.-e'.charAt(rnd() % 40));
      e.psetRead(`"pmap:K1": "{${bytes.join('')}"\n"pmap:E1": ${bytes.join('')}\n`);
    }
    e.psetRead('"pmap:K1": "{cc=1}"\n');
    expect(e.pmapList().map((m) => m.target)).toEqual(['K1']);
  });

  it('the map travels in the PSET text over the link unchanged (PSET_GET / PSET_PUT carry the same text)', () => {
    const { e } = rig();
    e.pmapSet('K2', { cc: 36 });
    const text = e.psetWrite().toString();
    const lines = text.trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('"pmap:'))).toHaveLength(1);
    expect(Buffer.byteLength(text)).toBeLessThan(8192); // the link's payload limit (docs/link.md)
    // every target mapped: still well under the link's 8192-byte payload and the 16 KiB text buffer
    const t = e.pmapTargets();
    t.forEach((name, i) => e.pmapSet(name, { cc: i % 128, ch: 1 + Math.floor(i / 128) }));
    const full = e.psetWrite('a long name for the pset file, forty-eight bytes');
    expect(full.length).toBeLessThan(8192);
    expect(full.toString().split('\n').filter((l) => l.startsWith('"pmap:'))).toHaveLength(t.length);
  });
});

describe("README's suggested map for 8 knobs and 8 pads", () => {
  it('loads with no corrupt line and plays: pads arm and force, knobs pick the preset and trim', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const block = /<!-- PMAP-EXAMPLE:BEGIN -->\n```\n([\s\S]*?)```\n<!-- PMAP-EXAMPLE:END -->/.exec(readme);
    expect(block).not.toBe(null);
    const { e, run } = rig();
    const r = e.psetRead(block![1]!);
    expect(r).toMatchObject({ corrupt: 0, unknown: 0, duplicate: 0, applied: 0, name: 'controller' });
    expect(e.psetMapped()).toBe(16);
    e.cc(20, 127); e.cc(20, 0);
    expect(e.state().armed).toBe(true);
    e.cc(21, 127); e.cc(21, 0);
    run(1, 220);
    e.cc(21, 127); e.cc(21, 0);
    run(0.6);
    expect(e.state().takes).toBe(1);
    e.cc(71, 0); e.cc(71, 20);
    expect(e.state().startTrim).toBeCloseTo(0.2, 9);
    e.cc(73, 127);
    expect(e.getParam('notes vol')).toBeCloseTo(2, 9);
    e.cc(76, 0);
    expect(e.formatParam('root_note')).toBe('C1');
    e.cc(70, 64);
    expect(e.state().modeName).toBe('follower');
  });
});

describe('the menu MAP page (params.lua mMAP / mMAPEDIT)', () => {
  function menuRig() {
    const r = rig();
    const { e, run } = r;
    const press = (n: number) => { e.key(n, 1); run(0.02); e.key(n, 0); run(0.06); };
    const turn = (n: number, d: number) => { e.enc(n, d); run(0.06); };
    return { ...r, press, turn };
  }
  const lit = (fb: Uint8Array, y0: number, y1: number, x0 = 0, x1 = 128) => {
    let n = 0;
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (pixelAt(fb, x, y) === 15) n++;
    return n;
  };

  it('MAP > lists the targets with cc:ch; K3 → edit page; LEARN + a CC binds; K2 back shows it; CLEAR unmaps', () => {
    const { e, run, press, turn } = menuRig();
    press(1); // PARAMETERS
    turn(2, 2); // MAP >
    press(3);
    expectGoldenScreen('pmap-map-top', e.screen());
    turn(2, 3); // the harmonizer group
    press(3);
    turn(2, 1); // scale_mode
    press(3); // edit page, on LEARN
    expect(lit(e.screen(), 15, 23, 0, 60)).toBeGreaterThan(0); // LEARN lit
    expectGoldenScreen('pmap-edit-unmapped', e.screen());
    press(3); // LEARNING
    expect(e.pmapLearning()).toBe('scale_mode');
    expectGoldenScreen('pmap-edit-learning', e.screen());
    e.cc(33, 10, 4); run(0.06); // binds CC 33 channel 4; consumed
    expect(e.pmapLearning()).toBe(null);
    expect(e.pmapGet('scale_mode')).toMatchObject({ cc: 33, ch: 4, outLo: 1, outHi: 41 });
    expectGoldenScreen('pmap-edit-learned', e.screen());
    // E2 to accum: LEARN 1 → CLEAR 2 → cc 3 → ch 4 → in 6, 7 → out 8, 9 → accum 10 (norns' 5 dev is not here)
    turn(2, 8);
    turn(3, 1);
    expect(e.pmapGet('scale_mode')!.accum).toBe(true);
    press(2); // back to the list: the line shows 33:4
    expectGoldenScreen('pmap-map-group', e.screen());
    expect(e.pmapGet('scale_mode')!.cc).toBe(33);
    press(3); // edit again, E2 to CLEAR, K3
    turn(2, 1);
    press(3);
    expect(e.pmapGet('scale_mode')).toBe(null);
    // an unmapped target entered and left untouched stays unmapped (norns would map it to CC 100)
    press(3); press(2);
    expect(e.pmapGet('scale_mode')).toBe(null);
  });

  it('the controls group maps K2 by hand (cc/ch turned, K2 assigns) and K1+K3 swaps EDIT and MAP', () => {
    const { e, press, turn } = menuRig();
    press(1); turn(2, 2); press(3); // MAP top
    turn(2, 6); // the controls group, after module
    press(3);
    turn(2, 1); // K2
    press(3); // edit K2
    turn(2, 2); // cc
    turn(3, -64); turn(3, -36); // from 100 (pmap.new) down to 0
    turn(3, 36);
    turn(2, 1); // ch
    turn(3, 9);
    press(2);
    expect(e.pmapGet('K2')).toMatchObject({ cc: 36, ch: 10 });
    expectGoldenScreen('pmap-map-controls', e.screen());
    // K1+K3: EDIT (the controls group is MAP's own, so EDIT shows the top list)
    e.key(1, 1); e.key(3, 1); e.key(3, 0); e.key(1, 0);
    turn(2, 0);
    expectGoldenScreen('pmap-swap-to-edit', e.screen()); // EDIT's top list on "module >" (values, no cc:ch)
    press(1); // close the menu: the pad now arms
    expect(e.menuOpen()).toBe(false);
    e.cc(36, 127, 10);
    expect(e.state().armed).toBe(true);
  });
});

describe('piwip render: a PSET with a map, and raw-MIDI CC events', () => {
  it('pad CCs force and stop a take, a knob CC picks the ensemble preset', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'piwip-pmap-cli-'));
    const sr = 16000;
    writeFileSync(join(dir, 'tone.wav'), encodeWav([toneBurst(sr, 220, 0.8, 2.2)], sr, '16'));
    writeFileSync(join(dir, 'map.pset'), [
      '-- a controller',
      '"pmap:K3": "{cc=20, ch=1, in_lo=0, in_hi=127, out_lo=0, out_hi=1, accum=false, value=0}"',
      '"pmap:preset": "{cc=21, ch=2, in_lo=0, in_hi=127, out_lo=0, out_hi=4, accum=false, value=0}"',
      '',
    ].join('\n'));
    writeFileSync(join(dir, 'ev.json'), JSON.stringify([
      { t: 0.75, midi: [0xb0, 20, 127] }, { t: 0.8, midi: [0xb0, 20, 0] }, // K3: force a take
      { t: 1.5, midi: [0xb0, 20, 127] }, { t: 1.55, midi: [0xb0, 20, 0] }, // K3: stop it
      { t: 2.0, midi: [0xb0, 21, 127] }, // channel 1: not the preset's channel
      { t: 2.25, midi: [0xb1, 21, 96] }, // channel 2: round(96/127·4) = 3, ensemble
    ]));
    const r = await runCli(['render', join(dir, 'tone.wav'), '--pset', join(dir, 'map.pset'), '--events', join(dir, 'ev.json'),
      '--tail', '0', '-o', join(dir, 'out.wav')]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/the ensemble preset: 1 take recorded/);
  });
});
