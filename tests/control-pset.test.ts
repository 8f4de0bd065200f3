// PSETs in norns' own text format: round trip, a norns-written file with corrupt lines / unknown ids / out-of-range
// values, numbered slots on disk through the engine's request queue, and `piwip render --pset/--pset-dir`.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PiwipEngine } from '../host/engine/engine.ts';
import { PsetDir } from '../host/io/pset.ts';
import { runCli, toneBurst } from './cli-helpers.ts';
import { writeWav } from '../host/io/wav.ts';

const writeTone = (path: string, sr: number, seconds: number) => writeWav(path, [toneBurst(sr, 220, seconds / 2, seconds / 2)], sr);

const tmp = () => mkdtempSync(join(tmpdir(), 'piwip-pset-'));

/** A file as norns' paramset.lua writes it for piwip (floats with ".0", options as indices), with damage. */
const NORNS_FILE = [
  '-- my trumpet',
  '"resolution": 20.0',
  '"rec thresh": 35.0',
  '"silence to stop": 9000.0', // out of range (max 5000): clamped
  '"vol pinch": 250.0',
  '"notes vol": 0.8',
  '"live follow": 1',
  '"ensembler": 2', // the v0.3.0 id: unknown now (spec §12.22), skipped
  '"probability": 100.0',
  '"scale_mode": 7', // an index into the current list: lydian
  '"root_note": 45',
  'this line is garbage', // corrupt
  '"max length": ', // corrupt: no value
  '"min length" 2.0', // corrupt: no colon
  '"note1": sixty', // corrupt: not a number
  '"LEVELS": 3', // unknown id
  '"voices": -4.0', // clamped to 1
  '"resolution": 100.0', // a second line for an id: the first wins (norns)
  '"time spread": 1.25\r', // a CRLF line
  '',
].join('\n');

describe('PSET text (norns format)', () => {
  it('round trip: write → read into a fresh engine gives identical values for every param', () => {
    const a = PiwipEngine.create({ seed: 3 });
    // move every param off its default by menu detents (coarse and fine), so values are not round numbers
    a.params().forEach((p, i) => { a.ex.paramDelta(i, 7 + (i % 5), 0); a.ex.paramDelta(i, -3, 1); });
    a.setParam('scale_mode', 'overtone');
    a.setParam('probability', 100 / 3);
    const text = a.psetWrite('round trip');
    expect(text.toString().split('\n')[0]).toBe('-- round trip');
    expect(text.toString()).toMatch(/^"scale_mode": overtone$/m); // A22: by name
    const b = PiwipEngine.create({ seed: 9 });
    const r = b.psetRead(text);
    expect(r).toEqual({ name: 'round trip', applied: 49, clamped: 0, unknown: 0, corrupt: 0, duplicate: 0, firstCorruptLine: 0 });
    const va = a.params().map((p) => p.value);
    const vb = b.params().map((p) => p.value);
    expect(vb).toEqual(va);
    expect(va.filter((v, i) => v !== a.params()[i]!.default).length).toBeGreaterThan(20);
    // and writing again gives the same bytes
    expect(b.psetWrite('round trip').equals(text)).toBe(true);
  });

  it('writes floats the way Lua prints them: 50.0, 0.35, 1e-05', () => {
    const e = PiwipEngine.create();
    e.setParam('notes vol', 0.35);
    e.setParam('probability', 0.00001);
    const t = e.psetWrite().toString();
    expect(t.startsWith('"resolution": 50.0\n')).toBe(true);
    expect(t).toMatch(/^"notes vol": 0\.35$/m);
    expect(t).toMatch(/^"probability": 1e-05$/m);
    expect(t).toMatch(/^"live follow": 2$/m);
    expect(t).toMatch(/^"root_note": 38$/m);
    expect(t.split('\n').filter((l) => l).length).toBe(49);
  });

  it('a norns file with corrupt lines, unknown ids and out-of-range values: valid lines apply, the rest is counted', () => {
    const e = PiwipEngine.create();
    const r = e.psetRead(NORNS_FILE);
    expect(r).toEqual({ name: 'my trumpet', applied: 11, clamped: 2, unknown: 2, corrupt: 4, duplicate: 1, firstCorruptLine: 12 });
    expect(e.getParam('resolution')).toBe(20);
    expect(e.getParam('rec thresh')).toBe(35);
    expect(e.getParam('silence to stop')).toBe(5000);
    expect(e.getParam('vol pinch')).toBe(250);
    expect(e.getParam('notes vol')).toBe(0.8);
    expect(e.getParam('live follow')).toBe(1);
    expect(e.getParam('probability')).toBe(100);
    expect(e.formatParam('scale_mode')).toBe('lydian');
    expect(e.formatParam('root_note')).toBe('A1');
    expect(e.getParam('voices')).toBe(1);
    expect(e.getParam('time spread')).toBe(1.25);
    expect(e.getParam('ensembler_active')).toBe(1); // the old id did not leak into the new one
    expect(e.getParam('max length')).toBe(4); // untouched by the corrupt lines
    expect(e.getParam('note1')).toBe(0);
    // the engine runs on and its output is finite after reading garbage
    const z = new Float32Array(128);
    const o = [new Float32Array(128), new Float32Array(128)] as const;
    e.setMode(2);
    for (let i = 0; i < 200; i++) e.process(z.map((_, k) => Math.sin(k)), z, o[0], o[1]);
    expect(o[0].every(Number.isFinite)).toBe(true);
  });

  it('scale names in any case and quoted; a name that is no scale is corrupt; inf clamps', () => {
    const e = PiwipEngine.create();
    expect(e.psetRead('"scale_mode": "Whole Tone"\n"tempo": inf\n"notes vol": -inf\n').applied).toBe(3);
    expect(e.formatParam('scale_mode')).toBe('whole tone');
    expect(e.getParam('tempo')).toBe(300);
    expect(e.getParam('notes vol')).toBe(0);
    const r = e.psetRead('"scale_mode": bebop jazz\n"probability": nan\n"root_note": 0x40\n');
    expect([r.applied, r.corrupt]).toEqual([0, 3]);
    expect(e.formatParam('scale_mode')).toBe('whole tone');
  });

  it('random bytes never trap and leave every param in range', () => {
    const e = PiwipEngine.create();
    let seed = 12345;
    const rnd = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed >>> 8; };
    const ids = e.params().map((p) => p.id);
    for (let k = 0; k < 200; k++) {
      const lines: string[] = [];
      for (let l = 0; l < 20; l++) {
        const kind = rnd() % 4;
        if (kind === 0) lines.push(Buffer.from(Array.from({ length: rnd() % 40 }, () => rnd() % 256)).toString('latin1'));
        else if (kind === 1) lines.push(`"${ids[rnd() % ids.length]}": ${(rnd() % 20000) / 7 - 1000}`);
        else if (kind === 2) lines.push(`"${ids[rnd() % ids.length]}": ${'x'.repeat(rnd() % 3)}${rnd() % 9}e${rnd() % 400}`);
        else lines.push(`-- ${'n'.repeat(rnd() % 100)}`);
      }
      e.psetRead(Buffer.from(lines.join(rnd() % 2 ? '\n' : '\r\n'), 'latin1'));
    }
    for (const p of e.params()) {
      expect(p.value).toBeGreaterThanOrEqual(p.min);
      expect(p.value).toBeLessThanOrEqual(p.max);
    }
    expect(() => e.psetRead(Buffer.alloc(20000, 65))).toThrow(/PSET too large/);
  });
});

describe('PSET slots on disk', () => {
  it('save / load / delete numbered slots through the engine request queue, with pset-last.txt', () => {
    const dir = tmp();
    const a = PiwipEngine.create();
    const d = new PsetDir(dir);
    d.scan(a);
    expect(a.psetSlotUsed(3)).toBe(false);
    a.setParam('probability', 25);
    a.setParam('scale_mode', 'locrian');
    a.psetRequest('save', 3);
    a.psetRequest('save', 12);
    const res = d.service(a);
    expect(res.map((r) => [r.op, r.slot, r.ok])).toEqual([['save', 3, true], ['save', 12, true]]);
    expect(d.service(a)).toEqual([]);
    const text = readFileSync(join(dir, 'piwip-03.pset'), 'utf8');
    expect(text.split('\n')[0]).toBe('-- piwip-03');
    expect(text).toMatch(/^"probability": 25\.0$/m);
    expect(text).toMatch(/^"scale_mode": locrian$/m);
    expect(readFileSync(join(dir, 'pset-last.txt'), 'utf8').trim()).toBe('12');
    expect([a.psetSlotUsed(3), a.psetSlotUsed(12), a.psetLast]).toEqual([true, true, 12]);

    // a second engine (a restart) finds the slots and loads one
    const b = PiwipEngine.create();
    d.scan(b);
    expect([b.psetSlotUsed(3), b.psetSlotUsed(4), b.psetLast]).toEqual([true, false, 12]);
    b.psetRequest('load', 3);
    const [ld] = d.service(b);
    expect(ld?.ok).toBe(true);
    expect(ld?.report?.applied).toBe(49);
    expect(b.getParam('probability')).toBe(25);
    expect(b.formatParam('scale_mode')).toBe('locrian');
    expect(b.psetLast).toBe(3);

    b.psetRequest('delete', 3);
    d.service(b);
    expect(existsSync(join(dir, 'piwip-03.pset'))).toBe(false);
    expect(b.psetSlotUsed(3)).toBe(false);
    b.psetRequest('load', 3); // gone: fails cleanly, nothing changes
    b.setParam('probability', 50);
    const [bad] = d.service(b);
    expect(bad?.ok).toBe(false);
    expect(bad?.error).toMatch(/no such file/);
    expect(b.getParam('probability')).toBe(50);
  });

  it('the request queue refuses bad slots and ops and holds at most 8', () => {
    const e = PiwipEngine.create();
    expect(() => e.psetRequest('save', 0)).toThrow();
    expect(() => e.psetRequest('save', 100)).toThrow();
    expect(e.ex.psetRequest(4, 1)).toBe(-1);
    for (let i = 1; i <= 8; i++) e.psetRequest('load', i);
    expect(() => e.psetRequest('load', 9)).toThrow();
    expect(e.takePsetRequest()).toEqual({ op: 'load', slot: 1 });
  });
});

describe('piwip render with PSETs', () => {
  it('--pset applies a norns file (warning names the corrupt lines); pset events save and load slots', async () => {
    const dir = tmp();
    const wav = join(dir, 'in.wav');
    writeTone(wav, 48000, 1.5);
    const pset = join(dir, 'norns.pset');
    writeFileSync(pset, NORNS_FILE);
    const ev = join(dir, 'ev.json');
    writeFileSync(ev, JSON.stringify({ events: [
      { t: 0.1, pset: 'save', slot: 1, name: 'from render' },
      { t: 0.2, set: { probability: 5 } },
      { t: 0.3, pset: 'save', slot: 2 },
      { t: 0.4, pset: 'load', slot: 1 },
      { t: 0.5, pset: 'save', slot: 3 },
    ] }));
    const r = await runCli(['render', wav, '-o', join(dir, 'out.wav'), '--pset', pset, '--pset-dir', join(dir, 'slots'), '--events', ev, '-q']);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/norns\.pset: 11 params applied; skipped 4 corrupt line\(s\) \(first: line 12\) and 2 unknown id\(s\); clamped 2 value/);
    const slot = (n: number) => readFileSync(join(dir, 'slots', `piwip-0${n}.pset`), 'utf8');
    expect(slot(1).split('\n')[0]).toBe('-- from render');
    expect(slot(1)).toMatch(/^"probability": 100\.0$/m);
    expect(slot(2)).toMatch(/^"probability": 5\.0$/m);
    expect(slot(3)).toMatch(/^"probability": 100\.0$/m); // slot 1 was loaded back before saving slot 3
    expect(slot(3)).toMatch(/^"silence to stop": 5000\.0$/m);
    expect(readFileSync(join(dir, 'slots', 'pset-last.txt'), 'utf8').trim()).toBe('3');
  });

  it('pset events without --pset-dir, a missing --pset file: clear errors', async () => {
    const dir = tmp();
    const wav = join(dir, 'in.wav');
    writeTone(wav, 48000, 0.5);
    const ev = join(dir, 'ev.json');
    writeFileSync(ev, JSON.stringify([{ t: 0.1, pset: 'load', slot: 1 }]));
    const a = await runCli(['render', wav, '-o', join(dir, 'o.wav'), '--events', ev]);
    expect(a.code).toBe(2);
    expect(a.err).toMatch(/"pset" events need --pset-dir/);
    const b = await runCli(['render', wav, '-o', join(dir, 'o.wav'), '--pset', join(dir, 'nope.pset')]);
    expect(b.code).toBe(1);
    expect(b.err).toMatch(/nope\.pset: no such file/);
    writeFileSync(ev, JSON.stringify([{ t: 0.1, pset: 'load', slot: 100 }]));
    const c = await runCli(['render', wav, '-o', join(dir, 'o.wav'), '--events', ev, '--pset-dir', dir]);
    expect(c.code).toBe(1);
    expect(c.err).toMatch(/"slot" must be a PSET slot 1\.\.99/);
  });
});
