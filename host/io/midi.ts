// Standard MIDI files -> raw channel-message bytes at absolute seconds, through `midi-file`. The tempo map is built
// from every set-tempo meta event of every track (SMF format 1 convention); SMPTE time division is honoured too.
// midi-file reads past the end of short chunks without complaint, so chunk bounds and field values are checked here.
import midiFile from 'midi-file';
import type { MidiData, MidiEvent, MidiHeader } from 'midi-file';
import { FileFormatError, errorText } from './errors.ts';
import { readInputFile } from './wav.ts';

const { parseMidi } = midiFile;

export interface MidiMessage {
  /** Seconds from the start of the file. */
  time: number;
  tick: number;
  track: number;
  /** One complete channel message (status + data bytes). */
  bytes: number[];
}

/** One constant-tempo stretch: from `tick` on, each tick lasts `secondsPerTick`. */
export interface TempoSegment { tick: number; seconds: number; secondsPerTick: number }

export interface MidiSong {
  messages: MidiMessage[];
  tempoMap: TempoSegment[];
  format: number;
  tracks: number;
  /** Time of the last channel message (0 when there is none). */
  lastMessageTime: number;
  noteOns: number;
  /** Oddities read past (trailing bytes after the last chunk); the CLI prints them as warnings. */
  warnings: string[];
}

export const DEFAULT_TEMPO_US = 500_000; // 120 bpm, the SMF default until the first set-tempo

/**
 * Tempo map from the header's time division and the set-tempo events (absolute ticks, any order). With SMPTE
 * division (framesPerSecond × ticksPerFrame) tempo events are ignored, as the SMF spec says; 29 means 29.97 fps.
 */
export function buildTempoMap(header: MidiHeader, tempos: { tick: number; microsecondsPerBeat: number }[]): TempoSegment[] {
  if (header.ticksPerBeat === undefined) {
    const fps = header.framesPerSecond === 29 ? 30000 / 1001 : (header.framesPerSecond ?? 0);
    const tpf = header.ticksPerFrame ?? 0;
    return [{ tick: 0, seconds: 0, secondsPerTick: 1 / (fps * tpf) }];
  }
  const tpb = header.ticksPerBeat;
  const sorted = tempos.map((t, i) => ({ ...t, i })).sort((a, b) => a.tick - b.tick || a.i - b.i);
  const map: TempoSegment[] = [{ tick: 0, seconds: 0, secondsPerTick: DEFAULT_TEMPO_US / 1e6 / tpb }];
  for (const t of sorted) {
    const last = map[map.length - 1]!;
    const seg = { tick: t.tick, seconds: last.seconds + (t.tick - last.tick) * last.secondsPerTick,
      secondsPerTick: t.microsecondsPerBeat / 1e6 / tpb };
    if (t.tick === last.tick) map[map.length - 1] = { ...seg, seconds: last.seconds }; // later event at same tick wins
    else map.push(seg);
  }
  return map;
}

/** Absolute seconds of an absolute tick under a tempo map. */
export function tickToSeconds(map: TempoSegment[], tick: number): number {
  let seg = map[0]!;
  for (const s of map) {
    if (s.tick > tick) break;
    seg = s;
  }
  return seg.seconds + (tick - seg.tick) * seg.secondsPerTick;
}

function isByte(v: unknown, max = 127): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
}

/** Raw bytes of a channel event, or null for meta/sysex; throws on fields a truncated track leaves undefined. */
function channelBytes(e: MidiEvent, where: string): number[] | null {
  if (!('channel' in e) || e.type === 'channelPrefix') return null;
  const ch = e.channel;
  const bad = (): never => { throw new FileFormatError(`${where}: malformed or truncated ${e.type} event`); };
  if (!isByte(ch, 15)) bad();
  let out: number[];
  switch (e.type) {
    case 'noteOn': out = [0x90 | ch, e.noteNumber, e.velocity]; break;
    case 'noteOff': out = e.byte9 ? [0x90 | ch, e.noteNumber, 0] : [0x80 | ch, e.noteNumber, e.velocity]; break;
    case 'noteAftertouch': out = [0xa0 | ch, e.noteNumber, e.amount]; break;
    case 'controller': out = [0xb0 | ch, e.controllerType, e.value]; break;
    case 'programChange': out = [0xc0 | ch, e.programNumber]; break;
    case 'channelAftertouch': out = [0xd0 | ch, e.amount]; break;
    case 'pitchBend': {
      const v = e.value + 0x2000;
      if (!isByte(v, 0x3fff)) bad();
      out = [0xe0 | ch, v & 0x7f, v >> 7];
      break;
    }
    default: return null;
  }
  for (let i = 1; i < out.length; i++) if (!isByte(out[i])) bad();
  return out;
}

/**
 * Walk a track's events the way midi-file reads them, checking only what it does not: a variable-length number
 * (delta time, meta or SysEx length) is at most 4 bytes. A longer one overflows midi-file's 32-bit arithmetic into
 * a negative length that moves its read position backwards: an endless loop (found by `npm run fuzz`).
 */
function checkTrack(d: Uint8Array, where: string): void {
  let p = 0;
  let running = -1;
  const vlq = (): number => {
    let v = 0;
    for (let k = 0; k < 4; k++) {
      if (p >= d.length) return v;
      const b = d[p++]!;
      v = v * 128 + (b & 0x7f);
      if (!(b & 0x80)) return v;
    }
    throw new FileFormatError(`${where}: malformed MIDI file (a variable-length number longer than 4 bytes at track byte ${p - 4})`);
  };
  while (p < d.length) {
    vlq(); // delta time
    if (p >= d.length) return;
    const t = d[p++]!;
    // (`p += vlq()` would add to p as it was before vlq() moved it)
    if (t === 0xff) { p++; const n = vlq(); p += n; } // meta: type, length, data
    else if (t === 0xf0 || t === 0xf7) { const n = vlq(); p += n; } // SysEx
    else if (t >= 0xf0) return; // midi-file refuses it
    else {
      let status = t;
      if (t < 0x80) {
        if (running < 0) return; // midi-file refuses running status before a status byte
        status = running; // t was the first data byte
      } else { p++; running = t; }
      const type = status >> 4;
      if (type !== 0xc && type !== 0xd) p++; // two data bytes
    }
  }
}

/** A few bytes after the last chunk (some writers pad to an even length or add a stray newline). */
const MAX_TRAILING = 7;

/**
 * Check the chunk layout midi-file trusts blindly: header, and every chunk's length inside the file. Returns the
 * length of the chunks; fewer than 8 bytes after them (too short for a chunk) are ignored with a warning.
 */
function checkChunks(bytes: Uint8Array, name: string, warnings: string[]): number {
  // chunk ids go into messages: anything unprintable is shown as \xNN so an error stays one readable line
  const id = (at: number) => Buffer.from(bytes.subarray(at, at + 4)).toString('latin1')
    .replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  if (bytes.length < 14 || id(0) !== 'MThd') throw new FileFormatError(`${name}: not a MIDI file (no MThd header)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(4) < 6) throw new FileFormatError(`${name}: malformed MIDI file (header chunk too short)`);
  const declared = dv.getUint16(10);
  let at = 0;
  let tracks = 0;
  while (at < bytes.length) {
    if (at + 8 > bytes.length) {
      if (tracks >= declared && bytes.length - at <= MAX_TRAILING) {
        warnings.push(`${name}: ignored ${bytes.length - at} trailing byte(s) after the last chunk`);
        return at;
      }
      throw new FileFormatError(`${name}: truncated MIDI file (partial chunk header at byte ${at})`);
    }
    const len = dv.getUint32(at + 4);
    if (at + 8 + len > bytes.length) {
      throw new FileFormatError(`${name}: truncated MIDI file (chunk "${id(at)}" at byte ${at} declares ${len} bytes, `
        + `only ${bytes.length - at - 8} present)`);
    }
    if (id(at) === 'MTrk') checkTrack(bytes.subarray(at + 8, at + 8 + len), `${name}: track ${++tracks}`);
    at += 8 + len;
  }
  if (tracks < declared) throw new FileFormatError(`${name}: truncated MIDI file (header declares ${declared} tracks, found ${tracks})`);
  return at;
}

export function decodeMidi(bytes: Uint8Array, name = 'MIDI file'): MidiSong {
  const warnings: string[] = [];
  const end = checkChunks(bytes, name, warnings);
  let parsed: MidiData;
  try {
    parsed = parseMidi(bytes.subarray(0, end));
  } catch (e) {
    if (e instanceof FileFormatError) throw e;
    throw new FileFormatError(`${name}: malformed MIDI file (${errorText(e).replace(/\s+/g, ' ')})`);
  }
  const { header } = parsed;
  if (header.ticksPerBeat !== undefined && header.ticksPerBeat <= 0) {
    throw new FileFormatError(`${name}: malformed MIDI file (ticks per beat is 0)`);
  }
  if (header.ticksPerBeat === undefined
    && (![24, 25, 29, 30].includes(header.framesPerSecond ?? 0) || !((header.ticksPerFrame ?? 0) > 0))) {
    throw new FileFormatError(`${name}: malformed MIDI file (SMPTE division ${header.framesPerSecond} fps × ${header.ticksPerFrame})`);
  }

  const tempos: { tick: number; microsecondsPerBeat: number }[] = [];
  const raw: { tick: number; track: number; index: number; bytes: number[] }[] = [];
  parsed.tracks.forEach((events, track) => {
    let tick = 0;
    events.forEach((e, index) => {
      const where = `${name}: track ${track + 1}, event ${index + 1}`;
      if (!Number.isInteger(e.deltaTime) || e.deltaTime < 0) throw new FileFormatError(`${where}: malformed or truncated delta time`);
      tick += e.deltaTime;
      if (e.type === 'setTempo') {
        if (!(e.microsecondsPerBeat > 0)) throw new FileFormatError(`${where}: malformed set-tempo event`);
        tempos.push({ tick, microsecondsPerBeat: e.microsecondsPerBeat });
        return;
      }
      const b = channelBytes(e, where);
      if (b) raw.push({ tick, track, index, bytes: b });
    });
  });
  raw.sort((a, b) => a.tick - b.tick || a.track - b.track || a.index - b.index);
  const tempoMap = buildTempoMap(header, tempos);
  const messages = raw.map((r) => ({ time: tickToSeconds(tempoMap, r.tick), tick: r.tick, track: r.track, bytes: r.bytes }));
  return {
    messages, tempoMap, format: header.format, tracks: parsed.tracks.length,
    lastMessageTime: messages.length ? messages[messages.length - 1]!.time : 0,
    noteOns: messages.filter((m) => (m.bytes[0]! & 0xf0) === 0x90 && m.bytes[2]! > 0).length,
    warnings,
  };
}

export function readMidi(path: string): MidiSong {
  return decodeMidi(readInputFile(path, 'MIDI file'), path);
}
