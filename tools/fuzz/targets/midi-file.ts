// Standard MIDI file bytes into host/io/midi.ts decodeMidi (and midi-file under it): messages with finite,
// ordered times and valid channel-message bytes, or a one-line FileFormatError. Guided by V8 block coverage.
import { decodeMidi } from '../../../host/io/midi.ts';
import type { FuzzTarget } from '../target.ts';

const chunk = (id: string, body: number[]) => [...Buffer.from(id, 'latin1'), ...[24, 16, 8, 0].map((s) => (body.length >>> s) & 0xff), ...body];
const header = (format: number, tracks: number, division: number[]) => chunk('MThd', [0, format, 0, tracks, ...division]);

function seeds(): Uint8Array[] {
  const tempo = chunk('MTrk', [0, 0xff, 0x51, 3, 7, 0xa1, 0x20, 0x87, 0x40, 0xff, 0x51, 3, 0x0f, 0x42, 0x40, 0, 0xff, 0x2f, 0]);
  const notes = chunk('MTrk', [0, 0x90, 60, 100, 0x83, 0x60, 0x80, 60, 64, 0x83, 0x60, 0x90, 67, 100, 0x83, 0x60, 67, 0,
    0x81, 0x70, 0xe0, 0, 0x40, 0, 0xb0, 7, 100, 0, 0xc0, 3, 0, 0xd0, 9, 0, 0xa0, 60, 5, 0, 0xff, 0x2f, 0]);
  const sysex = chunk('MTrk', [0, 0xf0, 5, 0x7e, 0x7f, 9, 1, 0xf7, 0, 0xf7, 2, 1, 2, 0, 0xff, 1, 3, 0x61, 0x62, 0x63,
    0, 0xff, 0x58, 4, 4, 2, 24, 8, 0, 0xff, 0x59, 2, 0, 0, 0, 0xff, 0x20, 1, 0, 0, 0xff, 0x2f, 0]);
  return [
    [...header(1, 2, [1, 0xe0]), ...tempo, ...notes],
    [...header(0, 1, [0, 96]), ...notes],
    [...header(1, 1, [0xe7, 40]), ...notes], // SMPTE 25 fps × 40
    [...header(2, 2, [0, 48]), ...sysex, ...notes],
    [...header(0, 1, [0, 96]), ...chunk('MTrk', [0, 0xff, 0x2f, 0])],
  ].map((b) => Uint8Array.from(b));
}

export const target: FuzzTarget = {
  name: 'midi-file',
  what: 'MIDI file bytes into host/io/midi.ts decodeMidi',
  maxLen: 1024,
  seeds,
  dictionary: ['MThd', 'MTrk', [0xff, 0x2f, 0], [0xff, 0x51, 3], [0xf0], [0xf7], [0x90], [0x80], [0xff, 0xff, 0xff, 0x7f], [0, 0, 0, 6]],
  coverFiles: ['host/io/midi.ts', 'midi-file'],
  run(x) {
    const s = decodeMidi(x, 'fuzz.mid');
    let last = 0;
    for (const m of s.messages) {
      if (!Number.isFinite(m.time) || m.time < last) return `message time ${m.time} after ${last}`;
      last = m.time;
      if (m.bytes[0]! < 0x80 || m.bytes[0]! >= 0xf0 || m.bytes.slice(1).some((b) => !(b >= 0 && b <= 127))) return `bytes ${m.bytes}`;
    }
    if (s.warnings.some((w) => w.includes('\n'))) return 'multi-line warning';
    return { rejected: false };
  },
};
