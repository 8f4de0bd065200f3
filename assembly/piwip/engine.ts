// The whole engine, driven one block at a time: input → analysis + recorder, five voices → output, and piwip's
// control tick every `resolution` ms counted in samples (never wall time), so every host renders the same bits.
import { State, Player, VOICES, FADE_TIME, LEVEL_SLEW } from "./state";
import { PARAM_COUNT, P_RESOLUTION, P_DETECTOR, P_MONITOR, P_MONITOR_LEVEL, P_MIDI_CHANNEL, P_SHIFTER, SHIFTER_PSOLA, P_ROOT, P_SCALE, P_INTERPOLATION, INTERP_SINC } from "./params";
import { shifterProcess, shifterMix } from "./shifter_voice";
import { MidiParser, MidiEv } from "./midi_parser";
import { Controls } from "./controls";
import { pmap } from "./pmap";
import { ampPoll, freqPoll, followWriteHead, finishStop, guardBufferEnd, bufferStopSample } from "./recording";
import { midiNoteOn, playWaiting, noteStop, updateVoices, startStolen, nextStolen } from "./players";
import { ensemblerTick, ensemblerEntries } from "./ensembler";
import { ClassicPitch } from "../dsp/pitch/classic";
import { PitchFollower } from "../dsp/pitch/follower";
import { PitchDetector } from "../dsp/pitch/detector";
import { display } from "../ui/display";
import { AL_MASK, BLOCK_OVERHEAD, OBJECT_OVERHEAD } from "rt/common";

export const MAX_BLOCK = 256;
const INPUT_LIMIT: f32 = 16; // inputs beyond ±16 full scale are treated as broken and clamped
const TINY_INPUT: f32 = 1e-18; // inputs closer to 0 than this are 0 (denormals never enter the buffer)
// |x| in [TINY_INPUT, INPUT_LIMIT] ⇔ its bits (sign cleared) − TINY_BITS <= SPAN_BITS, unsigned
const TINY_BITS: u32 = reinterpret<u32>(TINY_INPUT);
const SPAN_BITS: u32 = reinterpret<u32>(INPUT_LIMIT) - TINY_BITS;

/** Frames of recording buffer for a length (init and bytesFor). */
export function bufFramesFor(sampleRate: f32, seconds: f32): i32 {
  return <i32>Math.ceil(<f64>seconds * <f64>sampleRate);
}
/** Pitch-map slots and amplitude polls: one per resolution (>= 10 ms) of the longest take, plus 4. */
export function slotsFor(seconds: f32): i32 {
  return <i32>Math.ceil(<f64>seconds * 100.0) + 4;
}
/** What `new StaticArray` of `bytes` costs in the stub runtime: block header + object header + payload, aligned. */
export function objectCost(bytes: usize): usize {
  return BLOCK_OVERHEAD + (((OBJECT_OVERHEAD + bytes + BLOCK_OVERHEAD + AL_MASK) & ~AL_MASK) - BLOCK_OVERHEAD);
}
/** The allocator's offset just after an object of `bytes` at `obj` (the object's address). */
function objectEnd(obj: usize, bytes: usize): usize {
  return obj - OBJECT_OVERHEAD - BLOCK_OVERHEAD + objectCost(bytes);
}
/** Grow linear memory to hold `bytes` from address 0, exactly (no doubling); false when the host refuses. */
function ensureMemory(bytes: f64): bool {
  const pages = <i32>Math.ceil(bytes / 65536.0);
  const have = memory.size();
  return pages <= have || memory.grow(pages - have) >= 0;
}

export const MIDI_SOURCES = 4;

export class Engine {
  s: State = new State();
  controls: Controls = new Controls();
  midi: MidiParser = new MidiParser(); // source 0: midiIn()
  // one parser per MIDI source (midiInFrom), so a message split across reads keeps its own running status
  parsers: StaticArray<MidiParser> = [this.midi, new MidiParser(), new MidiParser(), new MidiParser()];
  ready: bool = false;
  inL: StaticArray<f32> = new StaticArray<f32>(MAX_BLOCK);
  inR: StaticArray<f32> = new StaticArray<f32>(MAX_BLOCK);
  outL: StaticArray<f32> = new StaticArray<f32>(MAX_BLOCK);
  outR: StaticArray<f32> = new StaticArray<f32>(MAX_BLOCK);
  mono: StaticArray<f32> = new StaticArray<f32>(MAX_BLOCK);

  init(sampleRate: f32, blockSize: i32, maxRecSeconds: f32, seed: u32): i32 {
    if (this.ready) return -1;
    if (!(sampleRate >= 8000 && sampleRate <= 192000)) return -2;
    if (blockSize < 1 || blockSize > MAX_BLOCK) return -3;
    if (!(maxRecSeconds >= 1 && maxRecSeconds <= 600)) return -4;
    // Everything whose size depends on the rate only, then a memory check against the exact figure hosts can ask
    // for beforehand (bytesFor), so a buffer that does not fit is an error code, never a trap mid-allocation.
    this.prepare(sampleRate);
    if (!ensureMemory(this.bytesFor(sampleRate, maxRecSeconds))) return -5;
    const s = this.s;
    s.sampleRate = sampleRate;
    s.blockSize = blockSize;
    s.prng.seed(seed);
    // the length-dependent storage: exactly the objects bytesFor() counts, in the same order
    s.bufFrames = bufFramesFor(sampleRate, maxRecSeconds);
    s.buf = new StaticArray<f32>(s.bufFrames);
    const slots = slotsFor(maxRecSeconds);
    s.pitchMap.init(slots);
    s.amps = new StaticArray<f32>(slots);
    s.recorder.init(s.buf, s.bufFrames);
    s.ampL.init(sampleRate);
    s.ampR.init(sampleRate);
    for (let i = 0; i < VOICES; i++) {
      const p = unchecked(s.players[i]);
      p.voice.init(sampleRate, s.buf, s.bufFrames);
      p.voice.setFadeTime(FADE_TIME);
      p.voice.setLevelSlewTime(LEVEL_SLEW);
      p.voice.setLevel(0);
      p.voice.setPan(0);
      p.voice.setLoopStart(0);
      p.voice.setLoopEnd(300);
      p.voice.setRate(1);
    }
    this.applyResolution();
    this.controls.harmonizer.rebuild(s);
    s.shifter.setScale(s.params.opt(P_ROOT), s.params.opt(P_SCALE) - 1);
    s.nextTick = this.tickFrames();
    this.ready = true;
    return 0;
  }

  private preparedRate: f32 = 0;
  private preparedEnd: usize = 0; // the allocator's offset after prepare(): where the length-dependent storage starts

  /** The allocations that depend on the sample rate only (detectors, players, the mode-0 snapshot); done once per
   *  rate. A second rate allocates again (the stub allocator never frees): ask bytesFor() with the rate init gets. */
  private prepare(sampleRate: f32): void {
    if (this.preparedRate == sampleRate) return;
    const s = this.s;
    const follower = new PitchFollower();
    follower.init(sampleRate);
    s.follower = follower;
    const classic = new ClassicPitch();
    classic.init(sampleRate);
    s.classic = classic;
    s.shifter.init(sampleRate);
    for (let i = 0; i < VOICES; i++) s.players[i] = new Player();
    // the last allocation: its end is the allocator's offset now (no probe allocation needed)
    s.snapshot = new StaticArray<f64>(PARAM_COUNT);
    this.preparedEnd = objectEnd(changetype<usize>(s.snapshot), <usize>PARAM_COUNT << 3);
    this.preparedRate = sampleRate;
  }

  /** Bytes of linear memory init(sampleRate, *, seconds) needs in all (from address 0), or 0 for bad arguments.
   *  The same functions as init size the same objects. Allocates the rate's detectors once (see prepare). */
  bytesFor(sampleRate: f32, seconds: f32): f64 {
    if (!(sampleRate >= 8000 && sampleRate <= 192000) || !(seconds >= 1 && seconds <= 600)) return 0;
    if (this.ready) {
      if (sampleRate != this.s.sampleRate) return 0;
    } else {
      this.prepare(sampleRate);
    }
    const slots = <usize>slotsFor(seconds);
    return <f64>this.preparedEnd + <f64>objectCost(<usize>bufFramesFor(sampleRate, seconds) << 2) +
      <f64>(objectCost(slots << 3) + 3 * objectCost(slots << 2));
  }

  private tickFrames(): i64 {
    const t = <i64>Math.round(this.s.resolution() * <f64>this.s.sampleRate);
    return t < 1 ? 1 : t;
  }

  /** Rate slew = resolution / 10 (spec §2.1); applied again when resolution changes (live, unlike the original). */
  applyResolution(): void {
    const slew = <f32>(this.s.resolution() / 10.0);
    for (let i = 0; i < VOICES; i++) unchecked(this.s.players[i]).voice.setRateSlewTime(slew);
  }

  detector(): PitchDetector {
    const s = this.s;
    return changetype<PitchDetector>(s.params.opt(P_DETECTOR) == 2 ? s.classic : s.follower);
  }

  /** Latest estimate of the selected detector; 0 = no pitch, or the detector is off. */
  pitchHz(): f32 { return this.s.params.opt(P_DETECTOR) == 3 ? 0 : this.detector().hz; }

  inputPtr(ch: i32): usize { return changetype<usize>(ch == 1 ? this.inR : this.inL); }
  outputPtr(ch: i32): usize { return changetype<usize>(ch == 1 ? this.outR : this.outL); }

  process(frames: i32): i32 {
    if (!this.ready || frames < 1 || frames > this.s.blockSize) return -1;
    const s = this.s;
    display.poll(s, this.controls, frames);
    this.sanitize(frames);
    let off = 0;
    while (off < frames) {
      this.blockEvents();
      let n = frames - off;
      // every decision falls on its own sample, not on a block edge: the render stops at the next tick, the next
      // harmonizer note end or ensembler entry, and where the take must stop before the buffer end
      const until = this.nextDue() - s.samples;
      if (<i64>n > until) n = <i32>until;
      if (n > 0) {
        this.render(off, n);
        off += n;
      }
      if (s.samples >= s.nextTick) {
        this.tick();
        s.nextTick = s.samples + this.tickFrames();
      }
    }
    return 0;
  }

  /** NaN/Inf or absurd input must never reach the buffer or the output. */
  private sanitize(n: i32): void {
    // pointers in locals: a store through a field's array would make every iteration reload the field
    const inL = changetype<usize>(this.inL);
    const inR = changetype<usize>(this.inR);
    const mono = changetype<usize>(this.mono);
    const end = <usize>n << 2;
    for (let k: usize = 0; k < end; k += 4) {
      // The common sample is in range on both channels: one unsigned test per channel on the magnitude's bits
      // (positive floats order as their bits; NaN's are above 16's) instead of four float compares, which an
      // interpreter pays per op (wasm3 on the M7).
      const bl = load<u32>(inL + k);
      const br = load<u32>(inR + k);
      if (((bl & 0x7fffffff) - TINY_BITS > SPAN_BITS) | ((br & 0x7fffffff) - TINY_BITS > SPAN_BITS)) {
        let l = reinterpret<f32>(bl);
        let r = reinterpret<f32>(br);
        // !(|x| <= limit) is !(x >= −limit && x <= limit) in one test, NaN included; below 1e-18 (−360 dB) is 0, so
        // no product with the engine's smallest gains (record ramp, fade weight, level ≥ 1e-6) turns denormal
        if (!(Mathf.abs(l) <= INPUT_LIMIT && !(Mathf.abs(l) < TINY_INPUT))) {
          l = l > INPUT_LIMIT ? INPUT_LIMIT : l < -INPUT_LIMIT ? -INPUT_LIMIT : 0;
          store<f32>(inL + k, l);
        }
        if (!(Mathf.abs(r) <= INPUT_LIMIT && !(Mathf.abs(r) < TINY_INPUT))) {
          r = r > INPUT_LIMIT ? INPUT_LIMIT : r < -INPUT_LIMIT ? -INPUT_LIMIT : 0;
          store<f32>(inR + k, r);
        }
        store<f32>(mono + k, 0.5 * (l + r));
      } else {
        // A19: the buffer records the mid 0.5·(L+R), so a mono source fed to both inputs records at unity
        store<f32>(mono + k, 0.5 * (reinterpret<f32>(bl) + reinterpret<f32>(br)));
      }
    }
  }

  private render(off: i32, n: i32): void {
    const s = this.s;
    const o = <usize>off << 2;
    const inL = changetype<usize>(this.inL) + o;
    const inR = changetype<usize>(this.inR) + o;
    const mono = changetype<usize>(this.mono) + o;
    const outL = changetype<usize>(this.outL) + o;
    const outR = changetype<usize>(this.outR) + o;
    s.ampL.process(inL, n);
    s.ampR.process(inR, n);
    const psola = s.params.opt(P_SHIFTER) == SHIFTER_PSOLA;
    // shifter = psola: the detector runs inside shifterProcess, cut where the shifter reads its estimate
    if (psola) shifterProcess(s, s.params.opt(P_DETECTOR) != 3 ? this.detector() : null, mono, n);
    else if (s.params.opt(P_DETECTOR) != 3) this.detector().process(mono, n);
    const rec = s.recorder;
    const wasWriting = rec.active;
    const before = rec.pos;
    rec.write(mono, n);
    // No voice reads past the written material of this take: frame `before + i` is written at sample i.
    const first = wasWriting ? <f64>before + 1.0 : <f64>rec.pos;
    const moving = rec.active;
    const last = <f64>rec.pos;
    // Centred voices (piwip's only pan) add the same samples to both channels: mix the left once, copy it.
    let centred = true;
    for (let i = 0; i < VOICES; i++) {
      const v = unchecked(s.players[i]);
      if (v.ever && !v.voice.centred()) centred = false;
    }
    // the voices add into zeroed outputs; a centred mix fills the right channel by the copy below
    memory.fill(outL, 0, <usize>n << 2);
    if (!centred) memory.fill(outR, 0, <usize>n << 2);
    const sinc = s.params.opt(P_INTERPOLATION) == INTERP_SINC;
    for (let i = 0; i < VOICES; i++) {
      const v = unchecked(s.players[i]);
      if (v.ever) {
        v.voice.setInterpolation(sinc);
        v.voice.setWritten(first, last, moving);
        v.voice.render(outL, centred ? 0 : outR, n);
      }
    }
    // shifter = psola: the notes' pitch-synchronous voices from the live input (centred)
    if (psola) shifterMix(s, outL, centred ? 0 : outR, n);
    if (centred) memory.copy(outR, outL, <usize>n << 2);
    if (s.params.yes(P_MONITOR)) {
      const g = <f32>s.params.get(P_MONITOR_LEVEL);
      for (let i = 0; i < n; i++) {
        const k = <usize>i << 2;
        store<f32>(outL + k, load<f32>(outL + k) + g * load<f32>(inL + k));
        store<f32>(outR + k, load<f32>(outR + k) + g * load<f32>(inR + k));
      }
    }
    s.samples += <i64>n;
    s.clock.advance(s, n);
    if (s.recorder.finished) finishStop(s);
  }

  /** Work due at this sample: a take about to run off the buffer, harmonizer note ends, ensembler entries, a stolen
   *  voice's new note. */
  private blockEvents(): void {
    guardBufferEnd(this.s);
    this.controls.harmonizer.release(this.s);
    ensemblerEntries(this.s);
    startStolen(this.s);
  }

  /** The next sample at which blockEvents() or tick() has work (>= s.samples + 1 unless due now). */
  private nextDue(): i64 {
    const s = this.s;
    let due = s.nextTick;
    for (let i = 0; i < s.pendCount; i++) {
      const t = s.clock.sampleOfBeat(s, unchecked(s.pendEnd[i]));
      if (t >= 0 && t < due) due = t;
    }
    for (let i = 0; i < s.ensPending; i++) {
      const t = unchecked(s.ensStart[i]);
      if (t < due) due = t;
    }
    const stolen = nextStolen(s);
    if (stolen < due) due = stolen;
    const stop = bufferStopSample(s);
    if (stop >= 0 && stop < due) due = stop;
    return due > s.samples ? due : s.samples + 1;
  }

  /** One `resolution` tick: amp poll, pitch poll, then update_main (spec §2.2). */
  private tick(): void {
    const s = this.s;
    followWriteHead(s);
    ampPoll(s);
    playWaiting(s);
    s.lastHz = this.pitchHz();
    freqPoll(s, s.lastHz);
    ensemblerTick(s);
    this.controls.harmonizer.tick(s);
    updateVoices(s);
    if (s.messageId != 0 && s.samples >= s.messageUntil) s.messageId = 0;
    display.tick(s, this.controls);
  }

  midiByte(b: i32): void { this.midiByteFrom(0, b); }

  /** One raw byte from MIDI source 0..MIDI_SOURCES-1; each source has its own parser state. */
  midiByteFrom(src: i32, b: i32): void {
    const m = unchecked(this.parsers[src]);
    const ev = m.feed(b);
    if (ev == MidiEv.NONE) return;
    const s = this.s;
    if (ev == MidiEv.CLOCK) { s.clock.tick(s); return; }
    if (ev == MidiEv.START) { s.clock.start(s); return; }
    if (ev == MidiEv.CONTINUE) { s.clock.continueAt(s); return; }
    if (ev == MidiEv.STOP) { s.clock.stop(s); return; }
    // the MIDI map has its own channel per binding (norns PMAP), whatever `midi channel` says for notes
    if (ev == MidiEv.CC) { if (pmap.onCC(this, m.channel, m.control, m.value)) display.touch(); return; }
    const ch = s.params.opt(P_MIDI_CHANNEL);
    if ((ev == MidiEv.NOTE_ON || ev == MidiEv.NOTE_OFF) && ch != 0 && m.channel != ch) return;
    if (ev == MidiEv.NOTE_ON) midiNoteOn(s, m.note, m.velocity);
    else if (ev == MidiEv.NOTE_OFF) noteStop(s, m.note);
  }

  setParam(i: i32, v: f64): i32 {
    const rc = this.controls.setParam(this.s, i, v);
    if (rc >= 0) this.afterParam(i);
    return rc;
  }

  /** One params-menu encoder detent on param i. */
  paramDelta(i: i32, d: i32, fine: bool): void {
    const before = this.s.params.get(i);
    this.s.params.delta(i, d, fine);
    this.controls.action(this.s, i, before);
    this.afterParam(i);
  }

  /** After a PSET read: what afterParam does for each param, once. */
  afterPset(): void { this.applyResolution(); }

  private afterParam(i: i32): void {
    if (i == P_RESOLUTION) this.applyResolution();
  }
}

export const engine = new Engine();
