// The norns Lua files on their own: every one compiles under Debian's luac5.3 (norns runs Lua 5.3), and the Lua
// link codec (norns/piwip-module/lib/link.lua) agrees byte for byte with the TypeScript one and with a real
// engine's frames.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PiwipEngine } from '../host/engine/engine.ts';
import { encodeFrame, FrameDecoder } from '../host/link/frame.ts';
import { T, M, enc, decodeHello, decodeParamValue, decodeTelemetry, decodeScreen } from '../host/link/messages.ts';
import { skipWithout } from './helpers/tools.ts';

const skip = skipWithout('norns Lua tests', [{ name: 'lua5.3', probe: ['-v'] }, { name: 'luac5.3', probe: ['-v'] }], 'apt-get install lua5.3');
const ROOT = fileURLToPath(new URL('..', import.meta.url));

function luaFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? luaFiles(p) : f.endsWith('.lua') ? [p] : [];
  });
}
function lua(code: string, input = ''): string {
  const r = spawnSync('lua5.3', ['-e', `package.path="${ROOT}norns/?.lua;"..package.path`, '-e', code], { input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}
const HEX = 'local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end ' +
  'local function unhex(h) return (h:gsub("%x%x", function(x) return string.char(tonumber(x, 16)) end)) end ' +
  'local link = require "piwip-module/lib/link" ';

describe.skipIf(skip)('norns Lua files', () => {
  const files = [...luaFiles(join(ROOT, 'norns')), ...luaFiles(join(ROOT, 'tests/norns/double'))];

  it('every Lua file compiles (luac5.3 -p)', () => {
    expect(files.length).toBeGreaterThanOrEqual(12);
    for (const f of files) {
      const r = spawnSync('luac5.3', ['-p', f], { encoding: 'utf8' });
      expect(r.status, `${f}: ${r.stderr}`).toBe(0);
    }
  });

  it('CRC-16/CCITT-FALSE check value, and Lua-encoded frames decode in TypeScript', () => {
    expect(lua(HEX + 'io.write(string.format("%04x", link.crc16("123456789")))')).toBe('29b1');
    const out = lua(HEX + `
      io.write(hex(link.encode(link.T.HELLO, 0, link.enc.hello("norns"))), "\\n")
      io.write(hex(link.encode(link.T.PARAM_SET, 255, link.enc.param_set(300, -1.5))), "\\n")
      io.write(hex(link.encode(link.T.MIDI, 7, link.enc.midi({0xC0, 0xDB, 0x90, 60, 100}))), "\\n")
      io.write(hex(link.encode(link.T.ENC, 8, link.enc.enc(3, -200))), "\\n")`).trim().split('\n');
    const want = [encodeFrame(T.HELLO, 0, enc.hello('norns')), encodeFrame(T.PARAM_SET, 255, enc.paramSet(300, -1.5)),
      encodeFrame(T.MIDI, 7, enc.midi([0xc0, 0xdb, 0x90, 60, 100])), encodeFrame(T.ENC, 8, enc.enc(3, -200))];
    expect(out).toEqual(want.map((b) => Buffer.from(b).toString('hex')));
  });

  it("a real engine's HELLO, PARAM_VALUE, SCREEN and TELEMETRY decode in Lua as in TypeScript", () => {
    const e = PiwipEngine.create();
    e.linkIdentity('fw', '1.2.3', 'board', 'abc', 2);
    let s = 0;
    const send = (t: number, p: Uint8Array) => e.linkIn(encodeFrame(t, s++, p));
    send(T.HELLO, enc.hello('test')); send(T.SCREEN, enc.screen(30, true)); send(T.TELEMETRY, enc.telemetry(50));
    send(T.PARAM_GET, enc.paramGet(13));
    const z = new Float32Array(128), o = new Float32Array(128);
    const bytes: number[] = [];
    for (let i = 0; i < 40; i++) { e.process(z, z, o, o); e.linkService(); bytes.push(...e.linkOut()); }
    const frames = new FrameDecoder().push(Uint8Array.from(bytes));
    const pick = (type: number) => frames.find((f) => f.type === type)!;
    const hello = decodeHello(pick(M.HELLO).payload), pv = decodeParamValue(pick(M.PARAM_VALUE).payload);
    const tele = decodeTelemetry(pick(M.TELEMETRY).payload), scr = decodeScreen(pick(M.SCREEN).payload);
    const out = lua(HEX + `
      local d = link.decoder()
      local fs = d:push(unhex(io.read("a")))
      local seen = {}
      for _, f in ipairs(fs) do
        if not seen[f.type] then
          seen[f.type] = true
          local m = link.dec[f.type](f.payload)
          if f.type == link.M.HELLO then print("hello", m.protocol, m.firmware, m.version, m.board, m.engine_hash, m.caps, tostring(m.engine_ok)) end
          if f.type == link.M.PARAM_VALUE and m.index == 13 then print("pv", m.index, m.value, m.formatted) end
          if f.type == link.M.TELEMETRY then print("tele", m.mode, m.takes, m.blocks, m.rx_frames, tostring(m.recording)) end
          if f.type == link.M.SCREEN then
            local rows = {}
            for _, r in ipairs(m.rows) do rows[#rows + 1] = r.y .. ":" .. hex(r.data) end
            print("screen", m.frame, tostring(m.full), table.concat(rows, ","))
          end
        end
      end
      print("counts", d.frames, d.corrupt, d.lost)`, Buffer.from(bytes).toString('hex')).trim().split('\n');
    expect(out).toContain(`hello\t1\tfw\t1.2.3\tboard\tabc\t2\ttrue`);
    expect(hello.firmware).toBe('fw');
    expect(out).toContain(`pv\t13\t${pv.value}.0\t${pv.formatted}`);
    expect(out).toContain(`tele\t${tele.mode}\t${tele.takes}\t${tele.blocks}\t${tele.rxFrames}\tfalse`);
    expect(out).toContain(`screen\t${scr.frame}\t${scr.full}\t${scr.rows.map((r) => `${r.y}:${Buffer.from(r.data).toString('hex')}`).join(',')}`);
    expect(out).toContain(`counts\t${frames.length}\t0\t0`);
  });

  it('corrupt frames (bad CRC, bad escape, wrong length) are counted and dropped; seq gaps counted as lost', () => {
    const good = (seq: number) => encodeFrame(M.LOG, seq, Uint8Array.from([0, 104, 105]));
    const badCrc = Uint8Array.from(good(1)); badCrc[5]! ^= 1;
    const badEsc = Uint8Array.from([0xc0, 0x4a, 0x02, 0xdb, 0x01, 0xc0]);
    const short = Uint8Array.from([0xc0, 0x4a, 0x02, 0x09, 0x00, 0x00, 0x00, 0xc0]);
    const stream = Buffer.concat([good(0), badCrc, badEsc, short, good(2), good(5)]);
    const out = lua(HEX + `
      local d = link.decoder()
      local n = 0
      local s = unhex(io.read("a"))
      for i = 1, #s do for _, f in ipairs(d:push(s:sub(i, i))) do n = n + 1 end end
      print(n, d.frames, d.corrupt, d.lost)`, stream.toString('hex'));
    expect(out.trim()).toBe('3\t3\t3\t3'); // 0, 2, 5 decoded; seq 1 (corrupt), 3, 4 lost
  });
});
