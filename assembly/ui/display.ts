// The engine draws its own screen: once per frame period (the original's main-metro period `resolution`, spec
// §8.1, never faster than 60 fps), counted in samples, it draws the play screen from the engine state (or the
// params menu when open) and publishes it; the frame counter moves only when pixels changed.
import { State, VOICES } from "../piwip/state";
import { Controls } from "../piwip/controls";
import { PlayScreenState, drawPlayScreen, PLAYHEADS_MAX } from "../screen/play_screen";
import { update } from "../screen/framebuffer";

export const MAX_FPS: f64 = 60;

/** Samples between frames: the resolution, but at least 1/60 s. */
export function framePeriod(s: State): i64 {
  const sr = <f64>s.sampleRate;
  const res = Math.round(s.resolution() * sr);
  const fastest = Math.ceil(sr / MAX_FPS);
  return <i64>(res > fastest ? res : fastest);
}

/** Fill the play screen's state from the engine (spec §8.2/§8.3 inputs). */
export function fillPlayScreen(p: PlayScreenState, s: State, c: Controls): void {
  p.recording = s.recording;
  p.armed = s.armed;
  p.shift = c.shiftShown(s);
  const m = s.mode;
  p.modeName = m == 1 ? "sampler" : m == 2 ? "follower" : m == 3 ? "ensemble" : m == 4 ? "tune" : "";
  p.message = s.messageId == 1 ? "monitor enabled" : s.messageId == 2 ? "monitor disabled" : "";
  p.amps = s.amps; // the take's amplitude history, shared (no copy)
  p.ampCount = s.ampCount;
  p.resolutionSec = s.resolution();
  p.startTrim = s.startTrim;
  p.endTrim = s.endTrim;
  p.loopEnd = s.loopEnd;
  // Playheads of the voices holding a note: the reported (quantised) position in the window the voice last
  // wrote, as the original used each voice's own copy of the trims.
  let n = 0;
  for (let i = 0; i < VOICES && n < PLAYHEADS_MAX; i++) {
    const v = unchecked(s.players[i]);
    if (v.midi <= 0 || !v.started) continue;
    unchecked(p.playheadPos[n] = s.quantize(v.voice.position()));
    unchecked(p.playheadStartTrim[n] = v.loopStart);
    unchecked(p.playheadEndTrim[n] = s.loopEnd - v.loopEnd);
    n++;
  }
  p.playheadCount = n;
}

export class Display {
  play: PlayScreenState = new PlayScreenState(0);
  nextFrame: i64 = 0;
  lastDraw: i64 = -1000000;
  wanted: bool = false; // a key, encoder or param change came in since the last frame

  /** An input event arrived: show its effect at the next block rather than the next tick (a 200 ms resolution
   *  would make the menu feel sluggish), still never faster than 60 fps. */
  touch(): void { this.wanted = true; }

  /**
   * Called at the start of every process() block of `frames` samples. When a control tick inside this block will
   * draw anyway (tick() below), that frame is the one the host sees at the block's end, so the input's frame is
   * left to it: one draw per block instead of two (a draw is ~20 % of a block's budget on a Cortex-M7).
   */
  poll(s: State, c: Controls, frames: i32): void {
    if (!this.wanted || <f64>(s.samples - this.lastDraw) < Math.ceil(<f64>s.sampleRate / MAX_FPS)) return;
    if (s.nextTick <= s.samples + <i64>frames && s.nextTick >= this.nextFrame) return;
    this.draw(s, c);
  }

  /** Called from every control tick; draws at most once per frame period. */
  tick(s: State, c: Controls): void {
    if (s.samples < this.nextFrame) return;
    this.nextFrame = s.samples + framePeriod(s);
    this.draw(s, c);
  }

  private draw(s: State, c: Controls): void {
    this.wanted = false;
    this.lastDraw = s.samples;
    if (c.menu.open) c.menu.draw(s);
    else {
      fillPlayScreen(this.play, s, c);
      drawPlayScreen(this.play);
    }
    update();
  }
}

export const display = new Display();
