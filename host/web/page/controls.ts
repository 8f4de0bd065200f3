// K1–K3 and E1–E3 on screen and on the keyboard. Keys: press and hold (K1 held = shift, the engine decides);
// encoders: drag up/down (8 px per detent) or the mouse wheel. Keyboard shortcuts: SHORTCUTS (shown on the page).
import type { EngineFace } from '../../face/face.ts';

export const SHORTCUTS: [string, string][] = [
  ['1 / 2 / 3 (hold)', 'K1 / K2 / K3 — K1 held is shift; a short K1 opens/closes the menu'],
  ['Page Up / Page Down', 'E1 − / +'],
  ['↑ / ↓', 'E2 − / +'],
  ['← / →', 'E3 − / +'],
  ['a w s e d f t g y h u j k', 'notes C…C an octave up (computer keyboard as a MIDI keyboard)'],
  ['z / x', 'keyboard octave down / up'],
];

const KEY_OF: Record<string, 1 | 2 | 3> = { Digit1: 1, Digit2: 2, Digit3: 3 };
const ENC_OF: Record<string, [1 | 2 | 3, number]> = {
  PageUp: [1, -1], PageDown: [1, 1], ArrowUp: [2, -1], ArrowDown: [2, 1], ArrowLeft: [3, -1], ArrowRight: [3, 1],
};

export function bindControls(root: HTMLElement, face: EngineFace): void {
  for (const el of root.querySelectorAll<HTMLElement>('[data-key]')) {
    const n = Number(el.dataset.key) as 1 | 2 | 3;
    let down = false;
    const press = (z: 0 | 1) => { if (down === (z === 1)) return; down = z === 1; el.classList.toggle('down', down); face.key(n, z); };
    el.addEventListener('pointerdown', (e) => { el.setPointerCapture(e.pointerId); press(1); e.preventDefault(); });
    el.addEventListener('pointerup', () => press(0));
    el.addEventListener('pointercancel', () => press(0));
  }
  for (const el of root.querySelectorAll<HTMLElement>('[data-enc]')) {
    const n = Number(el.dataset.enc) as 1 | 2 | 3;
    let lastY = 0, acc = 0, dragging = false, angle = 0;
    const turn = (d: number) => { face.enc(n, d); angle += d * 15; el.style.setProperty('--angle', `${angle}deg`); };
    el.addEventListener('pointerdown', (e) => { dragging = true; lastY = e.clientY; acc = 0; el.setPointerCapture(e.pointerId); e.preventDefault(); });
    el.addEventListener('pointermove', (e) => {
      if (!dragging) return;
      acc += lastY - e.clientY; lastY = e.clientY;
      const d = Math.trunc(acc / 8);
      if (d) { acc -= d * 8; turn(d); }
    });
    el.addEventListener('pointerup', () => { dragging = false; });
    el.addEventListener('wheel', (e) => { e.preventDefault(); turn(e.deltaY < 0 ? 1 : -1); }, { passive: false });
  }
  // touching the norns face gives the keyboard back to it (a focused slider keeps the arrow keys otherwise)
  root.addEventListener('pointerdown', () => { const a = document.activeElement as HTMLElement | null; if (a && a !== document.body) a.blur(); });
  const held = new Set<string>();
  window.addEventListener('keydown', (e) => {
    if (isTyping(e)) return;
    const k = KEY_OF[e.code];
    if (k) { e.preventDefault(); if (!held.has(e.code)) { held.add(e.code); face.key(k, 1); mark(root, k, true); } return; }
    const en = ENC_OF[e.code];
    // a focused slider or select keeps its own arrow keys (else one press would move it and an encoder)
    const tag = (e.target as HTMLElement | null)?.tagName;
    if (en && tag !== 'INPUT' && tag !== 'SELECT') { e.preventDefault(); face.enc(en[0], en[1]); }
  });
  window.addEventListener('keyup', (e) => {
    const k = KEY_OF[e.code];
    if (k && held.delete(e.code)) { face.key(k, 0); mark(root, k, false); }
  });
}

function mark(root: HTMLElement, k: number, on: boolean): void { root.querySelector(`[data-key="${k}"]`)?.classList.toggle('down', on); }

export function isTyping(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  return !!t && (t.tagName === 'INPUT' && (t as HTMLInputElement).type !== 'range' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA')
    || e.ctrlKey || e.metaKey || e.altKey;
}
