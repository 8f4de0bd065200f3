// MIDI files for `piwip render --midi`: tick → seconds through the tempo map (tempo changes on another track,
// SMPTE division), channel messages as raw bytes, malformed/truncated files refused, notes reaching the engine.
import { writeFileSync } from 'node:fs';
import midiFile from 'midi-file';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTempoMap, decodeMidi, tickToSeconds } from '../host/io/midi.ts';
import { FileFormatError } from '../host/io/errors.ts';
import { encodeWav } from '../host/io/wav.ts';
import { renderAudio } from '../host/cli/render.ts';
import { ensureWasm, runCli, tempDir, toneBurst } from './cli-helpers.ts';

const tmp = tempDir('midi');
beforeAll(ensureWasm);
afterAll(tmp.cleanup);

const chunk = (id: string, body: number[]) => [...Buffer.from(id, 'latin1'), ...[24, 16, 8, 0].map((s) => (body.length >>> s) & 0xff), ...body];

/**
 * Hand-assembled (not written by midi-file, so the parser is checked against independent bytes): format 1,
 * 480 ticks per beat. Track 1: 120 bpm at 0, 60 bpm from tick 960. Track 2: note on C4 at 0, off at 480,
 * G4 on at 960, off by running-status velocity 0 at 1440, pitch bend centre at 1680.
 */
function tempoChangeFile(): Uint8Array {
  const header = chunk('MThd', [0, 1, 0, 2, 0x01, 0xe0]);
  const conductor = chunk('MTrk', [
    0x00, 0xff, 0x51, 0x03, 0x07, 0xa1, 0x20, // 500000 µs per beat
    0x87, 0x40, 0xff, 0x51, 0x03, 0x0f, 0x42, 0x40, // +960: 1000000 µs per beat
    0x00, 0xff, 0x2f, 0x00,
  ]);
  const notes = chunk('MTrk', [
    0x00, 0x90, 0x3c, 0x64,
    0x83, 0x60, 0x80, 0x3c, 0x40, // +480
    0x83, 0x60, 0x90, 0x43, 0x64, // +480 (tick 960)
    0x83, 0x60, 0x43, 0x00, // +480 running status, velocity 0 (tick 1440)
    0x81, 0x70, 0xe0, 0x00, 0x40, // +240 (tick 1680)
    0x00, 0xff, 0x2f, 0x00,
  ]);
  return Uint8Array.from([...header, ...conductor, ...notes]);
}

describe('tempo map', () => {
  it('converts ticks to seconds across tempo changes', () => {
    const map = buildTempoMap({ format: 1, numTracks: 2, ticksPerBeat: 96 }, [
      { tick: 192, microsecondsPerBeat: 1_000_000 }, { tick: 0, microsecondsPerBeat: 250_000 },
    ]);
    expect(tickToSeconds(map, 0)).toBe(0);
    expect(tickToSeconds(map, 96)).toBeCloseTo(0.25, 12); // 240 bpm
    expect(tickToSeconds(map, 192)).toBeCloseTo(0.5, 12);
    expect(tickToSeconds(map, 240)).toBeCloseTo(1.0, 12); // then 60 bpm: 48 ticks = 0.5 s
  });

  it('uses 120 bpm until the first set-tempo, and the later of two at the same tick', () => {
    const map = buildTempoMap({ format: 1, numTracks: 1, ticksPerBeat: 480 }, [
      { tick: 480, microsecondsPerBeat: 400_000 }, { tick: 480, microsecondsPerBeat: 2_000_000 },
    ]);
    expect(tickToSeconds(map, 480)).toBeCloseTo(0.5, 12);
    expect(tickToSeconds(map, 960)).toBeCloseTo(2.5, 12);
  });

  it('honours SMPTE time division (25 fps × 40 ticks = 1 ms ticks, 29 = 29.97 fps)', () => {
    const map = buildTempoMap({ format: 0, numTracks: 1, framesPerSecond: 25, ticksPerFrame: 40 }, [{ tick: 0, microsecondsPerBeat: 1 }]);
    expect(tickToSeconds(map, 1500)).toBeCloseTo(1.5, 12);
    const ntsc = buildTempoMap({ format: 0, numTracks: 1, framesPerSecond: 29, ticksPerFrame: 1 }, []);
    expect(tickToSeconds(ntsc, 30000)).toBeCloseTo(1001, 9);
  });
});

describe('decodeMidi', () => {
  it('places every channel message of every track at its tempo-mapped time', () => {
    const song = decodeMidi(tempoChangeFile(), 't.mid');
    expect(song.messages.map((m) => m.time)).toEqual([0, 0.5, 1.0, 2.0, 2.5].map((t) => expect.closeTo(t, 12)));
    expect(song.messages.map((m) => m.bytes)).toEqual([
      [0x90, 60, 100], [0x80, 60, 64], [0x90, 67, 100], [0x90, 67, 0], [0xe0, 0x00, 0x40],
    ]);
    expect(song.noteOns).toBe(2);
    expect(song.lastMessageTime).toBeCloseTo(2.5, 12);
  });

  it('reads what midi-file writes, keeping channels and controller/program/aftertouch bytes', () => {
    const bytes = midiFile.writeMidi({
      header: { format: 0, numTracks: 1, ticksPerBeat: 100 },
      tracks: [[
        { deltaTime: 0, type: 'setTempo', microsecondsPerBeat: 250_000 },
        { deltaTime: 0, type: 'controller', channel: 3, controllerType: 7, value: 90 },
        { deltaTime: 50, type: 'programChange', channel: 15, programNumber: 12 },
        { deltaTime: 50, type: 'noteAftertouch', channel: 0, noteNumber: 60, amount: 5 },
        { deltaTime: 100, type: 'channelAftertouch', channel: 1, amount: 9 },
        { deltaTime: 0, type: 'pitchBend', channel: 2, value: -8192 },
        { deltaTime: 0, type: 'endOfTrack' },
      ]],
    });
    const song = decodeMidi(Uint8Array.from(bytes));
    expect(song.messages.map((m) => [m.time, m.bytes])).toEqual([
      [0, [0xb3, 7, 90]], [0.125, [0xcf, 12]], [0.25, [0xa0, 60, 5]], [0.5, [0xd1, 9]], [0.5, [0xe2, 0, 0]],
    ]);
  });

  const bad: [string, () => Uint8Array, RegExp][] = [
    ['not MIDI', () => new TextEncoder().encode('RIFF....WAVEfmt hello'), /not a MIDI file/],
    ['truncated in a track', () => tempoChangeFile().subarray(0, 40), /truncated MIDI file \(chunk "MTrk" at byte 14 declares 19 bytes, only 18 present\)/],
    ['missing track', () => tempoChangeFile().subarray(0, 14 + 27), /header declares 2 tracks, found 1/],
    ['event cut short', () => Uint8Array.from([...chunk('MThd', [0, 0, 0, 1, 0, 96]), ...chunk('MTrk', [0x00, 0x90, 0x3c])]), /malformed or truncated noteOn event/],
    ['garbage event', () => Uint8Array.from([...chunk('MThd', [0, 0, 0, 1, 0, 96]), ...chunk('MTrk', [0x00, 0x3c, 0x40])]), /malformed MIDI file \(Unrecognised MIDI event type/],
    ['zero division', () => Uint8Array.from([...chunk('MThd', [0, 0, 0, 1, 0, 0]), ...chunk('MTrk', [0x00, 0xff, 0x2f, 0x00])]), /ticks per beat is 0/],
  ];
  for (const [label, make, re] of bad) {
    it(`refuses ${label}`, () => {
      expect(() => decodeMidi(make(), 'bad.mid')).toThrow(FileFormatError);
      expect(() => decodeMidi(make(), 'bad.mid')).toThrow(re);
    });
  }
});

describe('render --midi', () => {
  const sr = 16000;

  it('sends the notes at their times, sample-exactly', () => {
    const audio = { sampleRate: sr, channels: [toneBurst(sr, 220, 0.5, 2.5)], frames: 3 * sr, bitDepth: '32f' };
    const song = decodeMidi(tempoChangeFile());
    const seen: [number, number][] = [];
    const r = renderAudio({ audio, midi: song, preset: 1, tail: 0.2, block: 128, onEvent: (frame, e) => seen.push([frame, Math.round(e.time * sr)]) });
    expect(seen.map(([f]) => f)).toEqual([0, 0.5, 1, 2, 2.5].map((t) => t * sr));
    for (const [frame, engineFrame] of seen) expect(engineFrame).toBe(frame); // blocks were split at the event
    expect(r.stats.notesSent).toBe(2);
  });

  it('plays a MIDI file through the CLI, and malformed MIDI exits 1', async () => {
    writeFileSync(tmp.path('in.wav'), encodeWav([toneBurst(sr, 261.63, 0.6, 2.4)], sr, '16'));
    writeFileSync(tmp.path('late.mid'), Uint8Array.from(midiFile.writeMidi({
      header: { format: 0, numTracks: 1, ticksPerBeat: 480 },
      tracks: [[
        { deltaTime: 0, type: 'setTempo', microsecondsPerBeat: 1_000_000 },
        { deltaTime: 960, type: 'noteOn', channel: 4, noteNumber: 67, velocity: 90 }, // 2.0 s: after the take
        { deltaTime: 480, type: 'noteOff', channel: 4, noteNumber: 67, velocity: 0 },
        { deltaTime: 0, type: 'endOfTrack' },
      ]],
    })));
    const ok = await runCli(['render', tmp.path('in.wav'), '--preset', 'sampler', '--midi', tmp.path('late.mid'), '-o', tmp.path('o.wav')]);
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/1 take recorded, 1 note played \(0 by the harmonizer, 1 note-on sent from MIDI\/events\)/);

    writeFileSync(tmp.path('bad.mid'), tempoChangeFile().subarray(0, 50));
    const bad = await runCli(['render', tmp.path('in.wav'), '--preset', 'sampler', '--midi', tmp.path('bad.mid'), '-o', tmp.path('o.wav')]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^piwip render: error: .*bad\.mid: truncated MIDI file/);
    const missing = await runCli(['render', tmp.path('in.wav'), '--midi', tmp.path('nope.mid'), '-o', tmp.path('o.wav')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/MIDI file ".*nope\.mid" not found/);
  });
});
