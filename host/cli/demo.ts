// `piwip demo` (what `npm start` runs): generates the bundled instrument phrase, writes it as the demo input, renders
// it through the follower preset with the harmonizer at probability 100 %, and reports what happened.
import { dirname, basename, join } from 'node:path';
import { writeWav } from '../io/wav.ts';
import { UsageError, numberOption, parseArgs, type CliIO } from './io.ts';
import { generatePhrase } from './phrase.ts';
import { dbfs, renderAudio, type RenderStats } from './render.ts';

export const DEMO_HELP = `usage: piwip demo [-o out/demo.wav] [--seed N]

Generates an instrument-like phrase (two phrases of a trumpet/voice-like tone with vibrato and breath noise, about
8 s), writes it next to the output as <name>-input.wav, renders it through the follower preset with the harmonizer
probability at 100 % and writes the result (stereo 32-bit float). Prints what happened.
`;

export const DEMO_PRESET = 2; // follower
export const DEMO_SETS = [{ id: 'probability', value: 100 }];

export function demoInputPath(output: string): string {
  return join(dirname(output), `${basename(output).replace(/\.wav$/i, '')}-input.wav`);
}

export async function runDemo(argv: string[], io: CliIO): Promise<number> {
  const a = parseArgs(argv, { output: { value: true, alias: 'o' }, seed: { value: true }, help: { value: false, alias: 'h' } });
  if (a.flags.has('help')) { io.out.write(DEMO_HELP); return 0; }
  if (a.positional.length) throw new UsageError(`unexpected argument "${a.positional[0]}"`);
  const output = a.values.get('output')?.[0] ?? 'out/demo.wav';
  const seed = numberOption('seed', a.values.get('seed')?.[0] ?? '1', 0, 0xffffffff, true);
  const phrase = generatePhrase({ sampleRate: 48000, seed });
  const inputPath = demoInputPath(output);
  writeWav(inputPath, [phrase.samples], phrase.sampleRate, '32f');
  const audio = { sampleRate: phrase.sampleRate, channels: [phrase.samples], frames: phrase.samples.length, bitDepth: '32f' };
  const result = renderAudio({ audio, preset: DEMO_PRESET, sets: DEMO_SETS, seed, tail: 2 });
  writeWav(output, [result.left, result.right], result.sampleRate, '32f');
  io.out.write(demoReport(result.stats, phrase.notes.length, inputPath, output));
  return 0;
}

export function demoReport(s: RenderStats, notes: number, inputPath: string, output: string): string {
  return [
    `piwip demo: a ${s.inputSeconds.toFixed(2)} s phrase of ${notes} notes (${inputPath}) through the follower preset, harmonizer probability 100 %`,
    `  takes recorded:        ${s.takes}`,
    `  harmonizer notes:      ${s.harmonizerNotes}`,
    `  voice starts:          ${s.voiceStarts} (up to ${s.maxVoices} voices at once)`,
    `  output peak / RMS:     ${s.peak.toFixed(3)} (${dbfs(s.peak)}) / ${dbfs(s.rms)}`,
    `  duration:              ${s.seconds.toFixed(2)} s (input + 2 s tail)`,
    `  wrote:                 ${output}`,
    '',
  ].join('\n');
}
