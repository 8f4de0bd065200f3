import { MidiParser, MidiEv } from "../piwip/midi_parser";

function feedAll(p: MidiParser, bytes: i32[], events: i32[]): void {
  for (let i = 0; i < bytes.length; i++) {
    const ev = p.feed(bytes[i]);
    if (ev == MidiEv.CC) { events.push(<i32>ev); events.push(p.control); events.push(p.value); }
    else if (ev != MidiEv.NONE) { events.push(<i32>ev); events.push(p.note); events.push(p.velocity); }
  }
}

describe("MidiParser", () => {
  it("decodes note on/off and velocity-0 note on as off", () => {
    const p = new MidiParser();
    const ev: i32[] = [];
    feedAll(p, [0x90, 60, 100, 0x80, 60, 64, 0x91, 62, 0], ev);
    expect<i32[]>(ev).toStrictEqual([1, 60, 100, 2, 60, 64, 2, 62, 0]);
  });

  it("honours running status", () => {
    const p = new MidiParser();
    const ev: i32[] = [];
    feedAll(p, [0x90, 60, 100, 62, 90, 60, 0], ev);
    expect<i32[]>(ev).toStrictEqual([1, 60, 100, 1, 62, 90, 2, 60, 0]);
  });

  it("passes realtime bytes through anywhere without breaking the message", () => {
    const p = new MidiParser();
    const ev: i32[] = [];
    feedAll(p, [0x90, 0xf8, 60, 0xfa, 100, 0xfc], ev);
    expect<i32>(ev.length).toBe(12);
    expect<i32>(ev[0]).toBe(<i32>MidiEv.CLOCK);
    expect<i32>(ev[3]).toBe(<i32>MidiEv.START);
    expect<i32>(ev[6]).toBe(<i32>MidiEv.NOTE_ON);
    expect<i32>(ev[7]).toBe(60);
    expect<i32>(ev[9]).toBe(<i32>MidiEv.STOP);
  });

  it("skips SysEx and system common data, ignores stray data bytes and the channel messages it does not use", () => {
    const p = new MidiParser();
    const ev: i32[] = [];
    feedAll(p, [60, 100, 0xf0, 0x7e, 1, 2, 0xf7, 0xf2, 3, 4, 0xf0, 5, 0x90, 60, 0xb0, 7, 100, 0xc0, 5, 0xe0, 0, 64, 0x90, 64, 1], ev);
    expect<i32[]>(ev).toStrictEqual([7, 7, 100, 1, 64, 1]); // the CC (B0 07 64) is the map's; C0 / E0 are dropped
  });

  it("decodes control changes with their channel, under running status and with realtime bytes inside", () => {
    const p = new MidiParser();
    const ev: i32[] = [];
    feedAll(p, [0xb3, 21, 0, 22, 0xf8, 127, 21, 64], ev);
    // the clock byte (F8) between CC 22's two bytes is reported on its own (note/velocity untouched: 0 0)
    expect<i32[]>(ev).toStrictEqual([7, 21, 0, 3, 0, 0, 7, 22, 127, 7, 21, 64]);
    expect<i32>(p.channel).toBe(4);
  });

  it("a status byte ends an unterminated SysEx and is decoded", () => {
    const p = new MidiParser();
    const ev: i32[] = [];
    feedAll(p, [0xf0, 1, 2, 0x90, 61, 70], ev);
    expect<i32[]>(ev).toStrictEqual([1, 61, 70]);
  });

  it("never throws on every byte value in any order", () => {
    const p = new MidiParser();
    let x: u32 = 1;
    for (let i = 0; i < 100000; i++) {
      x = x * 1664525 + 1013904223;
      p.feed(<i32>(x >>> 24));
    }
    expect<bool>(true).toBe(true);
  });
});
