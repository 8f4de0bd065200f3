// Link frames (docs/link.md) into the real engine (linkIn, linkService, linkOut), as a host's serial port delivers
// them. An input is one frame: its first byte the type, the rest the payload, SLIP-framed with a correct CRC so the
// mutations reach the message parsers; an input starting 0xC0 (END) goes in as raw bytes instead (broken framing,
// bad CRCs). After each: one block finite and bounded, the link's reply drained, every 64 inputs the params in
// range. Coverage proxy: which counters moved (frames, corrupt, unknown, lost, replies), link open, the type.
import { encodeFrame } from '../../../host/link/frame.ts';
import { T, enc } from '../../../host/link/messages.ts';
import type { FuzzTarget } from '../target.ts';
import { EngineRig } from './engine.ts';

let rig: EngineRig;
const END = 0xc0;
const MAX_REPLY = 1 << 20;

const frame = (type: number, payload: Uint8Array = new Uint8Array(0)) => Uint8Array.from([type, ...payload]);
function seeds(): Uint8Array[] {
  return [
    frame(T.PING, enc.ping(7)), frame(T.KEY, enc.key(2, 1)), frame(T.ENC, enc.enc(3, -2)), frame(T.MIDI, enc.midi([0x90, 60, 100])),
    frame(T.MODE, enc.mode(2)), frame(T.PARAM_LIST), frame(T.PARAM_GET, enc.paramGet(3)), frame(T.PARAM_SET, enc.paramSet(5, 0.5)),
    frame(T.PARAM_DELTA, enc.paramDelta(2, -3, true)), frame(T.PSET_GET, enc.psetGet('verse')),
    frame(T.PSET_PUT, enc.psetPut('-- x\n"probability": 30.0\n')), frame(T.PSET_LIST), frame(T.PSET_OP, enc.psetOp('save', 3)),
    frame(T.SCREEN, enc.screen(30, true)), frame(T.TELEMETRY, enc.telemetry(20)), frame(T.HELLO, enc.hello('fuzz')),
    frame(T.UPLOAD_BEGIN, enc.uploadBegin(64, new Uint8Array(32))), frame(T.UPLOAD_ABORT),
    encodeFrame(T.PING, 1, enc.ping(1)), Uint8Array.from([END, 0xdb, 0xdc, 0x02, 0x00, 0x04, 0x00, 1, 2, 3, 4, 0xdb, END]),
  ];
}

export const target: FuzzTarget = {
  name: 'link',
  what: 'link frames into the wasm engine (linkIn, linkService, linkOut), then process()',
  maxLen: 600,
  seeds,
  dictionary: [[END], [0xdb], [0xdb, 0xdc], [0xdb, 0xdd], [0xff, 0xff], [0, 0x20], Object.values(T).map((t) => t)],
  idle() { rig.idle(); },
  setup() { rig = new EngineRig(2000, 2); rig.e.linkIn(encodeFrame(T.HELLO, 0, enc.hello('fuzz'))); rig.e.linkOut(); },
  run(x) {
    const e = rig.e;
    const before = e.linkCounters();
    const seqBefore = before.rxFrames;
    if (x[0] === END) e.linkIn(x);
    else if (x.length) e.linkIn(encodeFrame(x[0]!, seqBefore & 0xff, x.subarray(1, 1 + 8192)));
    e.linkService();
    const bad = rig.step() ?? (rig.age % 64 === 0 ? rig.checkParams() : null);
    if (bad) return bad;
    e.linkService();
    const reply = e.linkOut();
    if (reply.length > MAX_REPLY) return `reply of ${reply.length} bytes to one frame`;
    const c = e.linkCounters();
    const moved = (a: number, b: number) => (b > a ? 1 : 0);
    const open = e.ex.linkOpen() as number;
    if (!open) { e.linkIn(encodeFrame(T.HELLO, 0, enc.hello('fuzz'))); e.linkOut(); }
    const sig = moved(before.rxFrames, c.rxFrames) | (moved(before.rxCorrupt, c.rxCorrupt) << 1) | (moved(before.rxUnknown, c.rxUnknown) << 2)
      | (moved(before.rxLost, c.rxLost) << 3) | (Math.min(3, c.txFrames - before.txFrames) << 4) | (open << 6)
      | ((x[0] === END ? 0xff : x[0] ?? 0) << 7) | ((reply.length === 0 ? 0 : reply.length < 64 ? 1 : reply.length < 1024 ? 2 : 3) << 15);
    const mutatesState = x[0] === T.MODE || x[0] === T.PSET_PUT || x[0] === T.UPLOAD_BEGIN || x[0] === T.HELLO;
    if (mutatesState) rig.age += 8; // engines that took state-changing frames are replaced sooner
    rig.tick();
    return { rejected: false, signature: sig };
  },
};
