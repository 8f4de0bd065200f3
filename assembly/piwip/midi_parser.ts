// Raw MIDI byte stream → events, one parser for every host: running status, realtime bytes (F8-FF) anywhere,
// control changes (for the MIDI map, pmap.ts), SysEx and system common skipped, stray data bytes ignored. Never traps
// on any byte sequence.

export const enum MidiEv { NONE = 0, NOTE_ON = 1, NOTE_OFF = 2, CLOCK = 3, START = 4, CONTINUE = 5, STOP = 6, CC = 7 }

export class MidiParser {
  // last event decoded by feed()
  ev: MidiEv = MidiEv.NONE;
  channel: i32 = 0; // 1..16
  note: i32 = 0;
  velocity: i32 = 0;
  control: i32 = 0; // CC: controller number 0..127 (channel mode messages 120..127 included, as norns passes them)
  value: i32 = 0; // CC: value 0..127

  private status: i32 = 0; // running status (channel voice messages only); 0 = none
  private need: i32 = 0; // data bytes the current status takes
  private have: i32 = 0;
  private d0: i32 = 0;
  private inSysex: bool = false;
  private skip: i32 = 0; // data bytes of a system common message still to drop

  reset(): void {
    this.status = 0; this.need = 0; this.have = 0; this.inSysex = false; this.skip = 0; this.ev = MidiEv.NONE;
  }

  /** Feed one byte; returns the event it completes (also left in ev/channel/note/velocity), or NONE. */
  feed(b: i32): MidiEv {
    b &= 0xff;
    this.ev = MidiEv.NONE;
    if (b >= 0xf8) { // realtime: may sit between any two bytes, even inside SysEx; does not touch running status
      if (b == 0xf8) this.ev = MidiEv.CLOCK;
      else if (b == 0xfa) this.ev = MidiEv.START;
      else if (b == 0xfb) this.ev = MidiEv.CONTINUE;
      else if (b == 0xfc) this.ev = MidiEv.STOP;
      return this.ev;
    }
    if (b >= 0x80) {
      this.inSysex = false;
      this.skip = 0;
      if (b >= 0xf0) { // system common cancels running status
        this.status = 0;
        if (b == 0xf0) this.inSysex = true;
        else if (b == 0xf1 || b == 0xf3) this.skip = 1;
        else if (b == 0xf2) this.skip = 2;
        return MidiEv.NONE;
      }
      this.status = b;
      this.have = 0;
      const hi = b & 0xf0;
      this.need = (hi == 0xc0 || hi == 0xd0) ? 1 : 2;
      return MidiEv.NONE;
    }
    // data byte
    if (this.inSysex) return MidiEv.NONE;
    if (this.skip > 0) { this.skip--; return MidiEv.NONE; }
    if (this.status == 0) return MidiEv.NONE; // stray data byte
    if (this.have == 0) {
      this.d0 = b;
      this.have = 1;
      if (this.need == 1) { this.have = 0; } // program change / channel pressure: ignored
      return MidiEv.NONE;
    }
    this.have = 0; // message complete; running status keeps `status`
    const hi = this.status & 0xf0;
    this.channel = (this.status & 0x0f) + 1;
    if (hi == 0x90 || hi == 0x80) {
      this.note = this.d0;
      this.velocity = b;
      this.ev = (hi == 0x90 && b > 0) ? MidiEv.NOTE_ON : MidiEv.NOTE_OFF;
    } else if (hi == 0xb0) {
      this.control = this.d0;
      this.value = b;
      this.ev = MidiEv.CC;
    }
    return this.ev;
  }
}
