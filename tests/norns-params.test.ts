// norns script ↔ module: keys, params both ways, norns PSETs, norns' clock and norns MIDI devices
// (norns/piwip-module under lua5.3 in the norns double, bridged to a real engine: tests/norns/bridge.ts).
import { describe, it, expect, afterEach } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Rig, enc20 } from './norns/bridge.ts';
import { Sim } from './helpers/sim.ts';
import { encodeFrame, FrameDecoder } from '../host/link/frame.ts';
import { M } from '../host/link/messages.ts';
import { skipWithout } from './helpers/tools.ts';

const skip = skipWithout('norns Lua tests', [{ name: 'lua5.3', probe: ['-v'] }], 'apt-get install lua5.3');

async function booted(): Promise<Rig> {
  const rig = new Rig();
  await rig.cmd('boot'); await rig.plug(); await rig.cmd('script');
  await rig.run(1.0); // the module ignores keys for 0.5 s after start; the param list arrives paced
  return rig;
}
const get = (rig: Rig, id: string) => rig.norns.eval(`params:get("${id}")`);
const str = (rig: Rig, id: string) => rig.norns.eval(`params:string("${id}")`);

describe.skipIf(skip)('norns: keys, params, PSETs, clock, MIDI', () => {
  let rig: Rig;
  afterEach(() => rig?.close());

  it('norns K2 arms the module, K3 forces recording; encoders reach it', async () => {
    rig = await booted();
    expect(rig.e.state().armed).toBe(false);
    await rig.cmd('key 2 1'); await rig.cmd('key 2 0');
    await rig.run(0.05);
    expect(rig.e.state().armed).toBe(true);
    // the script saw it in TELEMETRY too
    await rig.run(0.1);
    expect(await rig.norns.eval('require("piwip-module/lib/mod").listeners.telemetry ~= nil')).toBe('true');
    await rig.cmd('key 3 1'); await rig.cmd('key 3 0');
    await rig.run(0.05);
    expect(rig.e.state().forced).toBe(true);
    const mode = rig.e.state().mode;
    await rig.cmd('enc 1 1');
    await rig.run(0.05);
    expect(rig.e.state().mode).toBe(mode + 1);
  });

  it("norns K1 (held: shift) never toggles the module's own menu, however short the hold the script sees", async () => {
    rig = await booted();
    await rig.cmd('key 1 1');
    await rig.run(0.05);
    await rig.cmd('key 1 0');
    await rig.run(0.5);
    expect(rig.e.menuOpen()).toBe(false);
    expect(rig.e.state().monitor).toBe(false);
    // K1 held + K2 is the module's shift combo (monitor on)
    await rig.cmd('key 1 1'); await rig.cmd('key 2 1'); await rig.cmd('key 2 0');
    await rig.run(0.1);
    await rig.cmd('key 1 0');
    await rig.run(0.5);
    expect(rig.e.state().monitor).toBe(true);
    expect(rig.e.menuOpen()).toBe(false);
  });

  it("the module's params are norns params with their types, ranges, options and formatting", async () => {
    rig = await booted();
    const infos = rig.e.params();
    expect(Number(await rig.norns.eval('#params.params'))).toBeGreaterThanOrEqual(infos.length);
    for (const p of infos) {
      expect(await rig.norns.eval(`params.lookup["${p.id}"] ~= nil`)).toBe('true');
      const t = Number(await rig.norns.eval(`params:lookup_param("${p.id}").t`));
      expect(t).toBe({ number: 1, option: 2, control: 3, taper: 5 }[p.type]);
    }
    expect(await rig.norns.eval('#params:lookup_param("scale_mode").options')).toBe('41');
    expect(await str(rig, 'scale_mode')).toBe('dorian');
    expect(await str(rig, 'root_note')).toBe('D1');
    expect(await str(rig, 'midi channel')).toBe('omni');
    expect(await str(rig, 'tempo')).toBe('90 bpm');
    expect(await rig.norns.eval('params:lookup_param("tempo").min, params:lookup_param("tempo").max')).toBe('20\t300');
    // and the list is cached so the params exist at the next start before the module answers (PSETs, PMAP)
    expect(existsSync(join(rig.norns.dataDir, 'module-params.lua'))).toBe(true);
  });

  it("a param changed in norns' menu changes the module; one changed on the module shows in norns", async () => {
    rig = await booted();
    await rig.cmd(`delta ${enc20('tempo')} 7`);     // E3 in PARAMS > EDIT
    await rig.cmd(`delta ${enc20('scale_mode')} -2`);
    await rig.run(0.05);
    expect(rig.e.getParam('tempo')).toBe(97);
    expect(rig.e.getParam('scale_mode')).toBe(3);
    await rig.cmd(`set ${enc20('probability')} 40`);
    await rig.run(0.05);
    expect(rig.e.getParam('probability')).toBeCloseTo(40, 6);
    // the module's own side: its value arrives as a push and is set silently (no echo back)
    const rx0 = rig.e.linkCounters().rxFrames;
    rig.e.setParam('tempo', 123);
    rig.e.setParam('root_note', 40);
    await rig.run(0.1);
    expect(await get(rig, 'tempo')).toBe('123');
    expect(await str(rig, 'tempo')).toBe('123 bpm');
    expect(await str(rig, 'root_note')).toBe('E1');
    expect(rig.e.getParam('tempo')).toBe(123);
    // nothing but PINGs/clock went back: no PARAM_SET echo of the pushed values
    const sent = rig.e.linkCounters().rxFrames - rx0;
    expect(sent).toBeLessThan(20);
  });

  it('large writes go out in pieces: at most 1 KB per call, ≤ 256 bytes per serial.send, the rest from the metro', async () => {
    rig = await booted();
    const mod = 'require("piwip-module/lib/mod")';
    const r = await rig.cmd(`eval ${mod}.send(0x0C, string.rep("x", 3000)), ${mod}.queued`);
    expect(r.tx.reduce((a, b) => a + b.length, 0)).toBe(1024);
    expect(Math.max(...r.tx.map((b) => b.length))).toBeLessThanOrEqual(256);
    expect(Number(r.value!.split('\t')[1])).toBe(3006 + 2 - 1024); // 6 header/CRC bytes, 2 ENDs
    await rig.run(0.35); // three 10 Hz service() calls
    expect(await rig.norns.eval(`${mod}.queued`)).toBe('0');
    expect(Number(await rig.norns.eval('DOUBLE.serial.max_send'))).toBeLessThanOrEqual(256);
  });

  it("screen.ping() on module activity (its params, its keys), not on mere screen frames", async () => {
    rig = await booted();
    const pings = async () => Number(await rig.norns.eval('DOUBLE.screen.pings or 0'));
    const p0 = await pings();
    await rig.run(1.0); // the module's screen keeps coming; nothing happened on it
    expect(await pings()).toBe(p0);
    rig.e.setParam('tempo', 101);
    await rig.run(0.1);
    expect(await pings()).toBeGreaterThan(p0);
    const p1 = await pings();
    rig.e.key(2, 1); rig.e.key(2, 0); // armed on the module itself
    await rig.run(0.2);
    expect(await pings()).toBeGreaterThan(p1);
  });

  it('PMAP (MIDI learn) on the module params drives the module', async () => {
    rig = await booted();
    await rig.cmd(`pmap ${enc20('monitor level')} 64`);  // control: set_raw(64/127)
    await rig.cmd(`pmap ${enc20('scale_mode')} 127`);    // option: the last option
    await rig.cmd(`pmap ${enc20('resolution')} 0`);      // taper: its minimum
    await rig.run(0.05);
    expect(rig.e.getParam('monitor level')).toBeCloseTo(0.5, 2);
    expect(rig.e.getParam('scale_mode')).toBe(41);
    expect(rig.e.getParam('resolution')).toBeCloseTo(10, 6);
  });

  it('a lost push (seq gap) makes the script re-read the params: norns is back in step', async () => {
    rig = await booted();
    let dropped = 0;
    rig.transform = (b) => {
      const frames = new FrameDecoder().push(b);
      const keep = frames.filter((f) => !(f.type === M.PARAM_VALUE && dropped === 0 && (dropped = 1)));
      return Buffer.concat(keep.map((f) => encodeFrame(f.type, f.seq, f.payload)));
    };
    rig.e.setParam('tempo', 141);
    await rig.run(0.05);
    expect(dropped).toBe(1);
    rig.transform = null;
    await rig.run(0.5); // the next frame's seq shows the gap
    expect(await get(rig, 'tempo')).toBe('141');
    expect(Number(await rig.norns.eval('require("piwip-module/lib/mod").rx.lost'))).toBeGreaterThan(0);
  });

  it('a norns PSET saved and loaded restores the module params', async () => {
    rig = await booted();
    await rig.cmd(`set ${enc20('tempo')} 111`);
    await rig.cmd(`set ${enc20('scale_mode')} 7`);
    await rig.cmd(`set ${enc20('live follow')} 1`);
    await rig.run(0.05);
    await rig.cmd('pset_write 3 groove');
    const file = readFileSync(join(rig.norns.dataDir, 'piwip-module-03.pset'), 'utf8');
    expect(file).toMatch(/^-- groove\n/);
    expect(file).toMatch(/"tempo": 111\n/);
    expect(file).toMatch(/"scale_mode": 7\n/);
    // the module is changed on its own side, then the PSET is loaded on norns
    rig.e.setParam('tempo', 60); rig.e.setParam('scale_mode', 1); rig.e.setParam('live follow', 2);
    await rig.run(0.1);
    expect(await get(rig, 'tempo')).toBe('60');
    await rig.cmd('pset_read 3');
    await rig.run(0.1);
    expect(rig.e.getParam('tempo')).toBe(111);
    expect(rig.e.getParam('scale_mode')).toBe(7);
    expect(rig.e.getParam('live follow')).toBe(1);
  });

  it("norns' clock reaches the harmonizer: notes start on norns' beats", async () => {
    rig = await booted();
    await rig.cmd('tempo 120');
    expect(rig.e.getParam('clock source')).toBe(2); // the script switched the module to its MIDI clock
    await rig.cmd(`set ${enc20('probability')} 100`);
    await rig.cmd(`set ${enc20('max length')} 1`);
    await rig.run(0.3);
    const starts: number[] = [];
    let last = 0;
    rig.probes.push((s, t) => {
      const n = s.harmonizerNotes;
      if (n > last) starts.push(t);
      last = n;
    });
    last = rig.e.state().harmonizerNotes;
    await rig.run(4.0);
    expect(rig.e.clockBpm()).toBeGreaterThan(115);
    expect(rig.e.clockBpm()).toBeLessThan(125);
    // 120 bpm: a beat every 0.5 s (the module's own tempo, 90, would give 0.667 s)
    expect(starts.length).toBeGreaterThanOrEqual(7);
    expect(starts.length).toBeLessThanOrEqual(9);
    // the same engine fed an ideal MIDI clock on the same grid: how late after a beat it starts its notes
    const ref = new Sim({}, 4);
    ref.at(0, (e) => { e.setParam('clock source', 'midi'); e.setParam('probability', 100); e.setParam('max length', 1); });
    for (let k = 0; k < 24 * 6; k++) ref.at(1 + k / 48, (e) => e.midi(k === 0 ? [0xfa, 0xf8] : [0xf8]));
    let rl = 0;
    const refStarts: number[] = [];
    ref.probe((s, t) => { if (s.harmonizerNotes > rl) refStarts.push(t); rl = s.harmonizerNotes; });
    ref.run(3.9, () => 0);
    const lag = refStarts[0]! - 1;
    expect(refStarts.length).toBeGreaterThan(3);
    for (const t of starts) {
      const off = t - Math.floor(t / 0.5) * 0.5;
      expect(Math.abs(off - lag)).toBeLessThan(0.012); // on norns' beat grid, within one bridge step (10.7 ms)
    }
    // norns' transport stop sends STOP (FC): the module's clock stops
    expect(rig.e.clockRunning()).toBe(true);
    await rig.cmd('transport stop');
    await rig.run(0.05);
    expect(rig.e.clockRunning()).toBe(false);
  });

  it("notes from norns' MIDI devices reach the module; its own MIDI port is not fed back", async () => {
    await (rig = new Rig()).cmd('boot');
    await rig.cmd('midiname 1 Keystep');
    await rig.cmd('midiname 2 piwip');
    await rig.plug(); await rig.cmd('script');
    await rig.run(0.8);
    await rig.cmd('midi 1 904064');
    await rig.run(0.05);
    expect(rig.e.state().voices.map((v) => v.note)).toContain(64);
    await rig.cmd('midi 1 804000');
    await rig.cmd('midi 2 904864'); // from the module's own USB MIDI port: ignored
    await rig.run(0.05);
    expect(rig.e.state().voices.map((v) => v.note)).not.toContain(72);
  });
});
