// The params panel, generated from the engine's param table: one fieldset per group, a slider for control /
// taper / number params and a select for options, each with the engine's own formatted value. It writes through
// the face and follows the engine's 'params' events, so the menu and the panel always show the same values.
import type { EngineFace, FaceParam, ParamValue } from '../../face/face.ts';

interface Row { p: FaceParam; input: HTMLInputElement | HTMLSelectElement; out: HTMLElement }

export class ParamsPanel {
  private rows = new Map<number, Row>();

  constructor(readonly root: HTMLElement, readonly face: EngineFace) {
    root.replaceChildren();
    const groups = new Map<string, HTMLElement>();
    for (const p of face.params()) {
      let fs = groups.get(p.group);
      if (!fs) {
        fs = document.createElement('fieldset');
        const lg = document.createElement('legend'); lg.textContent = p.group; fs.append(lg);
        groups.set(p.group, fs); root.append(fs);
      }
      fs.append(this.row(p));
    }
    face.on('params', (changed) => this.update(changed));
  }

  private row(p: FaceParam): HTMLElement {
    const label = document.createElement('label');
    label.className = 'param';
    label.dataset.id = p.id;
    const name = document.createElement('span'); name.className = 'name'; name.textContent = p.id;
    const out = document.createElement('output'); out.textContent = p.formatted;
    let input: HTMLInputElement | HTMLSelectElement;
    if (p.type === 'option') {
      const sel = document.createElement('select');
      p.options.forEach((o, k) => { const opt = document.createElement('option'); opt.value = String(k + 1); opt.textContent = o; sel.append(opt); });
      sel.value = String(p.value);
      sel.addEventListener('change', () => this.face.paramSet(p.index, Number(sel.value)));
      input = sel;
    } else {
      const r = document.createElement('input');
      r.type = 'range'; r.min = String(p.min); r.max = String(p.max);
      r.step = p.step > 0 ? String(p.step) : String((p.max - p.min) / 1000);
      r.value = String(p.value);
      r.addEventListener('input', () => this.face.paramSet(p.index, Number(r.value)));
      input = r;
    }
    input.name = p.id;
    label.append(name, input, out);
    this.rows.set(p.index, { p, input, out });
    return label;
  }

  private update(changed: ParamValue[]): void {
    for (const c of changed) {
      const r = this.rows.get(c.index);
      if (!r) continue;
      r.out.textContent = c.formatted;
      if (document.activeElement !== r.input || r.input instanceof HTMLSelectElement) r.input.value = String(c.value);
    }
  }
}
