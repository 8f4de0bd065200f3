// The play screen as the REAL engine draws it while it runs (spec §8, §14 sampler timeline): audio in, key /
// encoder / MIDI events through the ABI, and the published framebuffer compared pixel-exactly with goldens at key
// moments; plus the refresh rules (one frame per resolution, at most 60 fps, no new frame when nothing changed).
import { describe, it, expect } from 'vitest';
import { Sim, pitchedSignal } from './helpers/sim.ts';
import { expectGoldenScreen, pixelAt } from './screen-golden.ts';

const SR = 48000;
const NOTE_HZ = [220, 247, 262, 294, 330, 294, 262];
const NOTE_PEAK = [0.5, 0.3, 0.6, 0.25, 0.45, 0.35, 0.55];
const NOTE_LEN = 0.45;

/** A played phrase from 0.5 s to 3.6 s: seven plucked notes with different loudness, then silence. */
export function phrase(t0 = 0.5, t1 = 3.6): (t: number) => number {
  const k = (t: number) => Math.floor((t - t0) / NOTE_LEN) % NOTE_HZ.length;
  return pitchedSignal(SR, (t) => (t < t0 ? 220 : NOTE_HZ[k(t)]!), (t) => {
    if (t < t0 || t >= t1) return 0;
    const local = (t - t0) % NOTE_LEN;
    return NOTE_PEAK[k(t)]! * Math.min(1, local / 0.02) * Math.exp(-local / 0.3);
  });
}

/** Columns x = 2..128 that have any lit pixel, and those at level 15 (playheads). */
function columns(fb: Uint8Array): { lit: number; bright: number[] } {
  let lit = 0;
  const bright: number[] = [];
  for (let x = 2; x < 128; x++) {
    let any = false, hi = false;
    for (let y = 12; y < 53; y++) { const l = pixelAt(fb, x, y); if (l) any = true; if (l === 15) hi = true; }
    if (any) lit++;
    if (hi) bright.push(x);
  }
  return { lit, bright };
}

describe('play screen drawn by the engine (spec §14 sampler timeline)', () => {
  const shots = new Map<string, { fb: Uint8Array; frame: number; amps: number; state: ReturnType<Sim['e']['state']> }>();
  const frames: { t: number; frame: number }[] = [];
  const shot = (name: string) => (e: Sim['e']) => shots.set(name, { fb: e.screen(), frame: e.screenFrame(), amps: e.ex.ampCount(), state: e.state() });
  const sim = new Sim({ sampleRate: SR }, 12)
    .at(0, (e) => e.setMode(1))
    .at(0.45, shot('title'))
    .at(2.0, shot('recording'))
    .at(4.6, (e) => { e.noteOn(67); e.noteOn(55); })
    .at(5.6, shot('playheads'))
    .at(6.0, (e) => { e.enc(2, 30); e.enc(3, -40); })
    .at(6.6, shot('trimmed'))
    .at(7.0, (e) => e.key(1, 1))
    .at(7.1, (e) => { e.key(2, 1); e.key(2, 0); })
    .at(7.3, shot('message'))
    .at(7.5, (e) => e.key(1, 0))
    .at(7.8, shot('message gone'))
    .at(8.0, (e) => { e.noteOff(67); e.noteOff(55); })
    .probe((_s, t) => frames.push({ t, frame: sim.e.screenFrame() }));
  sim.run(10, phrase());

  it('before the first take: the title, RDY (dim) and the mode name', () => {
    const s = shots.get('title')!;
    expect(s.state.armed).toBe(true);
    expect(s.state.recording).toBe(false);
    expectGoldenScreen('engine-title-armed', s.fb);
    expect(pixelAt(s.fb, 108, 1)).toBe(1); // the badge outline is dim while only armed
  });

  it('while recording: REC and the waveform growing from the left, one column per amplitude poll', () => {
    const s = shots.get('recording')!;
    expect(s.state.recording).toBe(true);
    expectGoldenScreen('engine-recording', s.fb);
    expect(pixelAt(s.fb, 108, 1)).toBe(15);
    const c = columns(s.fb);
    // the frame was drawn at the last tick: at most one poll behind the count now
    expect(c.lit).toBeGreaterThanOrEqual(s.amps - 1);
    expect(c.lit).toBeLessThanOrEqual(s.amps);
    expect(s.amps).toBeGreaterThan(25); // ~1.45 s of take at 20 polls/s
    expect(c.bright).toEqual([]);
  });

  it('two held notes: their playheads at level 15, three columns each', () => {
    const s = shots.get('playheads')!;
    expect(s.state.recording).toBe(false);
    expect(s.state.voices.filter((v) => v.started).length).toBe(2);
    expectGoldenScreen('engine-playheads', s.fb);
    const c = columns(s.fb);
    expect(c.bright.length).toBeGreaterThanOrEqual(3);
    expect(c.bright.length).toBeLessThanOrEqual(6);
    // the waveform holds the whole take (fewer than 127 polls: one column each)
    expect(c.lit).toBe(s.amps);
  });

  it('after E2/E3 trims the waveform shows only the window', () => {
    const s = shots.get('trimmed')!;
    expect(s.state.startTrim).toBeCloseTo(0.3, 9);
    expect(s.state.endTrim).toBeCloseTo(0.4, 9);
    expectGoldenScreen('engine-trimmed', s.fb);
    // one column per poll i (taken at (i + 1) × 50 ms) inside [start trim, loop end − end trim]
    const { startTrim, endTrim, loopEnd } = s.state;
    let kept = 0;
    for (let i = 0; i < s.amps; i++) { const t = (i + 1) * 0.05; if (t >= startTrim - 1e-9 && t <= loopEnd - endTrim + 1e-9) kept++; }
    expect(columns(s.fb).lit).toBe(kept);
    expect(kept).toBeLessThan(s.amps - 6); // the 0.3 s start trim alone drops 6 polls
  });

  it('K1+K2: "monitor enabled" for 0.5 s, badge and mode name shifted while K1 is held', () => {
    const s = shots.get('message')!;
    expect(s.state.monitor).toBe(true);
    expectGoldenScreen('engine-message', s.fb);
    const gone = shots.get('message gone')!;
    // the overlay box (black, white outline, from y = 28) is gone, the mode name is back at x = 3
    expect(pixelAt(s.fb, 64 + 44, 28)).toBe(15); // its top-right corner (15 characters × 6 px wide)
    expect(pixelAt(gone.fb, 64 + 44, 28)).toBe(0);
    expect(pixelAt(gone.fb, 3, 57)).toBe(15); // "sampler" back at x = 3 (its s at x = 3, y = 57)
    expect(pixelAt(s.fb, 8, 52)).toBe(15); // and 5 px up-right while K1 is held
  });

  it('one frame per resolution (20 fps) while the picture changes, none while it does not', () => {
    const count = (a: number, b: number) => {
      const fa = frames.find((f) => f.t >= a)!.frame, fb = frames.find((f) => f.t >= b)!.frame;
      return fb - fa;
    };
    // recording: every poll adds a column, so every frame is new
    expect(count(1.0, 2.0)).toBe(20);
    // notes released at 8 s: after the release ticks nothing moves on screen
    expect(count(8.5, 9.9)).toBe(0);
    expect(sim.e.state().voices.every((v) => v.note === 0)).toBe(true);
  });
});

// The other NaN case, a zero-length trim window, cannot arise in the engine (trims keep 10 ms, A12); the play
// screen's own guard is tested with a hand-filled state in tests/screen.test.ts.
describe('the original\'s NaN case of a silent take (spec §8.3), drawn by the engine', () => {
  it('a silent forced take draws a flat dim line, not NaN columns', () => {
    const sim = new Sim({ sampleRate: SR }, 3);
    let fb: Uint8Array = new Uint8Array(0), amps = 0;
    sim.at(0.6, (e) => { e.key(3, 1); e.key(3, 0); }) // K3: a forced take of silence
      .at(2.0, (e) => { fb = e.screen(); amps = e.ex.ampCount(); });
    sim.run(2.1, () => 0);
    expect(amps).toBeGreaterThan(20);
    for (let x = 2; x < 128; x++) {
      for (let y = 12; y < 53; y++) {
        // columns 2 .. amps+1 (the frame is at most one poll behind) are a single level-1 pixel on the centre line
        const want = y === 32 && x <= amps ? 1 : 0;
        if (x === amps + 1 && y === 32) continue;
        expect(pixelAt(fb, x, y), `${x},${y}`).toBe(want);
      }
    }
  });
});

describe('refresh rate', () => {
  it('never more than 60 fps, even at resolution 10 ms (100 ticks/s)', () => {
    const sim = new Sim({ sampleRate: SR }, 4);
    sim.at(0, (e) => { e.setParam('resolution', 10); e.setMode(1); });
    let f1 = 0, f2 = 0;
    sim.at(1.5, (e) => { f1 = e.screenFrame(); }).at(2.5, (e) => { f2 = e.screenFrame(); });
    sim.run(2.6, phrase(0.5, 3));
    expect(sim.e.state().recording).toBe(true);
    // ticks every 480 samples, frames at least 800 apart → every second tick: 50 new frames per second
    expect(f2 - f1).toBe(50);
  });

  it('frames follow the resolution param (200 ms → 5 fps)', () => {
    const sim = new Sim({ sampleRate: SR }, 4);
    sim.at(0, (e) => { e.setParam('resolution', 200); e.setMode(1); });
    let f1 = 0, f2 = 0;
    sim.at(1.5, (e) => { f1 = e.screenFrame(); }).at(2.5, (e) => { f2 = e.screenFrame(); });
    sim.run(2.6, phrase(0.5, 3));
    expect(f2 - f1).toBe(5);
  });
});
