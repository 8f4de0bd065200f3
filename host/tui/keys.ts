// Terminal keys → face actions. A terminal reports presses only (no releases), so: 1 2 3 tap K1 K2 K3 (press and
// release); ! @ # latch K1 K2 K3 held until pressed again (K1 held = shift; K3 held = fine steps in the menu);
// E1 = [ ] or Page Up/Down, E2 = ↑ ↓, E3 = ← →; a w s e d f t g y h u j k toggle MIDI notes C…C (z x octave),
// space = all notes off; q or Ctrl-C quits.
export type Action =
  | { a: 'tap'; n: 1 | 2 | 3 }
  | { a: 'hold'; n: 1 | 2 | 3 }
  | { a: 'enc'; n: 1 | 2 | 3; d: number }
  | { a: 'note'; i: number }
  | { a: 'octave'; d: number }
  | { a: 'allOff' }
  | { a: 'quit' };

export const KEY_HELP = [
  '1 2 3 tap K1 K2 K3 (K2 arm, K3 rec/stop, short K1 = menu)   ! @ # hold/release K1 K2 K3 (K1 held = shift)',
  'E1 [ ] or PgUp PgDn   E2 ↑ ↓   E3 ← →   notes a w s e d f t g y h u j k (toggle), z x octave, space all off   q quit',
];

const PIANO = 'awsedftgyhujk';
const SEQ: Record<string, Action> = {
  '\x1b[A': { a: 'enc', n: 2, d: -1 }, '\x1b[B': { a: 'enc', n: 2, d: 1 },
  '\x1b[D': { a: 'enc', n: 3, d: -1 }, '\x1b[C': { a: 'enc', n: 3, d: 1 },
  '\x1bOA': { a: 'enc', n: 2, d: -1 }, '\x1bOB': { a: 'enc', n: 2, d: 1 },
  '\x1bOD': { a: 'enc', n: 3, d: -1 }, '\x1bOC': { a: 'enc', n: 3, d: 1 },
  '\x1b[5~': { a: 'enc', n: 1, d: -1 }, '\x1b[6~': { a: 'enc', n: 1, d: 1 },
};
const ONE: Record<string, Action> = {
  '1': { a: 'tap', n: 1 }, '2': { a: 'tap', n: 2 }, '3': { a: 'tap', n: 3 },
  '!': { a: 'hold', n: 1 }, '@': { a: 'hold', n: 2 }, '#': { a: 'hold', n: 3 },
  '[': { a: 'enc', n: 1, d: -1 }, ']': { a: 'enc', n: 1, d: 1 },
  z: { a: 'octave', d: -1 }, x: { a: 'octave', d: 1 }, ' ': { a: 'allOff' }, q: { a: 'quit' }, '\x03': { a: 'quit' },
};

/** Split a chunk of terminal input into actions (unknown bytes are ignored). */
export function parseKeys(chunk: string): Action[] {
  const out: Action[] = [];
  for (let i = 0; i < chunk.length;) {
    if (chunk[i] === '\x1b') {
      const seq = Object.keys(SEQ).find((s) => chunk.startsWith(s, i));
      if (seq) { out.push(SEQ[seq]!); i += seq.length; continue; }
      // an unknown sequence: skip ESC [ / ESC O and its parameters up to the final byte (0x40..0x7e)
      let j = i + 1;
      if (chunk[j] === '[' || chunk[j] === 'O') {
        j++;
        while (j < chunk.length && !(chunk.charCodeAt(j) >= 0x40 && chunk.charCodeAt(j) <= 0x7e)) j++;
        j++;
      }
      i = j;
      continue;
    }
    const c = chunk[i++]!;
    const one = ONE[c];
    if (one) { out.push(one); continue; }
    const p = PIANO.indexOf(c);
    if (p >= 0) out.push({ a: 'note', i: p });
  }
  return out;
}
