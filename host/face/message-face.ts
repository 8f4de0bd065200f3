// What the faces that reach their engine by messages share (LocalFace → the AudioWorklet, RemoteFace → the module
// bridge): the param table, event handlers, and the five controls sent as they are — one set of message shapes
// (FaceControl) that the worklet and the bridge both read.
import type { FaceEvents, FaceParam } from './face.ts';

export type FaceControl =
  | { t: 'key'; n: number; z: number }
  | { t: 'enc'; n: number; d: number }
  | { t: 'midi'; bytes: number[] }
  | { t: 'paramSet'; i: number; v: number }
  | { t: 'paramDelta'; i: number; d: number; fine: boolean };

type Handlers = { [K in keyof FaceEvents]: FaceEvents[K][] };

export abstract class MessageFace {
  protected table: FaceParam[] = [];
  protected handlers: Handlers = { screen: [], params: [], telemetry: [], psetRequest: [] };

  protected abstract sendControl(m: FaceControl): void;

  protected emit<K extends keyof FaceEvents>(k: K, ...args: Parameters<FaceEvents[K]>): void {
    for (const fn of this.handlers[k]) (fn as (...a: unknown[]) => void)(...args);
  }

  params(): FaceParam[] { return this.table; }
  on<K extends keyof FaceEvents>(event: K, fn: FaceEvents[K]): void { this.handlers[event].push(fn); }
  key(n: 1 | 2 | 3, z: 0 | 1): void { this.sendControl({ t: 'key', n, z }); }
  enc(n: 1 | 2 | 3, d: number): void { if (d) this.sendControl({ t: 'enc', n, d: Math.round(d) }); }
  midi(bytes: ArrayLike<number>): void { this.sendControl({ t: 'midi', bytes: Array.from(bytes) }); }
  paramSet(index: number, value: number): void { this.sendControl({ t: 'paramSet', i: index, v: value }); }
  paramDelta(index: number, d: number, fine = false): void { this.sendControl({ t: 'paramDelta', i: index, d: Math.round(d), fine }); }
}
