// The engine-upload cases every module that takes an upload must pass, driven with the real host client over a
// socat pty: the Node virtual module (tests/link-robust.test.ts) and piwip-module built with wasm3
// (tests/link-upload-wasm3.test.ts). The texts matched are host/module/virtual.ts's, which core/engine_stage.c
// copies, so one host drives both. Call inside a describe(); the peer is set up in that describe's beforeAll.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { LinkClient } from '../../host/link/client.ts';
import { T, UPLOAD_STAGE, enc, crc32, type UploadStatus } from '../../host/link/messages.ts';
import { until } from './pty.ts';
import { trappingAfter, withAbi } from './wasm-patch.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RELEASE = new Uint8Array(readFileSync(join(ROOT, 'build', 'piwip.wasm')));
export const DEBUG = new Uint8Array(readFileSync(join(ROOT, 'build', 'piwip.debug.wasm')));
export const hashOf = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

export interface UploadPeer {
  /** The client the cases talk through (a case may replace it: setClient). */
  client(): LinkClient;
  setClient(c: LinkClient): void;
  /** A new client on the host side of the pty (not yet connected). */
  newClient(opts?: { reconnect?: boolean }): LinkClient;
  /** The running engine's hash and state, as the module says (the virtual module: read directly). */
  engine(): Promise<{ hash: string; alive: boolean }>;
  /** Seconds of engine time before a swapped engine is committed, and process() calls per second. */
  confirmSeconds: number;
  callsPerSecond: number;
  /** Where the committed engine is written. */
  bootEngine: string;
  /** Pull the cable and plug it back (the pty pair killed and made again at the same paths). */
  replug(): Promise<void>;
  /** The module's audio against the expected dry input, where the peer has an output tap. */
  audio?: { reset(): void; worst(): number; blocks(): number };
}

function waitFor(c: LinkClient, pred: (s: UploadStatus) => boolean): Promise<UploadStatus> {
  return new Promise((res) => {
    const on = (x: UploadStatus) => { if (pred(x)) { c.off('upload', on); res(x); } };
    c.on('upload', on);
  });
}

/** Send an image by hand, each chunk answered before the next, with the SHA-256 given (not the image's own). */
async function sendRaw(c: LinkClient, img: Uint8Array, sha: Uint8Array): Promise<UploadStatus> {
  const begun = waitFor(c, () => true);
  c.send(T.UPLOAD_BEGIN, enc.uploadBegin(img.length, sha));
  const b = await begun;
  if (b.stage === UPLOAD_STAGE.FAILED) return b;
  for (let off = 0; off < img.length; off += 1024) {
    const d = img.subarray(off, off + 1024);
    const ack = waitFor(c, () => true);
    c.send(T.UPLOAD_CHUNK, enc.uploadChunk(off, crc32(d), d));
    await ack;
  }
  const end = waitFor(c, (x) => x.stage === UPLOAD_STAGE.FAILED || x.stage >= UPLOAD_STAGE.VERIFIED);
  c.send(T.UPLOAD_END);
  return end;
}

export function uploadCases(p: UploadPeer): void {
  const calls = (s: number) => Math.round(s * p.callsPerSecond);
  // the self-test's process() calls: 2 s of blocks
  const selfTest = () => calls(2);

  it('a good engine: verified, self-tested, swapped at a block boundary with the params carried, then committed', async () => {
    const c = p.client();
    await c.setParam('probability', 33);
    p.audio?.reset();
    const before = p.audio?.blocks() ?? 0;
    const stages: number[] = [];
    const committed = waitFor(c, (x) => x.stage === UPLOAD_STAGE.COMMITTED || x.stage === UPLOAD_STAGE.FAILED);
    const s = await c.upload(DEBUG, (_a, _b, st) => { if (st) stages.push(st.stage); });
    expect(s.stage, s.text).toBe(UPLOAD_STAGE.SWAPPED);
    expect(stages).toContain(UPLOAD_STAGE.VERIFIED);
    expect(stages).toContain(UPLOAD_STAGE.TESTED);
    expect((await p.engine()).hash).toBe(hashOf(DEBUG));
    expect(p.client().hello!.engineHash).toBe(hashOf(DEBUG));
    expect((await p.client().getParam('probability')).value).toBe(33);
    expect((await p.client().getParam('monitor')).formatted).toBe('on');
    const done = await committed;
    expect(done.stage, done.text).toBe(UPLOAD_STAGE.COMMITTED);
    expect(done.text).toMatch(/committed/);
    expect(hashOf(new Uint8Array(readFileSync(p.bootEngine)))).toBe(hashOf(DEBUG));
    if (p.audio) {
      expect(p.audio.blocks() - before).toBeGreaterThan(100);
      expect(p.audio.worst()).toBeLessThan(1e-6); // no gap, no glitch: the dry input all the way through
    }
  }, 60_000);

  it('a corrupt image (SHA-256 mismatch, or not wasm) leaves the running engine playing', async () => {
    const running = (await p.engine()).hash;
    const c = p.client();
    const bad = RELEASE.slice();
    bad[1000]! ^= 0xff;
    // sent with the hash of the good image: the module's SHA-256 check catches it
    const r1 = await sendRaw(c, bad, createHash('sha256').update(RELEASE).digest());
    expect(r1.stage).toBe(UPLOAD_STAGE.FAILED);
    expect(r1.text).toMatch(/SHA-256 mismatch/);
    const r2 = await c.upload(RELEASE.subarray(0, 40_000));
    expect(r2.stage).toBe(UPLOAD_STAGE.FAILED);
    expect(r2.text).toMatch(/not a valid wasm module/);
    const e = await p.engine();
    expect(e.hash).toBe(running);
    expect(e.alive).toBe(true);
    if (p.audio) expect(p.audio.worst()).toBeLessThan(1e-6);
  }, 60_000);

  it('a wrong ABI is refused', async () => {
    const running = (await p.engine()).hash;
    const s = await p.client().upload(withAbi(RELEASE, 1));
    expect(s.stage).toBe(UPLOAD_STAGE.FAILED);
    expect(s.text).toMatch(/engine ABI 1, this module needs 2/);
    expect((await p.engine()).hash).toBe(running);
  }, 60_000);

  it('an engine that traps in process after the swap is rolled back; audio goes on', async () => {
    const running = (await p.engine()).hash;
    p.audio?.reset();
    // it passes the 2 s self-test and traps a little after the swap, well before the confirmation
    const trapper = trappingAfter(RELEASE, selfTest() + Math.min(200, calls(p.confirmSeconds / 2)));
    const c = p.client();
    const rolled = waitFor(c, (x) => x.stage === UPLOAD_STAGE.FAILED);
    const s = await c.upload(trapper);
    expect(s.stage, s.text).toBe(UPLOAD_STAGE.SWAPPED);
    expect((await rolled).text).toMatch(/trapped after the swap.*rolled back/);
    const e = await p.engine();
    expect(e.hash).toBe(running);
    expect(e.alive).toBe(true);
    // one block (the one that trapped) went out dry: the monitor's output is the dry input anyway
    if (p.audio) expect(p.audio.worst()).toBeLessThan(1e-6);
    expect((await p.client().getParam('monitor')).formatted).toBe('on');
  }, 60_000);

  it('an upload cut off midway (END early, ABORT, or the cable pulled) leaves the old engine; the next one works', async () => {
    const running = (await p.engine()).hash;
    let c = p.client();
    const sha = createHash('sha256').update(DEBUG).digest();
    c.send(T.UPLOAD_BEGIN, enc.uploadBegin(DEBUG.length, sha));
    for (let off = 0; off < 10 * 1024; off += 1024) { const d = DEBUG.subarray(off, off + 1024); c.send(T.UPLOAD_CHUNK, enc.uploadChunk(off, crc32(d), d)); }
    const failed = waitFor(c, (x) => x.stage === UPLOAD_STAGE.FAILED);
    c.send(T.UPLOAD_END);
    expect((await failed).text).toMatch(/cut off: 10240 of \d+ bytes/);
    // aborted by the host: the half image is gone, a chunk after it is refused
    c.send(T.UPLOAD_BEGIN, enc.uploadBegin(DEBUG.length, sha));
    c.send(T.UPLOAD_CHUNK, enc.uploadChunk(0, crc32(DEBUG.subarray(0, 1024)), DEBUG.subarray(0, 1024)));
    const aborted = waitFor(c, (x) => x.stage === UPLOAD_STAGE.FAILED);
    c.send(T.UPLOAD_ABORT);
    expect((await aborted).text).toMatch(/aborted by the host/);
    const orphan = waitFor(c, (x) => x.stage === UPLOAD_STAGE.FAILED);
    c.send(T.UPLOAD_CHUNK, enc.uploadChunk(1024, crc32(DEBUG.subarray(1024, 2048)), DEBUG.subarray(1024, 2048)));
    expect((await orphan).text).toMatch(/no upload in progress/);
    expect((await p.engine()).hash).toBe(running);
    // pulled mid-transfer: the module forgets the half image with the session
    c = p.client();
    c.send(T.UPLOAD_BEGIN, enc.uploadBegin(DEBUG.length, sha));
    c.send(T.UPLOAD_CHUNK, enc.uploadChunk(0, crc32(DEBUG.subarray(0, 1024)), DEBUG.subarray(0, 1024)));
    // the client notices the pulled cable (a read error) and reconnects: wait for that, not for `connected`, which
    // is still true until the client has noticed
    let back = false;
    c.once('reconnect', () => { back = true; });
    await p.replug();
    await until(() => back && p.client().connected, 5000, 'the reconnect');
    const e = await p.engine();
    expect(e.hash).toBe(running);
    expect(e.alive).toBe(true);
    const s = await p.client().upload(RELEASE);
    expect(s.stage, s.text).toBe(UPLOAD_STAGE.SWAPPED);
    expect((await p.engine()).hash).toBe(hashOf(RELEASE));
  }, 60_000);

  it('with the engine dead (a trap), the shell still answers HELLO and takes a new engine', async () => {
    // an engine that passes its self-test, is committed, and traps a little later
    const c = p.client();
    const dead = new Promise<void>((res) => c.on('log', (l) => { if (/engine stopped/.test(l.text)) res(); }));
    const s = await c.upload(trappingAfter(RELEASE, selfTest() + calls(p.confirmSeconds) + 225));
    expect(s.stage, s.text).toBe(UPLOAD_STAGE.SWAPPED);
    await dead;
    c.close();
    const h = p.newClient({ reconnect: false });
    const hello = await h.connect();
    expect(hello.engineOk).toBe(false);
    const ok = await h.upload(RELEASE);
    expect(ok.stage, ok.text).toBe(UPLOAD_STAGE.SWAPPED);
    expect(h.hello!.engineOk).toBe(true);
    h.close();
    const n = p.newClient();
    await n.connect();
    p.setClient(n);
    expect((await p.engine()).alive).toBe(true);
  }, 90_000);
}
