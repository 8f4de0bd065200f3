// The norns OLED on a canvas: the engine's 128×64 framebuffer (4 bits per pixel, even x in the high nibble)
// drawn 1:1 into a 128×64 canvas, level l as grey l·17 (the 16 greys, pixel-exact; the same mapping as
// host/screen/png.ts). CSS scales it with square pixels; the OLED look (bezel, glass) is CSS only, so the canvas
// pixels stay exactly the engine's.
export const W = 128, H = 64;

export class ScreenView {
  readonly canvas: HTMLCanvasElement;
  private ctx: CanvasRenderingContext2D;
  private img: ImageData;

  constructor(canvas: HTMLCanvasElement) {
    this.canvas = canvas;
    canvas.width = W; canvas.height = H;
    this.ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    this.img = this.ctx.createImageData(W, H);
    this.draw(new Uint8Array(W * H / 2));
  }

  draw(fb: Uint8Array): void {
    const d = this.img.data;
    for (let i = 0; i < W * H / 2; i++) {
      const b = fb[i] ?? 0;
      const hi = (b >> 4) * 17, lo = (b & 15) * 17, o = i * 8;
      d[o] = d[o + 1] = d[o + 2] = hi; d[o + 3] = 255;
      d[o + 4] = d[o + 5] = d[o + 6] = lo; d[o + 7] = 255;
    }
    this.ctx.putImageData(this.img, 0, 0);
  }

  /** The canvas as levels 0..15, row-major (tests compare this with the framebuffer). */
  levels(): number[] {
    const d = this.ctx.getImageData(0, 0, W, H).data;
    const out: number[] = [];
    for (let i = 0; i < W * H; i++) out.push(Math.round(d[i * 4]! / 17));
    return out;
  }
}
