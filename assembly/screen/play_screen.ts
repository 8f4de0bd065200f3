// piwip's play screen (spec §8.2 / §8.3, piwip.lua redraw() and draw_waveform()), drawn from a plain state struct
// the engine fills: REC/RDY badge, title or waveform of the amplitude history cropped to the trim window,
// playheads, mode name, message overlay. The NaN cases of the original are fixed (see drawWaveform).
import * as screen from "./draw";
import { putColumnPair, SCREEN_WIDTH, SCREEN_HEIGHT } from "./framebuffer";

export const PLAYHEADS_MAX: i32 = 5;
/** Waveform columns (x = 2..128; column 127 lands on x = 128, off screen, exactly as in the original). */
export const WAVE_COLUMNS: i32 = 127;
// Crop tolerance in seconds, so a trim that lands on a poll time by accumulated 10 ms steps still includes it.
const CROP_EPS: f64 = 1e-9;
// Sentinel for a column no sample landed on (amplitudes are clamped to >= 0 first).
const EMPTY: f64 = -2;

/** Everything the play screen shows. Allocate once (at init); the engine updates the fields in place. */
export class PlayScreenState {
  recording: bool = false;
  armed: bool = false;
  /** K1 held: badge and mode name move 5 px inward. */
  shift: bool = false;
  /** "", "sampler", "follower" or "ensemble". */
  modeName: string = "";
  /** Overlay text; "" = none. */
  message: string = "";
  /** Amplitude polls of the current take, amps[i] taken at (i + 1) * resolutionSec seconds. */
  amps: StaticArray<f32>;
  /** Valid entries in amps; 0 = no take yet (the title is shown). */
  ampCount: i32 = 0;
  /** Seconds between amplitude polls (the "resolution" param / 1000). */
  resolutionSec: f64 = 0.05;
  /** Global trim window: start trim, end trim, loop end, all in seconds. */
  startTrim: f64 = 0;
  endTrim: f64 = 0;
  loopEnd: f64 = 0;
  /** Voices holding a note (midi > 0), 0..5: their position and their own trims (seconds) in entries 0..count-1. */
  playheadCount: i32 = 0;
  playheadPos: StaticArray<f64> = new StaticArray<f64>(PLAYHEADS_MAX);
  playheadStartTrim: StaticArray<f64> = new StaticArray<f64>(PLAYHEADS_MAX);
  playheadEndTrim: StaticArray<f64> = new StaticArray<f64>(PLAYHEADS_MAX);

  constructor(ampCapacity: i32 = 0) {
    this.amps = new StaticArray<f32>(ampCapacity > 0 ? ampCapacity : 0);
  }
}

// Column values, 1-based like the Lua (index 0 unused).
const disp: usize = memory.data((WAVE_COLUMNS + 1) * 8, 16);
@inline function dispGet(k: i32): f64 { return load<f64>(disp + (<usize>k << 3)); }
@inline function dispSet(k: i32, v: f64): void { store<f64>(disp + (<usize>k << 3), v); }

/** Lua's round(): half away from zero. */
@inline function luaRound(x: f64): f64 { return x >= 0 ? Math.floor(x + 0.5) : Math.ceil(x - 0.5); }

/** Clear and draw the whole play screen (the caller publishes it with framebuffer.update()). */
export function drawPlayScreen(s: PlayScreenState): void {
  screen.clear();
  const sh: f64 = s.shift ? 5 : 0;

  screen.level(15);
  if (s.ampCount <= 0) {
    screen.move(64, 24); screen.textCenter("play instruments");
    screen.move(64, 32); screen.textCenter("while");
    screen.move(64, 40); screen.textCenter("instruments play");
  } else {
    drawWaveform(s);
  }

  // Deviation: the original drew the badge first, and tall waveform columns then covered it. On norns cairo's
  // anti-aliased 1 px lines only half-covered it; with pixel-exact lines it would vanish, so it goes on top.
  if (s.recording || s.armed) {
    screen.level(s.recording ? 15 : 1);
    screen.rect(108 - sh, 1 + sh, 20, 10);
    screen.stroke();
    screen.move(111 - sh, 8 + sh);
    screen.text(s.recording ? "REC" : "RDY");
  }

  screen.move(3 + sh, 60 - sh);
  screen.level(15);
  screen.text(s.modeName);

  if (s.message.length > 0) {
    const w = <f64>(s.message.length * 6);
    screen.level(0);
    screen.rect(64 - w / 2, 28, w, 10);
    screen.fill();
    screen.level(15);
    screen.rect(64 - w / 2, 28, w, 10);
    screen.stroke();
    screen.move(64, 35);
    screen.textCenter(s.message);
  }
}

@inline function clampAmp(a: f32): f64 { return a > 0 ? <f64>a : 0; } // NaN and negatives count as silence

/** draw_waveform(): one column per kept poll below 127 polls, else polls mapped onto 127 columns. */
export function drawWaveform(s: PlayScreenState): void {
  const count = min(s.ampCount, s.amps.length);
  const lo = s.startTrim - CROP_EPS, hi = s.loopEnd - s.endTrim + CROP_EPS;
  // Poll times (i + 1)·resolution are monotonic in i (a product by one constant), so the kept polls are one run
  // first .. first + nval - 1 and the passes below walk it without retesting the times.
  let nval = 0;
  let first = 0;
  for (let i = 0; i < count; i++) {
    const t = <f64>(i + 1) * s.resolutionSec;
    if (t >= lo && t <= hi) { if (nval == 0) first = i; nval++; }
    else if (nval > 0) break; // past the run
  }
  if (nval == 0) return; // nothing inside the window (the original drew nothing either)
  const amps = s.amps;

  let columns = 0;
  if (nval < WAVE_COLUMNS) {
    // Growing from the left: column k shows the k-th kept poll.
    for (let k = 1; k <= nval; k++) dispSet(k, clampAmp(unchecked(amps[first + k - 1])));
    columns = nval;
  } else {
    for (let k = 1; k <= WAVE_COLUMNS; k++) dispSet(k, EMPTY);
    const step = <f64>WAVE_COLUMNS / <f64>nval;
    for (let k = 1; k <= nval; k++) {
      const c = <i32>luaRound(step * <f64>k);
      if (c < 1 || c > WAVE_COLUMNS) continue;
      const v = clampAmp(unchecked(amps[first + k - 1]));
      const old = dispGet(c);
      dispSet(c, old == EMPTY ? v : (old + v) / 2); // pairwise in arrival order, as the original
    }
    for (let c = 1; c <= WAVE_COLUMNS; c++) {
      if (dispGet(c) == EMPTY) dispSet(c, c == 1 ? 0 : dispGet(c - 1));
    }
    columns = WAVE_COLUMNS;
  }

  let maxv: f64 = 0;
  for (let k = 1; k <= columns; k++) maxv = max(maxv, dispGet(k));
  // Fix: all-silent columns drew NaN in the original; draw a flat line instead.
  const scale: f64 = maxv > 0 && maxv < Infinity ? 32 / maxv : 0;

  // The playheads' columns, once per frame rather than once per column.
  const nph = playheadColumns(s, <f64>columns); // columns = min(nval, 127)
  // Column k is at x = 1 + k; odd k is an even x, so columns k and k + 1 share their bytes and go as a pair.
  for (let k = 1; k <= columns; k += 2) {
    const x = 1 + k;
    if (x >= SCREEN_WIDTH) break; // column 127 lands on x = 128, off screen
    setColumn(0, k, scale, nph);
    if (k + 1 <= columns) setColumn(1, k + 1, scale, nph);
    else { colLo1 = 0; colHi1 = -1; }
    putColumnPair(x, colLo0, colHi0, colL0, colLo1, colHi1, colL1);
  }
}

// Rows and level of the pair's two columns (hi < lo: nothing to draw).
let colLo0 = 0, colHi0 = -1, colL0 = 0, colLo1 = 0, colHi1 = -1, colL1 = 0;

/**
 * Column k's rows as the original drew them: move(x, 32 + h) line(x, 32) line(x, 32 - h). The first segment lies
 * inside the second, so only the second matters: rows floor(32 - h) .. floor(32 + h), clipped like drawLine's
 * vertical case. The path's argument check stays: an infinite amplitude makes scale 0 and h NaN, and that column
 * draws nothing.
 */
function setColumn(which: i32, k: i32, scale: f64, nph: i32): void {
  const h = dispGet(k) * scale;
  const y0 = 32 + h, y1 = 32 - h;
  let lo = 0, hi = -1;
  if (Math.abs(y0) <= screen.COORD_LIMIT && Math.abs(y1) <= screen.COORD_LIMIT) {
    const a = <i32>Math.floor(y0), b = <i32>Math.floor(y1);
    lo = max(min(a, b), 0);
    hi = min(max(a, b), SCREEN_HEIGHT - 1);
  }
  const l = isPlayhead(nph, k) ? 15 : 1;
  if (which == 0) { colLo0 = lo; colHi0 = hi; colL0 = l; }
  else { colLo1 = lo; colHi1 = hi; colL1 = l; }
}

// Playhead columns (f64, as luaRound gives them) of the sounding voices with a valid window.
const phCol: usize = memory.data(PLAYHEADS_MAX * 8, 16);

/** Fill phCol with the column of each sounding voice's playhead; returns how many. */
function playheadColumns(s: PlayScreenState, maxw: f64): i32 {
  const n = min(s.playheadCount, PLAYHEADS_MAX);
  let m = 0;
  for (let v = 0; v < n; v++) {
    const st = unchecked(s.playheadStartTrim[v]);
    const window = s.loopEnd - unchecked(s.playheadEndTrim[v]) - st;
    // Fix: a zero-length (or inverted) window gave a NaN playhead in the original; show none.
    if (!(window > 0)) continue;
    const frac = (unchecked(s.playheadPos[v]) - st) / window;
    if (!isFinite(frac)) continue;
    store<f64>(phCol + (<usize>m << 3), luaRound(frac * maxw));
    m++;
  }
  return m;
}

/** Column k is bright when it is within one column of a sounding voice's playhead. */
function isPlayhead(n: i32, k: i32): bool {
  for (let v = 0; v < n; v++) {
    const d = <f64>k - load<f64>(phCol + (<usize>v << 3));
    if (d >= -1 && d <= 1) return true;
  }
  return false;
}
