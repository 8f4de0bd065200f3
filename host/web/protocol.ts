// Messages between a LocalFace (page or Node main thread) and the engine's AudioWorklet (worklet.ts).
import type { FaceParam, ParamValue, PsetReportLite, Telemetry } from '../face/face.ts';
import type { FaceControl } from '../face/message-face.ts';

export type ToWorklet =
  | FaceControl
  | { t: 'psetGet'; id: number; name: string }
  | { t: 'psetPut'; id: number; text: string; slot: number }
  | { t: 'psetSlot'; slot: number; name: string | null; last: boolean }
  | { t: 'paramGet'; id: number; i: number }
  | { t: 'screenGet'; id: number }
  /** Start/stop sending the output to the host in chunks (recording to a WAV). */
  | { t: 'record'; on: boolean }
  /** A chunk buffer handed back for reuse (so the audio thread allocates no new ones). */
  | { t: 'chunkBack'; buf: Float32Array }
  | { t: 'bench'; id: number; seconds: number };

export type FromWorklet =
  | { t: 'ready'; params: FaceParam[]; sampleRate: number; abi: number }
  | { t: 'error'; message: string }
  | { t: 'screen'; fb: Uint8Array; frame: number }
  | { t: 'params'; changed: ParamValue[] }
  | { t: 'telemetry'; tel: Omit<Telemetry, 'where'> }
  | { t: 'psetRequest'; op: 'save' | 'load' | 'delete'; slot: number; text?: string }
  | { t: 'reply'; id: number; value?: number; formatted?: string; text?: string; fb?: Uint8Array; report?: PsetReportLite;
      bench?: { nsPerSample: number; blockMs: number; blockPct: number } }
  /** Interleaved stereo output frames: buf holds n frames × 2. */
  | { t: 'chunk'; buf: Float32Array; n: number };

/** Chunk size for output recording: frames per message. */
export const CHUNK_FRAMES = 8192;
export const WORKLET_NAME = 'piwip-engine';
