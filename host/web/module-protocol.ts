// Messages between the page's RemoteFace (page/remote-face.ts) and the server's module bridge (bridge.ts), over one
// WebSocket at /link. JSON text both ways, plus binary: the server sends each changed framebuffer as 4 bytes of
// frame number (LE) + the 4096-byte framebuffer; the page sends an engine to upload as one binary message right
// after its `upload` request.
import type { FaceParam, ParamValue, PsetReportLite, Telemetry } from '../face/face.ts';
import type { FaceControl } from '../face/message-face.ts';

export const LINK_PATH = '/link';
/** Largest engine the bridge accepts from the page (the module checks it again). */
export const MAX_UPLOAD_BYTES = 8 * 1024 * 1024;

/** What the link itself looks like from the computer. */
export interface LinkStats {
  /** Last ping round trip (ms), 0 before the first. */
  rttMs: number;
  /** Frames the computer received broken / found missing; what the module says it saw. */
  corrupt: number; lost: number; moduleCorrupt: number; moduleLost: number;
  connected: boolean;
}

export interface ModuleSlot { slot: number; name: string }

export type ToBridge =
  | { t: 'open'; port: string }
  | FaceControl
  | { t: 'psetGet'; id: number; name: string }
  | { t: 'psetPut'; id: number; text: string }
  | { t: 'paramGet'; id: number; i: number }
  | { t: 'slots'; id: number }
  | { t: 'slotOp'; id: number; op: 'save' | 'load' | 'delete'; slot: number }
  /** The next binary message is the engine (size bytes). */
  | { t: 'upload'; id: number; size: number };

export type FromBridge =
  | { t: 'ready'; where: string; params: FaceParam[]; engineHash: string }
  /** The param table again (after a reconnect or an engine swap). */
  | { t: 'table'; where: string; params: FaceParam[]; engineHash: string }
  | { t: 'params'; changed: ParamValue[] }
  | { t: 'telemetry'; tel: Telemetry; link: LinkStats }
  | { t: 'link'; connected: boolean; why: string }
  /** The module's PSET slots, whenever it sends them (after a slot op from any page or host). */
  | { t: 'slots'; slots: { last: number; slots: ModuleSlot[] } }
  | { t: 'progress'; id: number; sent: number; total: number; stage: number; text: string }
  | { t: 'reply'; id: number; error?: string; text?: string; report?: PsetReportLite; value?: ParamValue;
      slots?: { last: number; slots: ModuleSlot[] }; stage?: number; engineHash?: string }
  | { t: 'error'; message: string };
