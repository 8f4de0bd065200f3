// `piwip render --screens DIR`: PNG snapshots of the screen the engine draws (play screen or params menu) at chosen
// times of the render. The snapshot for t is taken at the first block boundary at or after frame round(t × rate)
// (within --block frames): the render's blocks are not split for it, so the audio is the same bits with or without.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { PiwipEngine } from '../engine/engine.ts';
import { FileFormatError, describeErrno } from '../io/errors.ts';
import { ensureDir, refuseInput, type InputFile } from '../io/files.ts';
import { writeScreenPng } from '../screen/png.ts';
import { UsageError, numberOption, type OptionSpec } from './io.ts';

export const MAX_SCREENS = 10000;
export const DEFAULT_SCREEN_SCALE = 4;

export const SCREEN_SPEC: Record<string, OptionSpec> = {
  screens: { value: true }, 'screen-times': { value: true }, 'screen-every': { value: true }, 'screen-scale': { value: true },
};

export const SCREENS_HELP = `  --screens DIR          write PNG snapshots of the engine's 128x64 screen into DIR (created if needed) at
                         --screen-times or every --screen-every seconds (default: every 1 s)
  --screen-times LIST    comma-separated times in seconds, e.g. 0.5,1,2.5
  --screen-every S       a snapshot every S seconds (S, 2S, ... up to the end of the render)
  --screen-scale N       pixels per screen pixel in the PNGs, 1..16 (default ${DEFAULT_SCREEN_SCALE}; 1 = exactly 128x64)
`;

/** File name of the snapshot at t seconds: screen-0002.500s.png (sorts by time). */
export function screenFileName(t: number): string {
  const [whole, frac] = t.toFixed(3).split('.');
  return `screen-${whole!.padStart(4, '0')}.${frac}s.png`;
}

/** Parse "0.5, 1,2.5" into sorted distinct times; clear errors for anything else. */
export function parseScreenTimes(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  const times = parts.map((p) => {
    const v = p === '' ? NaN : Number(p);
    if (!Number.isFinite(v) || v < 0) throw new UsageError(`--screen-times: "${p}" is not a time in seconds (a number >= 0)`);
    return v;
  });
  return [...new Set(times)].sort((a, b) => a - b);
}

export class ScreenCapture {
  readonly written: string[] = [];
  private frames: number[] = [];
  private times: number[] = [];
  private k = 0;
  /** Files a snapshot must never replace (the render's inputs). */
  inputs: readonly InputFile[] = [];

  constructor(readonly dir: string, readonly scale: number, readonly at: number[] | undefined, readonly every: number | undefined) {}

  /** Called once the render length is known: turns the times into frames, refusing any past the end. */
  begin(totalFrames: number, sampleRate: number): void {
    const end = totalFrames / sampleRate;
    let times: number[];
    if (this.at) {
      const late = this.at.find((t) => Math.round(t * sampleRate) > totalFrames);
      if (late !== undefined) throw new UsageError(`--screen-times: ${late} s is past the end of the render (${end.toFixed(3)} s)`);
      times = this.at;
    } else {
      const step = this.every ?? 1;
      const n = Math.floor(end / step + 1e-9);
      if (n > MAX_SCREENS) throw new UsageError(`--screen-every ${step} would write ${n} PNGs (at most ${MAX_SCREENS})`);
      times = Array.from({ length: n }, (_, i) => Number(((i + 1) * step).toFixed(9)));
    }
    this.times = times;
    this.frames = times.map((t) => Math.round(t * sampleRate));
    this.k = 0;
    ensureDir(this.dir, `--screens "${this.dir}"`);
  }

  /** `pos` frames have been processed (a block boundary): write every snapshot due at or before pos. */
  capture(pos: number, engine: PiwipEngine): void {
    while (this.k < this.frames.length && this.frames[this.k]! <= pos) {
      const path = join(this.dir, screenFileName(this.times[this.k]!));
      refuseInput(path, this.inputs, '--screens snapshot');
      try {
        writeScreenPng(path, engine.screen(), this.scale);
      } catch (e) {
        throw new FileFormatError(`--screens: cannot write ${path}: ${describeErrno(e)}`);
      }
      this.written.push(path);
      this.k++;
    }
  }

  summary(): string {
    return `Wrote ${this.written.length} screen snapshot${this.written.length === 1 ? '' : 's'} (${128 * this.scale}x${64 * this.scale} PNG) to ${this.dir}.`;
  }
}

/** The --screens options of a parsed command line, or undefined when --screens is absent. */
export function screenCaptureFromArgs(values: Map<string, string[]>): ScreenCapture | undefined {
  const one = (k: string) => values.get(k)?.[0];
  const dir = one('screens');
  const timesText = one('screen-times');
  const everyText = one('screen-every');
  const scaleText = one('screen-scale');
  if (dir === undefined) {
    const stray = ['screen-times', 'screen-every', 'screen-scale'].find((k) => values.has(k));
    if (stray) throw new UsageError(`--${stray} needs --screens DIR`);
    return undefined;
  }
  if (dir === '') throw new UsageError('--screens needs a directory');
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`--screens ${dir}: exists and is not a directory`);
  if (timesText !== undefined && everyText !== undefined) throw new UsageError('--screen-times and --screen-every together');
  const at = timesText === undefined ? undefined : parseScreenTimes(timesText);
  if (at && at.length > MAX_SCREENS) throw new UsageError(`--screen-times lists ${at.length} times (at most ${MAX_SCREENS})`);
  const every = everyText === undefined ? undefined : numberOption('screen-every', everyText, 0.001, 3600);
  const scale = scaleText === undefined ? DEFAULT_SCREEN_SCALE : numberOption('screen-scale', scaleText, 1, 16, true);
  return new ScreenCapture(dir, scale, at, every);
}
