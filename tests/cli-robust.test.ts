// Issue 12, "Command line": a careless user's inputs. Outputs never replace an input (same path, symlink, hard
// link, -o = the events/MIDI/PSET file); unwritable places (procfs) fail at once and before rendering, never spin;
// EPIPE/ENOSPC on stdout are one line, no stack trace; the render length is bounded (--max-seconds) and streamed to
// disk; a killed npm launcher stops the render; and the minor input fixes (BOM, 1e400, trailing MIDI bytes, a
// streamed WAV's 0 data size, float samples beyond ±16, params --foo, --preset user).
import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, linkSync, openSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileFormatError } from '../host/io/errors.ts';
import { decodeMidi } from '../host/io/midi.ts';
import { decodeWav, encodeWav } from '../host/io/wav.ts';
import { paramCatalog, renderAudio } from '../host/cli/render.ts';
import { parseEvents } from '../host/io/events.ts';
import { ROOT, ensureWasm, runCli, tempDir, toneBurst } from './cli-helpers.ts';

const tmp = tempDir('robust');
const sr = 16000;
const PIWIP = join(ROOT, 'bin', 'piwip.mjs');
const IN = () => tmp.path('take.wav');
let takeBytes: Uint8Array;

beforeAll(() => {
  ensureWasm();
  takeBytes = encodeWav([toneBurst(sr, 330, 0.5, 0.5)], sr, '16');
  writeFileSync(IN(), takeBytes);
});
afterAll(tmp.cleanup);

interface Run { code: number | null; signal: string | null; out: string; err: string; ms: number }

/** The real command in a child process, killed after `timeout` ms (a hang shows as signal SIGKILL). */
function run(args: string[], opts: { timeout?: number; stdout?: number; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [PIWIP, ...args], {
      cwd: tmp.dir, env: opts.env ?? process.env, stdio: ['ignore', opts.stdout ?? 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d) => { out += d; });
    child.stderr!.on('data', (d) => { err += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeout ?? 20000);
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, out, err, ms: Date.now() - t0 }); });
  });
}

/** One line on stderr, no stack trace. */
function oneLine(err: string): void {
  expect(err.trim().split('\n')).toHaveLength(1);
  expect(err).not.toMatch(/^\s+at /m);
  expect(err).not.toMatch(/internal error/);
}

describe('never writes over an input', () => {
  it('-o the input WAV itself: exit 1, the take is untouched', async () => {
    const r = await runCli(['render', IN(), '-o', IN(), '-q']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/output ".*take\.wav" is the input WAV .*refusing to write over an input/);
    expect(Buffer.from(readFileSync(IN())).equals(Buffer.from(takeBytes))).toBe(true);
  });

  it('through a symlink, a hard link, or a path spelt differently', async () => {
    symlinkSync(IN(), tmp.path('link.wav'));
    linkSync(IN(), tmp.path('hard.wav'));
    for (const o of [tmp.path('link.wav'), tmp.path('hard.wav'), join(tmp.dir, '.', 'sub', '..', 'take.wav')]) {
      const r = await runCli(['render', IN(), '-o', o, '-q']);
      expect(r.code, o).toBe(1);
      expect(r.err).toMatch(/refusing to write over an input/);
    }
    expect(Buffer.from(readFileSync(IN())).equals(Buffer.from(takeBytes))).toBe(true);
  });

  it('-o equal to the events, MIDI or PSET file', async () => {
    const ev = tmp.path('ev.json');
    writeFileSync(ev, '[{"t": 0, "preset": "sampler"}]');
    const mid = tmp.path('n.mid');
    writeFileSync(mid, Uint8Array.from([0x4d, 0x54, 0x68, 0x64, 0, 0, 0, 6, 0, 0, 0, 1, 1, 0xe0,
      0x4d, 0x54, 0x72, 0x6b, 0, 0, 0, 4, 0, 0xff, 0x2f, 0]));
    const ps = tmp.path('my.pset');
    writeFileSync(ps, '-- mine\n"probability": 50.0\n');
    for (const [opt, file, label] of [['--events', ev, 'events file'], ['--midi', mid, 'MIDI file'], ['--pset', ps, 'PSET file']] as const) {
      const before = readFileSync(file);
      const r = await runCli(['render', IN(), opt, file, '-o', file, '-q']);
      expect(r.code, opt).toBe(1);
      expect(r.err).toContain(`is the ${label}`);
      expect(readFileSync(file).equals(before)).toBe(true);
    }
  });

  it('a failed render leaves an existing output as it was (written to a temporary name, renamed at the end)', async () => {
    const o = tmp.path('keep.wav');
    writeFileSync(o, 'old');
    writeFileSync(tmp.path('late.json'), '[{"t": 30, "key": 2}]');
    const r = await runCli(['render', IN(), '--events', tmp.path('late.json'), '--max-seconds', '10', '-o', o, '-q']);
    expect(r.code).toBe(1);
    expect(readFileSync(o, 'utf8')).toBe('old');
    expect(readdirSync(tmp.dir).filter((f) => f.endsWith('.part'))).toEqual([]);
  });
});

describe('procfs and other unwritable places fail at once (no 100 % CPU spin)', () => {
  const late = () => { writeFileSync(tmp.path('long.json'), '[{"t": 300, "note": 60}, {"t": 1, "pset": "save", "slot": 1}]'); return tmp.path('long.json'); };

  it('-o /proc/x/out.wav: exit 1 before rendering (no progress shown)', async () => {
    const r = await run(['render', IN(), '-o', '/proc/piwip-nope/out.wav', '--progress', '--block', '1', '--events', late(), '--pset-dir', tmp.path('slots')]);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expect(r.err).not.toContain('rendering [');
    oneLine(r.err);
    expect(r.err).toMatch(/output "\/proc\/piwip-nope\/out\.wav": cannot create directory \/proc\/piwip-nope/);
  });

  it('--screens /proc/shots and --pset-dir /proc/x with a save event: exit 1, one line', async () => {
    const a = await run(['render', IN(), '-o', tmp.path('s.wav'), '--screens', '/proc/piwip-shots', '-q']);
    expect(a.signal).toBeNull();
    expect(a.code).toBe(1);
    oneLine(a.err);
    expect(a.err).toMatch(/--screens "\/proc\/piwip-shots": cannot create directory/);
    const b = await run(['render', IN(), '-o', tmp.path('p.wav'), '--events', late(), '--pset-dir', '/proc/piwip-x', '-q']);
    expect(b.signal).toBeNull();
    expect(b.code).toBe(1);
    oneLine(b.err);
    expect(b.err).toMatch(/--pset-dir "\/proc\/piwip-x": cannot create directory/);
  });

  it('--screens into a dangling symlink: a clear error, not "internal error"', async () => {
    symlinkSync(tmp.path('nowhere/at/all'), tmp.path('dangling'));
    const r = await runCli(['render', IN(), '-o', tmp.path('d.wav'), '--screens', tmp.path('dangling'), '-q']);
    expect(r.code).toBe(1);
    oneLine(r.err);
    expect(r.err).toMatch(/dangling is a symbolic link to something that does not exist/);
  });
});

describe('stdout that fails', () => {
  it('EPIPE: `piwip params | true` ends quietly, exit 0', async () => {
    const errFile = tmp.path('epipe.err');
    const r = await new Promise<{ code: number | null; status: string }>((resolve) => {
      execFile('bash', ['-c', `"${process.execPath}" "${PIWIP}" params 2>"${errFile}" | true; echo \${PIPESTATUS[0]}`],
        { timeout: 20000 }, (e, stdout) => resolve({ code: e ? 1 : 0, status: stdout.trim() }));
    });
    expect(r.code).toBe(0);
    expect(readFileSync(errFile, 'utf8')).toBe('');
    expect(r.status).toBe('0');
  });

  it('ENOSPC (stdout to /dev/full) for params and render: one line, exit 1; the WAV is still written', async () => {
    for (const args of [['params'], ['render', IN(), '-o', tmp.path('full.wav')]]) {
      const fd = openSync('/dev/full', 'w');
      const r = await run(args, { stdout: fd });
      closeSync(fd);
      expect(r.code, args[0]).toBe(1);
      oneLine(r.err);
      expect(r.err).toMatch(/^piwip (params|render): error: cannot write to stdout: no space left on device \(ENOSPC\)$/m);
    }
    expect(decodeWav(readFileSync(tmp.path('full.wav'))).frames).toBeGreaterThan(0);
  });

  it('-o /dev/full: one line, exit 1', async () => {
    const r = await run(['render', IN(), '-o', '/dev/full', '-q']);
    expect(r.code).toBe(1);
    oneLine(r.err);
    expect(r.err).toMatch(/cannot write "\/dev\/full": no space left on device/);
  });
});

describe('render length is bounded (--max-seconds) and streamed', () => {
  const ev = (doc: unknown) => { const p = tmp.path(`ev-${Math.random().toString(36).slice(2)}.json`); writeFileSync(p, JSON.stringify(doc)); return p; };

  it('t: 1e7 is a clear error naming the entry, not "Invalid typed array length"', async () => {
    const r = await runCli(['render', IN(), '-o', tmp.path('x.wav'), '--events', ev([{ t: 1e7, key: 2 }])]);
    expect(r.code).toBe(1);
    oneLine(r.err);
    expect(r.err).toMatch(/events\[0\] at 10000000 s plus the 2 s tail makes a 10000000 s render, longer than --max-seconds 600/);
  });

  it('t: 3000 (milliseconds by mistake) refused by default; --max-seconds lowers or raises the bound', async () => {
    const late = ev([{ t: 1, note: 60, dur: 2999 }]);
    const r = await runCli(['render', IN(), '-o', tmp.path('x.wav'), '--events', late]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/events\[0\] \(the end of its "dur"\) at 3000 s/);
    const a = await runCli(['render', IN(), '-o', tmp.path('x.wav'), '--events', ev([{ t: 8, key: 2 }]), '--max-seconds', '9', '-q']);
    expect(a.code).toBe(1);
    const b = await runCli(['render', IN(), '-o', tmp.path('y.wav'), '--events', ev([{ t: 8, key: 2 }]), '--max-seconds', '10', '-q']);
    expect(b.code).toBe(0);
    expect(decodeWav(readFileSync(tmp.path('y.wav'))).frames).toBe(10 * sr);
    expect((await runCli(['render', IN(), '-o', tmp.path('y.wav'), '--max-seconds', '0'])).code).toBe(2);
  });

  it('a huge MIDI delta time: a clear error naming the MIDI file', async () => {
    const mid = tmp.path('far.mid');
    // one note-on after a 0x0fffffff-tick delta (the largest variable-length quantity): 77 hours at 120 bpm
    writeFileSync(mid, Uint8Array.from([0x4d, 0x54, 0x68, 0x64, 0, 0, 0, 6, 0, 0, 0, 1, 0x01, 0xe0,
      0x4d, 0x54, 0x72, 0x6b, 0, 0, 0, 11, 0xff, 0xff, 0xff, 0x7f, 0x90, 60, 100, 0, 0xff, 0x2f, 0]));
    const r = await runCli(['render', IN(), '-o', tmp.path('x.wav'), '--midi', mid]);
    expect(r.code).toBe(1);
    oneLine(r.err);
    expect(r.err).toMatch(/far\.mid: a message in track 1 at 279620 s .* longer than --max-seconds 600/);
  });

  it('found by the fuzzer: a 5-byte variable-length number in a MIDI file is refused, not an endless loop in midi-file', async () => {
    const mid = tmp.path('vlq.mid');
    // a text meta event whose length is ff ff ff ff 7f: midi-file's 32-bit shifts make it negative and read backwards
    writeFileSync(mid, Uint8Array.from([0x4d, 0x54, 0x68, 0x64, 0, 0, 0, 6, 0, 0, 0, 1, 0, 96,
      0x4d, 0x54, 0x72, 0x6b, 0, 0, 0, 14, 0, 0x90, 60, 100, 0, 0xff, 0x01, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x41, 0x42]));
    // and one the fuzzer built: a SysEx, a running-status pitch bend and key signature before the long number
    const found = tmp.path('found.mid');
    writeFileSync(found, Buffer.from('4d54686400000006000200020c304d54726b0000002b00f0057e7f0901f700f702010200ef010361626300ff58040402'
      + '180800ff5902008900ff7fffffffff2f004d54726b0000002900903c648360803c40836090430a010000ff64836043008170e0004000b0076400'
      + 'c00300d009000d3c0500ff2f00', 'hex'));
    for (const [file, name] of [[mid, 'vlq\\.mid'], [found, 'found\\.mid']] as const) {
      const r = await run(['render', IN(), '-o', tmp.path('vlq.wav'), '--midi', file], { timeout: 15000 });
      expect(r.signal, file).toBeNull();
      expect(r.code).toBe(1);
      oneLine(r.err);
      expect(r.err).toMatch(new RegExp(`${name}: track 1: malformed MIDI file \\(a variable-length number longer than 4 bytes`));
    }
  });

  it('the streamed WAV is the same bytes as the in-memory render', async () => {
    const events = ev([{ t: 0, preset: 'sampler' }, { t: 1.2, note: 67, dur: 1 }]);
    const r = await runCli(['render', IN(), '-o', tmp.path('st.wav'), '--events', events, '--bits', '24', '-q']);
    expect(r.code).toBe(0);
    const audio = decodeWav(takeBytes);
    const parsed = parseEvents(readFileSync(events, 'utf8'), paramCatalog(), 'ev');
    const mem = renderAudio({ audio, events: parsed });
    expect(Buffer.from(readFileSync(tmp.path('st.wav'))).equals(Buffer.from(encodeWav([mem.left, mem.right], sr, '24')))).toBe(true);
  });
});

describe('a killed npm launcher does not leave the render running', () => {
  it('node under `sh -c` under a parent that is SIGKILLed stops within a few seconds', async () => {
    writeFileSync(tmp.path('far.json'), '[{"t": 590, "note": 60}]');
    // The parent plays npm: it starts `sh -c "node piwip.mjs render …; :"` (the `; :` keeps sh from exec'ing node,
    // as npm's shell does) with npm's environment, then dies without a chance to forward anything.
    const cmd = `"${process.execPath}" "${PIWIP}" render "${IN()}" -o "${tmp.path('orphan.wav')}" --events "${tmp.path('far.json')}" --block 1 -q 2>"${tmp.path('orphan.err')}"; :`;
    const parent = spawn(process.execPath, ['-e', `
      const c = require('node:child_process').spawn('sh', ['-c', process.argv[1]], { stdio: 'ignore', env: { ...process.env, npm_execpath: 'npm-cli.js' } });
      console.log(c.pid); setInterval(() => {}, 1000);`, cmd], { stdio: ['ignore', 'pipe', 'inherit'] });
    const shPid = await new Promise<number>((resolve) => parent.stdout!.once('data', (d) => resolve(Number(String(d).trim()))));
    const childPid = async (): Promise<number> => {
      for (let i = 0; i < 100; i++) {
        const kids = (() => { try { return readFileSync(`/proc/${shPid}/task/${shPid}/children`, 'utf8').trim(); } catch { return ''; } })();
        if (kids) return Number(kids.split(' ')[0]);
        await new Promise((r) => setTimeout(r, 50));
      }
      return -1;
    };
    const node = await childPid();
    expect(node).toBeGreaterThan(0);
    // Rendering has begun once the output's temporary file exists (590 s at block 1 takes far longer than this test).
    for (let i = 0; i < 400 && !readdirSync(tmp.dir).some((f) => f.startsWith('.orphan.wav.')); i++) await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(tmp.dir).some((f) => f.startsWith('.orphan.wav.'))).toBe(true);
    const alive = (pid: number) => existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'latin1').includes(') Z ');
    expect(alive(node)).toBe(true);
    parent.kill('SIGKILL');
    let gone = false;
    for (let i = 0; i < 200 && !gone; i++) { await new Promise((r) => setTimeout(r, 50)); gone = !alive(node); }
    if (!gone) process.kill(node, 'SIGKILL');
    expect(gone).toBe(true);
    expect(readFileSync(tmp.path('orphan.err'), 'utf8')).toMatch(/the process that started the render is gone/);
    expect(existsSync(tmp.path('orphan.wav'))).toBe(false);
    expect(readdirSync(tmp.dir).filter((f) => f.startsWith('.orphan.wav.'))).toEqual([]);
  }, 60000);
});

describe('minor input fixes', () => {
  const params = () => paramCatalog();

  it('an events file with a UTF-8 BOM is read', () => {
    const ev = parseEvents('\ufeff[{"t": 1, "key": 2}]', params(), 'bom.json');
    expect(ev).toHaveLength(1);
  });

  it('t: 1e400 says the number is too large (not "got null")', () => {
    expect(() => parseEvents('[{"t": 1e400, "key": 2}]', params(), 'e.json')).toThrow(/got Infinity: a number too large to represent/);
  });

  it('a MIDI file with 1 or 2 trailing bytes is accepted with a warning; 8 stray bytes are still refused', () => {
    const base = [0x4d, 0x54, 0x68, 0x64, 0, 0, 0, 6, 0, 0, 0, 1, 0x01, 0xe0,
      0x4d, 0x54, 0x72, 0x6b, 0, 0, 0, 8, 0, 0x90, 60, 100, 0, 0xff, 0x2f, 0];
    for (const extra of [[0x0a], [0, 0]]) {
      const song = decodeMidi(Uint8Array.from([...base, ...extra]), 'pad.mid');
      expect(song.noteOns).toBe(1);
      expect(song.warnings).toEqual([`pad.mid: ignored ${extra.length} trailing byte(s) after the last chunk`]);
    }
    expect(() => decodeMidi(Uint8Array.from([...base, 1, 2, 3, 4, 0, 0, 0, 9]), 'bad.mid')).toThrow(FileFormatError);
  });

  it('a streamed WAV (data size 0, samples to the end of the file) is read; a really empty one is not', () => {
    const x = toneBurst(sr, 440, 0.1, 0);
    const b = Buffer.from(encodeWav([x], sr, '16'));
    b.writeUInt32LE(0, 40);
    b.writeUInt32LE(0, 4);
    const a = decodeWav(b, 'streamed.wav');
    expect(a.frames).toBe(x.length);
    expect(a.channels[0]![100]).toBeCloseTo(x[100]!, 4);
    const empty = Buffer.concat([b.subarray(0, 44), Buffer.from('LIST\x04\x00\x00\x00INFO', 'latin1')]);
    expect(() => decodeWav(empty, 'empty.wav')).toThrow(/no audio frames/);
  });

  it('a float sample of 1e30 is refused like NaN and Inf (no +24 dBFS spike); 15.9 is accepted', () => {
    for (const [v, ok] of [[1e30, false], [-17, false], [Infinity, false], [15.9, true]] as const) {
      const x = new Float32Array(64).fill(0.1);
      x[10] = v;
      const wav = encodeWav([x], sr, '32f');
      if (ok) expect(decodeWav(wav, 'f.wav').channels[0]![10]).toBeCloseTo(v, 4);
      else expect(() => decodeWav(wav, 'f.wav'), String(v)).toThrow(/sample 10 of channel 1 is (not a finite number|.*beyond ±16)/);
    }
  });

  it('found by the fuzzer: refusals stay one line when the input holds a newline (a chunk id, a JSON key or value)', () => {
    const midi = Uint8Array.from([0x4d, 0x54, 0x68, 0x64, 0, 0, 0, 6, 0, 0, 0, 1, 0x01, 0xe0,
      0x4d, 0x54, 0x72, 0x6b, 0, 0, 0, 4, 0, 0xff, 0x2f, 0, 0x00, 0x0a, 0x2f, 0x00, 0x4d, 0x54, 0x72, 0x6b]);
    const msg = (f: () => unknown) => { try { f(); } catch (e) { return (e as Error).message; } return ''; };
    const m = msg(() => decodeMidi(midi, 'nl.mid'));
    expect(m).toMatch(/chunk "\\x00\\x0a\/\\x00"/);
    for (const text of ['[{"t": 1, "key": 2, "a\\nb": 1}]', '{"events": [], "x\\ny": 1}', '[{"t": 1, "set": {"a\\nb": 1}}]',
      '[{"t": 1, "set": {"probability": "x\\ny"}}]']) {
      const e = msg(() => parseEvents(text, params(), 'nl.json'));
      expect(e, text).toMatch(/^nl\.json: /);
      expect(e, text).not.toContain('\n');
    }
    expect(m).not.toContain('\n');
  });

  it('params --foo is refused (exit 2); --preset user is accepted', async () => {
    const p = await runCli(['params', '--foo']);
    expect(p.code).toBe(2);
    expect(p.err).toMatch(/unknown option "--foo"/);
    const u = await runCli(['render', IN(), '-o', tmp.path('u.wav'), '--preset', 'user', '-q']);
    expect(u.code).toBe(0);
  });
});
