// The norns-style params menu through the real ABI: a short K1 press opens it, E2/E3/K2/K3 navigate and edit
// two levels down, K1+K2 reaches the PSET page, SAVE / LOAD / DELETE are performed by the host's PsetDir on disk
// (norns `"id": value` files), goldens of each page, and the play controls untouched while the menu is open.
import { describe, it, expect } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PiwipEngine } from '../host/engine/engine.ts';
import { PsetDir } from '../host/io/pset.ts';
import { expectGoldenScreen, pixelAt } from './screen-golden.ts';

const SR = 48000, N = 128;

/** An engine fed silence, advanced in whole blocks. */
function rig() {
  const e = PiwipEngine.create({ sampleRate: SR, blockSize: N, maxRecSeconds: 10 });
  const z = new Float32Array(N), o1 = new Float32Array(N), o2 = new Float32Array(N);
  const run = (seconds: number) => { for (let i = 0; i < Math.round(seconds * SR / N); i++) e.process(z, z, o1, o2); };
  const press = (n: number) => { e.key(n, 1); run(0.02); e.key(n, 0); run(0.06); }; // the next frame shows it
  const turn = (n: number, d: number) => { e.enc(n, d); run(0.06); };
  run(0.6); // keys are ignored for the first 0.5 s
  return { e, run, press, turn };
}

/** The text rows of the menu as lit-ness per line: which of the six 10 px lines hold level-15 pixels. */
function brightLines(fb: Uint8Array): number[] {
  const out: number[] = [];
  for (let line = 1; line <= 6; line++) {
    let hi = false;
    for (let y = 10 * line - 5; y < 10 * line; y++) for (let x = 0; x < 128; x++) if (pixelAt(fb, x, y) === 15) hi = true;
    if (hi) out.push(line);
  }
  return out;
}

describe('K1: short press toggles the menu, held K1 stays shift', () => {
  it('a press shorter than 0.25 s opens and closes the menu', () => {
    const { e, run, press } = rig();
    const play = e.screen();
    press(1);
    expect(e.menuOpen()).toBe(true);
    expect(e.screen()).not.toEqual(play);
    press(1);
    expect(e.menuOpen()).toBe(false);
    run(0.06);
    expect(e.screen()).toEqual(play); // back to the play screen, exactly as it was
  });

  it('a hold of 0.3 s, K1+E1 and K1+K2 are shift: no menu', () => {
    const { e, run } = rig();
    e.key(1, 1); run(0.3); e.key(1, 0); run(0.1);
    expect(e.menuOpen()).toBe(false);
    const vol = e.getParam('notes vol');
    e.key(1, 1); e.enc(1, 5); e.key(1, 0); run(0.1);
    expect(e.menuOpen()).toBe(false);
    expect(e.getParam('notes vol')).toBeCloseTo(vol + 0.05, 9);
    e.key(1, 1); e.key(2, 1); e.key(2, 0); e.key(1, 0); run(0.1);
    expect(e.menuOpen()).toBe(false);
    expect(e.state().monitor).toBe(true);
  });

  it('while the menu is open K2/K3/E1-E3 do not reach the play controls', () => {
    const { e, press, turn } = rig();
    press(1);
    const before = e.state();
    press(2); press(3); press(2); turn(1, 1); turn(2, 3); turn(3, -3); press(2);
    const after = e.state();
    for (const k of ['armed', 'recording', 'mode', 'startTrim', 'endTrim', 'monitor'] as const) expect(after[k]).toEqual(before[k]);
  });
});

describe('the menu borrows the shared text buffer and gives it back', () => {
  it('bytes a host left in the text buffer survive menu frames that format values', () => {
    const { e, run, press, turn } = rig();
    const cap = e.ex.textCap() as number;
    const text = () => new Uint8Array(e.ex.memory.buffer, e.ex.textPtr(), cap);
    const fill = Uint8Array.from({ length: cap }, (_, i) => (i * 7 + 3) & 0xff);
    press(1); press(3); turn(2, 2); press(3); // inside "playback": values formatted every frame
    text().set(fill);
    const f0 = e.screenFrame();
    turn(2, 4); turn(3, 1); run(0.5); // keep armed → yes; menu frames with formatted values
    expect(e.screenFrame()).toBeGreaterThan(f0);
    expect(Buffer.from(text()).equals(Buffer.from(fill))).toBe(true);
    expect(e.formatParam('keep armed')).toBe('yes'); // and the engine's own use of the buffer still works
  });
});

describe('menu navigation, editing and PSETs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'piwip-menu-'));
  const psets = new PsetDir(dir);
  const { e, run, press, turn } = rig();
  psets.scan(e);
  const service = () => { const r = psets.service(e); run(0.06); return r; };

  it('K1 opens PARAMETERS (EDIT > / PSET >); K3 enters EDIT: separator "piwip" and the groups', () => {
    press(1);
    expectGoldenScreen('menu-select', e.screen());
    expect(brightLines(e.screen())).toEqual([3]); // "EDIT >" selected
    press(3);
    expectGoldenScreen('menu-top', e.screen());
    expect(brightLines(e.screen())).toEqual([3]); // the separator sits on line 3
  });

  it('E2 scrolls to a group, K3 enters it, E2 picks a param, E3 changes it (two levels down)', () => {
    turn(2, 2); // recording, playback
    press(3);
    turn(2, 5); // notes vol, min recorded, notes start at 0, live follow, keep armed, playback reference
    expect(e.getParam('playback reference')).toBe(1);
    turn(3, 2);
    expect(e.getParam('playback reference')).toBe(3);
    expect(e.formatParam('playback reference')).toBe('realtime');
    expectGoldenScreen('menu-group', e.screen());
    expect(brightLines(e.screen())).toEqual([3]);
    turn(3, 5); // options stop at the last choice
    expect(e.getParam('playback reference')).toBe(3);
  });

  it('K2 backs out to the same group line; K3 held while turning E3 gives fine steps', () => {
    press(2);
    turn(2, -1); // recording
    press(3);
    expectGoldenScreen('menu-group-top', e.screen()); // "PARAMETERS / recording" header at the first line
    const r0 = e.getParam('resolution');
    turn(3, 1);
    const coarse = e.getParam('resolution') - r0;
    e.key(3, 1); turn(3, 1); e.key(3, 0); run(0.06);
    const fine = e.getParam('resolution') - r0 - coarse;
    expect(coarse).toBeGreaterThan(0);
    expect(fine / coarse).toBeCloseTo(0.1, 6);
    turn(3, -1);
    e.key(3, 1); turn(3, -1); e.key(3, 0); run(0.06);
    expect(e.getParam('resolution')).toBeCloseTo(r0, 9);
  });

  it('K1+K2 opens PSET; K3 on SAVE writes the slot in norns format, read back from disk', () => {
    e.key(1, 1); e.key(2, 1); e.key(2, 0); e.key(1, 0); run(0.06);
    expect(e.menuOpen()).toBe(true);
    expectGoldenScreen('menu-pset-empty', e.screen());
    press(3); // SAVE slot 1
    const done = service();
    expect(done).toMatchObject([{ op: 'save', slot: 1, ok: true }]);
    const text = readFileSync(join(dir, 'piwip-01.pset'), 'utf8');
    const [name, ...lines] = text.trimEnd().split('\n');
    expect(name).toBe('-- piwip-01');
    const saved = new Map(lines.map((l) => {
      const m = /^"([^"]+)": (-?\d+(?:\.\d+)?|[a-z ]+)$/.exec(l);
      if (!m) throw new Error(`not a norns "id": value line: ${l}`);
      return [m[1]!, m[2]!];
    }));
    expect(saved.size).toBe(e.paramCount());
    expect(saved.get('playback reference')).toBe('3');
    expect(Number(saved.get('resolution'))).toBe(e.getParam('resolution'));
    expect(readFileSync(join(dir, 'pset-last.txt'), 'utf8').trim()).toBe('1');
    turn(3, 1); // the list now reaches slot 2
    press(3); // SAVE slot 2
    expect(service()).toMatchObject([{ op: 'save', slot: 2, ok: true }]);
    expect(existsSync(join(dir, 'piwip-02.pset'))).toBe(true);
    expectGoldenScreen('menu-pset', e.screen()); // "*2" marks the last slot, 3 is the empty "-"
  });

  it('LOAD restores the saved value; DELETE asks, then removes the file', () => {
    e.setParam('playback reference', 'median');
    turn(2, 1); // LOAD
    turn(3, -1); // slot 1
    press(3);
    expect(service()).toMatchObject([{ op: 'load', slot: 1, ok: true }]);
    expect(e.getParam('playback reference')).toBe(3);
    turn(2, 1); // DELETE
    turn(3, 1); // slot 2
    press(3);
    expect(psets.service(e)).toEqual([]); // only the confirmation so far
    expectGoldenScreen('menu-pset-delete', e.screen());
    press(3);
    expect(service()).toMatchObject([{ op: 'delete', slot: 2, ok: true }]);
    expect(existsSync(join(dir, 'piwip-02.pset'))).toBe(false);
    expect(existsSync(join(dir, 'piwip-01.pset'))).toBe(true);
  });

  it('K2 leaves PSET for PARAMETERS, a short K1 closes the menu on the play screen', () => {
    press(2);
    expectGoldenScreen('menu-select', e.screen());
    press(1);
    expect(e.menuOpen()).toBe(false);
    expectGoldenScreen('engine-title', e.screen());
  });
});

describe('menu refresh', () => {
  it('an encoder turn shows at the next block even at resolution 200 ms, and never faster than 60 fps', () => {
    const { e, run, press } = rig();
    e.setParam('resolution', 200);
    press(1); // open
    run(0.25);
    press(3); // into EDIT
    run(0.25);
    const before = e.screenFrame();
    const shot = e.screen();
    e.enc(2, 1);
    run(N / SR); // one block
    expect(e.screenFrame()).toBe(before + 1);
    expect(e.screen()).not.toEqual(shot);
    // a burst of turns inside 1/60 s gives at most one frame per 1/60 s
    const f0 = e.screenFrame();
    for (let k = 0; k < 24; k++) { e.enc(2, k % 2 ? 1 : -1); run(N / SR); } // 24 blocks = 64 ms
    expect(e.screenFrame() - f0).toBeLessThanOrEqual(Math.ceil(24 * N / SR * 60) + 1);
    expect(e.screenFrame() - f0).toBeGreaterThanOrEqual(3);
  });
});
