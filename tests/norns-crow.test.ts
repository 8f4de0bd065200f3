// crow: (1) from norns, through norns' crow API in the norns double (the real Lua: norns/piwip-module/lib/crow.lua);
// (2) from the computer, `piwip connect --crow` (host/crow/) to a crow double speaking crow's line protocol over
// a socat pty. Both driven by a real engine's TELEMETRY over the link.
import { describe, it, expect, afterEach } from 'vitest';
import { Rig, enc20 } from './norns/bridge.ts';
import { skipWithout } from './helpers/tools.ts';
import { harmonicTone } from './helpers/sim.ts';
import { PiwipEngine } from '../host/engine/engine.ts';
import { encodeFrame, FrameDecoder } from '../host/link/frame.ts';
import { T, M, enc, decodeTelemetry, type Telemetry } from '../host/link/messages.ts';
import { runCrowBridge, clientSide, type CrowLinkSide } from '../host/crow/bridge.ts';
import { VirtualModule } from '../host/module/virtual.ts';
import { servePty, pace } from '../host/module/serve.ts';
import { LinkClient } from '../host/link/client.ts';
import { serialTransport } from '../host/link/transport.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CrowParser, crowChunk, crowNumber } from '../host/crow/protocol.ts';
import { CrowMapper } from '../host/crow/mapping.ts';
import { ptyPair } from './crow/pty.ts';
import { FileFormatError } from '../host/io/errors.ts';
import { CrowDouble } from './crow/double.ts';

const noLua = skipWithout('norns crow tests', [{ name: 'lua5.3', probe: ['-v'] }], 'apt-get install lua5.3');
const noSocat = skipWithout('crow pty tests', [{ name: 'socat', probe: ['-V'] }], 'apt-get install socat');
const PHRASE = [60, 64, 67, 72, 55];
const VOLTS = PHRASE.map((n) => Number(((n - 60) / 12).toPrecision(6)));

describe.skipIf(noLua)('crow from norns (norns crow API)', () => {
  let rig: Rig;
  afterEach(() => rig?.close());

  it('a played phrase becomes output[1] volts at 1 V/oct and a gate per note; in 1 change arms', async () => {
    rig = new Rig();
    await rig.cmd('boot'); await rig.cmd('midiname 1 Keystep'); await rig.plug(); await rig.cmd('script');
    await rig.run(0.8);
    rig.norns.crowLines.length = 0;
    for (const n of PHRASE) {
      await rig.cmd(`midi 1 90${n.toString(16)}64`);
      await rig.run(0.25);
      await rig.cmd(`midi 1 80${n.toString(16)}00`);
      await rig.run(0.15);
    }
    // norns' crow API sends keys as [%q] and numbers as %.6g (lua/core/crow/quote.lua)
    const v1 = rig.norns.crowLines.map((l) => /^output\[1\]\["volts"\]=(.*)$/.exec(l)).filter(Boolean).map((m) => Number(m![1]));
    expect(v1).toEqual(VOLTS);
    const g = rig.norns.crowLines.map((l) => /^output\[2\]\["volts"\]=(.*)$/.exec(l)).filter(Boolean).map((m) => Number(m![1]));
    const rising = g.filter((v, i) => v === 5 && (i === 0 || g[i - 1] === 0)).length;
    expect(rising).toBe(PHRASE.length);
    expect(g[g.length - 1]).toBe(0);
    // in 1: the script assigned a function to input[1].change; crow calls it back as ^^<key>(state)
    await rig.cmd('reload'); // setup lines are sent at session start: capture them afresh
    await rig.run(0.3);
    const reg = rig.norns.crowLines.map((l) => /^input\[1\]\["change"\]=function\(\.\.\.\)_c\.tell\("(\w)",quote\(\.\.\.\)\)end$/.exec(l)).filter(Boolean).pop();
    expect(reg).toBeTruthy();
    expect(rig.norns.crowLines).toContain('input[1]["mode"]("change",1,0.1,"rising")');
    expect(rig.e.state().armed).toBe(false);
    await rig.cmd(`crow ^^${reg![1]}(1)`);
    await rig.run(0.05);
    expect(rig.e.state().armed).toBe(true);
  });

  it('detected pitch on out 1; crow reconnected gets its set-up again', async () => {
    rig = new Rig();
    await rig.cmd('boot'); await rig.plug(); await rig.cmd('script');
    await rig.cmd('set crow_out1 3');
    let ph = 0;
    rig.input = (t) => { if (t < 0.5) return 0; ph += 220 / 48000; return 0.5 * harmonicTone(ph % 1); };
    await rig.run(1.5);
    const v1 = rig.norns.crowLines.map((l) => /^output\[1\]\["volts"\]=(.*)$/.exec(l)).filter(Boolean).map((m) => Number(m![1]));
    expect(v1.length).toBeGreaterThan(0);
    expect(v1[v1.length - 1]!).toBeCloseTo((57 - 60) / 12, 2); // 220 Hz = A3 = note 57
    rig.norns.crowLines.length = 0;
    await rig.cmd('crow_add');
    expect(rig.norns.crowLines[0]).toBe('crow.reset()');
    expect(rig.norns.crowLines).toContain('input[1]["mode"]("change",1,0.1,"rising")');
  });

  it('AR mode fires output[2]() per note; out 3/4 follow a second voice', async () => {
    rig = new Rig();
    await rig.cmd('boot'); await rig.cmd('midiname 1 Keystep'); await rig.plug(); await rig.cmd('script');
    await rig.run(0.8);
    await rig.cmd('set crow_out2 3');
    await rig.cmd('set crow_out34 2');
    expect(rig.norns.crowLines.some((l) => /^output\[2\]\["action"\]="ar\(0\.01,0\.5,5\)"$/.test(l))).toBe(true);
    rig.norns.crowLines.length = 0;
    await rig.cmd('midi 1 903c64'); await rig.run(0.1);
    await rig.cmd('midi 1 904364'); await rig.run(0.1); // a second held note: voice 2
    expect(rig.norns.crowLines).toContain('output[2]()');
    expect(rig.norns.crowLines).toContain('output[3]["volts"]=0.583333');
    expect(rig.norns.crowLines).toContain('output[4]()');
  });
});

/** The link client side the crow bridge needs, over the real link protocol to an in-process engine. */
class EngineLink implements CrowLinkSide {
  readonly e = PiwipEngine.create();
  private dec = new FrameDecoder();
  private seq = 0;
  private fns: ((t: Telemetry) => void)[] = [];
  keys: number[] = [];
  constructor() { this.e.linkIdentity('piwip-test', '0.1.0', 'node', '', 2); this.send(T.HELLO, enc.hello('test')); }
  send(type: number, p: Uint8Array): void { this.e.linkIn(encodeFrame(type, this.seq++ & 255, p)); }
  onTelemetry(fn: (t: Telemetry) => void, hz: number): () => void {
    this.fns.push(fn);
    this.send(T.TELEMETRY, enc.telemetry(hz));
    return () => { this.fns = this.fns.filter((f) => f !== fn); };
  }
  key(n: number, z: number): void { this.keys.push(n); this.send(T.KEY, enc.key(n, z)); }
  run(seconds: number): void {
    const z = new Float32Array(128), o = new Float32Array(128);
    for (let i = 0; i < Math.round(seconds * 375); i++) {
      this.e.process(z, z, o, o);
      this.e.linkService();
      if (i % 4 === 3) {
        for (const f of this.dec.push(this.e.linkOut())) {
          if (f.type === M.TELEMETRY) { const t = decodeTelemetry(f.payload); for (const fn of this.fns) fn(t); }
        }
      }
    }
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('crow text protocol (host/crow/protocol.ts, mapping.ts)', () => {
  it('chunks like druid, numbers like norns, parses ^^ events across reads', () => {
    expect(crowChunk('output[1].volts=1').toString()).toBe('output[1].volts=1\r\n');
    expect(crowChunk('x'.repeat(62)).length).toBe(65); // 64 bytes would not end a packet: one more \n
    expect(crowNumber(1 / 3)).toBe('0.333333');
    expect(crowNumber(-5 / 12)).toBe('-0.416667');
    const p = new CrowParser();
    expect(p.push('^^chan')).toEqual([]);
    expect(p.push('ge(1,1)\n\r^^version(\'v4.0.4\')\n\r\\lua: oops\n\rhello\n\r')).toEqual([
      { kind: 'event', name: 'change', args: [1, 1] }, { kind: 'event', name: 'version', args: ['v4.0.4'] },
      { kind: 'error', text: 'lua: oops' }, { kind: 'output', text: 'hello' }]);
    const m = new CrowMapper({ out1: 'pitch', out2: 'gate', second: false, in1: 'force', attack: 0.01, release: 0.5 });
    const tele = (hz: number) => ({ voices: [], pitchHz: hz } as unknown as Telemetry);
    expect(m.telemetry(tele(440))).toEqual(['output[1].volts=0.75', 'output[2].volts=5']);
    expect(m.telemetry(tele(0))).toEqual(['output[2].volts=0']);
    expect(m.key({ name: 'change', args: [1, 1] })).toBe(3);
    expect(m.key({ name: 'change', args: [1, 0] })).toBe(0);
  });
});

describe.skipIf(noSocat)('piwip connect --crow: crow double over a pty', () => {
  it('receives output[1].volts lines for a played phrase, a gate per note; in 1 change arms', async () => {
    const pair = await ptyPair();
    const crow = new CrowDouble(pair.a);
    const link = new EngineLink();
    const bridge = await runCrowBridge({ link, port: pair.b });
    try {
      link.run(0.6);
      for (const n of PHRASE) {
        link.e.noteOn(n); link.run(0.25);
        link.e.noteOff(n); link.run(0.15);
      }
      for (let i = 0; i < 50 && crow.volts.filter((v) => v.out === 1).length < PHRASE.length; i++) await sleep(20);
      await sleep(100);
      expect(crow.errors).toEqual([]);
      expect(crow.volts.filter((v) => v.out === 1).map((v) => v.volts)).toEqual(VOLTS);
      const g = crow.volts.filter((v) => v.out === 2).map((v) => v.volts);
      expect(g.filter((v, i) => v === 5 && (i === 0 || g[i - 1] === 0)).length).toBe(PHRASE.length);
      expect(g[g.length - 1]).toBe(0);
      // each pitch is set before its gate rises
      const firstGate = crow.volts.find((v) => v.out === 2 && v.volts === 5)!;
      expect(crow.volts.find((v) => v.out === 1)!.at).toBeLessThan(firstGate.at);
      // in 1: crow's change event presses K2 on the module
      expect(crow.inputMode).toBe("'change',1,0.1,'rising'");
      expect(link.e.state().armed).toBe(false);
      crow.trigger();
      for (let i = 0; i < 50 && !link.keys.length; i++) await sleep(20);
      link.run(0.05);
      expect(link.keys).toEqual([2, 2]);
      expect(link.e.state().armed).toBe(true);
    } finally {
      await bridge.close();
      await crow.close();
      pair.close();
    }
  });

  it('the whole path: virtual module on a pty → LinkClient → crow bridge → crow double on another pty', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'piwip-crow-'));
    const m = new VirtualModule({ maxRecSeconds: 10 });
    const served = await servePty(m, join(dir, 'module'));
    const pacer = pace(m);
    const pair = await ptyPair();
    const crow = new CrowDouble(pair.a);
    const client = new LinkClient(serialTransport(served.hostPath), { reconnect: false, hostName: 'crow test' });
    try {
      await client.connect();
      const bridge = await runCrowBridge({ link: clientSide(client), port: pair.b });
      await sleep(600);
      for (const [k, n] of PHRASE.entries()) {
        // held until crow has its pitch (counted on what arrived, not on wall time: a loaded machine runs the
        // module's clock late), then released until its gate falls
        client.midi([0x90, n, 100]);
        for (let i = 0; i < 250 && crow.volts.filter((v) => v.out === 1).length <= k; i++) await sleep(20);
        await sleep(100);
        client.midi([0x80, n, 0]);
        for (let i = 0; i < 250 && crow.volts.filter((v) => v.out === 2).at(-1)?.volts !== 0; i++) await sleep(20);
        await sleep(100);
      }
      for (let i = 0; i < 150 && crow.volts.filter((v) => v.out === 1).length < PHRASE.length; i++) await sleep(20);
      expect(crow.volts.filter((v) => v.out === 1).map((v) => v.volts)).toEqual(VOLTS);
      const g = crow.volts.filter((v) => v.out === 2).map((v) => v.volts);
      expect(g.filter((v, i) => v === 5 && (i === 0 || g[i - 1] === 0)).length).toBe(PHRASE.length);
      crow.trigger();
      expect(await (async () => { for (let i = 0; i < 250; i++) { if (m.engine.state().armed) return true; await sleep(20); } return false; })()).toBe(true);
      await bridge.close();
    } finally {
      client.close();
      await crow.close();
      pair.close();
      pacer.stop();
      await served.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('a missing port is one clear error (a FileFormatError: the CLI prints it as one line)', async () => {
    const p = runCrowBridge({ link: new EngineLink(), port: '/nonexistent/crow' });
    await expect(p).rejects.toThrow(/cannot open crow at \/nonexistent\/crow/);
    await expect(p).rejects.toBeInstanceOf(FileFormatError);
  });
});
