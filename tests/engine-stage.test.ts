// The C shells' engine-upload checks without wasm3 (so CI runs them): core/sha256.c against FIPS 180-2's vectors,
// and core/engine_stage.c's image checks, CRC-32 and SHA-256 compared with the Node virtual module's
// (host/module/upload.ts checkEngineImage, host/link/messages.ts crc32, node:crypto) on the same images: the real
// engines, a cut-off one, one with an import, one with none of the exports. The whole flow with a wasm3 runtime is
// tests/link-upload-wasm3.test.ts (only with WASM3_DIR).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { crc32 } from '../host/link/messages.ts';
import { checkEngineImage } from '../host/module/upload.ts';
import { skipWithout } from './helpers/tools.ts';
import { DEBUG, RELEASE } from './helpers/upload-cases.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FW = join(ROOT, 'firmware');
const B = 'build/ci-stage';
const SKIP = skipWithout('engine-upload checks in C', ['make', 'gcc'], 'apt-get install make gcc');

const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const str = (s: string) => [s.length, ...Buffer.from(s)];
/** (type () -> ()) and an import env.tick of it. */
const withImport = new Uint8Array([...header, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
  0x02, 0x0c, 0x01, ...str('env'), ...str('tick'), 0x00, 0x00]);
/** A memory, exported, and nothing else. */
const onlyMemory = new Uint8Array([...header, 0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x0a, 0x01, ...str('memory'), 0x02, 0x00]);

describe.skipIf(SKIP)('engine-upload checks in C (core/engine_stage.c, core/sha256.c)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'piwip-stage-'));
  beforeAll(() => { execFileSync('make', ['-C', FW, '-s', `B=${B}`, 'stage-test'], { stdio: 'pipe', timeout: 300_000 }); }, 300_000);

  it('SHA-256 gives FIPS 180-2 appendix B\'s digests, whole and in uneven pieces', () => {
    const out = execFileSync(join(FW, B, 'host', 'sha256-test'), { encoding: 'utf8' });
    expect(out.trim().split('\n').map((l) => l.split(' ').slice(0, 2).join(' '))).toEqual(['ok empty', 'ok B.1', 'ok B.2', 'ok B.3']);
  });

  const run = (img: Uint8Array) => {
    const f = join(dir, `img-${img.length}.wasm`);
    writeFileSync(f, img);
    const out = execFileSync(join(FW, B, 'host', 'stage-check'), [f], { encoding: 'utf8' });
    return Object.fromEntries(out.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  };

  it('takes the real engines, with Node\'s CRC-32 and SHA-256 of them', () => {
    for (const img of [RELEASE, DEBUG]) {
      const r = run(img);
      expect(checkEngineImage(img)).toBeNull();
      expect(r.check).toBe('NULL');
      expect(r.crc32).toBe(crc32(img).toString(16).padStart(8, '0'));
      expect(r.sha256).toBe(createHash('sha256').update(img).digest('hex'));
    }
  });

  it('refuses what the virtual module refuses, with the same text where the reason is the same', () => {
    const cut = run(RELEASE.subarray(0, 40_000));
    expect(checkEngineImage(RELEASE.subarray(0, 40_000))).toMatch(/^not a valid wasm module \(/);
    expect(cut.check).toMatch(/^not a valid wasm module \(section \d+ at byte \d+ runs past the end\)$/);
    const notWasm = run(new Uint8Array(Buffer.from('#!/bin/sh\necho not an engine\n')));
    expect(notWasm.check).toMatch(/^not a valid wasm module \(/);
    expect(run(withImport).check).toBe(checkEngineImage(withImport));
    expect(run(withImport).check).toBe('the engine must have no imports (it has 1: env.tick)');
    expect(run(onlyMemory).check).toBe(checkEngineImage(onlyMemory));
    expect(run(onlyMemory).check).toBe('not a piwip engine: missing exports _start, abiVersion, init, inputPtr');
  });
});
