// Every param against spec §11 (typed here by hand from the spec, not read back from the engine): default,
// clamping at both ends, formatting; and each preset applies exactly its column of the §4 table.
import { describe, it, expect } from 'vitest';
import { PiwipEngine } from '../host/engine/engine.ts';

type Row = [id: string, group: string, type: string, min: number, max: number, def: number, shown: string];
// [id, group, type, min, max, default, default as the menu shows it]
const SPEC: Row[] = [
  ['resolution', 'recording', 'taper', 10, 200, 50, '50 ms'],
  ['rec thresh', 'recording', 'control', 1, 100, 20, '20 amp/1k'],
  ['silence to stop', 'recording', 'taper', 10, 5000, 200, '200 ms'],
  ['vol pinch', 'recording', 'control', 0, 1000, 500, '500 ms'],
  ['notes vol', 'playback', 'taper', 0, 10, 1, '1'],
  ['min recorded', 'playback', 'taper', 10, 1000, 60, '60 ms'],
  ['notes start at 0', 'playback', 'option', 1, 2, 1, 'no'],
  ['live follow', 'playback', 'option', 1, 2, 2, 'yes'],
  ['keep armed', 'playback', 'option', 1, 2, 1, 'no'],
  ['playback reference', 'playback', 'option', 1, 3, 1, 'middle C'],
  ['only play during rec', 'playback', 'option', 1, 2, 1, 'no'],
  ['midi during rec', 'playback', 'option', 1, 2, 1, 'disabled'],
  ['probability', 'harmonizer', 'taper', 0, 100, 0, '0 %'],
  ['scale_mode', 'harmonizer', 'option', 1, 41, 5, 'dorian'],
  ['root_note', 'harmonizer', 'number', 0, 127, 38, 'D1'],
  ['min length', 'harmonizer', 'control', 1, 16, 1, '1 beats'],
  ['max length', 'harmonizer', 'control', 1, 16, 4, '4 beats'],
  ['specific notes', 'harmonizer', 'option', 1, 2, 1, 'disabled'],
  ...[1, 2, 3, 4, 5, 6, 7, 8].map((n): Row => [`note${n}`, 'harmonizer', 'number', 0, 127, 0, 'C-2']),
  ['ensembler_active', 'ensembler', 'option', 1, 2, 1, 'off'],
  ['voices', 'ensembler', 'control', 1, 5, 5, '5'],
  ['spread', 'ensembler', 'taper', 0, 100, 0, '0 %/10'],
  ['time spread', 'ensembler', 'taper', 0, 10, 0, '0 s'],
  // the module's own additions (README "Parameters"), defaults = the faithful behaviour
  ['velocity', 'module', 'option', 1, 2, 1, 'off'],
  ['rt fallback', 'module', 'option', 1, 2, 1, 'off'],
  ['detector', 'module', 'option', 1, 3, 1, 'follower'],
  ['clock source', 'module', 'option', 1, 2, 1, 'internal'],
  ['tempo', 'module', 'number', 20, 300, 90, '90 bpm'],
  ['note length', 'module', 'option', 1, 2, 1, 'sync'],
  ['jitter', 'module', 'option', 1, 2, 1, 'white'],
  ['midi channel', 'module', 'number', 0, 16, 0, 'omni'],
  ['monitor', 'module', 'option', 1, 2, 1, 'off'],
  ['monitor level', 'module', 'control', 0, 1, 1, '1'],
  // the pitch-synchronous shifter (not in the spec: the module's own, issue 14)
  ['shifter', 'module', 'option', 1, 2, 1, 'varispeed'],
  ['attack', 'module', 'control', 1, 2000, 5, '5 ms'],
  ['release', 'module', 'control', 1, 2000, 30, '30 ms'],
  ['autotune', 'module', 'option', 1, 2, 1, 'off'],
  ['retune speed', 'module', 'control', 0, 500, 20, '20 ms'],
  ['tune amount', 'module', 'control', 0, 100, 100, '100 %'],
  // issue 12, for staccato phrases (defaults faithful)
  ['note wait', 'module', 'option', 1, 2, 1, 'no'],
  ['note attack', 'module', 'control', 1, 2000, 2000, '2000 ms'],
  ['interpolation', 'module', 'option', 1, 2, 1, 'hermite'],
];

describe('params (spec §11)', () => {
  const e = PiwipEngine.create();
  const infos = e.params();

  it('the engine has exactly the params of the spec, in menu order', () => {
    expect(infos.map((p) => p.id)).toEqual(SPEC.map((r) => r[0]));
  });

  for (const [id, group, type, min, max, def, shown] of SPEC) {
    it(`"${id}": ${type} ${min}..${max}, default ${shown}, clamps at both ends`, () => {
      const eng = PiwipEngine.create({ sampleRate: 8000, blockSize: 1, maxRecSeconds: 1 });
      const info = eng.paramInfo(id);
      expect([info.group, info.type, info.min, info.max, info.default]).toEqual([group, type, min, max, def]);
      expect(eng.getParam(id)).toBe(def);
      expect(eng.formatParam(id)).toBe(shown);
      const i = eng.paramIndex(id);
      // below the range → min (code 1 = clamped), above → max, in range → kept (code 0)
      expect(eng.ex.paramSet(i, min - 1000)).toBe(1);
      expect(eng.getParam(id)).toBe(min);
      expect(eng.ex.paramSet(i, max + 1000)).toBe(1);
      expect(eng.getParam(id)).toBe(max);
      expect(eng.ex.paramSet(i, -Infinity)).toBe(1);
      expect(eng.getParam(id)).toBe(min);
      expect(eng.ex.paramSet(i, NaN)).toBe(-2);
      expect(eng.getParam(id)).toBe(min);
      expect(eng.ex.paramSet(i, def)).toBe(0);
      expect(eng.formatParam(id)).toBe(shown);
    });
  }

  it('formats values with units, note names, option and scale names', () => {
    const eng = PiwipEngine.create();
    const cases: [string, number | string, string][] = [
      ['root_note', 60, 'C3'], ['root_note', 61, 'C#3'], ['root_note', 0, 'C-2'], ['note3', 69, 'A3'],
      ['scale_mode', 'lydian', 'lydian'], ['scale_mode', 41, 'chromatic'], ['scale_mode', 1, 'major'],
      ['probability', 12.5, '12.5 %'], ['time spread', 1.5, '1.5 s'], ['notes vol', 0.35, '0.35'],
      ['resolution', 20, '20 ms'], ['playback reference', 3, 'realtime'], ['detector', 'classic', 'classic'],
      ['tempo', 120, '120 bpm'], ['monitor level', 0.5, '0.5'], ['midi channel', 3, '3'], ['midi channel', 0, 'omni'],
    ];
    for (const [id, v, want] of cases) {
      eng.setParam(id, v);
      expect(`${id}=${eng.formatParam(id)}`).toBe(`${id}=${want}`);
    }
  });

  it('integers and steps snap (code 1), wrong ids and NaN are error codes, never traps', () => {
    const eng = PiwipEngine.create();
    const i = eng.paramIndex('voices');
    expect(eng.ex.paramSet(i, 3.4)).toBe(1);
    expect(eng.getParam('voices')).toBe(3);
    expect(eng.ex.paramSet(eng.paramIndex('root_note'), 60.6)).toBe(1);
    expect(eng.getParam('root_note')).toBe(61);
    expect(eng.ex.paramSet(-1, 1)).toBe(-1);
    expect(eng.ex.paramSet(999, 1)).toBe(-1);
    expect(eng.paramIndex('no such param')).toBe(-1);
    expect(Number.isNaN(eng.ex.paramGet(999))).toBe(true);
    expect(eng.ex.paramInfo(-5)).toBe(-1);
    expect(eng.ex.paramFormat(49)).toBe(-1);
  });

  it('encoder detents move each type as the norns menu does (taper 1/clamp(range,200,800), control 1 %, number 1)', () => {
    const eng = PiwipEngine.create();
    const i = (id: string) => eng.paramIndex(id);
    eng.ex.paramDelta(i('root_note'), 3, 0);
    expect(eng.getParam('root_note')).toBe(41);
    eng.ex.paramDelta(i('scale_mode'), 1, 0);
    expect(eng.formatParam('scale_mode')).toBe('phrygian');
    eng.ex.paramDelta(i('resolution'), 10, 0); // range 190 → 1/200 per detent → 0.95 ms per detent
    expect(eng.getParam('resolution')).toBeCloseTo(50 + 10 * 190 / 200, 9);
    eng.ex.paramDelta(i('silence to stop'), 1, 0); // range 4990 → 1/800 per detent
    expect(eng.getParam('silence to stop')).toBeCloseTo(200 + 4990 / 800, 9);
    eng.ex.paramDelta(i('silence to stop'), 1, 1); // fine: a tenth
    expect(eng.getParam('silence to stop')).toBeCloseTo(200 + 1.1 * 4990 / 800, 9);
    eng.ex.paramDelta(i('vol pinch'), 1, 0); // control lin 0..1000 step 1: 1 % = 10 ms
    expect(eng.getParam('vol pinch')).toBe(510);
    eng.ex.paramDelta(i('voices'), -1, 0); // 1 % of 1..5 is less than a step: still one step
    expect(eng.getParam('voices')).toBe(4);
    eng.ex.paramDelta(i('rec thresh'), 1, 0); // exponential 1..100: 20 · 100^0.01 = 20.9 → snaps to 21
    expect(eng.getParam('rec thresh')).toBe(21);
  });
});

// §4: what each preset sets (and nothing else), starting from the defaults.
const COLUMNS: Record<number, Record<string, number>> = {
  1: { 'live follow': 1, 'keep armed': 1, 'playback reference': 1, 'only play during rec': 1, 'notes start at 0': 2, 'midi during rec': 1 },
  2: { 'live follow': 2, 'keep armed': 2, 'playback reference': 3, 'only play during rec': 2, 'notes start at 0': 1, 'midi during rec': 2, 'silence to stop': 200 },
  3: {
    'live follow': 2, 'keep armed': 2, 'playback reference': 1, 'only play during rec': 2, 'notes start at 0': 2, 'midi during rec': 2,
    'silence to stop': 500, ensembler_active: 2, voices: 5, spread: 15, 'time spread': 1.5, 'notes vol': 0.5, 'min recorded': 10,
  },
};

describe('presets (spec §4)', () => {
  for (const mode of [1, 2, 3]) {
    it(`preset ${mode} applies exactly its column and arms`, () => {
      const eng = PiwipEngine.create();
      // start from non-default values everywhere a preset writes, so "applied" is visible even where it equals the default
      const before = new Map(eng.params().map((p) => [p.id, p.value]));
      for (const id of Object.keys(COLUMNS[3]!)) {
        const p = eng.paramInfo(id);
        const other = p.value === p.max ? p.min : p.max;
        eng.setParam(id, other);
        before.set(id, other);
      }
      eng.setParam('silence to stop', 1234); before.set('silence to stop', 1234);
      expect(eng.state().armed).toBe(false);
      eng.setMode(mode);
      const col = COLUMNS[mode]!;
      for (const p of eng.params()) {
        expect(`${p.id}=${p.value}`).toBe(`${p.id}=${p.id in col ? col[p.id] : before.get(p.id)}`);
      }
      expect(eng.state().armed).toBe(true);
      expect(eng.state().modeName).toBe(['', 'sampler', 'follower', 'ensemble'][mode]);
    });
  }

  it('presets are additive (faithful, A13): ensemble → follower leaves the ensembler on and notes vol at 0.5', () => {
    const eng = PiwipEngine.create();
    eng.setMode(3);
    eng.setMode(2);
    expect(eng.getParam('ensembler_active')).toBe(2);
    expect(eng.getParam('notes vol')).toBe(0.5);
    expect(eng.getParam('silence to stop')).toBe(200);
  });

  it('mode 0 restores the user settings saved when leaving it', () => {
    const eng = PiwipEngine.create();
    eng.setParam('probability', 42);
    eng.setParam('silence to stop', 1000);
    const mine = eng.params().map((p) => p.value);
    eng.setMode(1);
    eng.setMode(3);
    expect(eng.getParam('silence to stop')).toBe(500);
    eng.setMode(0);
    expect(eng.params().map((p) => p.value)).toEqual(mine);
  });
});
