// `piwip play`: the engine live in Node — node-web-audio-api's default input (or a looped WAV) → the same
// AudioWorklet as the web app → the default output — with the terminal face (host/tui/), MIDI input ports through
// @julusian/midi, and the menu's PSET slots as norns files in --pset-dir.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { DEFAULT_WASM } from '../engine/engine.ts';
import type { EngineFace } from '../face/face.ts';
import { slotName } from '../io/pset.ts';
import { readWav } from '../io/wav.ts';
import { detectMode, type ScreenMode } from '../tui/screen.ts';
import { TerminalFace } from '../tui/terminal-face.ts';
import { writeWorklet } from '../web/bundle.ts';
import { LocalFace } from '../web/local-face.ts';
import { AppError, UsageError, parseArgs, type CliIO } from './io.ts';

export const PLAY_HELP = `usage: piwip play [--midi-in NAME|all|none] [--in file.wav] [--out default|none] [--screen truecolor|plain]
                  [--pset-dir DIR]

Runs the engine live: the default audio input (or --in, a WAV looped as the input) goes through the engine to the
default output. The norns screen is drawn in the terminal; the keyboard plays the keys and encoders:
  1 2 3      tap K1 K2 K3 (a short K1 opens/closes the params menu; K2 arms, K3 records/stops)
  ! @ #      hold / release K1 K2 K3 (K1 held = shift: K1+K2 monitor, K1+E2 jumps; K3 held = fine steps)
  [ ]        E1 (or Page Up / Page Down)      up down  E2      left right  E3
  a w s e d f t g y h u j k   toggle MIDI notes C..C (z x: octave down / up), space: all notes off
  q          quit (Ctrl-C too); the terminal is restored
Options:
  --midi-in NAME|all|none  MIDI input ports to follow (notes and clock): a port whose name contains NAME, every
                           port (default), or none
  --in file.wav            use a WAV file, looped, instead of the default input
  --out default|none       audio output: the default device, or none (a real-time clock without a device)
  --screen truecolor|plain screen drawing (default: truecolor when COLORTERM says so, else plain half blocks)
  --pset-dir DIR           where the menu's PSET page saves/loads piwip-NN.pset (default ./psets)
`;

export async function runPlay(argv: string[], io: CliIO): Promise<number> {
  const a = parseArgs(argv, {
    'midi-in': { value: true }, in: { value: true }, out: { value: true }, screen: { value: true }, 'pset-dir': { value: true },
    help: { value: false, alias: 'h' },
  });
  if (a.flags.has('help')) { io.out.write(PLAY_HELP); return 0; }
  if (a.positional.length) throw new UsageError(`unexpected argument "${a.positional[0]}"`);
  const out = a.values.get('out')?.[0] ?? 'default';
  if (out !== 'default' && out !== 'none') throw new UsageError(`--out must be default or none, got "${out}"`);
  const screenOpt = a.values.get('screen')?.[0];
  if (screenOpt !== undefined && screenOpt !== 'truecolor' && screenOpt !== 'plain') throw new UsageError(`--screen must be truecolor or plain, got "${screenOpt}"`);
  const mode: ScreenMode = (screenOpt as ScreenMode | undefined) ?? detectMode(process.env);
  const inFile = a.values.get('in')?.[0];
  const wav = inFile !== undefined ? readWav(inFile) : null; // bad files fail here with one line, before the terminal changes
  if (!process.stdin.isTTY) throw new AppError('piwip play needs a terminal (stdin is not a TTY)');
  if (!existsSync(DEFAULT_WASM)) throw new AppError(`${DEFAULT_WASM} is missing: run npm run build`);

  const wa = await import('node-web-audio-api');
  let ctx: AudioContext;
  try {
    ctx = new wa.AudioContext({ latencyHint: 'interactive', ...(out === 'none' ? { sinkId: { type: 'none' } } : {}) } as AudioContextOptions) as unknown as AudioContext;
  } catch (e) { throw new AppError(`no audio output: ${(e as Error).message} (try --out none)`); }
  const tmp = mkdtempSync(join(tmpdir(), 'piwip-play-'));
  try {
    const wasm = readFileSync(DEFAULT_WASM);
    const face = await LocalFace.create(ctx, wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer,
      await writeWorklet(tmp), {}, wa.AudioWorkletNode as unknown as typeof AudioWorkletNode);
    face.node.connect(ctx.destination);
    let source = 'no input';
    if (wav) {
      const buf = ctx.createBuffer(wav.channels.length, wav.frames, wav.sampleRate);
      wav.channels.forEach((c, i) => buf.copyToChannel(c as Float32Array<ArrayBuffer>, i));
      const src = ctx.createBufferSource();
      src.buffer = buf; src.loop = true; src.connect(face.node); src.start();
      source = `${basename(inFile!)} (looped)`;
    } else {
      try {
        const stream = await (wa as unknown as { mediaDevices: MediaDevices }).mediaDevices.getUserMedia({ audio: true });
        ctx.createMediaStreamSource(stream as unknown as MediaStream).connect(face.node);
        source = 'default input';
      } catch (e) { source = `no input (${(e as Error).message.split('\n')[0]})`; }
    }
    const midi = openMidi(face, a.values.get('midi-in')?.[0] ?? 'all');
    const psetDir = a.values.get('pset-dir')?.[0] ?? 'psets';
    servePsets(face, psetDir);
    const tf = new TerminalFace(face, { input: process.stdin, output: process.stdout, mode, extra: () => `| ${source} | MIDI ${midi.status}` });
    await tf.run();
    midi.close();
    await ctx.close();
    io.out.write('piwip play: stopped\n');
    return 0;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export interface MidiPorts { status: string; close(): void }

/** Open the MIDI input ports that match; a machine without a MIDI system (no ALSA sequencer) plays on without. */
export function openMidi(face: Pick<EngineFace, "midi">, want: string): MidiPorts {
  if (want === 'none') return { status: 'off', close() {} };
  let midi: typeof import('@julusian/midi');
  const opened: { closePort(): void }[] = [];
  try {
    midi = createRequire(import.meta.url)('@julusian/midi') as typeof import('@julusian/midi');
    const probe = new midi.Input();
    const names: string[] = [];
    for (let i = 0; i < probe.getPortCount(); i++) names.push(probe.getPortName(i));
    probe.closePort();
    const pick = names.map((n, i) => [n, i] as const).filter(([n]) => want === 'all' || n.toLowerCase().includes(want.toLowerCase()));
    if (want !== 'all' && !pick.length) throw new AppError(`no MIDI input port matches "${want}" (ports: ${names.join(', ') || 'none'})`);
    for (const [, i] of pick) {
      const inp = new midi.Input();
      inp.ignoreTypes(true, false, true); // keep clock (timing) messages; skip SysEx and active sensing
      inp.on('message', (_dt: number, bytes: number[]) => face.midi(bytes));
      inp.openPort(i);
      opened.push(inp);
    }
    return { status: pick.length ? pick.map(([n]) => n).join(', ') : 'no ports', close: () => { for (const p of opened) p.closePort(); } };
  } catch (e) {
    if (e instanceof AppError) throw e;
    return { status: `unavailable (${(e as Error).message.split('\n')[0]?.slice(0, 60)})`, close() {} };
  }
}

/** The menu's PSET page against norns files in dir: piwip-NN.pset and pset-last.txt. */
function servePsets(face: EngineFace, dir: string): void {
  const file = (slot: number) => join(dir, `${slotName(slot)}.pset`);
  const lastFile = join(dir, 'pset-last.txt');
  const last = existsSync(lastFile) ? Number(readFileSync(lastFile, 'utf8').trim()) || 0 : 0;
  if (existsSync(dir)) {
    for (const f of readdirSync(dir)) {
      const m = /^piwip-(\d\d)\.pset$/.exec(f);
      if (m) face.psetSlot(Number(m[1]), f.replace(/\.pset$/, ''), Number(m[1]) === last);
    }
  }
  const setLast = (slot: number) => { mkdirSync(dir, { recursive: true }); writeFileSync(lastFile, `${slot}\n`); };
  face.on('psetRequest', async (r) => {
    try {
      if (r.op === 'save' && r.text !== undefined) {
        mkdirSync(dir, { recursive: true }); writeFileSync(file(r.slot), r.text); setLast(r.slot); face.psetSlot(r.slot, slotName(r.slot), true);
      } else if (r.op === 'load' && existsSync(file(r.slot))) {
        await face.psetPut(readFileSync(file(r.slot), 'utf8'), r.slot); setLast(r.slot);
      } else if (r.op === 'delete') {
        if (existsSync(file(r.slot))) unlinkSync(file(r.slot));
        face.psetSlot(r.slot, null);
      }
    } catch { /* a failed file operation leaves the engine as it was; the menu shows the slot state */ }
  });
}
