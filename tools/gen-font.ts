// Generates assembly/generated/font.ts: piwip's built-in bitmap font for printable ASCII 32..126, in the spirit of
// norns' default 04B_03 at 8 px (5 px cap height, 4 px x-height, 2 px descenders, proportional 1..5 px glyphs).
// Run: node bin/run-ts.mjs tools/gen-font.ts   (add --check to fail if the committed file is stale)
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const OUT = fileURLToPath(new URL('../assembly/generated/font.ts', import.meta.url));

/** Rows per glyph: rows 0..4 sit above the baseline (row 4 touches it), rows 5..6 are descenders. */
const ROWS = 7;
const ASCENT = 5;
const MAX_WIDTH = 7;

// The glyph table. Each strip: one header line of glyph names, then 7 art rows. Glyphs are separated by spaces and
// drawn with '#' (ink) and '.' (blank); a glyph's width is its token width. Names are the character itself, or
// sp / bq / bs for space, backtick and backslash.
const TABLE = String.raw`
sp ! "   #     $   %   &    ' (  )  *   +   ,  -   . /
.. # #.# .#.#. .## #.# .#.. # .# #. ... ... .. ... . ..#
.. # #.# ##### ##. ..# #.#. # #. .# #.# .#. .. ... . ..#
.. # ... .#.#. .#. .#. .#.. . #. .# .#. ### .. ### . .#.
.. . ... ##### .## #.. #.#. . #. .# #.# .#. .# ... . #..
.. # ... .#.#. ##. #.# .#.# . .# #. ... ... #. ... # #..
.. . ... ..... ... ... .... . .. .. ... ... .. ... . ...
.. . ... ..... ... ... .... . .. .. ... ... .. ... . ...

0   1   2   3   4   5   6   7   8   9   : ;  <   =   >   ?   @
### .#. ##. ### #.# ### .## ### ### ### . .. ..# ... #.. ##. .##.
#.# ##. ..# ..# #.# #.. #.. ..# #.# #.# # .# .#. ### .#. ..# #.##
#.# .#. .#. .## ### ##. ### ..# ### ### . .. #.. ... ..# .#. #.##
#.# .#. #.. ..# ..# ..# #.# .#. #.# ..# # .# .#. ### .#. ... #...
### ### ### ### ..# ##. ### .#. ### ##. . #. ..# ... #.. .#. .##.
... ... ... ... ... ... ... ... ... ... . .. ... ... ... ... ....
... ... ... ... ... ... ... ... ... ... . .. ... ... ... ... ....

A    B    C    D    E    F    G    H    I   J    K    L    M
.##. ###. .### ###. #### #### .### #..# ### ...# #..# #... #...#
#..# #..# #... #..# #... #... #... #..# .#. ...# #.#. #... ##.##
#### ###. #... #..# ###. ###. #.## #### .#. ...# ##.. #... #.#.#
#..# #..# #... #..# #... #... #..# #..# .#. #..# #.#. #... #...#
#..# ###. .### ###. #### #... .### #..# ### .##. #..# #### #...#
.... .... .... .... .... .... .... .... ... .... .... .... .....
.... .... .... .... .... .... .... .... ... .... .... .... .....

N    O    P    Q    R    S    T   U    V   W     X   Y   Z
#..# .##. ###. .##. ###. .### ### #..# #.# #...# #.# #.# ####
##.# #..# #..# #..# #..# #... .#. #..# #.# #...# #.# #.# ...#
#.## #..# ###. #..# ###. .##. .#. #..# #.# #.#.# .#. .#. .##.
#..# #..# #... #.#. #..# ...# .#. #..# #.# ##.## #.# .#. #...
#..# .##. #... .#.# #..# ###. .#. .##. .#. #...# #.# .#. ####
.... .... .... .... .... .... ... .... ... ..... ... ... ....
.... .... .... .... .... .... ... .... ... ..... ... ... ....

[  bs  ]  ^   _   bq
## #.. ## .#. ... #.
#. #.. .# #.# ... .#
#. .#. .# ... ... ..
#. ..# .# ... ... ..
## ..# ## ... ... ..
.. ... .. ... ### ..
.. ... .. ... ... ..

a   b   c   d   e   f   g   h   i j  k   l  m     n   o   p   q   r   s   t   u   v   w     x   y   z
... #.. ... ..# ... .## ... #.. # .# #.. #. ..... ... ... ... ... ... ... .#. ... ... ..... ... ... ...
.## ##. .## .## .#. .#. .## ##. . .. #.# #. ####. ##. .#. ##. .## #.# .## ### #.# #.# #...# #.# #.# ###
#.# #.# #.. #.# ### ### #.# #.# # .# ##. #. #.#.# #.# #.# #.# #.# ##. #.. .#. #.# #.# #.#.# .#. #.# ..#
#.# #.# #.. #.# #.. .#. #.# #.# # .# #.# #. #.#.# #.# #.# #.# #.# #.. ..# .#. #.# #.# #.#.# .#. #.# .#.
.## ##. .## .## .## .#. .## #.# # .# #.# .# #.#.# #.# .#. ##. .## #.. ##. .## .## .#. .#.#. #.# .## ###
... ... ... ... ... ... ..# ... . .# ... .. ..... ... ... #.. ..# ... ... ... ... ... ..... ... ..# ...
... ... ... ... ... ... ##. ... . #. ... .. ..... ... ... #.. ..# ... ... ... ... ... ..... ... ##. ...

{   | }   ~
.## # ##. ....
.#. # .#. ....
#.. # ..# .#.#
.#. # .#. #.#.
.## # ##. ....
... . ... ....
... . ... ....
`;

const NAMES: Record<string, string> = { sp: ' ', bq: '`', bs: '\\' };

interface Glyph { width: number; rows: number[] }

function parseTable(table: string): Map<number, Glyph> {
  const glyphs = new Map<number, Glyph>();
  const strips = table.trim().split(/\n\s*\n/);
  for (const strip of strips) {
    const lines = strip.split('\n').map((l) => l.trim());
    if (lines.length !== ROWS + 1) throw new Error(`strip needs a header and ${ROWS} rows:\n${strip}`);
    const names = lines[0]!.split(/\s+/);
    const art = lines.slice(1).map((l) => l.split(/\s+/));
    art.forEach((tokens, r) => {
      if (tokens.length !== names.length) throw new Error(`strip "${lines[0]}": row ${r} has ${tokens.length} glyphs, header ${names.length}`);
    });
    names.forEach((name, g) => {
      const ch = NAMES[name] ?? name;
      if (ch.length !== 1) throw new Error(`bad glyph name "${name}"`);
      const code = ch.charCodeAt(0);
      if (glyphs.has(code)) throw new Error(`glyph "${name}" defined twice`);
      const width = art[0]![g]!.length;
      if (width < 1 || width > MAX_WIDTH) throw new Error(`glyph "${name}" width ${width}`);
      const rows = art.map((tokens, r) => {
        const t = tokens[g]!;
        if (t.length !== width || /[^#.]/.test(t)) throw new Error(`glyph "${name}" row ${r}: "${t}"`);
        let bits = 0;
        for (let x = 0; x < width; x++) if (t[x] === '#') bits |= 1 << x;
        return bits;
      });
      glyphs.set(code, { width, rows });
    });
  }
  for (let c = 32; c <= 126; c++) if (!glyphs.has(c)) throw new Error(`missing glyph ${JSON.stringify(String.fromCharCode(c))}`);
  if (glyphs.size !== 95) throw new Error(`expected 95 glyphs, got ${glyphs.size}`);
  return glyphs;
}

function emit(glyphs: Map<number, Glyph>): string {
  const bytes: string[] = [];
  for (let c = 32; c <= 126; c++) {
    const g = glyphs.get(c)!;
    const ch = String.fromCharCode(c);
    const label = ch === '\\' ? 'backslash' : ch === ' ' ? 'space' : ch;
    bytes.push(`  ${[g.width, ...g.rows].map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(', ')}, // ${c} ${label}`);
  }
  return `// GENERATED by tools/gen-font.ts from its glyph table: do not edit; rerun \`node bin/run-ts.mjs tools/gen-font.ts\`.
// piwip's bitmap font, printable ASCII 32..126, after norns' default 04B_03 at 8 px (5 px caps, 4 px x-height).

export const FONT_FIRST_CHAR: i32 = 32;
export const FONT_LAST_CHAR: i32 = 126;
/** Rows per glyph; rows 0..FONT_ASCENT-1 are above the baseline, the rest are descenders. */
export const FONT_ROWS: i32 = ${ROWS};
export const FONT_ASCENT: i32 = ${ASCENT};
/** Blank columns between glyphs: advance = ink width + FONT_SPACING. */
export const FONT_SPACING: i32 = 1;
export const FONT_GLYPH_BYTES: i32 = 8;

/** ${FONT_GLYPH_BYTES_DOC} */
export const FONT_GLYPHS: usize = memory.data<u8>([
${bytes.join('\n')}
]);
`;
}

const FONT_GLYPH_BYTES_DOC = 'Per glyph (char - 32) * 8: ink width, then rows 0..6 top-down, bit x set = ink at column x from the left.';

const text = emit(parseTable(TABLE));
if (process.argv.includes('--check')) {
  let old = '';
  try { old = readFileSync(OUT, 'utf8'); } catch { /* missing counts as stale */ }
  if (old !== text) { console.error(`${OUT} is stale: rerun node bin/run-ts.mjs tools/gen-font.ts`); process.exit(1); }
  console.log('font.ts is up to date');
} else {
  writeFileSync(OUT, text);
  console.log(`wrote ${OUT}`);
}
