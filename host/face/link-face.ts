// LinkFace: the EngineFace of a module on the link (host/link/client.ts), so the terminal face (piwip connect) and
// the web page drive a module exactly as they drive the local engine. The module owns its PSET slots: the face's
// slot calls are the module's business, not the host's.
import type { EngineFace, FaceEvents, FaceParam, ParamValue, Telemetry } from './face.ts';
import type { LinkClient } from '../link/client.ts';
import type { Telemetry as LinkTelemetry } from '../link/messages.ts';

const MODE_NAMES = ['', 'sampler', 'follower', 'ensemble', 'tune'];

export class LinkFace implements EngineFace {
  private handlers: { [K in keyof FaceEvents]: FaceEvents[K][] } = { screen: [], params: [], telemetry: [], psetRequest: [] };

  constructor(readonly client: LinkClient) {
    client.on('screen', (fb: Uint8Array) => { for (const h of this.handlers.screen) h(fb, client.screenFrame); });
    client.on('param', (v: ParamValue) => { for (const h of this.handlers.params) h([{ index: v.index, value: v.value, formatted: v.formatted }]); });
    client.on('telemetry', (t: LinkTelemetry) => { const x = this.telemetry(t); for (const h of this.handlers.telemetry) h(x); });
  }

  get where(): string {
    const h = this.client.hello;
    return h ? `module ${h.firmware} ${h.version} (${h.board}) on ${this.client.transportName}` : `module on ${this.client.transportName}`;
  }

  params(): FaceParam[] {
    return this.client.params.filter(Boolean).map((p) => ({
      index: p.index, id: p.id, group: p.group, type: p.type, min: p.min, max: p.max, step: p.step, default: p.default,
      value: p.value, units: p.units, options: p.options, formatted: p.formatted,
    }));
  }

  private safe(fn: () => void): void { try { fn(); } catch { /* not connected right now: the client reconnects by itself */ } }
  key(n: 1 | 2 | 3, z: 0 | 1): void { this.safe(() => this.client.key(n, z)); }
  enc(n: 1 | 2 | 3, d: number): void { this.safe(() => this.client.enc(n, d)); }
  midi(bytes: ArrayLike<number>): void { this.safe(() => this.client.midi(bytes)); }
  paramSet(index: number, value: number): void { void this.client.setParam(index, value).catch(() => {}); }
  paramDelta(index: number, d: number, fine = false): void { void this.client.deltaParam(index, d, fine).catch(() => {}); }
  psetGet(name = ''): Promise<string> { return this.client.psetGet(name); }
  async psetPut(text: string): Promise<{ name: string; applied: number; clamped: number; unknown: number; corrupt: number }> {
    const r = await this.client.psetPut(text);
    return { name: r.name, applied: r.applied, clamped: r.clamped, unknown: r.unknown, corrupt: r.corrupt };
  }
  psetSlot(): void { /* the module keeps its own slots (PSET_OP over the link) */ }

  on<K extends keyof FaceEvents>(event: K, fn: FaceEvents[K]): void { (this.handlers[event] as FaceEvents[K][]).push(fn); }
  /** Drop a handler (the web bridge shares one LinkFace between pages that come and go). */
  off<K extends keyof FaceEvents>(event: K, fn: FaceEvents[K]): void {
    const l = this.handlers[event] as FaceEvents[K][];
    const i = l.indexOf(fn);
    if (i >= 0) l.splice(i, 1);
  }

  private telemetry(t: LinkTelemetry): Telemetry {
    const blockMs = this.client.hello ? (t.cpuMean / 100) * (1000 * this.client.hello.blockSize) / this.client.hello.sampleRate : 0;
    return {
      inRms: t.level, outRms: 0, inPeak: t.level, pitchHz: t.pitchHz, bpm: 0, recording: t.recording, armed: t.armed,
      menuOpen: t.menu, modeName: MODE_NAMES[t.mode] ?? '', time: t.time, blockMs, cpu: t.cpuMean / 100, cpuLive: true,
      where: this.where,
    };
  }
}
