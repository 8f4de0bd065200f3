// The events file of `piwip render`: a JSON list of timed control actions (keys, encoders, params, presets, raw
// MIDI, notes) in seconds. Validated strictly; every error names the entry (`events[3]`). Format: host/cli/README.md.
import type { ParamInfo } from '../engine/engine.ts';
import { FileFormatError, errorText } from './errors.ts';
import { ParamError, checkParamValue, resolveParam } from './params.ts';

export const PRESETS = ['user', 'sampler', 'follower', 'ensemble', 'tune'] as const;

export type EventAction =
  | { kind: 'key'; n: number; z: 0 | 1 }
  | { kind: 'press'; n: number }
  | { kind: 'enc'; n: number; d: number }
  | { kind: 'set'; values: { id: string; value: number }[] }
  | { kind: 'preset'; mode: number }
  | { kind: 'midi'; bytes: number[] }
  | { kind: 'noteOn'; note: number; vel: number; ch: number }
  | { kind: 'noteOff'; note: number; ch: number }
  | { kind: 'pset'; op: 'save' | 'load' | 'delete'; slot: number; name?: string };

export interface TimedAction {
  /** Seconds from the start of the input. */
  time: number;
  /** At equal times lower priority goes first: note-offs ending a `dur` (0) before everything else (1). */
  priority: 0 | 1;
  /** Index of the entry in the file; ties keep file order. */
  entry: number;
  action: EventAction;
}

const ACTIONS = ['key', 'enc', 'set', 'preset', 'midi', 'note', 'clock', 'pset'] as const;
const EXTRA: Record<(typeof ACTIONS)[number], string[]> = {
  key: ['z', 'hold'], enc: [], set: [], preset: [], midi: [], note: ['vel', 'dur', 'ch'],
  clock: ['until', 'start', 'stop', 'jitter'], pset: ['slot', 'name'],
};
const PSET_OPS = ['save', 'load', 'delete'] as const;
export const PSET_SLOTS = 99;
/** A MIDI clock run is at most this many ticks (10 minutes at 300 bpm). */
const MAX_CLOCK_TICKS = 24 * 300 * 10;

class EntryError extends Error {}

/** A value for an error message: JSON text, except numbers JSON cannot show (1e400 parses as Infinity). */
function show(v: unknown): string {
  return typeof v === 'number' && !Number.isFinite(v) ? `${v}: a number too large to represent` : JSON.stringify(v);
}

function isInt(v: unknown, lo: number, hi: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
}

function seconds(v: unknown, what: string, positive: boolean): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (positive && v === 0)) {
    throw new EntryError(`"${what}" must be a ${positive ? 'positive' : 'non-negative'} number of seconds (got ${show(v)})`);
  }
  return v;
}

function parseEntry(e: unknown, params: readonly ParamInfo[], entry: number): TimedAction[] {
  if (typeof e !== 'object' || e === null || Array.isArray(e)) throw new EntryError('must be an object like {"t": 1.0, "key": 2}');
  const o = e as Record<string, unknown>;
  const kinds = ACTIONS.filter((k) => k in o);
  if (kinds.length === 0) throw new EntryError(`has no action (one of: ${ACTIONS.join(', ')})`);
  if (kinds.length > 1) throw new EntryError(`has ${kinds.map((k) => `"${k}"`).join(' and ')}; one action per entry`);
  const kind = kinds[0]!;
  for (const k of Object.keys(o)) {
    if (k !== 't' && k !== kind && k !== 'comment' && !EXTRA[kind].includes(k)) {
      throw new EntryError(`unknown field ${JSON.stringify(k)} for a "${kind}" entry${EXTRA[kind].length ? ` (allowed: ${EXTRA[kind].join(', ')})` : ''}`);
    }
  }
  if (!('t' in o)) throw new EntryError('is missing "t" (seconds)');
  const t = seconds(o.t, 't', false);
  const at = (action: EventAction, time = t, priority: 0 | 1 = 1): TimedAction => ({ time, priority, entry, action });
  const v = o[kind];
  switch (kind) {
    case 'key': {
      if (!isInt(v, 1, 3)) throw new EntryError(`"key" must be 1, 2 or 3 (got ${show(v)})`);
      if ('z' in o && 'hold' in o) throw new EntryError('"z" and "hold" cannot be combined');
      if ('z' in o) {
        if (o.z !== 0 && o.z !== 1) throw new EntryError(`"z" must be 1 (down) or 0 (up) (got ${show(o.z)})`);
        return [at({ kind: 'key', n: v, z: o.z })];
      }
      if ('hold' in o) {
        const hold = seconds(o.hold, 'hold', true);
        return [at({ kind: 'key', n: v, z: 1 }), at({ kind: 'key', n: v, z: 0 }, t + hold)];
      }
      return [at({ kind: 'press', n: v })];
    }
    case 'enc': {
      if (!Array.isArray(v) || v.length !== 2) throw new EntryError(`"enc" must be [encoder, detents] like [2, -1] (got ${show(v)})`);
      const [n, d] = v as unknown[];
      if (!isInt(n, 1, 3)) throw new EntryError(`encoder must be 1, 2 or 3 (got ${show(n)})`);
      if (!isInt(d, -64, 64) || d === 0) throw new EntryError(`detents must be a non-zero integer from -64 to 64 (got ${show(d)})`);
      return [at({ kind: 'enc', n, d })];
    }
    case 'set': {
      if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.keys(v).length === 0) {
        throw new EntryError(`"set" must be an object of param values like {"probability": 100} (got ${show(v)})`);
      }
      const values = Object.entries(v as Record<string, unknown>).map(([id, value]) => {
        const p = resolveParam(params, id);
        return { id: p.id, value: checkParamValue(p, value) };
      });
      return [at({ kind: 'set', values })];
    }
    case 'preset': {
      const mode = typeof v === 'string' ? (PRESETS as readonly string[]).indexOf(v.toLowerCase()) : isInt(v, 0, 4) ? v : -1;
      if (mode < 0) throw new EntryError(`"preset" must be one of ${PRESETS.join(', ')} or 0..4 (got ${show(v)})`);
      return [at({ kind: 'preset', mode })];
    }
    case 'midi': {
      if (!Array.isArray(v) || v.length === 0 || !v.every((b) => isInt(b, 0, 255))) {
        throw new EntryError(`"midi" must be a non-empty array of bytes 0..255 like [144, 60, 100] (got ${show(v)})`);
      }
      return [at({ kind: 'midi', bytes: v as number[] })];
    }
    case 'note': {
      if (!isInt(v, 0, 127)) throw new EntryError(`"note" must be a MIDI note number 0..127 (got ${show(v)})`);
      const vel = o.vel ?? 100;
      if (!isInt(vel, 0, 127)) throw new EntryError(`"vel" must be 0..127 (got ${show(o.vel)})`);
      const ch = o.ch ?? 1;
      if (!isInt(ch, 1, 16)) throw new EntryError(`"ch" must be a MIDI channel 1..16 (got ${show(o.ch)})`);
      if (vel === 0) {
        if ('dur' in o) throw new EntryError('"dur" makes no sense with "vel": 0 (which is a note-off)');
        return [at({ kind: 'noteOff', note: v, ch })];
      }
      const out = [at({ kind: 'noteOn', note: v, vel, ch })];
      if ('dur' in o) out.push(at({ kind: 'noteOff', note: v, ch }, t + seconds(o.dur, 'dur', true), 0));
      return out;
    }
    case 'clock': return clockRun(o, t, entry);
    case 'pset': {
      if (typeof v !== 'string' || !(PSET_OPS as readonly string[]).includes(v)) {
        throw new EntryError(`"pset" must be "save", "load" or "delete" (got ${show(v)})`);
      }
      if (!isInt(o.slot, 1, PSET_SLOTS)) throw new EntryError(`"slot" must be a PSET slot 1..${PSET_SLOTS} (got ${show(o.slot)})`);
      if ('name' in o && (v !== 'save' || typeof o.name !== 'string')) throw new EntryError('"name" is a string, and only for "save"');
      return [at({ kind: 'pset', op: v as (typeof PSET_OPS)[number], slot: o.slot, ...(typeof o.name === 'string' ? { name: o.name } : {}) })];
    }
  }
  throw new EntryError(`unhandled action "${kind}"`);
}

/**
 * `{"t": 0, "clock": 120, "until": 8}`: MIDI clock as a sequencer sends it: START (FA) at t, 24 ticks (F8) per beat
 * at the given bpm from t up to `until`, then STOP (FC) at `until`. `"start": false` / `"stop": false` leave out
 * FA / FC; `"jitter": ms` moves each tick by a deterministic pseudo-random ±ms (a busy USB sender).
 */
function clockRun(o: Record<string, unknown>, t: number, entry: number): TimedAction[] {
  const bpm = o.clock;
  if (typeof bpm !== 'number' || !Number.isFinite(bpm) || bpm < 20 || bpm > 300) {
    throw new EntryError(`"clock" must be a tempo 20..300 bpm (got ${show(bpm)})`);
  }
  if (!('until' in o)) throw new EntryError('"clock" needs "until" (seconds, when the clock stops)');
  const until = seconds(o.until, 'until', true);
  if (until <= t) throw new EntryError(`"until" (${until}) must be after "t" (${t})`);
  for (const k of ['start', 'stop'] as const) {
    if (k in o && typeof o[k] !== 'boolean') throw new EntryError(`"${k}" must be true or false (got ${show(o[k])})`);
  }
  const jitter = o.jitter ?? 0;
  if (typeof jitter !== 'number' || !Number.isFinite(jitter) || jitter < 0 || jitter > 20) {
    throw new EntryError(`"jitter" must be 0..20 ms (got ${show(o.jitter)})`);
  }
  const period = 60 / (bpm * 24);
  const ticks = Math.floor((until - t) / period + 1e-9);
  if (ticks > MAX_CLOCK_TICKS) throw new EntryError(`clock run too long (${ticks} ticks; at most ${MAX_CLOCK_TICKS})`);
  const out: TimedAction[] = [];
  const midi = (bytes: number[], time: number): TimedAction => ({ time, priority: 1, entry, action: { kind: 'midi', bytes } });
  if (o.start !== false) out.push(midi([0xfa], t));
  let seed = (entry + 1) * 2654435761 >>> 0;
  for (let k = 0; k < ticks; k++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    const dt = jitter > 0 && k > 0 ? ((seed / 4294967296) * 2 - 1) * jitter / 1000 : 0;
    out.push(midi([0xf8], t + k * period + dt));
  }
  if (o.stop !== false) out.push(midi([0xfc], until));
  return out;
}

/** Line and column of a JSON.parse error position, if the message has one. */
function jsonWhere(text: string, message: string): string {
  const m = /position (\d+)/.exec(message);
  if (!m) return message.replace(/\s+/g, ' ');
  const pos = Number(m[1]);
  const before = text.slice(0, pos).split('\n');
  return `${message.replace(/ in JSON at position \d+.*$/, '').replace(/ at position \d+.*$/, '')} at line ${before.length}, column ${(before[before.length - 1]?.length ?? 0) + 1}`;
}

/** Parse and validate an events file's text. Returns actions sorted by (time, priority, entry). */
export function parseEvents(text: string, params: readonly ParamInfo[], name = 'events'): TimedAction[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a UTF-8 byte-order mark (Windows editors write one)
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new FileFormatError(`${name}: invalid JSON (${jsonWhere(text, errorText(e))})`);
  }
  let list: unknown;
  if (Array.isArray(doc)) list = doc;
  else if (typeof doc === 'object' && doc !== null) {
    const extra = Object.keys(doc).filter((k) => k !== 'events' && k !== 'comment');
    if (extra.length) throw new FileFormatError(`${name}: unknown top-level field ${JSON.stringify(extra[0])} (expected "events")`);
    list = (doc as { events?: unknown }).events;
    if (!Array.isArray(list)) throw new FileFormatError(`${name}: "events" must be an array of entries`);
  } else {
    throw new FileFormatError(`${name}: expected an array of events or {"events": [...]}`);
  }
  const out: TimedAction[] = [];
  (list as unknown[]).forEach((e, i) => {
    try {
      out.push(...parseEntry(e, params, i));
    } catch (err) {
      if (err instanceof EntryError || err instanceof ParamError) {
        const t = typeof e === 'object' && e !== null && typeof (e as { t?: unknown }).t === 'number' ? ` (t=${(e as { t: number }).t})` : '';
        throw new FileFormatError(`${name}: events[${i}]${t}: ${err.message}`);
      }
      throw err;
    }
  });
  return out.sort((a, b) => a.time - b.time || a.priority - b.priority || a.entry - b.entry);
}
