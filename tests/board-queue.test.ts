// The Teensy board loop's audio queue handling (firmware/teensy/src/board_queue.h, the code main.cpp runs), in a
// host simulation of the Audio library's queues (firmware/tests/board_queue_sim.c): a stall must not add permanent
// latency, drops are counted, and L/R stay aligned although the audio update can fire between any two queue calls.
import { execFileSync, spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { skipWithout } from './helpers/tools.ts';

const FW = join(dirname(fileURLToPath(import.meta.url)), '..', 'firmware');
const SIM = join(FW, 'build', 'ci-board', 'host', 'board-queue-sim'); // own build dir: test files run in parallel
// what main.cpp uses: kMaxBacklog, kPlayDepth, AudioMemory(kAudioBlocks) minus the blocks I2S in/out hold
const BOARD = ['--backlog', '2', '--play-depth', '3', '--memory', '40'];

function sim(...args: string[]): Record<string, number> {
  const r = spawnSync(SIM, args, { encoding: 'utf8', timeout: 30_000 });
  expect(r.status, r.stderr).toBe(0);
  const kv: Record<string, number> = {};
  for (const line of r.stdout.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) kv[line.slice(0, i)] = Number(line.slice(i + 1));
  }
  return kv;
}

describe.skipIf(skipWithout('board queue simulation', ['gcc', 'make'], 'apt-get install gcc make'))(
  'Teensy board loop: bounded play queue, counted drops, L/R together', () => {
    beforeAll(() => { execFileSync('make', ['-C', FW, '-s', 'B=build/ci-board', 'board-sim'], { stdio: 'pipe', timeout: 120_000 }); });

    it('steady state: no drops, no underruns, 2 blocks of latency', () => {
      for (const seed of ['1', '7', '42']) {
        const r = sim(...BOARD, '--seed', seed);
        expect(r.blocks).toBeGreaterThan(2900);
        expect(r.skipped! + r.refused! + r.misaligned! + r.lr_mismatch!).toBe(0);
        expect(r.underruns_recovered).toBe(0);
        expect(r.final_latency).toBeLessThanOrEqual(2);
      }
    });

    it('a 40-block stall: the backlog is cut back to the bound (dropped and counted), latency returns', () => {
      const r = sim(...BOARD, '--stall-at', '1000', '--stall', '40');
      expect(r.skipped).toBeGreaterThan(0);
      expect(r.xruns).toBe(r.skipped! + r.refused! + r.late!);
      expect(r.max_latency_recovered).toBeLessThanOrEqual(2 + 1);
      expect(r.final_latency).toBeLessThanOrEqual(2);
      expect(r.underruns_recovered).toBe(0);
      expect(r.lr_mismatch).toBe(0);
      expect(r.misaligned).toBe(0);
      // a 12-block stall (35 ms) fits AudioMemory's margin: no capture block lost
      expect(sim(...BOARD, '--stall-at', '500', '--stall', '12').lost_inputs).toBe(0);
    });

    it('the old handling (everything queued, unbounded) keeps the stall as permanent latency', () => {
      const r = sim('--backlog', '1000', '--play-depth', '79', '--memory', '200', '--stall-at', '1000', '--stall', '40');
      expect(r.skipped).toBe(0);
      expect(r.final_latency).toBeGreaterThanOrEqual(39);
    });

    it('without AudioNoInterrupts around the two queues, L and R drift apart; with it they never do', () => {
      let bad = 0;
      for (const seed of ['1', '2', '3']) {
        const args = [...BOARD, '--play-depth', '1', '--stall-at', '1000', '--stall', '40', '--seed', seed];
        const off = sim(...args, '--no-irq-off', '1');
        bad += off.lr_mismatch! + off.misaligned!;
        const on = sim(...args);
        expect(on.lr_mismatch).toBe(0);
        expect(on.misaligned).toBe(0);
      }
      expect(bad).toBeGreaterThan(0);
    });
  });

describe.skipIf(skipWithout('ext_heap test', ['gcc', 'make'], 'apt-get install gcc make'))(
  'core/ext_heap.h: the big-block allocator behind wasm3\'s linear memory in PSRAM', () => {
    it('grows the last block in place to the whole region, gives space back on free and on reload', () => {
      execFileSync('make', ['-C', FW, '-s', 'B=build/ci-board', 'board-sim'], { stdio: 'pipe', timeout: 120_000 });
      const r = spawnSync(join(FW, 'build', 'ci-board', 'host', 'ext-heap-test'), [], { encoding: 'utf8' });
      expect(r.stdout.trim()).toMatch(/^ok \d+$/);
      expect(r.status).toBe(0);
    });
  });
