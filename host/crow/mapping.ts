// What the module plays → crow CV, as text for crow (the same mapping as norns/piwip-module/lib/crow.lua does
// through norns' crow API):
//   out 1  the note being played (TELEMETRY voices: harmonizer / MIDI / ensemble) or the detected input pitch,
//          1 V/oct: (note − 60) / 12
//   out 2  a gate (5 V while the note sounds; a new note drops it for a new edge) or an AR envelope per note
//   out 3/4  optionally the second sounding voice
//   in 1   a rising edge (crow `change` event) arms recording (K2) or forces it (K3)
import type { Telemetry } from '../link/messages.ts';
import { crowNumber } from './protocol.ts';

export interface CrowMapOptions {
  out1: 'off' | 'note' | 'pitch';
  out2: 'off' | 'gate' | 'ar';
  second: boolean;
  in1: 'off' | 'arm' | 'force';
  attack: number;
  release: number;
}
export const DEFAULT_CROW_MAP: CrowMapOptions = { out1: 'note', out2: 'gate', second: false, in1: 'arm', attack: 0.01, release: 0.5 };
export const GATE_VOLTS = 5;

export const noteVolts = (note: number) => (note - 60) / 12;
export const hzNote = (hz: number) => 69 + 12 * Math.log2(hz / 440);

export class CrowMapper {
  private notes = [0, 0];
  constructor(readonly o: CrowMapOptions = DEFAULT_CROW_MAP) {}

  /** Lines that set crow up: envelopes for AR, the input mode for in 1. */
  setup(): string[] {
    this.notes = [0, 0];
    const out: string[] = [];
    if (this.o.out2 === 'ar') {
      for (const n of [2, 4]) out.push(`output[${n}].action=ar(${crowNumber(this.o.attack)},${crowNumber(this.o.release)},${GATE_VOLTS})`);
    }
    // crow's default input handler sends ^^change(ch, state) (crow lua/input.lua:30)
    out.push(this.o.in1 === 'off' ? "input[1].mode('none')" : "input[1].mode('change',1,0.1,'rising')");
    return out;
  }

  private voice(i: number, note: number, pitchOut: number, gateOut: number, out: string[]): void {
    const was = this.notes[i]!;
    if (note === was) return;
    this.notes[i] = note;
    if (note > 0) {
      out.push(`output[${pitchOut}].volts=${crowNumber(noteVolts(note))}`);
      if (this.o.out2 === 'gate') {
        if (was > 0) out.push(`output[${gateOut}].volts=0`);
        out.push(`output[${gateOut}].volts=${GATE_VOLTS}`);
      } else if (this.o.out2 === 'ar') out.push(`output[${gateOut}]()`);
    } else if (this.o.out2 === 'gate' && was > 0) out.push(`output[${gateOut}].volts=0`);
  }

  /** Lines for one TELEMETRY: only what changed. */
  telemetry(t: Telemetry): string[] {
    const out: string[] = [];
    if (this.o.out1 === 'off') return out;
    const notes = t.voices.filter((v) => v.note > 0).map((v) => v.note);
    if (this.o.out1 === 'pitch') {
      const n = t.pitchHz > 0 ? Math.round(hzNote(t.pitchHz) * 100) / 100 : 0;
      this.voice(0, n, 1, 2, out);
    } else this.voice(0, notes[0] ?? 0, 1, 2, out);
    if (this.o.second) this.voice(1, notes[1] ?? 0, 3, 4, out);
    return out;
  }

  /** A crow event → the module key to press (2 arm, 3 force), or 0. */
  key(ev: { name: string; args: (number | string)[] }): number {
    if (ev.name !== 'change' || ev.args[0] !== 1 || Number(ev.args[1]) !== 1 || this.o.in1 === 'off') return 0;
    return this.o.in1 === 'arm' ? 2 : 3;
  }
}
