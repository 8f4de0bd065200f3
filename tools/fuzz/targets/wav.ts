// WAV bytes into host/io/wav.ts decodeWav (and wavefile under it): a WavAudio with finite samples within ±16 and
// consistent lengths, or a one-line FileFormatError. Guided by V8 block coverage of the reader and wavefile.
import { decodeWav, encodeWav } from '../../../host/io/wav.ts';
import { MAX_SAMPLE } from '../../../host/io/wav.ts';
import type { FuzzTarget } from '../target.ts';

function seeds(): Uint8Array[] {
  const tone = (n: number, k = 1) => Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin(i * 0.3 * k));
  const out = [
    encodeWav([tone(16)], 8000, '16'), encodeWav([tone(8), tone(8, 2)], 44100, '24'), encodeWav([tone(8)], 48000, '32f'),
    encodeWav([tone(8)], 22050, '8'), encodeWav([tone(4), tone(4, 3)], 96000, '32'),
  ];
  // streamed: data size 0; RIFX (big-endian); a LIST chunk before data; WAVE_FORMAT_EXTENSIBLE
  const s = Buffer.from(encodeWav([tone(12)], 16000, '16')); s.writeUInt32LE(0, 40); out.push(s);
  const le = Buffer.from(encodeWav([tone(6)], 16000, '16'));
  const rifx = Buffer.from(le); rifx.write('RIFX', 0, 'latin1');
  for (const at of [4, 16, 24, 28, 40]) rifx.writeUInt32BE(le.readUInt32LE(at), at);
  for (const at of [20, 22, 32, 34]) rifx.writeUInt16BE(le.readUInt16LE(at), at);
  for (let i = 44; i + 1 < rifx.length; i += 2) rifx.writeInt16BE(le.readInt16LE(i), i);
  out.push(rifx);
  const list = Buffer.concat([le.subarray(0, 36), Buffer.from('LIST\x04\x00\x00\x00INFO', 'latin1'), le.subarray(36)]);
  list.writeUInt32LE(list.length - 8, 4); out.push(list);
  const ext = Buffer.alloc(68 + 8); ext.write('RIFF', 0, 'latin1'); ext.writeUInt32LE(ext.length - 8, 4); ext.write('WAVEfmt ', 8, 'latin1');
  ext.writeUInt32LE(40, 16); ext.writeUInt16LE(0xfffe, 20); ext.writeUInt16LE(1, 22); ext.writeUInt32LE(8000, 24); ext.writeUInt32LE(16000, 28);
  ext.writeUInt16LE(2, 32); ext.writeUInt16LE(16, 34); ext.writeUInt16LE(22, 36); ext.writeUInt16LE(16, 38); ext.writeUInt32LE(4, 40);
  ext.writeUInt16LE(1, 44); Buffer.from([0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71]).copy(ext, 46);
  ext.write('data', 60, 'latin1'); ext.writeUInt32LE(8, 64); out.push(ext);
  return out.map((b) => Uint8Array.from(b));
}

export const target: FuzzTarget = {
  name: 'wav',
  what: 'WAV file bytes into host/io/wav.ts decodeWav',
  maxLen: 2048,
  seeds,
  dictionary: ['RIFF', 'RIFX', 'RF64', 'WAVE', 'fmt ', 'data', 'fact', 'LIST', 'ds64', [0xfe, 0xff], [3, 0], [1, 0], [0xff, 0xff, 0xff, 0xff]],
  coverFiles: ['host/io/wav.ts', 'wavefile'],
  run(x) {
    const a = decodeWav(x, 'fuzz.wav');
    if (a.channels.length !== 1 && a.channels.length !== 2) return `${a.channels.length} channels`;
    if (!(a.frames > 0) || a.channels.some((c) => c.length !== a.frames)) return `frames ${a.frames} vs ${a.channels.map((c) => c.length)}`;
    if (!(a.sampleRate > 0)) return `sample rate ${a.sampleRate}`;
    for (const c of a.channels) for (let i = 0; i < c.length; i++) if (!(Math.abs(c[i]!) <= MAX_SAMPLE)) return `sample ${c[i]}`;
    return { rejected: false };
  },
};
