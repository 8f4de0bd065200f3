// `piwip render`: a WAV through the engine, offline, with MIDI-file notes and an events file landing sample-exactly
// (blocks are split at event frames). Everything is derived from the inputs and the seed, so the output bytes are
// reproducible. renderAudio() is the reusable core (the demo and tests call it); runRender() is the command.
import { readFileSync } from 'node:fs';
import { DEFAULT_WASM, PiwipEngine, type ParamInfo } from '../engine/engine.ts';
import { FileFormatError } from '../io/errors.ts';
import { PRESETS, parseEvents, type EventAction, type TimedAction } from '../io/events.ts';
import { PsetDir, readPsetFile, type PsetResult } from '../io/pset.ts';
import { readMidi, type MidiSong } from '../io/midi.ts';
import { ParamError, parseAssignment } from '../io/params.ts';
import { MAX_WAV_DATA_BYTES, OUTPUT_BITS, WavWriter, wavDataBytes, readInputFile, readWav, type OutputBits, type WavAudio } from '../io/wav.ts';
import { OutputFile, ensureDir, inputFile, type InputFile } from '../io/files.ts';
import { npmLifeline } from './lifeline.ts';
import { ProgressBar, UsageError, numberOption, parseArgs, type CliIO, type OptionSpec } from './io.ts';
import { SCREENS_HELP, SCREEN_SPEC, screenCaptureFromArgs, type ScreenCapture } from './screens.ts';

export const KEY_GUARD_SECONDS = 0.5; // the engine ignores keys this long after start (faithful to norns)
export const MIN_RATE = 8000;
export const MAX_RATE = 192000;
const MAX_REC_LIMIT = 600;
const MAX_REC_FAITHFUL = 300;
/** Longest render without --max-seconds: events at 3000 s (milliseconds by mistake) are an error, not 50 minutes. */
export const DEFAULT_MAX_SECONDS = 600;
export const MAX_SECONDS_LIMIT = 86400;
/** How often (frames of audio) a render checks that whoever started it is still there. */
const LIFELINE_EVERY = 8192;

let wasmModule: WebAssembly.Module | undefined;
/** The engine module, compiled once per process. */
export function engineModule(): WebAssembly.Module {
  wasmModule ??= new WebAssembly.Module(readFileSync(DEFAULT_WASM));
  return wasmModule;
}

/** The param table (ids, ranges, options) from a throwaway engine. */
export function paramCatalog(): ParamInfo[] {
  return PiwipEngine.create({ sampleRate: MIN_RATE, blockSize: 1, maxRecSeconds: 1 }, engineModule()).params();
}

export interface RenderJob {
  audio: WavAudio;
  midi?: MidiSong;
  events?: TimedAction[];
  /** A PSET file's bytes, read first at frame 0 (before the preset and --set). */
  pset?: Uint8Array;
  /** Where PSET slots live (pset events and the menu's PSET page); none = those requests fail. */
  psetDir?: PsetDir;
  /** Every PSET read/save/delete and its outcome (the initial --pset file has slot 0). */
  onPset?: (r: PsetResult) => void;
  /** 0 user, 1 sampler, 2 follower, 3 ensemble; applied at frame 0 after the PSET. */
  preset?: number;
  /** Applied after the preset, before any event, in order. */
  sets?: { id: string; value: number }[];
  seed?: number;
  tail?: number;
  block?: number;
  maxRec?: number;
  onProgress?: (done: number, total: number) => void;
  /** Called just before each scheduled event acts, with its frame (tests check sample-exact timing). */
  onEvent?: (frame: number, engine: PiwipEngine) => void;
  /** PNG snapshots of the screen at chosen times (--screens). */
  screens?: ScreenCapture;
  /** Longest render allowed, seconds (default DEFAULT_MAX_SECONDS); longer is a FileFormatError naming the cause. */
  maxSeconds?: number;
  /** Names for the length error: the events and MIDI files. */
  names?: { events?: string; midi?: string; input?: string };
  /**
   * Where the output goes, block by block (the blocks are reused: copy or pack at once). Given, the result holds no
   * audio arrays, so a long render never holds its output in memory.
   */
  sink?: RenderSink;
  /** Called a few times per second of audio; false stops the render (the parent process died). */
  alive?: () => boolean;
}

export interface RenderSink {
  /** Before the first block: the render's length in frames. */
  begin(frames: number): void;
  write(left: Float32Array, right: Float32Array): void;
}

/** A render stopped because the process that started it went away. */
export class RenderAborted extends Error {}

export interface RenderStats {
  inputSeconds: number;
  seconds: number;
  takes: number;
  /** Note-ons sent to the engine from the MIDI file and the events file. */
  notesSent: number;
  harmonizerNotes: number;
  /** Times a voice started sounding a (new) note: MIDI, harmonizer and ensemble voices alike. */
  voiceStarts: number;
  maxVoices: number;
  peak: number;
  rms: number;
  maxRec: number;
  modeName: string;
}

/** `left`/`right` hold the output, or are empty when a `sink` took it. */
export interface RenderResult { left: Float32Array; right: Float32Array; sampleRate: number; stats: RenderStats }

interface Scheduled {
  frame: number; priority: number; source: number; seq: number; apply: (e: PiwipEngine) => void; noteOns: number;
  /** For the length error: "ev.json: events[3]". */
  what: string;
}

/** Note-ons (velocity > 0) in a raw byte stream, following running status; realtime bytes don't break it. */
export function countNoteOns(bytes: readonly number[]): number {
  let status = 0;
  let data: number[] = [];
  let n = 0;
  for (const b of bytes) {
    if (b >= 0xf8) continue;
    if (b >= 0x80) { status = b < 0xf0 ? b : 0; data = []; continue; }
    if (!status) continue;
    data.push(b);
    const need = (status & 0xf0) === 0xc0 || (status & 0xf0) === 0xd0 ? 1 : 2;
    if (data.length === need) {
      if ((status & 0xf0) === 0x90 && (data[1] ?? 0) > 0) n++;
      data = [];
    }
  }
  return n;
}

function actionCall(a: EventAction, job: RenderJob): (e: PiwipEngine) => void {
  switch (a.kind) {
    case 'pset': return (e) => {
      const r = { op: a.op, slot: a.slot };
      const res = job.psetDir ? job.psetDir.perform(e, r, a.name) : { ...r, ok: false, file: '', error: 'no PSET directory' };
      job.onPset?.(res);
    };
    case 'key': return (e) => e.key(a.n, a.z);
    case 'press': return (e) => { e.key(a.n, 1); e.key(a.n, 0); };
    case 'enc': return (e) => e.enc(a.n, a.d);
    case 'set': return (e) => { for (const s of a.values) e.setParam(s.id, s.value); };
    case 'preset': return (e) => e.setMode(a.mode);
    case 'midi': return (e) => e.midi(a.bytes);
    case 'noteOn': return (e) => e.noteOn(a.note, a.vel, a.ch);
    case 'noteOff': return (e) => e.noteOff(a.note, a.ch);
  }
}

function schedule(job: RenderJob, sr: number): Scheduled[] {
  const out: Scheduled[] = [];
  const frame = (t: number) => Math.round(t * sr);
  const evName = job.names?.events ?? 'events';
  const midiName = job.names?.midi ?? 'MIDI file';
  (job.events ?? []).forEach((ev, seq) => {
    out.push({ frame: frame(ev.time), priority: ev.priority, source: 0, seq, apply: actionCall(ev.action, job),
      noteOns: ev.action.kind === 'noteOn' ? 1 : ev.action.kind === 'midi' ? countNoteOns(ev.action.bytes) : 0,
      what: `${evName}: events[${ev.entry}]${ev.action.kind === 'noteOff' && ev.priority === 0 ? ' (the end of its "dur")' : ''}` });
  });
  (job.midi?.messages ?? []).forEach((m, seq) => {
    out.push({ frame: frame(m.time), priority: 1, source: 1, seq, apply: (e) => e.midi(m.bytes), noteOns: countNoteOns(m.bytes),
      what: `${midiName}: a message in track ${m.track + 1}` });
  });
  return out.sort((a, b) => a.frame - b.frame || a.priority - b.priority || a.source - b.source || a.seq - b.seq);
}

/**
 * Check that the engine keeps every param value exactly (a scratch engine applies them all in order):
 * the range checks in host/io/params.ts should already have refused anything it would clamp or snap.
 */
export function checkValuesKept(job: RenderJob): void {
  const e = PiwipEngine.create({ sampleRate: MIN_RATE, blockSize: 1, maxRecSeconds: 1 }, engineModule());
  if (job.preset !== undefined) e.setMode(job.preset);
  const sets = [...(job.sets ?? []).map((s) => ({ ...s, where: `--set ${s.id}=${s.value}` }))];
  for (const ev of job.events ?? []) {
    if (ev.action.kind === 'set') sets.push(...ev.action.values.map((s) => ({ ...s, where: `events[${ev.entry}]` })));
  }
  for (const s of sets) {
    if (e.setParam(s.id, s.value)) throw new ParamError(`${s.where}: the engine would change ${s.value} to ${e.getParam(s.id)} for "${s.id}"`);
  }
}

const secs = (frames: number, sr: number) => String(Number((frames / sr).toPrecision(6)));

/**
 * Frames the render lasts: max(input, last event) + tail. Longer than maxSeconds is a one-line error naming what
 * makes it long, before anything is allocated (t: 1e7 used to end in "Invalid typed array length").
 */
function renderFrames(job: RenderJob, events: readonly Scheduled[], sr: number): number {
  const max = job.maxSeconds ?? DEFAULT_MAX_SECONDS;
  const last = events.length ? events[events.length - 1]! : undefined;
  const tailFrames = Math.round((job.tail ?? 2) * sr);
  const total = Math.max(job.audio.frames, last?.frame ?? 0) + tailFrames;
  if (total <= Math.round(max * sr)) return total;
  const why = last && last.frame > job.audio.frames ? `${last.what} at ${secs(last.frame, sr)} s`
    : `${job.names?.input ?? 'the input'} (${secs(job.audio.frames, sr)} s)`;
  throw new FileFormatError(`${why} plus the ${job.tail ?? 2} s tail makes a ${secs(total, sr)} s render, longer than `
    + `--max-seconds ${max} (raise it for a longer render)`);
}

export function renderAudio(job: RenderJob): RenderResult {
  const { audio } = job;
  const sr = audio.sampleRate;
  const block = job.block ?? 128;
  const events = schedule(job, sr);
  const total = renderFrames(job, events, sr);
  job.sink?.begin(total);
  const maxRec = job.maxRec ?? Math.min(MAX_REC_FAITHFUL, Math.ceil(total / sr) + 1);
  const engine = PiwipEngine.create({ sampleRate: sr, blockSize: block, maxRecSeconds: maxRec, seed: job.seed ?? 1 }, engineModule());
  job.screens?.begin(total, sr);
  job.psetDir?.scan(engine);
  if (job.pset) job.onPset?.({ op: 'load', slot: 0, ok: true, file: '', report: engine.psetRead(job.pset) });
  if (job.preset !== undefined) engine.setMode(job.preset);
  for (const s of job.sets ?? []) engine.setParam(s.id, s.value);

  const srcL = audio.channels[0]!;
  const srcR = audio.channels[1] ?? srcL; // mono feeds both inputs; the engine records 0.5·(L+R) = unity
  const sink = job.sink;
  const left = new Float32Array(sink ? 0 : total);
  const right = new Float32Array(sink ? 0 : total);
  let checkAt = LIFELINE_EVERY;
  const ins = [new Float32Array(block), new Float32Array(block)] as const;
  const outs = [new Float32Array(block), new Float32Array(block)] as const;
  const voices = engine.ex.voiceCount() as number;
  const wasStarted = new Array<boolean>(voices).fill(false);
  const wasNote = new Array<number>(voices).fill(0);
  const SHIFT_VOICES = 5;
  const wasShift = new Array<number>(SHIFT_VOICES).fill(0);
  let next = 0;
  let notesSent = 0;
  let voiceStarts = 0;
  let maxVoices = 0;
  let peak = 0;
  let sumSq = 0;
  let pos = 0;
  let progressAt = 0;
  while (pos < total) {
    job.screens?.capture(pos, engine);
    while (next < events.length && events[next]!.frame <= pos) {
      const ev = events[next++]!;
      job.onEvent?.(ev.frame, engine);
      ev.apply(engine);
      notesSent += ev.noteOns;
    }
    let n = Math.min(block, total - pos);
    if (next < events.length) n = Math.min(n, events[next]!.frame - pos);
    const inL = n === block ? ins[0] : ins[0].subarray(0, n);
    const inR = n === block ? ins[1] : ins[1].subarray(0, n);
    const avail = Math.max(0, Math.min(n, audio.frames - pos));
    inL.fill(0);
    inR.fill(0);
    if (avail > 0) {
      inL.set(srcL.subarray(pos, pos + avail));
      inR.set(srcR.subarray(pos, pos + avail));
    }
    const oL = n === block ? outs[0] : outs[0].subarray(0, n);
    const oR = n === block ? outs[1] : outs[1].subarray(0, n);
    engine.process(inL, inR, oL, oR);
    if (job.psetDir) for (const r of job.psetDir.service(engine)) job.onPset?.(r); // the menu's PSET page
    if (sink) sink.write(oL, oR);
    else {
      left.set(oL, pos);
      right.set(oR, pos);
    }
    for (let i = 0; i < n; i++) {
      const l = oL[i]!;
      const r = oR[i]!;
      sumSq += l * l + r * r;
      const m = Math.max(Math.abs(l), Math.abs(r));
      if (m > peak || Number.isNaN(m)) peak = Number.isNaN(m) ? NaN : m;
    }
    let sounding = 0;
    for (let v = 0; v < voices; v++) {
      const started = engine.ex.voiceStarted(v) === 1;
      const note = engine.ex.voiceNote(v) as number;
      if (started && (!wasStarted[v] || note !== wasNote[v])) voiceStarts++;
      if (started) sounding++;
      wasStarted[v] = started;
      wasNote[v] = note;
    }
    // shifter = psola: the notes are on the pitch-synchronous voices (a note played = a gate opened)
    for (let v = 0; v < SHIFT_VOICES; v++) {
      const note = engine.ex.shifterNote(v) as number;
      if (note > 0 && note !== wasShift[v]) voiceStarts++;
      if (note > 0) sounding++;
      wasShift[v] = note;
    }
    maxVoices = Math.max(maxVoices, sounding);
    pos += n;
    if (job.alive && pos >= checkAt) {
      checkAt = pos + LIFELINE_EVERY;
      if (!job.alive()) throw new RenderAborted('stopped: the process that started the render is gone');
    }
    if (job.onProgress && (pos - progressAt >= sr || pos === total)) {
      progressAt = pos;
      job.onProgress(pos, total);
    }
  }
  job.screens?.capture(pos, engine);
  const st = engine.state();
  return {
    left, right, sampleRate: sr,
    stats: {
      inputSeconds: audio.frames / sr, seconds: total / sr, takes: st.takes, notesSent,
      harmonizerNotes: st.harmonizerNotes, voiceStarts, maxVoices, peak, rms: Math.sqrt(sumSq / (2 * total)), maxRec,
      modeName: st.modeName || 'user',
    },
  };
}

export function dbfs(x: number): string {
  return x > 0 ? `${(20 * Math.log10(x)).toFixed(1)} dBFS` : '-inf dBFS';
}

const BITS_NAME: Record<OutputBits, string> = { 16: '16-bit', 24: '24-bit', '32f': '32-bit float' };

export function summary(s: RenderStats, output: string, bits: OutputBits): string {
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  return `Rendered ${s.inputSeconds.toFixed(2)} s of input plus tail (${s.seconds.toFixed(2)} s in all) in `
    + `${s.modeName === 'user' ? 'user mode (no preset)' : `the ${s.modeName} preset`}: `
    + `${plural(s.takes, 'take')} recorded, ${plural(s.voiceStarts, 'note')} played `
    + `(${s.harmonizerNotes} by the harmonizer, ${plural(s.notesSent, 'note-on')} sent from MIDI/events), `
    + `up to ${plural(s.maxVoices, 'voice')} at once; output peak ${s.peak.toFixed(3)} (${dbfs(s.peak)}), `
    + `RMS ${dbfs(s.rms)}; wrote ${output} (stereo ${BITS_NAME[bits]}).`;
}

export const RENDER_HELP = `usage: piwip render in.wav -o out.wav [options]

Runs a WAV file (mono or stereo, 8/16/24/32-bit int or 32-bit float, 8-192 kHz) through the piwip engine.

  -o, --output FILE      output WAV (required)
  --midi FILE            standard MIDI file; every channel message is sent at its time (tempo map honoured)
  --events FILE          JSON events file: keys, encoders, params, presets, notes, raw MIDI (host/cli/README.md)
  --pset FILE            a norns .pset file applied at 0 s, before --preset and --set (unknown ids and corrupt
                         lines are skipped with a warning, out-of-range values clamped)
  --pset-dir DIR         where PSET slots live (piwip-01.pset .. piwip-99.pset, pset-last.txt) for "pset"
                         events and the menu's PSET page
  --preset NAME          user | sampler | follower | ensemble | tune (applied at 0 s, before --set; presets arm the recorder)
  --set ID=VALUE         set a param at 0 s (repeatable); \`piwip params\` lists ids and ranges
  --seed N               engine PRNG seed, 0..4294967295 (default 1)
  --tail SECONDS         silence rendered after the input / last event so voices ring out (default 2)
  --block N              frames per engine block, 1..256 (default 128)
  --max-rec SECONDS      recording buffer length, 1..600 (default: the render length, at most 300)
  --max-seconds S        longest render allowed, 1..${MAX_SECONDS_LIMIT} (default ${DEFAULT_MAX_SECONDS}): later events or a longer input are an error
  --bits 16|24|32f       output sample format (default 32f)
  --progress             show the progress bar even when stderr is not a terminal
  --no-progress          never show it
  -q, --quiet            no summary on stdout
${SCREENS_HELP}
Keys are ignored by the engine for the first 0.5 s (as on norns). Exit codes: 0 ok, 1 bad file, 2 bad arguments.
`;

const SPEC: Record<string, OptionSpec> = {
  output: { value: true, alias: 'o' }, midi: { value: true }, events: { value: true }, preset: { value: true },
  pset: { value: true }, 'pset-dir': { value: true },
  set: { value: true, multiple: true }, seed: { value: true }, tail: { value: true }, block: { value: true },
  'max-rec': { value: true }, 'max-seconds': { value: true }, bits: { value: true }, progress: { value: false }, 'no-progress': { value: false },
  quiet: { value: false, alias: 'q' }, help: { value: false, alias: 'h' }, ...SCREEN_SPEC,
};

export async function runRender(argv: string[], io: CliIO): Promise<number> {
  const a = parseArgs(argv, SPEC);
  if (a.flags.has('help')) { io.out.write(RENDER_HELP); return 0; }
  const one = (k: string) => a.values.get(k)?.[0];
  if (a.positional.length === 0) throw new UsageError('missing input WAV');
  if (a.positional.length > 1) throw new UsageError(`one input WAV expected, got ${a.positional.length}: ${a.positional.join(' ')}`);
  const input = a.positional[0]!;
  const output = one('output');
  if (!output) throw new UsageError('missing -o out.wav');
  const presetName = one('preset');
  let preset: number | undefined;
  if (presetName !== undefined) {
    preset = PRESETS.indexOf(presetName.toLowerCase() as (typeof PRESETS)[number]);
    if (preset < 0) throw new UsageError(`unknown preset "${presetName}" (${PRESETS.join(', ')})`);
  }
  const bits = (one('bits') ?? '32f') as OutputBits;
  if (!OUTPUT_BITS.includes(bits)) throw new UsageError(`--bits must be 16, 24 or 32f, got "${one('bits')}"`);
  const seed = numberOption('seed', one('seed') ?? '1', 0, 0xffffffff, true);
  const tail = numberOption('tail', one('tail') ?? '2', 0, 600);
  const block = numberOption('block', one('block') ?? '128', 1, 256, true);
  const maxRecText = one('max-rec');
  const maxRec = maxRecText === undefined ? undefined : numberOption('max-rec', maxRecText, 1, MAX_REC_LIMIT);
  const maxSeconds = numberOption('max-seconds', one('max-seconds') ?? String(DEFAULT_MAX_SECONDS), 1, MAX_SECONDS_LIMIT);
  if (a.flags.has('progress') && a.flags.has('no-progress')) throw new UsageError('--progress and --no-progress together');
  const screens = screenCaptureFromArgs(a.values);

  const catalog = paramCatalog();
  let sets: { id: string; value: number }[];
  try {
    sets = (a.values.get('set') ?? []).map((t) => { const s = parseAssignment(catalog, t); return { id: s.param.id, value: s.value }; });
  } catch (e) {
    if (e instanceof ParamError) throw new UsageError(e.message);
    throw e;
  }

  const audio = readWav(input);
  if (audio.sampleRate < MIN_RATE || audio.sampleRate > MAX_RATE) {
    throw new FileFormatError(`${input}: sample rate ${audio.sampleRate} Hz is outside what the engine runs at (8000..192000 Hz)`);
  }
  const midiPath = one('midi');
  const midi = midiPath === undefined ? undefined : readMidi(midiPath);
  for (const w of midi?.warnings ?? []) io.err.write(`piwip render: warning: ${w}\n`);
  const eventsPath = one('events');
  const events = eventsPath === undefined ? undefined
    : parseEvents(Buffer.from(readInputFile(eventsPath, 'events file')).toString('utf8'), catalog, eventsPath);
  const psetPath = one('pset');
  const pset = psetPath === undefined ? undefined : readPsetFile(psetPath);
  const psetDirPath = one('pset-dir');
  if (!psetDirPath && events?.some((e) => e.action.kind === 'pset')) {
    throw new UsageError(`${eventsPath}: "pset" events need --pset-dir DIR (where the slots are stored)`);
  }
  const psetDir = psetDirPath === undefined ? undefined : new PsetDir(psetDirPath);
  const onPset = (r: PsetResult): void => {
    const what = r.slot === 0 ? psetPath : `PSET ${r.op} of slot ${r.slot}`;
    if (!r.ok) { io.err.write(`piwip render: warning: ${what} failed: ${r.error}\n`); return; }
    const rep = r.report;
    if (rep && (rep.corrupt || rep.unknown || rep.clamped)) {
      io.err.write(`piwip render: warning: ${r.slot === 0 ? psetPath : r.file}: ${rep.applied} params applied; skipped `
        + `${rep.corrupt} corrupt line(s)${rep.firstCorruptLine ? ` (first: line ${rep.firstCorruptLine})` : ''} and `
        + `${rep.unknown} unknown id(s); clamped ${rep.clamped} value(s)\n`);
    }
  };
  if (psetDir && events?.some((e) => e.action.kind === 'pset' && e.action.op === 'save')) ensureDir(psetDirPath!, `--pset-dir "${psetDirPath}"`);
  const job: RenderJob = { audio, midi, events, pset, psetDir, onPset, preset, sets, seed, tail, block, maxRec, screens,
    maxSeconds, names: { events: eventsPath, midi: midiPath, input }, alive: npmLifeline()?.alive };
  try {
    checkValuesKept(job);
  } catch (e) {
    if (e instanceof ParamError) {
      if (e.message.startsWith('--set')) throw new UsageError(e.message);
      throw new FileFormatError(`${eventsPath}: ${e.message}`);
    }
    throw e;
  }
  for (const ev of events ?? []) {
    if ((ev.action.kind === 'key' || ev.action.kind === 'press') && ev.time < KEY_GUARD_SECONDS) {
      io.err.write(`piwip render: warning: ${eventsPath}: events[${ev.entry}] (t=${ev.time}): keys are ignored by the engine `
        + `for the first ${KEY_GUARD_SECONDS} s\n`);
    }
  }

  const showProgress = a.flags.has('progress') || (!a.flags.has('no-progress') && io.err.isTTY === true && audio.frames / audio.sampleRate > 5);
  const bar = showProgress ? new ProgressBar(io.err, 'rendering') : undefined;
  job.onProgress = bar ? (done, total) => bar.update(done, total, ` ${(done / audio.sampleRate).toFixed(1)}/${(total / audio.sampleRate).toFixed(1)} s`) : undefined;
  // Every input is named so no output (the WAV, a snapshot) can replace one; the output opens before rendering, so
  // an unwritable place fails now, not after minutes of work.
  const inputs = ([['input WAV', input], ['MIDI file', midiPath], ['events file', eventsPath], ['PSET file', psetPath]] as const)
    .flatMap(([label, p]) => (p === undefined ? [] : [inputFile(label, p)])).filter((f): f is InputFile => f !== null);
  if (screens) screens.inputs = inputs;
  const out = OutputFile.open(output, inputs);
  let result: RenderResult;
  try {
    let writer: WavWriter | undefined;
    job.sink = {
      begin: (frames) => {
        if (wavDataBytes(frames, 2, bits) > MAX_WAV_DATA_BYTES) {
          throw new FileFormatError(`${output}: ${(frames / audio.sampleRate).toFixed(0)} s of stereo ${BITS_NAME[bits]} is more than a WAV file holds (4 GiB); use --bits 16 or a shorter render`);
        }
        writer = new WavWriter(out.fd, output, 2, audio.sampleRate, bits, frames);
      },
      write: (l, r) => writer!.write([l, r]),
    };
    result = renderAudio(job);
    writer!.finish();
    out.commit();
  } catch (e) {
    out.abandon();
    throw e;
  } finally {
    bar?.done();
  }
  if (!a.flags.has('quiet')) io.out.write(`${summary(result.stats, output, bits)}\n`);
  if (screens && !a.flags.has('quiet')) io.out.write(`${screens.summary()}\n`);
  return 0;
}
