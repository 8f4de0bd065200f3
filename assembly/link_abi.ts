// The link's flat ABI (docs/link.md "Module side"): shells move bytes in and out and call linkService once per
// block; the protocol itself lives in link/module.ts so every module build runs the same code.
import { link, WINDOW } from "./link/module";
import { engine } from "./piwip/engine";

/** Window the shell copies received bytes into (1024 bytes). */
export function linkInPtr(): usize { return changetype<usize>(link.window); }
/** Parse the first n (≤ 1024) bytes of the in-window. */
export function linkIn(n: i32): void { link.input(n); }
/** Window linkOut fills. */
export function linkOutPtr(): usize { return changetype<usize>(link.outWin); }
/** Move up to max (≤ 1024) pending output bytes into the out-window; returns how many. */
export function linkOut(max: i32): i32 {
  return link.out.take(changetype<usize>(link.outWin), max < 0 ? 0 : max > WINDOW ? WINDOW : max);
}
/** Bytes waiting to be sent. */
export function linkPending(): i32 { return link.out.used(); }
/** Once per block, after process(): param pushes, screen rows, telemetry, paced lists. */
export function linkService(): void { link.service(); }
/** The shell's identity "firmware\nversion\nboard\nhash" (first len bytes of the text buffer) and capabilities
 *  (bit 0 upload, bit 1 screen, bit 2 PSET slots). */
export function linkIdentity(len: i32, caps: i32): void { link.setIdentity(len, caps); }
/** CPU load per block in % of the block's duration (mean, worst) and the xrun count, for telemetry. */
export function linkSetLoad(meanPct: f32, worstPct: f32, xruns: i32): void {
  link.cpuMean = meanPct; link.cpuWorst = worstPct; link.xruns = <u32>xruns;
}
/** The shell threw n received bytes away before the engine saw them (a flood). */
export function linkDropped(n: i32): void { if (n > 0) link.rxDropped += <u32>n; }
/** The shell performed a PSET request (op 1 save, 2 load, 3 delete) with code 0 ok / < 0 failed. */
export function linkPsetDone(op: i32, slot: i32, code: i32): void { link.psetDone(op, slot, code); }
/** The host went away (port closed): forget the session (subscriptions, partial frames, pending output). */
export function linkReset(): void { link.reset(); }

// shell-bound frames (types 0x20..0x2f: engine upload), oldest first
export function linkShellType(): i32 { return link.shellPeekType(); }
export function linkShellPtr(): usize { return link.shellPeekPtr(); }
export function linkShellLen(): i32 { return link.shellPeekLen(); }
export function linkShellSeq(): i32 { return link.shellPeekSeq(); }
export function linkShellPop(): void { link.shellPop(); }
/** The shell's own frame: payload (≤ 1024 bytes) at linkSendPtr(). 0, -1 bad type/len, -2 output full. */
export function linkSendPtr(): usize { return changetype<usize>(link.sendWin); }
export function linkSend(type: i32, len: i32): i32 { return link.send(type, len); }

// counters
export function linkRxFrames(): u32 { return link.rxFrames; }
export function linkRxCorrupt(): u32 { return link.rxCorrupt; }
export function linkRxUnknown(): u32 { return link.rxUnknown; }
export function linkRxDropped(): u32 { return link.rxDropped; }
export function linkRxLost(): u32 { return link.rxLost; }
export function linkTxFrames(): u32 { return link.txFrames; }
export function linkTxDropped(): u32 { return link.txDropped; }
/** 1 once a host said HELLO. */
export function linkOpen(): i32 { return link.open && engine.ready ? 1 : 0; }
