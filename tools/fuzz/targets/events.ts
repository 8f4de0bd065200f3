// Events-file text into host/io/events.ts parseEvents: actions with finite times >= 0 sorted, or a one-line
// FileFormatError naming the entry. Byte mutation mostly breaks the JSON, so half the inputs are mutated as JSON
// values instead (a field replaced, dropped or added). Guided by V8 block coverage of events.ts and params.ts.
import { readFileSync } from 'node:fs';
import { DEFAULT_WASM, PiwipEngine, type ParamInfo } from '../../../host/engine/engine.ts';
import { parseEvents } from '../../../host/io/events.ts';
import type { Rng } from '../mutate.ts';
import type { FuzzTarget } from '../target.ts';

let params: ParamInfo[] = [];

const SEEDS = [
  [{ t: 0, preset: 'sampler' }, { t: 1, key: 2 }, { t: 1.5, key: 1, hold: 0.5 }, { t: 2, key: 1, z: 1 }, { t: 2.5, key: 1, z: 0 }],
  { events: [{ t: 2, enc: [1, 1] }, { t: 3, set: { probability: 100, scale_mode: 'lydian' } }], comment: 'x' },
  [{ t: 4, midi: [144, 60, 100] }, { t: 4, note: 60, vel: 100, dur: 0.5, ch: 2 }, { t: 6, note: 60, vel: 0 }],
  [{ t: 1, clock: 120, until: 3, jitter: 2, start: false }, { t: 5, pset: 'save', slot: 1, name: 'verse' }, { t: 6, pset: 'load', slot: 1 }],
  [{ t: 3, set: { 'rec thresh': -30, 'keep armed': 'yes' }, comment: 'c' }, { t: 0, preset: 3 }],
];
const VALUES: unknown[] = [0, -1, 1, 0.5, 1e400, -1e400, 1e7, 2 ** 53, 64, -64, 65, 127, 128, 255, 256, 300, 3.5, '', 'x',
  'user', 'sampler', 'save', 'lydian', 'x\ny', null, true, false, [], {}, [1], [1, 2], [144, 60], { probability: 1 }];
const KEYS = ['t', 'key', 'z', 'hold', 'enc', 'set', 'preset', 'midi', 'note', 'vel', 'dur', 'ch', 'clock', 'until',
  'start', 'stop', 'jitter', 'pset', 'slot', 'name', 'comment', 'events', 'probability', 'tempo', 'scale_mode', 'a\nb', '\u0000'];

/** Replace, drop or add one value somewhere in the parsed document. */
function mutateJson(x: Uint8Array, rng: Rng): Uint8Array | null {
  if (rng.chance(0.5)) return null;
  let doc: unknown;
  try { doc = JSON.parse(Buffer.from(x).toString('utf8')); } catch { return null; }
  const nodes: (Record<string, unknown> | unknown[])[] = [];
  const walk = (v: unknown) => { if (v && typeof v === 'object') { nodes.push(v as Record<string, unknown>); for (const c of Object.values(v)) walk(c); } };
  walk(doc);
  if (!nodes.length) return null;
  const n = rng.pick(nodes);
  const v = rng.pick(VALUES);
  const value = v && typeof v === 'object' ? JSON.parse(JSON.stringify(v)) : v;
  if (Array.isArray(n)) {
    const i = rng.below(n.length + 1);
    if (rng.chance(0.3) && n.length) n.splice(i, 1); else if (rng.chance(0.5) && i < n.length) n[i] = value; else n.splice(i, 0, rng.chance(0.5) ? value : { t: rng.below(10), [rng.pick(KEYS)]: value });
  } else {
    const keys = Object.keys(n);
    if (rng.chance(0.3) && keys.length) delete n[rng.pick(keys)]; else n[rng.chance(0.6) && keys.length ? rng.pick(keys) : rng.pick(KEYS)] = value;
  }
  let text = JSON.stringify(doc);
  if (text.includes('null') && rng.chance(0.3)) text = text.replace('null', rng.pick(['1e400', '-1e400', '1e-400', '-0']));
  return Uint8Array.from(Buffer.from(rng.chance(0.05) ? `\ufeff${text}` : text, 'utf8'));
}

export const target: FuzzTarget = {
  name: 'events',
  what: 'events-file text into host/io/events.ts parseEvents (with the real param table)',
  maxLen: 2048,
  seeds: () => SEEDS.map((s) => Uint8Array.from(Buffer.from(JSON.stringify(s), 'utf8'))),
  dictionary: ['{"t": 1, ', '"key": ', '"note": ', '"set": {', '"midi": [', '"clock": ', '"until": ', '1e400', '-1', '}', ']', ',', '"', 'null', '\\n', '\\u0000', '\\"'],
  coverFiles: ['host/io/events.ts', 'host/io/params.ts'],
  mutate: mutateJson,
  setup() { params = PiwipEngine.create({ sampleRate: 8000, blockSize: 1, maxRecSeconds: 1 }, readFileSync(DEFAULT_WASM)).params(); },
  run(x) {
    const ev = parseEvents(Buffer.from(x).toString('utf8'), params, 'fuzz.json');
    let last = 0;
    for (const e of ev) {
      if (!Number.isFinite(e.time) || e.time < 0 || e.time < last) return `time ${e.time} after ${last}`;
      last = e.time;
    }
    return { rejected: false };
  },
};
