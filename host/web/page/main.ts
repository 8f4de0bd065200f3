// The piwip page: builds the face (screen, keys, encoders, params panel) over an EngineFace — a LocalFace (the
// engine in this browser's AudioWorklet, with the local audio/MIDI/PSET plumbing around it) or, in module mode, a
// RemoteFace (a module through the server's WebSocket bridge; the module makes the sound, keeps its PSET slots).
// window.piwip exposes the pieces for the Playwright tests and the screenshot script.
import type { EngineFace, Telemetry } from '../../face/face.ts';
import { LocalFace } from '../local-face.ts';
import { AudioIO, wavBytes } from './audio-io.ts';
import { bindControls, SHORTCUTS } from './controls.ts';
import { noteName, pitch, rms } from './measure.ts';
import { attachComputerKeyboard, attachWebMidi } from './midi-in.ts';
import { ParamsPanel } from './params-panel.ts';
import { attachPsets, download, PsetStore, psetTitle, slotName } from './psets.ts';
import { ScreenView } from './screen-view.ts';
import { RemoteFace } from './remote-face.ts';
import { modulePort, wireModuleSlots, wireModuleStatus, wirePicker, wireUpload } from './module-panel.ts';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const say = (s: string) => { $('message').textContent = s; };

for (const [k, what] of SHORTCUTS) {
  const tr = document.createElement('tr');
  tr.append(Object.assign(document.createElement('td'), { textContent: k }), Object.assign(document.createElement('td'), { textContent: what }));
  $('shortcuts').append(tr);
}
const screen = new ScreenView($<HTMLCanvasElement>('screen'));
const zoom = $<HTMLInputElement>('zoom');
zoom.addEventListener('input', () => $('device').style.setProperty('--px', zoom.value));

async function boot(): Promise<void> {
  $<HTMLButtonElement>('start').disabled = true;
  const rate = Number(new URLSearchParams(location.search).get('rate')) || undefined; // ?rate=48000 (the bench)
  const ctx = new AudioContext({ latencyHint: 'interactive', ...(rate ? { sampleRate: rate } : {}) });
  const wasm = await (await fetch('piwip.wasm')).arrayBuffer();
  const face = await LocalFace.create(ctx, wasm, 'worklet.js');
  await ctx.resume();
  const io = new AudioIO(ctx, face.node);
  wireFace(face);
  new ParamsPanel($('params'), face);
  wireMidiChannel(face);
  await wireAudio(io);
  wireRecording(face, io, ctx.sampleRate);
  const store = await PsetStore.open();
  const refresh = () => void listPsets(store);
  await attachPsets(face, store, refresh, say);
  wirePsetButtons(face, store, refresh);
  wirePsetFiles(face);
  refresh();
  await attachWebMidi(face, { select: $<HTMLSelectElement>('midi-in'), status: $('midi-status') });
  attachComputerKeyboard(face, $('octave'));
  $('start').textContent = 'audio running';
  (window as unknown as { piwip: unknown }).piwip = {
    face, ctx, io, screen,
    measure: (which: 'in' | 'out', n = 32768) => { const x = io.snapshot(which, n); return { rms: rms(x), hz: pitch(x, ctx.sampleRate) }; },
    param: (id: string) => face.params().find((p) => p.id === id),
  };
  document.body.dataset.ready = '1';
}

/** Module mode: the same face over the module; no audio here (the module makes the sound). */
async function bootModule(port: string): Promise<void> {
  document.body.classList.add('module-mode');
  $('start').hidden = true;
  $('where').replaceChildren('driving: ', Object.assign(document.createElement('b'), { textContent: `module on ${port}` }), ' (connecting…)');
  say(`connecting to the module on ${port}…`);
  const face = await RemoteFace.connect(port);
  const where = () => { $('where').replaceChildren('driving: ', Object.assign(document.createElement('b'), { textContent: face.where }), ' (the module makes the sound)'); };
  where();
  face.onTable = where;
  face.onError = say;
  wireFace(face);
  new ParamsPanel($('params'), face);
  wireMidiChannel(face);
  $('pset-summary').textContent = 'PSETs (kept in the module)';
  wireModuleSlots(face, $, say);
  wirePsetFiles(face);
  wireModuleStatus(face, $);
  wireUpload(face, $, say);
  await attachWebMidi(face, { select: $<HTMLSelectElement>('midi-in'), status: $('midi-status') });
  attachComputerKeyboard(face, $('octave'));
  say(`driving ${face.where}`);
  (window as unknown as { piwip: unknown }).piwip = {
    face, screen, param: (id: string) => face.params().find((p) => p.id === id),
  };
  document.body.dataset.ready = '1';
}

function wireFace(face: EngineFace & { lastScreen: Uint8Array | null }): void {
  bindControls($('device'), face);
  face.on('screen', (fb) => screen.draw(fb));
  if (face.lastScreen) screen.draw(face.lastScreen);
  face.on('telemetry', (t) => {
    const db = t.inPeak > 0 ? 20 * Math.log10(t.inPeak) : -Infinity;
    $<HTMLMeterElement>('meter').value = Math.max(-60, db);
    $('level').textContent = Number.isFinite(db) ? `${db.toFixed(1)} dBFS` : '−∞ dB';
    $('pitch').textContent = t.pitchHz > 0 ? `${t.pitchHz.toFixed(1)} Hz ${noteName(t.pitchHz)}` : '—';
    $('cpu').textContent = cpuText(t);
  });
}

function cpuText(t: Telemetry): string {
  return `${(t.blockMs * 1000).toFixed(0)} µs/block (${(t.cpu * 100).toFixed(1)} %${t.cpuLive ? '' : ', measured at start'})${t.recording ? ' · REC' : t.armed ? ' · armed' : ''}`;
}

function wireMidiChannel(face: EngineFace): void {
  const p = face.params().find((q) => q.id === 'midi channel');
  const sel = $<HTMLSelectElement>('midi-channel');
  if (!p) return;
  for (let c = p.min; c <= p.max; c++) sel.append(new Option(c === 0 ? 'omni' : `channel ${c}`, String(c)));
  sel.value = String(p.value);
  sel.addEventListener('change', () => face.paramSet(p.index, Number(sel.value)));
  face.on('params', (ch) => { for (const c of ch) if (c.index === p.index) sel.value = String(c.value); });
}

async function wireAudio(io: AudioIO): Promise<void> {
  const inSel = $<HTMLSelectElement>('in-device'), outSel = $<HTMLSelectElement>('out-device');
  const show = () => { $('source').textContent = io.source; };
  try { await io.useMicrophone(); } catch (e) { say(`no microphone: ${(e as Error).message} — drop a WAV to play with`); }
  show();
  const list = async () => {
    const { inputs, outputs } = await io.devices();
    inSel.replaceChildren(...inputs.map((d, i) => new Option(d.label || `input ${i + 1}`, d.deviceId)));
    outSel.replaceChildren(...outputs.map((d, i) => new Option(d.label || `output ${i + 1}`, d.deviceId)));
    if (!io.canPickOutput) { outSel.replaceChildren(new Option('default (this browser cannot choose)', '')); outSel.disabled = true; }
  };
  await list();
  navigator.mediaDevices.addEventListener?.('devicechange', () => void list());
  inSel.addEventListener('change', async () => { try { await io.useMicrophone(inSel.value); show(); } catch (e) { say(`input: ${(e as Error).message}`); } });
  outSel.addEventListener('change', async () => { try { await io.setOutput(outSel.value); say('output changed'); } catch (e) { say(`output: ${(e as Error).message}`); } });
  $('use-mic').addEventListener('click', async () => { try { await io.useMicrophone(inSel.value || undefined); show(); } catch (e) { say(`microphone: ${(e as Error).message}`); } });
  const lat = () => { $('latency').textContent = io.latency(); };
  lat(); setInterval(lat, 1000);
  document.body.addEventListener('dragover', (e) => { e.preventDefault(); document.body.classList.add('dropping'); });
  document.body.addEventListener('dragleave', () => document.body.classList.remove('dropping'));
  document.body.addEventListener('drop', async (e) => {
    e.preventDefault(); document.body.classList.remove('dropping');
    const f = e.dataTransfer?.files[0];
    if (!f) return;
    try { await io.useFile(f.name, await f.arrayBuffer()); show(); say(`input: ${f.name}`); } catch { say(`cannot read "${f.name}" as audio`); }
  });
}

function wireRecording(face: LocalFace, io: AudioIO, sr: number): void {
  const btn = $<HTMLButtonElement>('rec-out');
  let on = false, t0 = 0;
  btn.addEventListener('click', async () => {
    if (!on) { face.startRecording(); on = true; t0 = io.ctx.currentTime; btn.textContent = '■ stop and save'; $('rec-state').textContent = 'recording…'; return; }
    on = false; btn.textContent = '● record output';
    const frames = await face.stopRecording();
    const secs = io.ctx.currentTime - t0;
    const name = `piwip-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}.wav`;
    download(name, wavBytes(frames, sr) as BlobPart, 'audio/wav');
    $('rec-state').textContent = `saved ${name} (${secs.toFixed(1)} s)`;
  });
}

function wirePsetButtons(face: EngineFace, store: PsetStore, refresh: () => void): void {
  const slot = () => Math.max(1, Math.min(99, Math.round(Number($<HTMLInputElement>('pset-slot').value) || 1)));
  $('pset-save').addEventListener('click', async () => {
    const s = slot(), name = slotName(s);
    await store.put({ slot: s, name, text: await face.psetGet(name) });
    face.psetSlot(s, name, true); say(`saved ${name}`); refresh();
  });
  $('pset-load').addEventListener('click', async () => {
    const p = await store.get(slot());
    if (!p) { say(`slot ${slot()} is empty`); return; }
    const r = await face.psetPut(p.text, p.slot); await store.setLast(p.slot);
    say(`loaded ${p.name}: ${r.applied} params${r.corrupt ? `, ${r.corrupt} corrupt lines skipped` : ''}`); refresh();
  });
  $('pset-delete').addEventListener('click', async () => { await store.delete(slot()); face.psetSlot(slot(), null); say(`deleted ${slotName(slot())}`); refresh(); });
}

/** Export / import of norns .pset files: the engine's (or the module's) params now, to and from this computer. */
function wirePsetFiles(face: EngineFace): void {
  const slot = () => Math.max(1, Math.min(99, Math.round(Number($<HTMLInputElement>('pset-slot').value) || 1)));
  $('pset-export').addEventListener('click', async () => {
    const name = slotName(slot());
    download(`${name}.pset`, await face.psetGet(name), 'text/plain');
  });
  $<HTMLInputElement>('pset-import').addEventListener('change', async (e) => {
    const input = e.target as HTMLInputElement;
    const f = input.files?.[0];
    if (!f) return;
    const text = await f.text();
    try {
      const r = await face.psetPut(text);
      say(`imported ${f.name}${psetTitle(text) ? ` ("${psetTitle(text)}")` : ''}: ${r.applied} params applied` +
        `${r.unknown ? `, ${r.unknown} unknown` : ''}${r.corrupt ? `, ${r.corrupt} corrupt lines skipped` : ''}${r.clamped ? `, ${r.clamped} clamped` : ''}`);
    } catch (err) { say(`cannot import ${f.name}: ${(err as Error).message}`); }
    input.value = '';
  });
}

async function listPsets(store: PsetStore): Promise<void> {
  const last = await store.last();
  $('pset-list').replaceChildren(...(await store.all()).map((p) =>
    Object.assign(document.createElement('li'), { textContent: `${p.slot}: ${p.name}${p.slot === last ? ' *' : ''}` })));
}

$('start').addEventListener('click', () => { boot().catch((e) => { say(`could not start: ${(e as Error).message}`); $<HTMLButtonElement>('start').disabled = false; }); });
// ?module=PORT (or the server's --module, unless ?local) drives a module; otherwise this computer: with autoplay
// allowed (or a user gesture already given) start at once, else the button starts it.
void (async () => {
  const port = await modulePort();
  wirePicker($, port);
  if (port) {
    await bootModule(port).catch((e) => {
      say(`could not drive the module on ${port}: ${(e as Error).message}`);
      $('where').replaceChildren('driving: ', Object.assign(document.createElement('b'), { textContent: `nothing (the module on ${port} did not answer)` }));
    });
  } else if (new URLSearchParams(location.search).has('autostart')) $('start').click();
})();
