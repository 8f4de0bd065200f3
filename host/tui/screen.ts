// The norns screen as terminal text: 128×64 pixels in 128 columns × 32 rows of half blocks ('▀', top pixel in
// the foreground colour, bottom pixel in the background), level l as grey l·17 in 24-bit colour (the 16 greys).
// 'plain' is the fallback for terminals without colour: a half block is lit where a pixel's level is ≥ PLAIN_ON.
export const W = 128, H = 64;
export type ScreenMode = 'truecolor' | 'plain';
export const PLAIN_ON = 1;

const level = (fb: Uint8Array, x: number, y: number): number => {
  const b = fb[(y * W + x) >> 1] ?? 0;
  return (x & 1) === 0 ? b >> 4 : b & 15;
};

/** 32 lines (no newlines), each ending with an attribute reset in truecolor mode. */
export function screenLines(fb: Uint8Array, mode: ScreenMode): string[] {
  const lines: string[] = [];
  for (let y = 0; y < H; y += 2) {
    let s = '';
    if (mode === 'truecolor') {
      let last = -1;
      for (let x = 0; x < W; x++) {
        const t = level(fb, x, y), u = level(fb, x, y + 1);
        const key = t * 16 + u;
        if (key !== last) { const a = t * 17, b = u * 17; s += `\x1b[38;2;${a};${a};${a}m\x1b[48;2;${b};${b};${b}m`; last = key; }
        s += '▀';
      }
      s += '\x1b[0m';
    } else {
      for (let x = 0; x < W; x++) {
        const t = level(fb, x, y) >= PLAIN_ON, u = level(fb, x, y + 1) >= PLAIN_ON;
        s += t ? (u ? '█' : '▀') : (u ? '▄' : ' ');
      }
    }
    lines.push(s);
  }
  return lines;
}

/** Truecolor unless the environment says otherwise (NO_COLOR, a dumb terminal, no COLORTERM=truecolor/24bit). */
export function detectMode(env: NodeJS.ProcessEnv): ScreenMode {
  if (env.NO_COLOR !== undefined || env.TERM === 'dumb') return 'plain';
  return /truecolor|24bit/i.test(env.COLORTERM ?? '') ? 'truecolor' : 'plain';
}
