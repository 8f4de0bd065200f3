// Module mode's server half: the page's WebSocket (/link) ↔ a LinkClient + LinkFace in Node, talking to a module on
// a serial port, a pty or TCP. One link session per port, shared by every page that drives it (a serial port can
// be opened once) and closed when the last page leaves, unless it is the module `piwip app --module` was started
// with. The page's RemoteFace sees the same EngineFace calls and events, as JSON, with the framebuffer as binary.
import type { IncomingMessage, Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Telemetry } from '../face/face.ts';
import { LinkFace } from '../face/link-face.ts';
import { LinkClient } from '../link/client.ts';
import { UPLOAD_STAGE } from '../link/messages.ts';
import { transportFor } from '../link/transport.ts';
import { LINK_PATH, MAX_UPLOAD_BYTES, type FromBridge, type LinkStats, type ToBridge } from './module-protocol.ts';

/** One module on the link, shared by the pages driving it. */
export class ModuleSession {
  readonly face: LinkFace;
  rttMs = 0;
  pages = new Set<WebSocket>();
  /** One engine upload at a time per module, whichever page sends it. */
  uploading = false;
  private pinger: NodeJS.Timeout | null = null;

  private constructor(readonly port: string, readonly client: LinkClient, readonly pinned: boolean) {
    this.face = new LinkFace(client);
    client.setMaxListeners(0); // each page listens to the shared client
  }

  static async open(port: string, pinned = false): Promise<ModuleSession> {
    const client = new LinkClient(transportFor(port), { screenFps: 30, telemetryHz: 10, hostName: 'piwip app' });
    try { await client.connect(); } catch (e) {
      client.close();
      const why = e instanceof Error ? e.message : String(e);
      throw new Error(why.startsWith(port) ? why : `${port}: ${why}`); // the transports name the port already
    }
    const s = new ModuleSession(port, client, pinned);
    s.pinger = setInterval(() => { void client.ping().then((ms) => { s.rttMs = ms; }, () => {}); }, 1000);
    return s;
  }

  stats(): LinkStats {
    const c = this.client.decoder.counters, t = this.client.telemetry;
    return { rttMs: this.rttMs, corrupt: c.corrupt, lost: c.lost, moduleCorrupt: t?.rxCorrupt ?? 0, moduleLost: t?.rxLost ?? 0, connected: this.client.connected };
  }

  close(): void { if (this.pinger) clearInterval(this.pinger); this.pinger = null; this.client.close(); }
}

export interface Bridge { close(): Promise<void>; defaultPort: string | null }

/** Same-origin pages only: any web site could otherwise reach 127.0.0.1 and drive (or reflash) the module. */
function originOk(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return true; // not a browser (tools, tests in Node)
  try { return new URL(origin).host === req.headers.host; } catch { return false; }
}

export async function attachBridge(server: Server, defaultPort: string | null): Promise<Bridge> {
  const sessions = new Map<string, Promise<ModuleSession>>();
  if (defaultPort) {
    const s = ModuleSession.open(defaultPort, true);
    sessions.set(defaultPort, s);
    await s; // `piwip app --module X` says at once when X does not answer
  }
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_UPLOAD_BYTES + 1024 });
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== LINK_PATH || !originOk(req)) { socket.write('HTTP/1.1 403 Forbidden\r\n\r\n'); socket.destroy(); return; }
    wss.handleUpgrade(req, socket, head, (ws) => page(ws));
  });

  function session(port: string): Promise<ModuleSession> {
    let s = sessions.get(port);
    if (!s) {
      s = ModuleSession.open(port);
      sessions.set(port, s);
      s.catch(() => sessions.delete(port));
    }
    return s;
  }

  function leave(s: ModuleSession, ws: WebSocket): void {
    s.pages.delete(ws);
    if (!s.pages.size && !s.pinned) { s.close(); sessions.delete(s.port); }
  }

  function page(ws: WebSocket): void {
    const send = (m: FromBridge) => { if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m)); };
    let s: ModuleSession | null = null;
    let upload: { id: number; size: number } | null = null;
    /** Keys this page holds down: released when it goes (a closed tab must not leave K1 held as shift). */
    const held = new Set<1 | 2 | 3>();
    const detach: (() => void)[] = [];

    const on = <A extends unknown[]>(em: { on(e: string, f: (...a: A) => void): unknown; off(e: string, f: (...a: A) => void): unknown }, ev: string, f: (...a: A) => void) => {
      em.on(ev, f); detach.push(() => em.off(ev, f));
    };

    async function open(port: string): Promise<void> {
      if (s) { send({ t: 'error', message: 'this page already drives a module' }); return; }
      try { s = await session(port); } catch (e) { send({ t: 'error', message: `cannot reach the module: ${(e as Error).message}` }); return; }
      if (ws.readyState !== ws.OPEN) { if (!s.pages.size && !s.pinned) { s.close(); sessions.delete(port); } return; }
      const ses = s;
      ses.pages.add(ws);
      const table = (t: 'ready' | 'table') => send({ t, where: ses.face.where, params: ses.face.params(), engineHash: ses.client.hello?.engineHash ?? '' });
      table('ready');
      // the framebuffer, coalesced: several SCREEN messages (row groups) can arrive in one read; the page needs the last
      let pending = false;
      const frame = () => {
        pending = false;
        if (ws.readyState !== ws.OPEN || ws.bufferedAmount > 256 * 1024) return; // a slow page skips frames, never queues them
        const b = Buffer.alloc(4 + 4096);
        b.writeUInt32LE(ses.client.screenFrame >>> 0, 0);
        b.set(ses.client.screen, 4);
        ws.send(b);
      };
      on(ses.client, 'screen', () => { if (!pending) { pending = true; setImmediate(frame); } });
      frame();
      const faceParams = (changed: { index: number; value: number; formatted: string }[]) => send({ t: 'params', changed });
      const faceTel = (tel: Telemetry) => send({ t: 'telemetry', tel, link: ses.stats() });
      ses.face.on('params', faceParams);
      ses.face.on('telemetry', faceTel);
      detach.push(() => { ses.face.off('params', faceParams); ses.face.off('telemetry', faceTel); });
      on(ses.client, 'disconnect', (why: string) => send({ t: 'link', connected: false, why }));
      on(ses.client, 'reconnect', () => { send({ t: 'link', connected: true, why: '' }); table('table'); });
      on(ses.client, 'resync', () => table('table'));
      on(ses.client, 'slots', (slots: { last: number; slots: { slot: number; name: string }[] }) => send({ t: 'slots', slots }));
      on(ses.client, 'hello', () => table('table'));
    }

    async function request(m: Extract<ToBridge, { id: number }>): Promise<void> {
      if (!s) { send({ t: 'reply', id: m.id, error: 'no module open' }); return; }
      const c = s.client;
      try {
        if (m.t === 'paramGet' && !(Number.isInteger(m.i) && m.i >= 0 && m.i < c.params.length)) throw new Error(`no param ${String(m.i)}`);
        if (m.t === 'slotOp' && !(['save', 'load', 'delete'].includes(m.op) && Number.isInteger(m.slot) && m.slot >= 1 && m.slot <= 99)) throw new Error('a slot op is save, load or delete of slot 1..99');
        if ((m.t === 'psetPut' && typeof m.text !== 'string') || (m.t === 'psetGet' && typeof (m.name ?? '') !== 'string')) throw new Error('PSET text and names are strings');
        switch (m.t) {
          case 'psetGet': send({ t: 'reply', id: m.id, text: await s.face.psetGet(m.name ?? '') }); break;
          case 'psetPut': send({ t: 'reply', id: m.id, report: await s.face.psetPut(m.text) }); break;
          case 'paramGet': send({ t: 'reply', id: m.id, value: await c.getParam(m.i) }); break;
          case 'slots': send({ t: 'reply', id: m.id, slots: await c.psetList() }); break;
          case 'slotOp': { const a = await c.psetOp(m.op, m.slot); send({ t: 'reply', id: m.id, text: a.text, slots: await c.psetList() }); break; }
          case 'upload':
            if (s.uploading) throw new Error('an upload to this module is already running');
            if (!(m.size > 0 && m.size <= MAX_UPLOAD_BYTES)) throw new Error(`an engine is 1 byte to ${MAX_UPLOAD_BYTES >> 20} MiB, not ${m.size} bytes`);
            upload = { id: m.id, size: m.size };
            break;
        }
      } catch (e) { send({ t: 'reply', id: m.id, error: e instanceof Error ? e.message : String(e) }); }
    }

    async function runUpload(u: { id: number; size: number }, bytes: Uint8Array): Promise<void> {
      const ses = s!;
      if (ses.uploading) { send({ t: 'reply', id: u.id, error: 'an upload to this module is already running' }); return; }
      ses.uploading = true;
      try {
        if (bytes.length !== u.size) throw new Error(`got ${bytes.length} bytes, announced ${u.size}`);
        const st = await ses.client.upload(bytes, (sent, total, x) => send({ t: 'progress', id: u.id, sent, total, stage: x?.stage ?? 0, text: x?.text ?? '' }));
        if (st.stage === UPLOAD_STAGE.SWAPPED) send({ t: 'reply', id: u.id, stage: st.stage, text: st.text, engineHash: ses.client.hello?.engineHash ?? '' });
        else send({ t: 'reply', id: u.id, stage: st.stage, error: `the module refused the engine: ${st.text}` });
      } catch (e) { send({ t: 'reply', id: u.id, error: e instanceof Error ? e.message : String(e) }); } finally { ses.uploading = false; }
    }

    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        const u = upload;
        upload = null;
        const b = Buffer.isBuffer(data) ? data : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data as ArrayBuffer)]);
        if (!u || !s) { send({ t: 'error', message: 'binary data without an upload request' }); return; }
        void runUpload(u, new Uint8Array(b.buffer, b.byteOffset, b.length));
        return;
      }
      let m: ToBridge;
      try { m = JSON.parse(String(data)) as ToBridge; } catch { send({ t: 'error', message: 'not JSON' }); return; }
      if (m?.t === 'open') { if (typeof m.port === 'string' && m.port) void open(m.port); else send({ t: 'error', message: 'open needs a port' }); return; }
      if (!s) { if ('id' in m) send({ t: 'reply', id: m.id, error: 'no module open' }); return; }
      const f = s.face, num = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
      switch (m.t) {
        case 'key':
          if ((m.n === 1 || m.n === 2 || m.n === 3) && (m.z === 0 || m.z === 1)) { f.key(m.n, m.z); if (m.z) held.add(m.n); else held.delete(m.n); }
          break;
        case 'enc': if ((m.n === 1 || m.n === 2 || m.n === 3) && num(m.d)) f.enc(m.n, Math.max(-127, Math.min(127, Math.round(m.d)))); break;
        case 'midi': if (Array.isArray(m.bytes) && m.bytes.every((x) => Number.isInteger(x) && x >= 0 && x < 256)) f.midi(m.bytes); break;
        case 'paramSet': if (num(m.i) && num(m.v)) f.paramSet(m.i, m.v); break;
        case 'paramDelta': if (num(m.i) && num(m.d)) f.paramDelta(m.i, Math.round(m.d), !!m.fine); break;
        default:
          if ('id' in m && typeof m.id === 'number') void request(m);
          else send({ t: 'error', message: `unknown message "${String((m as { t?: unknown }).t)}"` });
      }
    });
    ws.on('close', () => {
      for (const d of detach.splice(0)) d();
      if (s) { for (const k of held) s.face.key(k, 0); held.clear(); leave(s, ws); }
    });
    ws.on('error', () => { /* the close that follows cleans up */ });
  }

  return {
    defaultPort,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      for (const s of sessions.values()) await s.then((x) => x.close(), () => {});
      sessions.clear();
    },
  };
}
