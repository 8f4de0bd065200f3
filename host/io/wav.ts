// WAV files <-> planar Float32 audio, through `wavefile`. Reads 8/16/24/32-bit int and 32/64-bit float PCM, mono
// or stereo, and refuses what it cannot read faithfully (truncated data, compressed codecs, >2 channels) with a
// one-line FileFormatError. Writes stereo 32-bit float (default) or 16/24-bit int with clipping.
import { readFileSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import wavefile from 'wavefile';
import { FileFormatError, describeErrno, errorText } from './errors.ts';
import { ensureDir } from './files.ts';

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

/**
 * Largest sample magnitude read: the engine treats inputs beyond ±16 (+24 dBFS) as broken and clamps them, so a
 * float file holding such values (1e30, Inf, NaN) is refused here rather than turned into a +24 dBFS spike.
 */
export const MAX_SAMPLE = 16;

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

/** True when `bytes[at..]` is a sequence of well-formed chunks (printable ids, sizes inside the file) up to its end. */
function wholeChunks(bytes: Uint8Array, at: number, le: boolean): boolean {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  while (at < bytes.length) {
    if (at + 8 > bytes.length || !/^[\x20-\x7e]{4}$/.test(ascii(bytes, at, 4))) return false;
    const size = dv.getUint32(at + 4, le);
    at += 8 + size + (size & 1);
  }
  return at === bytes.length || at === bytes.length + 1;
}

/**
 * Streaming writers (a recorder that never seeks back, ffmpeg to a pipe) leave the data size at 0: when what
 * follows a 0-size data chunk is not more chunks, the samples run to the end of the file. null = really empty.
 */
function streamedData(bytes: Uint8Array, bigEndian: boolean): Uint8Array | null {
  if (ascii(bytes, 0, 4) === 'RF64') return null; // RF64 keeps its sizes in ds64; wavefile reads those
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 12;
  while (at + 8 <= bytes.length) {
    const size = dv.getUint32(at + 4, !bigEndian);
    if (ascii(bytes, at, 4) === 'data') {
      if (size !== 0 || at + 8 === bytes.length || wholeChunks(bytes, at + 8, !bigEndian)) return null;
      return bytes.subarray(at + 8);
    }
    at += 8 + size + (size & 1);
  }
  return null;
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
  const bigEndian = wav.container === 'RIFX';
  if (data.chunkSize === 0) {
    const streamed = streamedData(bytes, bigEndian);
    if (streamed) data.samples = streamed.subarray(0, streamed.length - (streamed.length % frameBytes));
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
  const channels = unpackSamples(data.samples, depth, fmt.numChannels, frames, bigEndian);
  channels.forEach((c, ch) => {
    for (let i = 0; i < frames; i++) {
      const v = c[i]!;
      if (!Number.isFinite(v)) throw new FileFormatError(`${name}: WAV sample ${i} of channel ${ch + 1} is not a finite number`);
      if (Math.abs(v) > MAX_SAMPLE) {
        throw new FileFormatError(`${name}: WAV sample ${i} of channel ${ch + 1} is ${v.toPrecision(3)}, beyond ±${MAX_SAMPLE} (+24 dBFS): not audio`);
      }
    }
  });
  return { sampleRate: fmt.sampleRate, channels, frames, bitDepth: depth };
}

export function readWav(path: string): WavAudio {
  return decodeWav(readInputFile(path, 'input WAV'), path);
}

/** Bytes per sample of an output format. */
function sampleBytes(bits: OutputBits | '8' | '32'): number { return bits === '32f' ? 4 : Number(bits) / 8; }

/** The largest data chunk a RIFF WAV can declare (its sizes are 32-bit). */
export const MAX_WAV_DATA_BYTES = 0xffffffff - 64;

/** Bytes of the data chunk for `frames` frames of `nch` channels. */
export function wavDataBytes(frames: number, nch: number, bits: OutputBits | '8' | '32'): number {
  return frames * nch * sampleBytes(bits);
}

/**
 * Everything before the samples of a little-endian RIFF WAV holding `frames` frames: wavefile writes the container
 * (fmt, fact for float), and the RIFF and data sizes are set for the samples that will follow, so the header can go
 * out first (streamed renders, pipes).
 */
export function wavHeader(nch: number, sampleRate: number, bits: OutputBits | '8' | '32', frames: number): Uint8Array {
  const dataBytes = wavDataBytes(frames, nch, bits);
  if (dataBytes > MAX_WAV_DATA_BYTES) throw new RangeError(`${dataBytes} bytes of samples do not fit in a WAV file (at most 4 GiB)`);
  const wav = new WaveFile();
  wav.fromScratch(nch, sampleRate, bits, new Float64Array(0));
  const fact = wav.fact as { chunkId?: string; dwSampleLength?: number };
  if (fact.chunkId) fact.dwSampleLength = frames;
  const head = Buffer.from(wav.toBuffer());
  if (ascii(head, head.length - 8, 4) !== 'data') throw new Error('wavefile header does not end with the data chunk');
  head.writeUInt32LE(head.length - 8 + dataBytes, 4); // no pad byte after odd data (as before; outputs are stereo)
  head.writeUInt32LE(dataBytes, head.length - 4);
  return head;
}

/**
 * Planar frames [from, from + n) as interleaved samples into `out` (8/16/24/32-bit int or 32-bit float LE).
 * Integers: scale 2^(bits-1), round, clip -- the inverse of decodeWav's scaling.
 */
export function packFrames(channels: readonly Float32Array[], bits: OutputBits | '8' | '32', from: number, n: number, out: Uint8Array): number {
  const nch = channels.length;
  const size = sampleBytes(bits);
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const full = bits === '32f' ? 1 : 2 ** (Number(bits) - 1);
  const q = (x: number) => { const v = Math.round(x * full); return v > full - 1 ? full - 1 : v < -full ? -full : v; };
  let at = 0;
  for (let i = from; i < from + n; i++) {
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
  return at;
}

/** Encode planar channels (all the same length) as a little-endian RIFF WAV: 8/16/24/32-bit int or 32-bit float. */
export function encodeWav(channels: Float32Array[], sampleRate: number, bits: OutputBits | '8' | '32' = '32f'): Uint8Array {
  const frames = channels[0]?.length ?? 0;
  const head = wavHeader(channels.length, sampleRate, bits, frames);
  const dataBytes = wavDataBytes(frames, channels.length, bits);
  const bytes = new Uint8Array(head.length + dataBytes);
  bytes.set(head);
  packFrames(channels, bits, 0, frames, bytes.subarray(head.length));
  return bytes;
}

function writeAll(fd: number, bytes: Uint8Array, name: string): void {
  let at = 0;
  try {
    while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
  } catch (e) {
    throw new FileFormatError(`cannot write "${name}": ${describeErrno(e)}`);
  }
}

/**
 * A WAV written as it is rendered: the header first (the length is known up front), then blocks of frames through
 * a fixed buffer, so a 10-minute render never holds its output in memory. `finish()` checks the count.
 */
export class WavWriter {
  private readonly buf: Uint8Array;
  private fill = 0;
  private written = 0;
  private readonly frameBytes: number;

  constructor(private readonly fd: number, private readonly name: string, readonly channels: number, sampleRate: number,
    private readonly bits: OutputBits, readonly frames: number, chunkFrames = 16384) {
    this.frameBytes = channels * sampleBytes(bits);
    this.buf = new Uint8Array(chunkFrames * this.frameBytes);
    writeAll(fd, wavHeader(channels, sampleRate, bits, frames), name);
  }

  /** Append planar frames (every channel the same length). */
  write(planar: readonly Float32Array[]): void {
    const n = planar[0]?.length ?? 0;
    if (this.written + n > this.frames) throw new RangeError(`WavWriter: more frames than the ${this.frames} declared`);
    let from = 0;
    while (from < n) {
      const room = (this.buf.length - this.fill) / this.frameBytes;
      const k = Math.min(room, n - from);
      this.fill += packFrames(planar, this.bits, from, k, this.buf.subarray(this.fill));
      from += k;
      if (this.fill === this.buf.length) this.flush();
    }
    this.written += n;
  }

  finish(): void {
    this.flush();
    if (this.written !== this.frames) throw new RangeError(`WavWriter: ${this.written} frames written, ${this.frames} declared`);
  }

  private flush(): void {
    if (this.fill) writeAll(this.fd, this.buf.subarray(0, this.fill), this.name);
    this.fill = 0;
  }
}

export function writeWav(path: string, channels: Float32Array[], sampleRate: number, bits: OutputBits = '32f'): number {
  const bytes = encodeWav(channels, sampleRate, bits);
  ensureDir(dirname(path), `"${path}"`);
  try {
    writeFileSync(path, bytes);
  } catch (e) {
    throw new FileFormatError(`cannot write "${path}": ${errorText(e)}`);
  }
  return bytes.length;
}
