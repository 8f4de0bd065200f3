// A fixed test card exercising every primitive (font, lines, clipping, rect stroke/fill, polygon fill, pixels and
// all 16 levels); its PNG is the golden image of tests/screen.test.ts.
import * as screen from "./draw";

export function drawTestPattern(): void {
  screen.clear();
  screen.level(15);
  // The whole font, four lines.
  screen.move(1, 6); screen.text(" !\"#$%&'()*+,-./012345");
  screen.move(1, 13); screen.text("6789:;<=>?@ABCDEFGHIJKLMN");
  screen.move(1, 20); screen.text("OPQRSTUVWXYZ[\\]^_`abcdefg");
  screen.move(1, 27); screen.text("hijklmnopqrstuvwxyz{|}~");
  // Outline and filled rectangles, a filled triangle.
  screen.rect(1, 31, 20, 12); screen.stroke();
  screen.level(8); screen.rect(23, 31, 9, 12); screen.fill();
  screen.level(5); screen.move(34, 31); screen.line(46, 42); screen.line(34, 42); screen.fill();
  // A star of lines in all octants, single pixels at its tips.
  screen.level(15);
  const cx: f64 = 62, cy: f64 = 40;
  for (let i = 0; i < 16; i++) {
    const a = <f64>i * Math.PI / 8;
    screen.move(cx, cy); screen.line(cx + Math.round(8 * Math.cos(a)), cy + Math.round(8 * Math.sin(a)));
  }
  screen.stroke();
  screen.level(10);
  screen.pixel(49, 31); screen.pixel(76, 48); screen.fill();
  // Clipping: a line and a rectangle leaving the screen, a huge and a NaN line that must do nothing harmful.
  screen.level(12);
  screen.move(80, 30); screen.line(200, 90); screen.stroke();
  screen.rect(110, 40, 40, 40); screen.stroke();
  screen.move(-1e5, 1e5); screen.line(1e5, -1e5); screen.stroke();
  screen.move(NaN, 3); screen.line(NaN, NaN); screen.stroke();
  // Alignment helpers.
  screen.level(15);
  screen.move(64, 55); screen.textCenter("piwip");
  screen.move(127, 55); screen.textRight("R");
  screen.move(1, 55); screen.text("L");
  // The 16 grey levels, 8 px each, along the bottom.
  for (let l = 0; l < 16; l++) { screen.level(<f64>l); screen.rect(<f64>(l * 8), 58, 8, 6); screen.fill(); }
}

/** Sample text in the built-in font: every lower/upper case letter, digits and the strings piwip shows. */
export function drawTextSample(): void {
  screen.clear();
  screen.level(15);
  screen.move(1, 7); screen.text("play instruments while");
  screen.move(1, 15); screen.text("instruments play REC RDY");
  screen.move(1, 23); screen.text("monitor enabled sampler");
  screen.move(1, 31); screen.text("follower ensemble quiet");
  screen.move(1, 39); screen.text("The quick brown fox jumps");
  screen.move(1, 47); screen.text("over the lazy dog. 0.25s");
  screen.move(1, 55); screen.text("rec thresh: -24 dB, g=1/2");
  screen.move(1, 62); screen.text("HARMONIZER ~ [PSET] #3 50%");
}
