// norns PSET text into the real engine (psetRead): never a trap, the report counters consistent, every param in
// range and a finite block afterwards. Coverage proxy: the report (applied, clamped, unknown, corrupt, duplicate,
// first corrupt line, name, MIDI map lines applied) in buckets.
import type { FuzzTarget } from '../target.ts';
import { EngineRig } from './engine.ts';

let rig: EngineRig;

const text = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));
const seeds = [
  '-- my set\n"probability": 50.0\n"scale_mode": dorian\n"tempo": 120\n',
  '"notes vol": 2\n"rec thresh": -30\n"resolution": 20\n"keep armed": 2\n',
  '"scale_mode": 3\n"root_note": 62\n"ensembler": 1\n"tempo": inf\n"notes vol": -inf\n"probability": nan\n',
  '"probability": 10\r\n"probability": 90\r\n',
  '-- \xff\xfe name\n"detector": 2\n"midi channel": 16\n"clock source": 2\n',
  'garbage\n"": 1\n"tempo" 120\n"tempo": \n: 5\n',
  '"pmap:K2": "{cc=36, ch=10, in_lo=0, in_hi=127, out_lo=0.0, out_hi=1.0, accum=false, value=0}"\n"pmap:tempo": "{cc=7}"\n',
  '"pmap:E2": "{cc=1, accum=true, value=300, dev=2, echo=false}"\n"pmap:preset": "{cc=1, ch=16, out_lo=-9, out_hi=1e9}"\n',
  '"pmap:pset": "{cc=2, in_lo=127, in_hi=127}"\n"pmap:nope": "{cc=3}"\n"pmap:K1": "{cc=}"\n"pmap:K1": "{}"\n',
].map(text);

export const target: FuzzTarget = {
  name: 'pset',
  what: 'PSET text into the wasm engine (psetRead), then params checked and process()',
  maxLen: 1024,
  seeds: () => seeds,
  dictionary: ['"', '": ', '\n', '\r\n', '-- ', 'inf', '-inf', 'nan', '1e308', '-0', '0x10', 'dorian', '"scale_mode"',
    '"tempo"', '"probability"', '"notes vol"', '"resolution"', '"midi channel"', '"detector"', '99999999999', '.5', 'e',
    '"pmap:', '"pmap:K2": ', '"pmap:preset": ', '"{', '}"', 'cc=', ', ch=', ', in_lo=', ', in_hi=', ', out_lo=', ', out_hi=',
    ', accum=true', ', value='],
  idle() { rig.idle(); },
  setup() { rig = new EngineRig(2000, 1); },
  run(x) {
    const r = rig.e.psetRead(x);
    if (r.applied < 0 || r.clamped < 0 || r.corrupt < 0 || r.unknown < 0 || r.duplicate < 0) return `negative report ${JSON.stringify(r)}`;
    const bad = rig.checkParams() ?? rig.step();
    if (bad) return bad;
    const b = (n: number) => (n === 0 ? 0 : n === 1 ? 1 : n < 4 ? 2 : 3);
    const sig = b(r.applied) | (b(r.clamped) << 2) | (b(r.unknown) << 4) | (b(r.corrupt) << 6) | (b(r.duplicate) << 8)
      | (b(r.firstCorruptLine) << 10) | ((r.name.length > 0 ? 1 : 0) << 12) | (b(rig.e.psetMapped()) << 13);
    rig.tick();
    return { rejected: false, signature: sig };
  },
};
