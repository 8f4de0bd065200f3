// The soak's events: between blocks, at seeded random rates, everything a player, a careless user or a broken
// host can do through the ABI: keys (held, combos, invalid), encoders, params in and out of range (NaN, ±Inf,
// huge), param detents, presets, PSET text (valid, mutated, garbage), PSET slot requests served as a host would,
// MIDI notes (running status, storms, all channels), garbage MIDI bytes, MIDI clock runs, menu sessions, getters
// and calls with bad arguments. Each event is logged (last LOG_SIZE kept) so a failure can be replayed and read.
import type { PiwipEngine, ParamInfo } from '../../host/engine/engine.ts';
import type { Rng } from './prng.ts';
import type { LinkSession } from './link.ts';

export const EVENT_KINDS = ['key', 'enc', 'param', 'paramDelta', 'preset', 'pset', 'psetSlots', 'note', 'midiGarbage',
  'clock', 'menu', 'query', 'badCall', 'link'] as const;
export type EventKind = typeof EVENT_KINDS[number];
/** Mean events per audio second of each kind at intensity 1. */
const RATES: Record<EventKind, number> = {
  key: 0.6, enc: 2, param: 1, paramDelta: 1, preset: 0.1, pset: 0.08, psetSlots: 0.08, note: 3, midiGarbage: 0.3,
  clock: 0.03, menu: 0.1, query: 0.3, badCall: 0.02, link: 1,
};
export const LOG_SIZE = 48;
const PENDING_MAX = 512;
const POOL_MAX = 8;

/** An engine invariant broken by an event (as opposed to a bad sample, which the block check finds). */
export class InvariantError extends Error {}

interface Pending { at: number; kind: EventKind; text: string; fn: () => void }
interface ClockRun { bpm: number; next: number; until: number; jitter: number; stopAtEnd: boolean }

export class EventGen {
  counts: Record<EventKind, number> = Object.fromEntries(EVENT_KINDS.map((k) => [k, 0])) as Record<EventKind, number>;
  /** MIDI bytes sent (notes, clock, garbage). */
  midiBytes = 0;
  private log: string[] = [];
  private logAt = 0;
  private pending: Pending[] = [];
  private clock: ClockRun | null = null;
  private pool: Buffer[] = [];
  private slots = new Map<number, Buffer>();
  private params: ParamInfo[];
  private readonly ex: PiwipEngine['ex'];
  private readonly rates: [EventKind, number][];
  private readonly linkRate: number;
  /** The host session on the link (null = no link traffic). */
  link: LinkSession | null = null;
  block = 0;
  sample = 0;

  /** modes: the highest preset setMode accepts (E1 runs 0..modes). */
  constructor(private readonly rng: Rng, private readonly e: PiwipEngine, intensity: number, private readonly modes: number) {
    this.ex = e.ex;
    this.params = e.params();
    this.pool.push(e.psetWrite('defaults'));
    // link traffic draws from its own stream (LinkSession), so the other kinds' streams do not depend on it
    this.rates = EVENT_KINDS.filter((k) => k !== 'link').map((k) => [k, RATES[k] * intensity / e.sampleRate]);
    this.linkRate = RATES.link * intensity / e.sampleRate;
  }

  /** The last events, oldest first, each prefixed with its block number. */
  lastEvents(): string[] { return [...this.log.slice(this.logAt), ...this.log.slice(0, this.logAt)]; }

  /** Printed as events happen (replay tracing). */
  trace: ((line: string) => void) | null = null;
  get defaults(): Buffer { return this.pool[0]!; }
  /** A log line of an event drawn elsewhere (the probe, the link session). */
  log2(what: string, text: string): void { this.push(`block ${this.block} (+${this.sample} samples): ${what} ${text}`); }
  readPsetText(b: Buffer): number { return this.readPset(b); }

  private note(kind: EventKind, text: string): void {
    this.counts[kind]++;
    this.push(`block ${this.block} (+${this.sample} samples): ${kind} ${text}`);
  }

  private push(line: string): void {
    this.trace?.(line);
    if (this.log.length < LOG_SIZE) this.log.push(line);
    else { this.log[this.logAt] = line; this.logAt = (this.logAt + 1) % LOG_SIZE; }
  }

  private later(delaySamples: number, kind: EventKind, text: string, fn: () => void): void {
    if (this.pending.length >= PENDING_MAX) return;
    const at = this.sample + Math.max(0, Math.round(delaySamples));
    let i = this.pending.length;
    while (i > 0 && this.pending[i - 1]!.at > at) i--;
    this.pending.splice(i, 0, { at, kind, text, fn });
  }

  private secs(s: number): number { return s * this.e.sampleRate; }

  /** Everything due before the block that starts at `sample` (epoch samples) and lasts `frames`. */
  step(block: number, sample: number, frames: number): void {
    this.block = block;
    this.sample = sample;
    while (this.pending.length && this.pending[0]!.at <= sample) {
      const p = this.pending.shift()!;
      this.note(p.kind, p.text);
      p.fn();
    }
    this.clockBytes();
    const l = this.link;
    if (l) {
      let p = this.linkRate * frames;
      while (p > 0 && l.rng.float() < p) { this.counts.link++; l.event(this.pool, this.params.length); p -= 1; }
    }
    const r = this.rng;
    for (const [kind, rate] of this.rates) {
      // Poisson arrivals over the block: usually 0, sometimes 1, rarely more
      let p = rate * frames;
      while (p > 0 && r.float() < p) { this.fire(kind); p -= 1; }
    }
  }

  private midi(bytes: number[]): void {
    this.e.midi(bytes);
    this.midiBytes += bytes.length;
  }

  private fire(kind: EventKind): void {
    switch (kind) {
      case 'key': return this.key();
      case 'enc': return this.enc();
      case 'param': return this.param();
      case 'paramDelta': return this.paramDelta();
      case 'preset': return this.preset();
      case 'pset': return this.pset();
      case 'psetSlots': return this.psetSlots();
      case 'note': return this.noteEvent();
      case 'midiGarbage': return this.midiGarbage();
      case 'clock': return this.clockRun();
      case 'menu': return this.menu();
      case 'query': return this.query();
      case 'badCall': return this.badCall();
      case 'link': return;
    }
  }

  // ---- keys and encoders ---------------------------------------------------------------------------------------
  private key(): void {
    const r = this.rng;
    const n = r.chance(0.95) ? r.int(1, 3) : r.pick([0, 4, -1, 99, -2147483648]);
    const z = r.chance(0.95) ? 1 : r.pick([0, 2, -1]);
    this.note('key', `${n} ${z}`);
    this.e.ex.key(n, z);
    if (z === 1 && r.chance(0.9)) {
      const hold = r.chance(0.5) ? r.logRange(0.01, 0.3) : r.logRange(0.3, 5);
      this.later(this.secs(hold), 'key', `${n} 0 (release)`, () => this.ex.key(n, 0));
    }
  }

  private enc(): void {
    const r = this.rng;
    const n = r.chance(0.97) ? r.int(1, 3) : r.pick([0, 4, -7]);
    const d = r.chance(0.9) ? r.pick([-3, -2, -1, -1, 1, 1, 2, 3]) : r.pick([0, 64, -64, 65, -1000, 2147483647, -2147483648]);
    this.note('enc', `${n} ${d}`);
    this.ex.enc(n, d);
  }

  // ---- params --------------------------------------------------------------------------------------------------
  private paramValue(p: ParamInfo): number {
    const r = this.rng;
    switch (r.int(0, 11)) {
      case 0: case 1: case 2: return p.options.length ? r.int(1, p.options.length) : r.range(p.min, p.max);
      case 3: return p.min;
      case 4: return p.max;
      case 5: return p.min - r.logRange(1e-6, 1e3);
      case 6: return p.max + r.logRange(1e-6, 1e3);
      case 7: return NaN;
      case 8: return r.pick([Infinity, -Infinity, 1e308, -1e308, 1e300]);
      case 9: return r.pick([-0, 5e-324, 1e-300, -1e-300, 1e-40, 1e-39, 1e-45]);
      case 10: return p.options.length ? r.pick([0, p.options.length + 1, 1.5, 2.4999, -1]) : r.range(p.min, p.max);
      default: return p.default;
    }
  }

  private param(): void {
    const r = this.rng;
    const count = this.params.length;
    const i = r.chance(0.97) ? r.int(0, count - 1) : r.pick([-1, count, 1000, -2147483648]);
    const p = this.params[i];
    const v = p ? this.paramValue(p) : r.range(-10, 10);
    this.note('param', `#${i} ${p?.id ?? '(none)'} = ${v}`);
    const rc = this.ex.paramSet(i, v);
    const want = !p ? -1 : v !== v ? -2 : null;
    if (want !== null && rc !== want) throw new InvariantError(`paramSet(${i}, ${v}) returned ${rc}, expected ${want}`);
    if (p) this.checkParam(i);
  }

  private checkParam(i: number): void {
    const p = this.params[i]!;
    const v = this.ex.paramGet(i) as number;
    if (!(v >= p.min && v <= p.max)) throw new InvariantError(`param ${p.id} holds ${v}, outside ${p.min}..${p.max}`);
  }

  private paramDelta(): void {
    const r = this.rng;
    const count = this.params.length;
    const i = r.chance(0.98) ? r.int(0, count - 1) : r.pick([-1, count]);
    const d = r.chance(0.9) ? r.pick([-5, -2, -1, 1, 2, 5]) : r.pick([0, 1000, -1000000, 2147483647, -2147483648]);
    const fine = r.int(0, 1);
    this.note('paramDelta', `#${i} ${this.params[i]?.id ?? '(none)'} ${d}${fine ? ' fine' : ''}`);
    this.ex.paramDelta(i, d, fine);
    if (this.params[i]) this.checkParam(i);
  }

  private preset(): void {
    const r = this.rng;
    if (r.chance(0.3)) {
      const d = r.pick([-1, 1, 2, -3]);
      this.note('preset', `E1 ${d}`);
      this.ex.enc(1, d);
      return;
    }
    const top = this.modes;
    const m = r.chance(0.9) ? r.int(0, top) : r.pick([-1, top + 1, 100]);
    this.note('preset', `setMode ${m}`);
    const rc = this.ex.setMode(m);
    if ((m >= 0 && m <= top) !== (rc === 0)) throw new InvariantError(`setMode(${m}) returned ${rc} (modes 0..${top})`);
  }

  // ---- PSETs ---------------------------------------------------------------------------------------------------
  private mutate(src: Buffer): Buffer {
    const r = this.rng;
    let b: Buffer = Buffer.from(src);
    const edits = r.int(1, 8);
    for (let k = 0; k < edits; k++) {
      const at = b.length ? r.int(0, b.length - 1) : 0;
      switch (r.int(0, 7)) {
        case 0: if (b.length) b[at] = r.int(0, 255); break;
        case 1: b = Buffer.concat([b.subarray(0, at), Buffer.from([r.int(0, 255)]), b.subarray(at)]); break;
        case 2: b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + r.int(1, 40)))]); break;
        case 3: b = b.subarray(0, at); break;
        case 4: { // a value replaced by something a number parser may choke on
          const nl = b.indexOf(': ', at);
          if (nl >= 0) b = Buffer.concat([b.subarray(0, nl + 2), Buffer.from(r.pick(['nan', '-nan', 'inf', '1e999', '-0', '0x10', '1e-999', '', '  ', '99999999999999999999', '.', '-', '1.5.5', 'dorian', 'DORIAN', '"x"'])), b.subarray(Math.max(nl + 2, b.indexOf(10, nl)))]);
          break;
        }
        case 5: b = Buffer.concat([b, b.subarray(0, Math.min(b.length, r.int(0, 400)))]); break; // duplicate lines
        case 6: b = Buffer.from(b.toString('latin1').replace(/\n/g, r.pick(['\r\n', '\r', '\n\n', '\0\n'])), 'latin1'); break;
        case 7: b = Buffer.concat([Buffer.from(r.pick(['\ufeff', '-- ', '--', '"', '\n', '-- ' + 'x'.repeat(200) + '\n'])), b]); break;
      }
    }
    return b.subarray(0, this.ex.textCap() as number);
  }

  private garbage(): Buffer {
    const r = this.rng;
    const n = r.chance(0.8) ? r.int(0, 600) : r.int(0, this.ex.textCap() as number);
    const b = Buffer.alloc(n);
    const text = r.chance(0.5);
    for (let i = 0; i < n; i++) b[i] = text ? r.pick([34, 58, 32, 10, 45, 46, 48, 49, 57, 101, 97, 110]) : r.int(0, 255);
    return b;
  }

  private readPset(b: Buffer): number {
    new Uint8Array(this.ex.memory.buffer, this.ex.textPtr(), b.length).set(b);
    const applied = this.ex.psetRead(b.length) as number;
    for (let i = 0; i < this.params.length; i++) this.checkParam(i);
    return applied;
  }

  private pset(): void {
    const r = this.rng;
    const what = r.weighted([3, 4, 2, 1, 2]);
    if (what === 0) {
      const name = r.chance(0.8) ? `soak ${this.block}` : Buffer.from(this.garbage().subarray(0, 80)).toString('latin1');
      const b = this.e.psetWrite(name);
      if (this.pool.length >= POOL_MAX) this.pool[r.int(1, POOL_MAX - 1)] = b; else this.pool.push(b);
      this.note('pset', `write (${b.length} bytes), then read it back`);
      const applied = this.readPset(b);
      if (applied !== this.params.length) throw new InvariantError(`a PSET the engine wrote applied ${applied} of ${this.params.length} params`);
    } else if (what === 1) {
      const src = r.pick(this.pool);
      this.note('pset', `read valid (${src.length} bytes)`);
      this.readPset(src);
    } else if (what === 2) {
      const b = this.mutate(r.pick(this.pool));
      this.note('pset', `read mutated (${b.length} bytes): ${JSON.stringify(b.toString('latin1').slice(0, 60))}…`);
      this.readPset(b);
    } else if (what === 3) {
      const len = r.pick([-1, -2147483648, (this.ex.textCap() as number) + 1, 2147483647]);
      this.note('pset', `read bad length ${len}`);
      const rc = this.ex.psetRead(len);
      if (rc !== -1) throw new InvariantError(`psetRead(${len}) returned ${rc}, expected -1`);
    } else {
      const b = this.garbage();
      this.note('pset', `read garbage (${b.length} bytes)`);
      this.readPset(b);
    }
  }

  private psetSlots(): void {
    const r = this.rng;
    const slots = this.e.psetSlots;
    const op = r.chance(0.9) ? r.int(1, 3) : r.pick([0, 4, -1]);
    const slot = r.chance(0.9) ? r.int(1, slots) : r.pick([0, -1, slots + 1, 1000]);
    switch (r.int(0, 3)) {
      case 0: case 1: this.note('psetSlots', `request op ${op} slot ${slot}`); this.ex.psetRequest(op, slot); break;
      case 2: {
        const len = r.pick([-1, 0, 5, 48, 49, 1000, (this.ex.textCap() as number) + 1]);
        this.note('psetSlots', `slotSet ${slot} nameLen ${len}`);
        this.ex.psetSlotSet(slot, len);
        break;
      }
      default: { const s = r.int(-1, slots + 1); this.note('psetSlots', `setLast ${s}`); this.ex.psetSetLast(s); }
    }
    this.service();
  }

  /** Perform the engine's queued PSET requests as a host does (PsetDir), with the files kept in memory. */
  private service(): void {
    for (let n = 0; n < 64; n++) {
      const req = this.e.takePsetRequest();
      if (!req) return;
      if (req.slot < 1 || req.slot > this.e.psetSlots) throw new InvariantError(`queued PSET request for slot ${req.slot}`);
      if (req.op === 'save') {
        const name = `piwip-${String(req.slot).padStart(2, '0')}`;
        this.slots.set(req.slot, this.e.psetWrite(name));
        this.e.psetSlotSet(req.slot, name);
        this.e.psetLast = req.slot;
      } else if (req.op === 'load') {
        const b = this.slots.get(req.slot);
        if (b) { this.readPset(b); this.e.psetLast = req.slot; }
      } else {
        this.slots.delete(req.slot);
        this.e.psetSlotSet(req.slot, null);
      }
      // as a shell does: tell the link (a host may have asked for it) that the request was performed
      if (this.link) this.ex.linkPsetDone(['', 'save', 'load', 'delete'].indexOf(req.op), req.slot, req.op === 'load' && !this.slots.has(req.slot) ? -1 : 0);
    }
    throw new InvariantError('PSET request queue did not drain after 64 pops');
  }

  // ---- MIDI ----------------------------------------------------------------------------------------------------
  private noteEvent(): void {
    const r = this.rng;
    const count = r.chance(0.95) ? 1 : r.int(2, 24);
    const ch = r.chance(0.8) ? 0 : r.int(0, 15);
    const bytes: number[] = [0x90 | ch];
    const notes: number[] = [];
    for (let k = 0; k < count; k++) {
      const n = r.chance(0.8) ? r.int(36, 96) : r.int(0, 127);
      const vel = r.chance(0.95) ? r.int(1, 127) : 0;
      if (k > 0 && r.chance(0.3)) bytes.push(0x90 | ch); // else running status
      bytes.push(n, vel);
      if (vel > 0) notes.push(n);
      if (r.chance(0.05)) bytes.push(r.pick([0xf8, 0xfe, 0xff])); // realtime bytes inside the stream
    }
    this.note('note', `ch${ch + 1} ${bytes.map((b) => b.toString(16)).join(' ')}`);
    this.midi(bytes);
    for (const n of notes) {
      if (r.chance(0.1)) continue; // never released
      const len = r.logRange(0.01, 10);
      const off = r.chance(0.5) ? [0x80 | ch, n, r.int(0, 127)] : [0x90 | ch, n, 0];
      this.later(this.secs(len), 'note', `off ${off.map((b) => b.toString(16)).join(' ')}`, () => this.midi(off));
    }
  }

  private midiGarbage(): void {
    const r = this.rng;
    const bytes: number[] = [];
    const n = r.logRange(1, 300);
    const sysex = r.chance(0.2);
    if (sysex) bytes.push(0xf0);
    for (let k = 0; k < n; k++) bytes.push(r.chance(0.3) ? r.int(0x80, 0xff) : r.int(0, 127));
    if (sysex && r.chance(0.5)) bytes.push(0xf7);
    this.note('midiGarbage', `${bytes.length} bytes: ${bytes.slice(0, 12).map((b) => b.toString(16)).join(' ')}…`);
    this.midi(bytes);
    if (r.chance(0.2)) { // a host passing ints that are not bytes straight to the ABI
      const v = r.pick([-1, 256, 0x190, 65535, 2147483647, -2147483648]);
      this.note('midiGarbage', `midiIn(${v})`);
      this.ex.midiIn(v);
    }
  }

  private clockRun(): void {
    const r = this.rng;
    const bpm = r.chance(0.9) ? r.range(40, 240) : r.pick([1, 5, 19, 301, 600, 2000]);
    const dur = r.logRange(0.5, 120);
    if (r.chance(0.6)) this.ex.paramSet(this.e.paramIndex('clock source'), 2);
    const first = r.pick([0xfa, 0xfa, 0xfb, 0]);
    this.note('clock', `run ${bpm.toFixed(1)} bpm for ${dur.toFixed(1)} s, first byte ${first.toString(16)}`);
    if (first) this.midi([first]);
    this.clock = { bpm, next: this.sample, until: this.sample + this.secs(dur), jitter: r.chance(0.3) ? r.range(0, 0.01) : 0, stopAtEnd: r.chance(0.7) };
  }

  private clockBytes(): void {
    const c = this.clock;
    if (!c) return;
    const r = this.rng;
    let n = 0;
    while (c.next <= this.sample && n < 64) {
      const period = this.secs(60 / (c.bpm * 24));
      c.next += Math.max(1, period * (1 + (c.jitter ? r.range(-c.jitter, c.jitter) * 24 : 0)));
      n++;
    }
    if (n) { const bytes = new Array<number>(n).fill(0xf8); this.midi(bytes); }
    if (r.chance(0.0005)) { c.bpm = r.range(30, 300); this.note('clock', `tempo → ${c.bpm.toFixed(1)}`); }
    if (r.chance(0.0002)) { const b = r.pick([0xfc, 0xfb, 0xfa]); this.note('clock', `byte ${b.toString(16)} mid-run`); this.midi([b]); }
    if (c.next < this.sample) c.next = this.sample; // a burst was capped: resume at the current time
    if (this.sample >= c.until) {
      if (c.stopAtEnd) this.midi([0xfc]);
      this.note('clock', `run ends${c.stopAtEnd ? ' (FC)' : ''}`);
      this.clock = null;
    }
  }

  // ---- menu ----------------------------------------------------------------------------------------------------
  /** A session in the params menu: a short K1 press opens it, then detents and keys, then K1 again (usually). */
  private menu(): void {
    const r = this.rng;
    this.note('menu', `session (menu open: ${this.e.menuOpen()})`);
    const press = (n: number, at: number, hold: number) => {
      this.later(at, 'menu', `K${n} down`, () => this.ex.key(n, 1));
      this.later(at + hold, 'menu', `K${n} up`, () => this.ex.key(n, 0));
    };
    let t = 0;
    press(1, t, this.secs(r.range(0.01, 0.2)));
    t += this.secs(0.3);
    const steps = r.int(3, 40);
    for (let k = 0; k < steps; k++) {
      t += this.secs(r.logRange(0.02, 0.6));
      const what = r.int(0, 7);
      if (what <= 2) { const d = r.pick([-2, -1, 1, 1, 2, 5]); this.later(t, 'menu', `E2 ${d}`, () => this.ex.enc(2, d)); }
      else if (what <= 4) { const d = r.pick([-3, -1, 1, 3, 20]); this.later(t, 'menu', `E3 ${d}`, () => this.ex.enc(3, d)); }
      else if (what === 5) press(3, t, this.secs(r.range(0.02, 0.4)));
      else if (what === 6) press(2, t, this.secs(r.range(0.02, 0.4)));
      else { // combos: K3 held + E3 (fine), K1 held + E2 / K2
        const held = r.chance(0.5) ? 3 : 1;
        this.later(t, 'menu', `K${held} held`, () => this.ex.key(held, 1));
        this.later(t + this.secs(0.3), 'menu', held === 3 ? 'E3 1 (fine)' : 'E2 1 / K2', () => {
          if (held === 3) this.ex.enc(3, 1); else if (r.chance(0.5)) this.ex.enc(2, 1); else { this.ex.key(2, 1); this.ex.key(2, 0); }
        });
        this.later(t + this.secs(0.5), 'menu', `K${held} released`, () => this.ex.key(held, 0));
        t += this.secs(0.5);
      }
    }
    if (r.chance(0.85)) press(1, t + this.secs(0.3), this.secs(0.05));
    this.later(t + this.secs(0.5), 'menu', 'serve PSET requests', () => this.service());
  }

  // ---- getters and calls with bad arguments --------------------------------------------------------------------
  private query(): void {
    const r = this.rng;
    const i = r.int(-1, this.params.length);
    this.note('query', `paramInfo/paramFormat #${i}, state`);
    const len = this.ex.paramInfo(i) as number;
    if (i < 0 || i >= this.params.length) {
      if (len !== -1) throw new InvariantError(`paramInfo(${i}) returned ${len}`);
    } else {
      const txt = Buffer.from(new Uint8Array(this.ex.memory.buffer, this.ex.textPtr(), len)).toString('latin1');
      let info: ParamInfo;
      try { info = JSON.parse(txt) as ParamInfo; } catch { throw new InvariantError(`paramInfo(${i}) is not JSON: ${txt.slice(0, 120)}`); }
      if (!Number.isFinite(info.value)) throw new InvariantError(`paramInfo(${i}).value = ${info.value}`);
      this.ex.paramFormat(i);
    }
    const s = this.e.state();
    for (const [k, v] of Object.entries(s)) {
      if (typeof v === 'number' && !Number.isFinite(v)) throw new InvariantError(`state().${k} = ${v}`);
    }
    this.ex.psetName();
    this.e.screen();
  }

  private badCall(): void {
    const r = this.rng;
    const bs = this.e.blockSize;
    const what = r.int(0, 3);
    if (what === 0) {
      const f = r.pick([0, -1, bs + 1, 257, 2147483647, -2147483648]);
      this.note('badCall', `process(${f})`);
      const rc = this.ex.process(f);
      if (rc !== -1) throw new InvariantError(`process(${f}) returned ${rc}, expected -1`);
    } else if (what === 1) {
      this.note('badCall', 'init again');
      const rc = this.ex.init(48000, 128, 10, 1);
      if (rc !== -1) throw new InvariantError(`a second init returned ${rc}, expected -1`);
    } else if (what === 2) {
      const v = r.pick([-1, 5, 1000, -2147483648]);
      this.note('badCall', `voice getters (${v})`);
      for (const f of ['voiceNote', 'voiceStarted', 'voicePos', 'voiceRate', 'voiceLevel', 'voiceRef']) {
        const x = this.ex[f](v) as number;
        if (!Number.isFinite(x)) throw new InvariantError(`${f}(${v}) = ${x}`);
      }
    } else {
      const ch = r.pick([-1, 2, 7]);
      this.note('badCall', `inputPtr/outputPtr(${ch}), paramGet(-1), psetSlotUsed(0)`);
      this.ex.inputPtr(ch); this.ex.outputPtr(ch); this.ex.paramGet(-1); this.ex.psetSlotUsed(0);
    }
  }
}
