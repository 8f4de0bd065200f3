// Module mode's extras on the page: picking a module (the server's list of serial ports that look like one, or a
// port typed in), the module's own PSET slots, engine upload with a progress bar, and the module's CPU and the
// link's health. The face itself (screen, keys, encoders, params) is the same as for this computer.
import type { RemoteFace } from './remote-face.ts';

type Get = <T extends HTMLElement = HTMLElement>(id: string) => T;

/** The module this page drives: ?module=PORT, else the server's --module unless ?local; null = this computer. */
export async function modulePort(): Promise<string | null> {
  const q = new URLSearchParams(location.search);
  if (q.get('module')) return q.get('module');
  if (q.has('local')) return null;
  try { return ((await (await fetch('modules.json')).json()) as { default: string | null }).default; } catch { return null; }
}

/** The picker: a found module or a typed port reloads the page driving it (every piece is then built on it). */
export function wirePicker($: Get, current: string | null): void {
  const sel = $<HTMLSelectElement>('module-found'), input = $<HTMLInputElement>('module-port');
  const go = () => {
    const port = input.value.trim() || sel.value;
    if (port) location.search = `?module=${encodeURIComponent(port)}`;
  };
  void fetch('modules.json').then((r) => r.json()).then((m: { default: string | null; found: { path: string; product: string }[] }) => {
    const seen = new Set<string>();
    const add = (path: string, label: string) => { if (!seen.has(path)) { seen.add(path); sel.append(new Option(label, path)); } };
    if (current) add(current, `${current} (driving)`);
    if (m.default) add(m.default, `${m.default} (piwip app --module)`);
    for (const f of m.found) add(f.path, `${f.path}${f.product ? ` — ${f.product}` : ''}`);
    if (!sel.options.length) sel.append(new Option('none found (type the port)', ''));
  }).catch(() => sel.append(new Option('none found (type the port)', '')));
  $('module-connect').addEventListener('click', go);
  input.addEventListener('keydown', (e) => { if (e.key === 'Enter') go(); });
  if (current) {
    $('module-summary').textContent = 'module';
    (document.querySelector('.module-on') as HTMLElement).hidden = false;
  } else $('module-local').hidden = true;
}

/** The PSET panel's slot buttons act on the module's own slots (the module stores them), and list them. */
export function wireModuleSlots(face: RemoteFace, $: Get, say: (s: string) => void): void {
  const slot = () => Math.max(1, Math.min(99, Math.round(Number($<HTMLInputElement>('pset-slot').value) || 1)));
  const show = (s: { last: number; slots: { slot: number; name: string }[] }) => {
    $('pset-list').replaceChildren(...s.slots.map((p) =>
      Object.assign(document.createElement('li'), { textContent: `${p.slot}: ${p.name}${p.slot === s.last ? ' *' : ''}` })));
  };
  const op = (what: 'save' | 'load' | 'delete') => async () => {
    const n = slot();
    try { const r = await face.slotOp(what, n); show(r.slots); say(`module: ${what} slot ${n}${r.text ? ` — ${r.text}` : ''}`); } catch (e) { say(`module: ${(e as Error).message}`); }
  };
  $('pset-save').addEventListener('click', op('save'));
  $('pset-load').addEventListener('click', op('load'));
  $('pset-delete').addEventListener('click', op('delete'));
  face.onSlots = show; // the module's menu, another page or host changed them
  const refresh = () => void face.slots().then(show, (e: Error) => say(`module slots: ${e.message}`));
  refresh();
  face.onTable = ((prev) => () => { prev?.(); refresh(); })(face.onTable);
}

/** Module CPU and link quality, from the module's telemetry and the bridge's link counters. */
export function wireModuleStatus(face: RemoteFace, $: Get): void {
  const hash = () => { $('engine-hash').textContent = face.engineHash ? face.engineHash.slice(0, 16) : '—'; };
  hash();
  face.onTable = ((prev) => () => { prev?.(); hash(); })(face.onTable);
  face.on('telemetry', (t) => {
    $('module-cpu').textContent = `CPU ${(t.cpu * 100).toFixed(1)} % (${(t.blockMs * 1000).toFixed(0)} µs/block) · engine time ${t.time.toFixed(1)} s${t.recording ? ' · REC' : t.armed ? ' · armed' : ''}`;
    const l = face.link;
    if (!l) return;
    const el = $('link-status');
    el.classList.toggle('link-down', !l.connected);
    el.textContent = l.connected
      ? `round trip ${l.rttMs.toFixed(1)} ms · received ${l.corrupt} corrupt, ${l.lost} lost · module saw ${l.moduleCorrupt} corrupt, ${l.moduleLost} lost`
      : 'UNPLUGGED, reconnecting…';
  });
  face.onLink = (up, why) => {
    const el = $('link-status');
    el.classList.toggle('link-down', !up);
    el.textContent = up ? 'back' : `UNPLUGGED (${why}), reconnecting…`;
  };
}

/** Engine upload: a .wasm from the file picker → the server → the module, with the module's stages on the bar. */
export function wireUpload(face: RemoteFace, $: Get, say: (s: string) => void): void {
  const input = $<HTMLInputElement>('engine-file'), bar = $<HTMLProgressElement>('upload-progress'), state = $('upload-state');
  input.addEventListener('change', async () => {
    const f = input.files?.[0];
    if (!f) return;
    input.disabled = true;
    bar.value = 0;
    state.textContent = `sending ${f.name}…`;
    try {
      const hash = await face.upload(await f.arrayBuffer(), (p) => {
        bar.value = p.total ? p.sent / p.total : 0;
        state.textContent = p.sent < p.total ? `${f.name}: ${(p.sent / 1024).toFixed(0)} of ${(p.total / 1024).toFixed(0)} KiB` : `${f.name}: ${p.text || 'checking…'}`;
      });
      bar.value = 1;
      state.textContent = `${f.name}: running on the module (${hash.slice(0, 16)})`;
      say(`engine ${f.name} swapped in`);
    } catch (e) {
      state.textContent = `${f.name}: not uploaded — ${(e as Error).message}`;
      say(`upload: ${(e as Error).message}`);
    } finally { input.disabled = false; input.value = ''; }
  });
}
