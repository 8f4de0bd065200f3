// RemoteFace: the EngineFace of a module, in the page, over the server's WebSocket bridge (bridge.ts), so the same
// screen, keys, encoders, params panel and PSET export/import drive the module unchanged. Plus module extras: its
// own PSET slots, engine upload with progress, the link's health, and paramGet/screenGet for the tests.
import type { EngineFace, ParamValue, PsetReportLite, Telemetry } from '../../face/face.ts';
import { LINK_PATH, MAX_UPLOAD_BYTES, type FromBridge, type LinkStats, type ModuleSlot, type ToBridge } from '../module-protocol.ts';
import { MessageFace, type FaceControl } from '../../face/message-face.ts';

type Reply = Extract<FromBridge, { t: 'reply' }>;
type Progress = Extract<FromBridge, { t: 'progress' }>;
type Dist<T> = T extends unknown ? Omit<T, 'id'> : never;

export class RemoteFace extends MessageFace implements EngineFace {
  where = 'module';
  engineHash = '';
  private pending = new Map<number, { resolve: (r: Reply) => void; progress?: (p: Progress) => void }>();
  private nextId = 1;
  lastScreen: Uint8Array | null = null;
  lastTelemetry: Telemetry | null = null;
  link: LinkStats | null = null;
  /** Called when the link goes or comes back, and when the param table is read again. */
  onLink: ((connected: boolean, why: string) => void) | null = null;
  onTable: (() => void) | null = null;
  onError: ((message: string) => void) | null = null;
  onSlots: ((s: { last: number; slots: ModuleSlot[] }) => void) | null = null;

  private constructor(private ws: WebSocket) { super(); }

  /** Open the bridge and ask it for the module on `port`; resolves when its param table has arrived. */
  static async connect(port: string): Promise<RemoteFace> {
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${LINK_PATH}`);
    ws.binaryType = 'arraybuffer';
    const face = new RemoteFace(ws);
    await new Promise<void>((resolve, reject) => {
      ws.onerror = () => reject(new Error('the server\'s module bridge did not answer'));
      ws.onopen = () => ws.send(JSON.stringify({ t: 'open', port } satisfies ToBridge));
      ws.onmessage = (e) => {
        if (typeof e.data !== 'string') { face.onMessage(e.data as ArrayBuffer); return; }
        const m = JSON.parse(e.data) as FromBridge;
        if (m.t === 'error') { reject(new Error(m.message)); return; }
        face.onMessage(e.data);
        if (m.t === 'ready') resolve();
      };
    });
    ws.onerror = null;
    ws.onmessage = (e) => face.onMessage(e.data as string | ArrayBuffer);
    ws.onclose = () => {
      face.link = face.link && { ...face.link, connected: false };
      // nothing will answer what is still pending
      for (const [id, p] of face.pending) p.resolve({ t: 'reply', id, error: 'the server went away (reload the page)' });
      face.pending.clear();
      face.onLink?.(false, 'the server went away (reload the page)');
    };
    return face;
  }

  private send(m: ToBridge): void { if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(m)); }

  private ask(m: Dist<Extract<ToBridge, { id: number }>>, progress?: (p: Progress) => void, binary?: ArrayBuffer): Promise<Reply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.ws.readyState !== WebSocket.OPEN) { reject(new Error('not connected to the server')); return; }
      this.pending.set(id, { resolve, progress });
      this.ws.send(JSON.stringify({ ...m, id }));
      if (binary) this.ws.send(binary);
    });
  }

  private async must(m: Dist<Extract<ToBridge, { id: number }>>): Promise<Reply> {
    const r = await this.ask(m);
    if (r.error) throw new Error(r.error);
    return r;
  }

  private onMessage(data: string | ArrayBuffer): void {
    if (typeof data !== 'string') {
      if (data.byteLength !== 4 + 4096) return;
      const frame = new DataView(data).getUint32(0, true);
      this.lastScreen = new Uint8Array(data, 4, 4096);
      this.emit('screen', this.lastScreen, frame);
      return;
    }
    const m = JSON.parse(data) as FromBridge;
    switch (m.t) {
      case 'ready': case 'table': {
        this.where = m.where; this.table = m.params; this.engineHash = m.engineHash;
        if (m.t === 'table') {
          this.emit('params', m.params.map((p) => ({ index: p.index, value: p.value, formatted: p.formatted })));
          this.onTable?.();
        }
        break;
      }
      case 'params':
        for (const c of m.changed) { const p = this.table[c.index]; if (p) { p.value = c.value; p.formatted = c.formatted; } }
        this.emit('params', m.changed);
        break;
      case 'telemetry': this.lastTelemetry = m.tel; this.link = m.link; this.emit('telemetry', m.tel); break;
      case 'link': if (this.link) this.link.connected = m.connected; this.onLink?.(m.connected, m.why); break;
      case 'slots': this.onSlots?.(m.slots); break;
      case 'progress': this.pending.get(m.id)?.progress?.(m); break;
      case 'reply': { const r = this.pending.get(m.id); this.pending.delete(m.id); r?.resolve(m); break; }
      case 'error': this.onError?.(m.message); break;
    }
  }

  // ---- EngineFace ----------------------------------------------------------------------------------------------
  protected sendControl(m: FaceControl): void { this.send(m); }
  async psetGet(name = ''): Promise<string> { return (await this.must({ t: 'psetGet', name })).text ?? ''; }
  async psetPut(text: string): Promise<PsetReportLite> { return (await this.must({ t: 'psetPut', text })).report!; }
  psetSlot(): void { /* the module keeps its own slots: slots() / slotOp() */ }

  // ---- module extras ---------------------------------------------------------------------------------------------
  async paramGet(index: number): Promise<ParamValue> { return (await this.must({ t: 'paramGet', i: index })).value!; }
  async screenGet(): Promise<{ fb: Uint8Array; frame: number }> { return { fb: this.lastScreen ?? new Uint8Array(4096), frame: 0 }; }
  async slots(): Promise<{ last: number; slots: ModuleSlot[] }> { return (await this.must({ t: 'slots' })).slots!; }
  async slotOp(op: 'save' | 'load' | 'delete', slot: number): Promise<{ text: string; slots: { last: number; slots: ModuleSlot[] } }> {
    const r = await this.must({ t: 'slotOp', op, slot });
    return { text: r.text ?? '', slots: r.slots! };
  }
  /** Send an engine to the module; resolves with its SHA-256 once the module runs it, rejects with the module's reason. */
  async upload(wasm: ArrayBuffer, onProgress: (p: Progress) => void): Promise<string> {
    if (!wasm.byteLength || wasm.byteLength > MAX_UPLOAD_BYTES) throw new Error(`an engine is 1 byte to ${MAX_UPLOAD_BYTES >> 20} MiB, this file is ${wasm.byteLength} bytes`);
    const r = await this.ask({ t: 'upload', size: wasm.byteLength }, onProgress, wasm);
    if (r.error) throw new Error(r.error);
    return r.engineHash ?? '';
  }
}
