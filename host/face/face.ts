// EngineFace: what a face (the web page's norns screen, keys, encoders and params panel; the terminal face) needs
// from an engine, wherever it runs. LocalFace (local-face.ts) drives the engine in this computer's AudioWorklet; a
// link-backed implementation (module mode: the page talks to a module over the server's WebSocket bridge) plugs
// in here without the face changing. Everything is asynchronous and message-shaped so it can cross a wire.

export interface FaceParam {
  index: number; id: string; group: string; type: 'control' | 'taper' | 'number' | 'option';
  min: number; max: number; step: number; default: number; value: number; units: string;
  options: string[]; formatted: string;
}

/** One param's value as the engine holds it now, with the text the menu shows for it. */
export interface ParamValue { index: number; value: number; formatted: string }

/** Sent a few times a second: what the status line and meters show. */
export interface Telemetry {
  /** RMS of the input and the output over the last report period, 0..1. */
  inRms: number; outRms: number; inPeak: number;
  /** Detected pitch of the input (Hz, 0 = none) and what the engine reports about itself. */
  pitchHz: number;
  /** The tempo the harmonizer follows: the tempo param, or the MIDI clock estimate (0 = no ticks yet). */
  bpm: number;
  recording: boolean; armed: boolean; menuOpen: boolean; modeName: string; time: number;
  /** Engine cost: mean ms per process() call over the period, and its share of the block's duration. */
  blockMs: number; cpu: number;
  /** true: measured on the live blocks; false: measured once at start (hosts without a fine clock, e.g. Chromium's worklet). */
  cpuLive: boolean;
  /** Where the engine runs: "this computer" or "module …" */
  where: string;
}

export interface PsetReportLite { name: string; applied: number; clamped: number; unknown: number; corrupt: number }

/** The menu's PSET page asks the host to store/read a slot (the host owns the files: IndexedDB here). */
export interface PsetSlotRequest { op: 'save' | 'load' | 'delete'; slot: number; text?: string }

export interface FaceEvents {
  /** A changed 128×64 framebuffer: 4096 bytes, 4 bits per pixel, even x in the high nibble. */
  screen: (fb: Uint8Array, frame: number) => void;
  /** Params whose value changed (from the menu, a PSET, a preset, the panel). */
  params: (changed: ParamValue[]) => void;
  telemetry: (t: Telemetry) => void;
  psetRequest: (r: PsetSlotRequest) => void;
}

export interface EngineFace {
  /** "this computer" or "module <name>": the page says which one it drives. */
  readonly where: string;
  /** The param table (from the engine's paramInfo JSON), once the engine is up. */
  params(): FaceParam[];
  key(n: 1 | 2 | 3, z: 0 | 1): void;
  enc(n: 1 | 2 | 3, d: number): void;
  /** Raw MIDI bytes (note on/off, clock). */
  midi(bytes: ArrayLike<number>): void;
  paramSet(index: number, value: number): void;
  paramDelta(index: number, d: number, fine?: boolean): void;
  /** The engine's params as norns PSET text. */
  psetGet(name?: string): Promise<string>;
  /** Apply PSET text; resolves to what was applied/skipped. slot (1..99) marks it as the last loaded slot. */
  psetPut(text: string, slot?: number): Promise<PsetReportLite>;
  /** Tell the engine's PSET menu which slots exist. */
  psetSlot(slot: number, name: string | null, last?: boolean): void;
  on<K extends keyof FaceEvents>(event: K, fn: FaceEvents[K]): void;
}
