// Raw MIDI bytes into the real engine (midiIn), as any host's MIDI port delivers them: running status, realtime
// bytes anywhere, SysEx, garbage. After each input one short block must come out finite and bounded; every 64
// inputs every param is checked in range. Coverage proxy: the state the bytes left (voices, clock, take, mode).
// Every fresh engine gets a MIDI map (assembly/piwip/pmap.ts) so CCs reach keys, encoders, presets and params.
import type { FuzzTarget } from '../target.ts';
import { EngineRig } from './engine.ts';

let rig: EngineRig;

const seeds = [
  [0x90, 60, 100], [0x90, 64, 100, 67, 100, 71, 100], [0x80, 60, 0], [0x90, 60, 0], [0x9f, 72, 1],
  [0xfa, 0xf8, 0xf8, 0xf8, 0xfc], [0xfb, 0xf8], [0xf0, 0x7e, 0x7f, 0x09, 0x01, 0xf7], [0xb0, 7, 100, 0xc0, 5],
  [0xe0, 0, 0x40], [0x90, 60, 0xf8, 100], [0xf2, 0x10, 0x20, 0xf3, 1, 0xf6], [0xa0, 60, 10, 0xd0, 20],
  [0xff], [0x90, 0x90, 60], [0xf0, 0x90, 60, 100, 0xf7, 0x90, 61, 100],
  [0xb0, 20, 127, 20, 0], [0xb0, 21, 127, 0xf8, 21, 0], [0xb0, 22, 70, 22, 50], [0xb0, 23, 127, 23, 30], [0xb0, 24, 127],
  [0xb1, 7, 0, 7, 127], [0xb0, 1, 65, 1, 65, 1, 63], [0xb0, 64, 127, 64, 0],
].map((s) => Uint8Array.from(s));

export const target: FuzzTarget = {
  name: 'midi-stream',
  what: 'raw MIDI bytes into the wasm engine (midiIn), then process()',
  maxLen: 48,
  seeds: () => seeds,
  dictionary: [[0x90], [0x80], [0xf8], [0xfa], [0xfb], [0xfc], [0xf0], [0xf7], [0xff], [0xb0, 123, 0], [0x90, 60, 100],
    [0xb0, 20], [0xb0, 21], [0xb0, 22], [0xb0, 23], [0xb1, 7], [0x7f], [0x40], [0x41]],
  idle() { rig.idle(); },
  setup() { rig = new EngineRig(3000, 2); },
  run(x) {
    if (rig.age === 0) mapControls(rig);
    const midiIn = rig.e.ex.midiIn as (b: number) => void;
    for (let i = 0; i < x.length; i++) midiIn(x[i]!);
    const bad = rig.step() ?? (rig.age % 64 === 0 ? rig.checkParams() : null);
    if (bad) return bad;
    const ex = rig.e.ex;
    let voices = 0;
    for (let v = 0; v < 5; v++) voices = voices * 2 + (ex.voiceStarted(v) as number);
    const bpm = rig.e.clockBpm();
    const sig = voices | (ex.clockRunning() << 5) | (ex.recording() << 6) | (ex.armed() << 7) | ((ex.mode() & 3) << 8)
      | ((bpm === 0 ? 0 : bpm < 60 ? 1 : bpm < 120 ? 2 : bpm < 200 ? 3 : 4) << 10) | (Math.min(3, ex.harmonizerNotes() as number) << 13);
    rig.tick();
    return { rejected: false, signature: sig };
  },
};

/** A controller's map: pads on K1-K3, a relative E2, an absolute E3, the preset, a slot knob and a few params. */
function mapControls(r: EngineRig): void {
  const e = r.e;
  e.pmapSet('K1', { cc: 19 }); e.pmapSet('K2', { cc: 20 }); e.pmapSet('K3', { cc: 21 });
  e.pmapSet('E2', { cc: 22, accum: true }); e.pmapSet('E3', { cc: 25 }); e.pmapSet('E1', { cc: 26, accum: true });
  e.pmapSet('preset', { cc: 23 }); e.pmapSet('pset', { cc: 24 });
  e.pmapSet('tempo', { cc: 7, ch: 2 }); e.pmapSet('root_note', { cc: 1, accum: true }); e.pmapSet('monitor', { cc: 64 });
  e.pmapSet('probability', { cc: 2, inLo: 10, inHi: 90, outLo: 0.9, outHi: 0.1 });
  e.psetSlotSet(2, 'piwip-02');
}
