// WAV files <-> planar Float32 audio, through `wavefile`. Reads 8/16/24/32-bit int and 32/64-bit float PCM, mono
// or stereo, and refuses what it cannot read faithfully (truncated data, compressed codecs, >2 channels) with a
// one-line FileFormatError. Writes stereo 32-bit float (default) or 16/24-bit int with clipping.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import wavefile from 'wavefile';
import { FileFormatError, errorText } from './errors.ts';

const { WaveFile } = wavefile;

export interface WavAudio {
  sampleRate: number;
  /** One Float32Array per channel (1 or 2), full scale ±1. */
  channels: Float32Array[];
  frames: number;
  /** wavefile's bit-depth code: '8', '16', '24', '32', '32f', '64'. */
  bitDepth: string;
}

export type OutputBits = '16' | '24' | '32f';
export const OUTPUT_BITS: readonly OutputBits[] = ['16', '24', '32f'];

const INT_DEPTHS = new Set(['8', '16', '24', '32']);
const FLOAT_DEPTHS = new Set(['32f', '64']);
/** Data chunk sizes at or above this mean "length unknown" (streamed writers), so truncation cannot be judged. */
const STREAMED_SIZE = 0x7ffffff0;

/** Read a file's bytes, turning fs errors into one-line messages. */
export function readInputFile(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new FileFormatError(`${what} "${path}" not found`);
    if (code === 'EISDIR') throw new FileFormatError(`${what} "${path}" is a directory`);
    if (code === 'EACCES') throw new FileFormatError(`${what} "${path}" is not readable (permission denied)`);
    throw new FileFormatError(`cannot read ${what} "${path}": ${errorText(e)}`);
  }
}

function ascii(bytes: Uint8Array, at: number, n: number): string {
  return Buffer.from(bytes.subarray(at, at + n)).toString('latin1');
}

/** Interleaved PCM bytes -> planar Float32 at full scale ±1 (ints scaled by 2^(bits-1), 8-bit is unsigned). */
function unpackSamples(bytes: Uint8Array, depth: string, nch: number, frames: number, bigEndian: boolean): Float32Array[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = !bigEndian;
  const channels = Array.from({ length: nch }, () => new Float32Array(frames));
  const read: (at: number) => number = depth === '8' ? (at) => (dv.getUint8(at) - 128) / 128
    : depth === '16' ? (at) => dv.getInt16(at, le) / 32768
      : depth === '24' ? (at) => {
        const b0 = dv.getUint8(at), b1 = dv.getUint8(at + 1), b2 = dv.getUint8(at + 2);
        const v = le ? b0 | (b1 << 8) | (b2 << 16) : b2 | (b1 << 8) | (b0 << 16);
        return ((v << 8) >> 8) / 8388608;
      }
        : depth === '32' ? (at) => dv.getInt32(at, le) / 2147483648
          : depth === '32f' ? (at) => dv.getFloat32(at, le)
            : (at) => dv.getFloat64(at, le);
  const size = depth === '32f' ? 4 : depth === '64' ? 8 : Number(depth) / 8;
  let at = 0;
  for (let i = 0; i < frames; i++) {
    for (let ch = 0; ch < nch; ch++) {
      channels[ch]![i] = read(at);
      at += size;
    }
  }
  return channels;
}

/** Decode WAV bytes; `name` is used in error messages. */
export function decodeWav(bytes: Uint8Array, name = 'input'): WavAudio {
  const riff = bytes.length >= 12 ? ascii(bytes, 0, 4) : '';
  if (!['RIFF', 'RIFX', 'RF64'].includes(riff) || ascii(bytes, 8, 4) !== 'WAVE') {
    throw new FileFormatError(`${name}: not a WAV file (no RIFF/WAVE header)`);
  }
  const wav = new WaveFile();
  try {
    wav.fromBuffer(bytes);
  } catch (e) {
    throw new FileFormatError(`${name}: malformed WAV (${errorText(e).replace(/\.$/, '')})`);
  }
  const fmt = wav.fmt as { numChannels: number; sampleRate: number; blockAlign: number; audioFormat: number };
  const data = wav.data as { chunkSize: number; samples: Uint8Array };
  const depth = wav.bitDepth;
  if (!INT_DEPTHS.has(depth) && !FLOAT_DEPTHS.has(depth)) {
    throw new FileFormatError(`${name}: unsupported WAV encoding (format ${fmt.audioFormat}, bit depth "${depth}"); `
      + 'use 8/16/24/32-bit integer or 32-bit float PCM');
  }
  if (fmt.numChannels !== 1 && fmt.numChannels !== 2) {
    throw new FileFormatError(`${name}: ${fmt.numChannels} channels; only mono or stereo WAV files are supported`);
  }
  if (!(fmt.sampleRate > 0)) throw new FileFormatError(`${name}: malformed WAV (sample rate ${fmt.sampleRate})`);
  const frameBytes = fmt.numChannels * (depth === '32f' ? 4 : depth === '64' ? 8 : Number(depth) / 8);
  if (fmt.blockAlign !== frameBytes) {
    throw new FileFormatError(`${name}: malformed WAV (block align ${fmt.blockAlign}, expected ${frameBytes})`);
  }
  const have = data.samples.length;
  if (data.chunkSize < STREAMED_SIZE && have < data.chunkSize) {
    throw new FileFormatError(`${name}: truncated WAV (data chunk declares ${data.chunkSize} bytes, only ${have} present)`);
  }
  if (have % frameBytes !== 0) {
    throw new FileFormatError(`${name}: truncated WAV (data is ${have} bytes, not a whole number of ${frameBytes}-byte frames)`);
  }
  const frames = have / frameBytes;
  if (frames === 0) throw new FileFormatError(`${name}: WAV contains no audio frames`);

  // wavefile's generic unpacker is slow (about 0.6 s per 10 s of stereo float), so samples are read directly.
  const bigEndian = wav.container === 'RIFX';
  const channels = unpackSamples(data.samples, depth, fmt.numChannels, frames, bigEndian);
  channels.forEach((c, ch) => {
    for (let i = 0; i < frames; i++) {
      if (!Number.isFinite(c[i]!)) throw new FileFormatError(`${name}: WAV sample ${i} of channel ${ch + 1} is not a finite number`);
    }
  });
  return { sampleRate: fmt.sampleRate, channels, frames, bitDepth: depth };
}

export function readWav(path: string): WavAudio {
  return decodeWav(readInputFile(path, 'input WAV'), path);
}

/** Encode planar channels (all the same length) as a little-endian RIFF WAV: 8/16/24/32-bit int or 32-bit float. */
export function encodeWav(channels: Float32Array[], sampleRate: number, bits: OutputBits | '8' | '32' = '32f'): Uint8Array {
  const frames = channels[0]?.length ?? 0;
  const nch = channels.length;
  const size = bits === '32f' ? 4 : Number(bits) / 8;
  const bytes = new Uint8Array(frames * nch * size);
  const dv = new DataView(bytes.buffer);
  // Integers: scale 2^(bits-1), round, clip -- the inverse of decodeWav's scaling.
  const full = bits === '32f' ? 1 : 2 ** (Number(bits) - 1);
  const q = (x: number) => { const v = Math.round(x * full); return v > full - 1 ? full - 1 : v < -full ? -full : v; };
  let at = 0;
  for (let i = 0; i < frames; i++) {
    for (let ch = 0; ch < nch; ch++) {
      const x = channels[ch]![i]!;
      if (bits === '32f') dv.setFloat32(at, x, true);
      else if (bits === '16') dv.setInt16(at, q(x), true);
      else if (bits === '8') dv.setUint8(at, q(x) + 128);
      else if (bits === '32') dv.setInt32(at, q(x), true);
      else { const v = q(x); dv.setUint8(at, v & 0xff); dv.setUint8(at + 1, (v >> 8) & 0xff); dv.setUint8(at + 2, (v >> 16) & 0xff); }
      at += size;
    }
  }
  // wavefile writes the container (fmt, fact for float); its own sample packer is far too slow, so the data
  // chunk gets the bytes packed above.
  const wav = new WaveFile();
  wav.fromScratch(nch, sampleRate, bits, new Float64Array(0));
  const data = wav.data as { chunkSize: number; samples: Uint8Array };
  data.samples = bytes;
  data.chunkSize = bytes.length;
  const fact = wav.fact as { chunkId?: string; dwSampleLength?: number };
  if (fact.chunkId) fact.dwSampleLength = frames;
  return wav.toBuffer();
}

export function writeWav(path: string, channels: Float32Array[], sampleRate: number, bits: OutputBits = '32f'): number {
  const bytes = encodeWav(channels, sampleRate, bits);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
  } catch (e) {
    throw new FileFormatError(`cannot write "${path}": ${errorText(e)}`);
  }
  return bytes.length;
}
