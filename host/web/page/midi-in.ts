// MIDI into the engine: Web MIDI inputs (a picker: all inputs or one) passed through as raw bytes — notes and
// clock; the engine's own parser filters the channel (its `midi channel` param) — and the computer keyboard as a
// small MIDI keyboard (a w s e d f t g y h u j k = one octave from C, z/x = octave down/up, velocity 100).
import type { EngineFace } from '../../face/face.ts';
import { isTyping } from './controls.ts';

const PIANO = 'awsedftgyhujk';

export interface MidiPicker { select: HTMLSelectElement; status: HTMLElement }

export async function attachWebMidi(face: EngineFace, ui: MidiPicker, onBytes?: (b: Uint8Array) => void): Promise<void> {
  if (!('requestMIDIAccess' in navigator)) { ui.status.textContent = 'this browser has no Web MIDI'; return; }
  let access: MIDIAccess;
  try { access = await navigator.requestMIDIAccess({ sysex: false }); } catch (e) {
    ui.status.textContent = `no MIDI access: ${(e as Error).message}`;
    return;
  }
  const handler = (e: MIDIMessageEvent) => { if (e.data) { face.midi(e.data); onBytes?.(e.data); } };
  const wire = () => {
    const want = ui.select.value;
    for (const inp of access.inputs.values()) inp.onmidimessage = want === 'all' || want === inp.id ? handler : null;
  };
  const list = () => {
    const keep = ui.select.value || 'all';
    ui.select.replaceChildren(new Option('all inputs', 'all'), new Option('none', 'none'));
    for (const inp of access.inputs.values()) ui.select.append(new Option(inp.name ?? inp.id, inp.id));
    ui.select.value = [...ui.select.options].some((o) => o.value === keep) ? keep : 'all';
    ui.status.textContent = `${access.inputs.size} MIDI input${access.inputs.size === 1 ? '' : 's'}`;
    wire();
  };
  ui.select.addEventListener('change', wire);
  access.onstatechange = list;
  list();
}

export function attachComputerKeyboard(face: EngineFace, octaveOut: HTMLElement): void {
  let octave = 5; // C of octave 5 in MIDI numbering = note 60
  const down = new Map<string, number>();
  const show = () => { octaveOut.textContent = `C${octave - 1} (note ${octave * 12})`; };
  show();
  window.addEventListener('keydown', (e) => {
    if (isTyping(e) || e.repeat) return;
    const k = e.key.toLowerCase();
    if (k === 'z' || k === 'x') { octave = Math.max(0, Math.min(9, octave + (k === 'z' ? -1 : 1))); show(); return; }
    const i = PIANO.indexOf(k);
    if (i < 0 || down.has(k)) return;
    const note = Math.min(127, octave * 12 + i);
    down.set(k, note);
    face.midi([0x90, note, 100]);
  });
  window.addEventListener('keyup', (e) => {
    const k = e.key.toLowerCase();
    const note = down.get(k);
    if (note === undefined) return;
    down.delete(k);
    face.midi([0x80, note, 0]);
  });
}
