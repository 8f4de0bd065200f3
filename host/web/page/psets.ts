// PSETs kept in the browser: IndexedDB holds norns slots 1..99 ({slot, name, text}) and the last slot used;
// the engine's PSET menu asks for save/load/delete and the page's buttons do the same, plus export/import of
// norns .pset files (piwip-NN.pset, the text unchanged).
import type { EngineFace } from '../../face/face.ts';

const DB = 'piwip', STORE = 'psets', META = 'meta';
export interface StoredPset { slot: number; name: string; text: string }

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open(DB, 1);
    r.onupgradeneeded = () => { r.result.createObjectStore(STORE, { keyPath: 'slot' }); r.result.createObjectStore(META); };
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function req<T>(r: IDBRequest<T>): Promise<T> { return new Promise((res, rej) => { r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); }); }

export const slotName = (slot: number): string => `piwip-${String(slot).padStart(2, '0')}`;

/** The name a PSET text gives itself on its `-- name` first line. */
export function psetTitle(text: string): string { const m = /^-- ?(.*)$/m.exec(text.split('\n')[0] ?? ''); return m ? m[1]!.trim() : ''; }

export class PsetStore {
  private constructor(private db: IDBDatabase) {}
  static async open(): Promise<PsetStore> { return new PsetStore(await open()); }
  private tx(store: string, mode: IDBTransactionMode) { return this.db.transaction(store, mode).objectStore(store); }
  all(): Promise<StoredPset[]> { return req(this.tx(STORE, 'readonly').getAll() as IDBRequest<StoredPset[]>); }
  get(slot: number): Promise<StoredPset | undefined> { return req(this.tx(STORE, 'readonly').get(slot) as IDBRequest<StoredPset | undefined>); }
  async put(p: StoredPset): Promise<void> { await req(this.tx(STORE, 'readwrite').put(p)); await this.setLast(p.slot); }
  async delete(slot: number): Promise<void> { await req(this.tx(STORE, 'readwrite').delete(slot)); }
  async last(): Promise<number> { return ((await req(this.tx(META, 'readonly').get('last'))) as number | undefined) ?? 0; }
  async setLast(slot: number): Promise<void> { await req(this.tx(META, 'readwrite').put(slot, 'last')); }
}

/** Wire the store to the engine: tell its menu which slots exist, and serve the menu's requests. */
export async function attachPsets(face: EngineFace, store: PsetStore, changed: () => void, say: (s: string) => void): Promise<void> {
  const last = await store.last();
  for (const p of await store.all()) face.psetSlot(p.slot, p.name, p.slot === last);
  face.on('psetRequest', async (r) => {
    if (r.op === 'save' && r.text !== undefined) {
      await store.put({ slot: r.slot, name: slotName(r.slot), text: r.text });
      face.psetSlot(r.slot, slotName(r.slot), true);
      say(`saved ${slotName(r.slot)} (menu)`);
    } else if (r.op === 'load') {
      const p = await store.get(r.slot);
      if (!p) { say(`slot ${r.slot} is empty`); return; }
      const rep = await face.psetPut(p.text, r.slot);
      await store.setLast(r.slot);
      say(`loaded ${p.name}: ${rep.applied} params`);
    } else if (r.op === 'delete') {
      await store.delete(r.slot);
      face.psetSlot(r.slot, null);
      say(`deleted ${slotName(r.slot)} (menu)`);
    }
    changed();
  });
}

export function download(name: string, data: BlobPart, type: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([data], { type }));
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
