// PSET files as norns keeps them: <dir>/piwip-NN.pset (NN = 01..99) and <dir>/pset-last.txt holding the last slot.
// The engine holds the text and the menu; this performs its save/load/delete requests on disk, atomically.
import { existsSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PiwipEngine, PsetReport, PsetRequest } from '../engine/engine.ts';
import { FileFormatError } from './errors.ts';
import { ensureDir } from './files.ts';

export const SCRIPT = 'piwip';

export interface PsetResult extends PsetRequest {
  ok: boolean;
  file: string;
  /** Why it failed (missing file, I/O error). */
  error?: string;
  /** For loads: what the engine applied and skipped. */
  report?: PsetReport;
}

/** The name on a PSET's `-- name` first line, or '' (norns: string.sub(line, 4)). */
export function psetNameOf(text: Buffer): string {
  const nl = text.indexOf(10);
  const first = text.subarray(0, nl < 0 ? text.length : nl).toString('utf8').replace(/\r$/, '');
  return first.startsWith('--') ? first.slice(first.startsWith('-- ') ? 3 : 2) : '';
}

/** Read a PSET file for the engine: must exist and fit the engine's text buffer. */
export function readPsetFile(path: string, cap = 16384): Buffer {
  let b: Buffer;
  try {
    b = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FileFormatError(`${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : `cannot read (${code})`}`);
  }
  if (b.length > cap) throw new FileFormatError(`${path}: too large for a PSET (${b.length} bytes; at most ${cap})`);
  return b;
}

/** norns' name for a numbered slot: piwip-03 (also the name a slot saved without one gets). */
export function slotName(slot: number): string { return `${SCRIPT}-${String(slot).padStart(2, '0')}`; }

export class PsetDir {
  constructor(readonly dir: string) {}

  file(slot: number): string { return join(this.dir, `${slotName(slot)}.pset`); }
  get lastFile(): string { return join(this.dir, 'pset-last.txt'); }

  /** Tell the engine which slots exist (and their names) and the last slot, as norns' menu finds them. */
  scan(engine: PiwipEngine): void {
    for (let slot = 1; slot <= engine.psetSlots; slot++) {
      const f = this.file(slot);
      engine.psetSlotSet(slot, existsSync(f) ? psetNameOf(readFileSync(f)) || slotName(slot) : null);
    }
    const last = existsSync(this.lastFile) ? Number.parseInt(readFileSync(this.lastFile, 'utf8').trim(), 10) : 0;
    engine.psetLast = Number.isInteger(last) && last >= 0 && last <= engine.psetSlots ? last : 0;
  }

  /** At a module's start-up: load the last slot saved or loaded (pset-last.txt), as the original read its piwip.pset
   *  at load (spec §10) and the Teensy / piwip-module shells do, so a MIDI map saved there plays with no host. */
  loadLast(engine: PiwipEngine): PsetResult | null {
    const slot = engine.psetLast;
    if (slot < 1 || !existsSync(this.file(slot))) return null;
    return this.perform(engine, { op: 'load', slot });
  }

  /** Perform every request the engine has queued; returns what happened to each. */
  service(engine: PiwipEngine): PsetResult[] {
    const out: PsetResult[] = [];
    for (let r = engine.takePsetRequest(); r; r = engine.takePsetRequest()) out.push(this.perform(engine, r));
    return out;
  }

  perform(engine: PiwipEngine, r: PsetRequest, name?: string): PsetResult {
    const file = this.file(r.slot);
    try {
      if (r.op === 'save') {
        const label = name ?? slotName(r.slot);
        ensureDir(this.dir, `--pset-dir "${this.dir}"`);
        const tmp = `${file}.tmp`;
        writeFileSync(tmp, engine.psetWrite(label));
        renameSync(tmp, file); // never leave a half-written PSET where the old one was
        engine.psetSlotSet(r.slot, label);
        this.setLast(engine, r.slot);
        return { ...r, ok: true, file };
      }
      if (r.op === 'load') {
        const report = engine.psetRead(readPsetFile(file));
        this.setLast(engine, r.slot);
        return { ...r, ok: true, file, report };
      }
      if (existsSync(file)) unlinkSync(file);
      engine.psetSlotSet(r.slot, null);
      return { ...r, ok: true, file };
    } catch (e) {
      return { ...r, ok: false, file, error: e instanceof Error ? e.message : String(e) };
    }
  }

  private setLast(engine: PiwipEngine, slot: number): void {
    engine.psetLast = slot;
    ensureDir(this.dir, `--pset-dir "${this.dir}"`);
    writeFileSync(this.lastFile, `${slot}\n`);
  }
}
