// Screen exports (owned by the screen work); re-exported from index.ts. The framebuffer is 128×64, 4 bits per
// pixel, 64 bytes per row, even x in the high nibble (see assembly/screen/framebuffer.ts).
// The engine draws the screen itself (assembly/ui/display.ts) while it processes audio.
// screenTest* exports exist for the vitest golden images only; hosts must not rely on them.
import { engine } from "./piwip/engine";
import { frontPtr, frameCount, update } from "./screen/framebuffer";
import { drawTestPattern, drawTextSample } from "./screen/test_pattern";
import { PlayScreenState, drawPlayScreen, PLAYHEADS_MAX } from "./screen/play_screen";

/** The published 4096-byte framebuffer. Valid for the life of the instance. */
export function screenPtr(): usize { return frontPtr(); }
/** Counts published frames that changed; redraw when it differs from the value you last showed. */
export function screenFrame(): i32 { return frameCount(); }

/** Test only: draw the test card (0) or the font sample (1) and publish it. Returns the frame counter. */
export function screenTestPattern(which: i32): i32 {
  if (which == 1) drawTextSample(); else drawTestPattern();
  update();
  return frameCount();
}

// Test only: a play-screen state the tests fill through the exports below (allocated at start, 512 polls).
const TEST_AMPS: i32 = 512;
const testPlay = new PlayScreenState(TEST_AMPS);

/** Test only: the f32[512] amplitude history of the test play state. */
export function screenTestPlayAmpsPtr(): usize { return changetype<usize>(testPlay.amps); }

/**
 * Test only: set the test play state. flags bit 0 recording, 1 armed, 2 shift; mode 0..3 = "", sampler, follower,
 * ensemble; message 0 none, 1 "monitor enabled", 2 "monitor disabled"; times in seconds.
 */
export function screenTestPlaySet(flags: i32, mode: i32, message: i32, ampCount: i32, resolutionSec: f64,
                                  startTrim: f64, endTrim: f64, loopEnd: f64, playheads: i32): void {
  testPlay.recording = (flags & 1) != 0;
  testPlay.armed = (flags & 2) != 0;
  testPlay.shift = (flags & 4) != 0;
  testPlay.modeName = mode == 1 ? "sampler" : mode == 2 ? "follower" : mode == 3 ? "ensemble" : mode == 4 ? "tune" : "";
  testPlay.message = message == 1 ? "monitor enabled" : message == 2 ? "monitor disabled" : "";
  testPlay.ampCount = ampCount < 0 ? 0 : ampCount > TEST_AMPS ? TEST_AMPS : ampCount;
  testPlay.resolutionSec = resolutionSec;
  testPlay.startTrim = startTrim;
  testPlay.endTrim = endTrim;
  testPlay.loopEnd = loopEnd;
  testPlay.playheadCount = playheads < 0 ? 0 : playheads > PLAYHEADS_MAX ? PLAYHEADS_MAX : playheads;
}

/** Test only: playhead i (0..4) of the test play state: position and the voice's trims, seconds. */
export function screenTestPlayhead(i: i32, pos: f64, startTrim: f64, endTrim: f64): void {
  if (i < 0 || i >= PLAYHEADS_MAX) return;
  testPlay.playheadPos[i] = pos;
  testPlay.playheadStartTrim[i] = startTrim;
  testPlay.playheadEndTrim[i] = endTrim;
}

/** Test only: draw the play screen from the test state and publish it. Returns the frame counter. */
export function screenTestPlayDraw(): i32 {
  drawPlayScreen(testPlay);
  update();
  return frameCount();
}

/** 1 while the params menu is shown instead of the play screen (a short K1 press toggles it), else 0. */
export function menuOpen(): i32 { return engine.controls.menu.open ? 1 : 0; }
