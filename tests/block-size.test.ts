// Issue 12: the engine's output must not depend on how a host slices the audio. A module (128 frames), a browser
// (128) and an offline render (any --block) must give the same music: every decision — control ticks, harmonizer
// note ends, ensembler entries, the take's stop before the buffer end, the clock's beat — falls on its own sample.
// The §14 timelines (sampler, follower, ensemble, follower + harmonizer at probability 100) at block sizes 1, 7,
// 64, 128 and 256, and sampler steals, through the CLI's renderAudio (events land on their samples; blocks split there).
import { describe, it, expect } from 'vitest';
import { renderAudio, paramCatalog } from '../host/cli/render.ts';
import { parseEvents } from '../host/io/events.ts';
import { harmonicTone } from './helpers/sim.ts';

const SR = 48000;
const BLOCKS = [1, 7, 64, 128, 256];

/** An instrument-like phrase: 0.3 s silence, a tone with harmonics gliding G3 → A3, until 6 s. */
function phrase(seconds: number): Float32Array {
  const x = new Float32Array(Math.round(seconds * SR));
  let ph = 0;
  for (let i = 0; i < x.length; i++) {
    const t = i / SR;
    const hz = t < 2 ? 196 : t < 3 ? 196 * Math.pow(220 / 196, t - 2) : 220;
    ph += hz / SR;
    x[i] = t > 0.3 && t < 6 ? 0.5 * harmonicTone(ph % 1) : 0;
  }
  return x;
}

const CASES: Record<string, { preset: number; events: unknown[]; sets?: { id: string; value: number }[] }> = {
  sampler: { preset: 1, events: [{ t: 7, note: 67, dur: 1.5 }, { t: 7.3, note: 60, dur: 0.7 }] },
  follower: { preset: 2, events: [{ t: 1.0, note: 69, dur: 3 }, { t: 2.2, note: 81, dur: 2 }] },
  // steals (§12.12): the old note's fade-out stages and the new note's start fall on their samples; a stolen note
  // ended during its fade, and a voice freed mid-fade taken again
  stealing: {
    preset: 1, events: [60, 62, 64, 65, 67].map((note, k) => ({ t: 7 + 0.1 * k, note, dur: 1.5 }))
      .concat([{ t: 7.5, note: 69, dur: 0.02 }, { t: 7.51, note: 71, dur: 1 }, { t: 7.53, note: 72, dur: 1 }]),
  },
  ensemble: { preset: 3, events: [] },
  harmonizer: { preset: 2, events: [], sets: [{ id: 'probability', value: 100 }] },
  // the sinc reads (issue 12) on the follower: live follow above and below the input, wraps near the write head
  'follower, interpolation = sinc': { preset: 2, events: [{ t: 1.0, note: 69, dur: 3 }, { t: 2.2, note: 81, dur: 2 }], sets: [{ id: 'interpolation', value: 2 }] },
};

function render(name: string, block: number): Float32Array {
  const c = CASES[name]!;
  const input = phrase(9);
  const events = parseEvents(JSON.stringify(c.events), paramCatalog());
  const audio = { sampleRate: SR, frames: input.length, channels: [input], bits: 32, float: true } as never;
  return renderAudio({ audio, events, preset: c.preset, sets: c.sets, block, seed: 7 }).left;
}

describe('block-size independence (issue 12)', () => {
  for (const name of Object.keys(CASES)) {
    it(`${name}: renders at blocks ${BLOCKS.join(', ')} are bit-identical`, () => {
      const ref = render(name, 128);
      let peak = 0;
      for (const v of ref) peak = Math.max(peak, Math.abs(v));
      expect(peak, 'the timeline sounds').toBeGreaterThan(0.05);
      for (const block of BLOCKS) {
        if (block === 128) continue;
        const out = render(name, block);
        expect(out.length).toBe(ref.length);
        let worst = 0, at = -1;
        for (let i = 0; i < out.length; i++) {
          const d = Math.abs(out[i]! - ref[i]!);
          if (d > worst) { worst = d; at = i; }
        }
        expect(worst, `block ${block}: worst difference ${worst.toExponential(2)} at ${(at / SR).toFixed(4)} s`).toBe(0);
      }
    }, 120_000);
  }
});
