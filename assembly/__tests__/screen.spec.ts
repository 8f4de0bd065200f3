// Screen primitives pixel by pixel: nibble packing, frame counter, lines, rects, fill, text, clipping, and the
// play screen's waveform rules (spec §8.3) including the fixed NaN cases.
import { putPixel, getPixel, backPtr, frontPtr, update, frameCount, SCREEN_BYTES } from "../screen/framebuffer";
import * as screen from "../screen/draw";
import { PlayScreenState, drawPlayScreen } from "../screen/play_screen";

function lit(): i32 {
  let n = 0;
  for (let y = 0; y < 64; y++) for (let x = 0; x < 128; x++) if (getPixel(x, y) != 0) n++;
  return n;
}
/** Lit rows of column x, as "first..last" (or "" when dark). */
function columnSpan(x: i32): string {
  let a = -1, b = -1;
  for (let y = 0; y < 64; y++) if (getPixel(x, y) != 0) { if (a < 0) a = y; b = y; }
  return a < 0 ? "" : a.toString() + ".." + b.toString();
}

describe("framebuffer", () => {
  it("packs two pixels per byte, even x in the high nibble, 64 bytes per row", () => {
    screen.clear();
    putPixel(0, 0, 0xA);
    expect<u8>(load<u8>(backPtr())).toBe(0xA0);
    putPixel(1, 0, 0x5);
    expect<u8>(load<u8>(backPtr())).toBe(0xA5);
    putPixel(127, 63, 0xF);
    expect<u8>(load<u8>(backPtr() + 4095)).toBe(0x0F);
    putPixel(2, 1, 3);
    expect<u8>(load<u8>(backPtr() + 65)).toBe(0x30);
    expect<i32>(getPixel(0, 0)).toBe(10);
    expect<i32>(getPixel(1, 0)).toBe(5);
    expect<i32>(getPixel(2, 1)).toBe(3);
    expect<i32>(SCREEN_BYTES).toBe(4096);
  });

  it("drops off-screen pixels without touching neighbouring memory", () => {
    screen.clear();
    const before = load<u64>(backPtr() - 8), after = load<u64>(backPtr() + 4096);
    putPixel(-1, 0, 15); putPixel(128, 0, 15); putPixel(0, -1, 15); putPixel(0, 64, 15);
    putPixel(i32.MIN_VALUE, i32.MAX_VALUE, 15);
    expect<u64>(load<u64>(backPtr() - 8)).toBe(before);
    expect<u64>(load<u64>(backPtr() + 4096)).toBe(after);
    expect<i32>(lit()).toBe(0);
  });

  it("publishes on update() and counts only frames that changed", () => {
    screen.clear(); update();
    const f0 = frameCount();
    putPixel(5, 5, 9);
    expect<bool>(update()).toBe(true);
    expect<i32>(frameCount()).toBe(f0 + 1);
    expect<u8>(load<u8>(frontPtr() + 5 * 64 + 2)).toBe(0x09);
    expect<bool>(update()).toBe(false); // nothing drawn
    screen.clear(); putPixel(5, 5, 9);  // redrawn identically
    expect<bool>(update()).toBe(false);
    expect<i32>(frameCount()).toBe(f0 + 1);
    putPixel(5, 5, 8);
    expect<bool>(update()).toBe(true);
    expect<i32>(frameCount()).toBe(f0 + 2);
  });
});

describe("lines", () => {
  it("draws horizontal, vertical and sloped lines with both ends, at the current level", () => {
    screen.clear(); screen.level(7);
    screen.move(10, 10); screen.line(14, 10); screen.stroke();
    expect<i32>(lit()).toBe(5);
    expect<i32>(getPixel(10, 10)).toBe(7);
    expect<i32>(getPixel(14, 10)).toBe(7);
    screen.clear();
    screen.move(3, 20); screen.line(3, 5); screen.stroke();
    expect<string>(columnSpan(3)).toBe("5..20");
    expect<i32>(lit()).toBe(16);
    screen.clear(); screen.level(15);
    screen.move(0, 0); screen.line(4, 2); screen.stroke();
    expect<i32>(lit()).toBe(5); // one pixel per column along the major axis
    expect<i32>(getPixel(0, 0)).toBe(15);
    expect<i32>(getPixel(1, 1)).toBe(15);
    expect<i32>(getPixel(2, 1)).toBe(15);
    expect<i32>(getPixel(3, 2)).toBe(15);
    expect<i32>(getPixel(4, 2)).toBe(15);
  });

  it("is continuous in every octant (8-connected, one pixel per major step)", () => {
    const ends: i32[] = [20, 3, 20, -3, -20, 3, -20, -3, 3, 20, -3, 20, 3, -20, -3, -20];
    for (let i = 0; i < ends.length; i += 2) {
      screen.clear();
      screen.move(60, 30); screen.lineRel(<f64>ends[i], <f64>ends[i + 1]); screen.stroke();
      expect<i32>(lit()).toBe(21);
      expect<i32>(getPixel(60 + ends[i], 30 + ends[i + 1])).toBe(15);
    }
  });

  it("clips long lines exactly to the screen", () => {
    screen.clear();
    screen.move(-10, -10); screen.line(200, 200); screen.stroke();
    expect<i32>(lit()).toBe(64);
    for (let i = 0; i < 64; i++) expect<i32>(getPixel(i, i)).toBe(15);
    screen.clear();
    screen.move(-1e5, 32); screen.line(1e5, 32); screen.stroke();
    expect<i32>(lit()).toBe(128);
  });

  it("vertical lines (the fast column path) keep both nibbles' neighbours and clip like the others", () => {
    screen.clear(); screen.level(9);
    screen.move(4, 0); screen.line(4, 63); screen.stroke();
    screen.level(3);
    screen.move(5, 70); screen.line(5, -5); screen.stroke(); // clipped to 0..63, drawn bottom-up
    screen.move(-1, 0); screen.line(-1, 40); screen.stroke(); // off screen: nothing
    screen.move(128, 0); screen.line(128, 40); screen.stroke();
    expect<i32>(lit()).toBe(128);
    for (let y = 0; y < 64; y++) {
      expect<i32>(getPixel(4, y)).toBe(9);
      expect<i32>(getPixel(5, y)).toBe(3);
      expect<u8>(load<u8>(backPtr() + <usize>(y * 64 + 2))).toBe(0x93);
    }
    screen.clear(); screen.level(15);
    screen.move(7, 1e5); screen.line(7, -1e5); screen.stroke();
    expect<string>(columnSpan(7)).toBe("0..63");
  });

  it("ignores NaN, infinite and huge coordinates", () => {
    screen.clear();
    screen.move(5, 5);
    screen.move(NaN, 1); screen.line(Infinity, 3); screen.line(1e7, 4); screen.lineRel(NaN, 0);
    screen.rect(NaN, 0, 4, 4); screen.rect(0, 0, 1e9, 4); screen.pixel(-Infinity, 2);
    screen.stroke(); screen.fill();
    expect<i32>(lit()).toBe(0);
    expect<f64>(screen.currentX()).toBe(5);
    expect<f64>(screen.currentY()).toBe(5);
    screen.level(NaN);
    expect<i32>(screen.currentLevel()).toBe(15);
    screen.level(20); expect<i32>(screen.currentLevel()).toBe(15);
    screen.level(-3); expect<i32>(screen.currentLevel()).toBe(0);
    screen.level(6.9); expect<i32>(screen.currentLevel()).toBe(6);
    screen.level(15);
  });
});

describe("rects and fill", () => {
  it("strokes the badge rectangle on pixels x..x+w-1, y..y+h-1", () => {
    screen.clear();
    screen.rect(108, 1, 20, 10); screen.stroke();
    expect<i32>(lit()).toBe(2 * 20 + 2 * 8);
    expect<i32>(getPixel(108, 1)).toBe(15);
    expect<i32>(getPixel(127, 10)).toBe(15);
    expect<i32>(getPixel(109, 2)).toBe(0);
    expect<i32>(getPixel(107, 1)).toBe(0);
    expect<i32>(getPixel(108, 11)).toBe(0);
  });

  it("fills rectangles, clipped, negative sizes extend left/up", () => {
    screen.clear(); screen.rect(10, 10, 6, 4); screen.fill();
    expect<i32>(lit()).toBe(24);
    screen.clear(); screen.rect(-5, -5, 10, 10); screen.fill();
    expect<i32>(lit()).toBe(25);
    screen.clear(); screen.rect(20, 20, -3, -2); screen.fill();
    expect<i32>(lit()).toBe(6);
    expect<i32>(getPixel(17, 18)).toBe(15);
    expect<i32>(getPixel(20, 20)).toBe(0);
    screen.clear(); screen.rect(-1e5, -1e5, 2e5, 2e5); screen.fill();
    expect<i32>(lit()).toBe(128 * 64);
  });

  it("sets single pixels via pixel() + fill()", () => {
    screen.clear(); screen.level(4);
    screen.pixel(0, 0); screen.pixel(127, 63); screen.pixel(64.7, 32.2); screen.fill();
    expect<i32>(lit()).toBe(3);
    expect<i32>(getPixel(64, 32)).toBe(4);
    expect<i32>(getPixel(127, 63)).toBe(4);
    screen.level(15);
  });

  it("fills a closed polygon including its outline", () => {
    screen.clear();
    screen.move(0, 0); screen.line(10, 0); screen.line(0, 10); screen.fill();
    expect<i32>(lit()).toBe(66); // rows y = 0..10 hold 11 - y pixels
    expect<i32>(getPixel(5, 5)).toBe(15);
    expect<i32>(getPixel(6, 5)).toBe(0);
  });

  it("clears the path after stroke so nothing is drawn twice", () => {
    screen.clear();
    screen.move(0, 0); screen.line(5, 0); screen.stroke();
    screen.clear(); screen.stroke(); screen.fill();
    expect<i32>(lit()).toBe(0);
  });
});

describe("text", () => {
  it("measures ink width: advances minus the trailing gap", () => {
    expect<i32>(screen.textWidth("")).toBe(0);
    expect<i32>(screen.textWidth("A")).toBe(4);
    expect<i32>(screen.textWidth("AB")).toBe(9);
    expect<i32>(screen.textWidth("i")).toBe(1);
    expect<i32>(screen.textWidth("REC")).toBe(14);
    expect<i32>(screen.textWidth("\u00e9")).toBe(screen.textWidth("?"));
  });

  it("draws on the baseline: caps fill the 5 rows above it", () => {
    screen.clear();
    screen.move(10, 20); screen.text("A");
    // A = .##. / #..# / #### / #..# / #..#
    expect<i32>(getPixel(11, 15)).toBe(15);
    expect<i32>(getPixel(12, 15)).toBe(15);
    expect<i32>(getPixel(10, 15)).toBe(0);
    expect<i32>(getPixel(10, 16)).toBe(15);
    expect<i32>(getPixel(13, 17)).toBe(15);
    expect<i32>(getPixel(10, 19)).toBe(15);
    expect<i32>(getPixel(10, 20)).toBe(0);
    expect<i32>(lit()).toBe(2 + 2 + 4 + 2 + 2);
    expect<f64>(screen.currentX()).toBe(15); // advanced by width + 1
  });

  it("puts descenders below the baseline", () => {
    screen.clear();
    screen.move(0, 10); screen.text("g");
    expect<i32>(getPixel(0, 11)).toBe(15); // g's tail: row 6 "##."
    expect<i32>(getPixel(2, 10)).toBe(15); // row 5 "..#"
  });

  it("centres and right-aligns on the current point", () => {
    screen.clear();
    screen.move(64, 10); screen.textCenter("AAA"); // width 14 -> starts at 64 - 7
    expect<i32>(getPixel(57, 6)).toBe(15);
    expect<i32>(getPixel(56, 6)).toBe(0);
    expect<i32>(getPixel(70, 6)).toBe(15);
    expect<i32>(getPixel(71, 6)).toBe(0);
    screen.clear();
    screen.move(128, 10); screen.textRight("A"); // ink ends at column 127
    expect<i32>(getPixel(127, 6)).toBe(15);
    expect<i32>(getPixel(124, 6)).toBe(15);
    expect<i32>(getPixel(123, 6)).toBe(0);
  });

  it("draws byte runs exactly like the same string", () => {
    const bytes = memory.data<u8>([112, 105, 119, 105, 112, 0xe9]); // "piwip" + a non-ASCII byte ('?')
    screen.clear();
    screen.move(10, 20); screen.text("piwip?");
    screen.move(64, 40); screen.textCenter("piwip?");
    screen.move(127, 60); screen.textRight("piwip?");
    const want = new StaticArray<u8>(SCREEN_BYTES);
    memory.copy(changetype<usize>(want), backPtr(), <usize>SCREEN_BYTES);
    screen.clear();
    screen.move(10, 20); screen.textBytes(bytes, 6);
    expect<f64>(screen.currentX()).toBe(10 + <f64>screen.textWidth("piwip?") + 1);
    screen.move(64, 40); screen.textCenterBytes(bytes, 6);
    screen.move(127, 60); screen.textRightBytes(bytes, 6);
    expect<i32>(memory.compare(changetype<usize>(want), backPtr(), <usize>SCREEN_BYTES)).toBe(0);
    expect<i32>(lit()).toBeGreaterThan(0);
  });

  it("clips text at every edge and draws unknown characters as '?'", () => {
    screen.clear();
    screen.move(-2, 3); screen.text("WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW");
    screen.move(126, 70); screen.text("Mg");
    expect<i32>(lit()).toBeGreaterThan(0);
    screen.clear();
    screen.move(0, 10); screen.text("\u20ac");
    const a = lit();
    screen.clear();
    screen.move(0, 10); screen.text("?");
    expect<i32>(lit()).toBe(a);
  });
});

function state(n: i32): PlayScreenState {
  const s = new PlayScreenState(1024);
  s.ampCount = n;
  s.resolutionSec = 0.1;
  s.loopEnd = <f64>n * 0.1;
  return s;
}

describe("play screen", () => {
  it("shows the title before the first take and the dim RDY badge when armed", () => {
    const s = state(0);
    s.armed = true;
    drawPlayScreen(s);
    expect<i32>(getPixel(108, 1)).toBe(1);
    expect<i32>(getPixel(127, 10)).toBe(1);
    let row24 = 0;
    for (let x = 0; x < 128; x++) if (getPixel(x, 23) == 15) row24++;
    expect<i32>(row24).toBeGreaterThan(0); // "play instruments" sits on y = 24
  });

  it("grows from the left, one column per poll at x = 2.., normalised to the loudest", () => {
    const s = state(10);
    for (let i = 0; i < 10; i++) s.amps[i] = <f32>(i + 1) * 0.1;
    drawPlayScreen(s);
    expect<string>(columnSpan(1)).toBe("");
    expect<string>(columnSpan(11)).toBe("0..63"); // the loudest spans the full height
    expect<string>(columnSpan(6)).toBe("16..48"); // half as loud: 32 ± 16
    expect<string>(columnSpan(12)).toBe("");
    expect<i32>(getPixel(6, 32)).toBe(1);
  });

  it("crops to the trim window (start trim <= k·res <= loop end - end trim)", () => {
    const s = state(10);
    for (let i = 0; i < 10; i++) s.amps[i] = 1;
    s.startTrim = 0.3; s.endTrim = 0.2; s.loopEnd = 1.0; // keeps polls 3..8 -> 6 columns
    drawPlayScreen(s);
    expect<string>(columnSpan(7)).toBe("0..63");
    expect<string>(columnSpan(8)).toBe("");
  });

  it("maps 127+ polls with round(127·k/n) and pairwise averaging in arrival order", () => {
    const s = state(381); // three polls per column; poll 1 maps to column 0 and is dropped
    for (let i = 0; i < 381; i++) s.amps[i] = 1;
    s.amps[1] = 1; s.amps[2] = 0; s.amps[3] = 0; // column 1 gets polls 2, 3, 4 -> ((1+0)/2+0)/2 = 0.25
    drawPlayScreen(s);
    expect<string>(columnSpan(2)).toBe("24..40"); // 32 ± 8; a plain mean (1/3) would give 21..42
    expect<string>(columnSpan(3)).toBe("0..63");
    expect<string>(columnSpan(127)).toBe("0..63");
  });

  it("brightens the columns around each sounding voice's playhead", () => {
    const s = state(10);
    for (let i = 0; i < 10; i++) s.amps[i] = 1;
    s.playheadCount = 1;
    s.playheadPos[0] = 0.5; // fraction 0.5 of 10 columns -> columns 4, 5, 6 at x = 5, 6, 7
    drawPlayScreen(s);
    expect<i32>(getPixel(4, 32)).toBe(1);
    expect<i32>(getPixel(5, 32)).toBe(15);
    expect<i32>(getPixel(7, 32)).toBe(15);
    expect<i32>(getPixel(8, 32)).toBe(1);
  });

  it("draws a flat line for a silent take and no playhead for a zero-length window", () => {
    const s = state(20);
    for (let i = 0; i < 20; i++) s.amps[i] = 0;
    s.amps[3] = NaN;
    s.playheadCount = 1;
    s.playheadPos[0] = 1; s.playheadStartTrim[0] = 1; s.playheadEndTrim[0] = 1; // window 2 - 1 - 1 = 0
    drawPlayScreen(s);
    expect<i32>(lit()).toBe(20);
    for (let x = 2; x <= 21; x++) expect<i32>(getPixel(x, 32)).toBe(1);
  });

  it("draws the message box 6 px per character with the text on y = 35", () => {
    const s = state(0);
    s.message = "monitor enabled"; // 15 chars -> 90 px from x = 19
    drawPlayScreen(s);
    expect<i32>(getPixel(19, 28)).toBe(15);
    expect<i32>(getPixel(108, 37)).toBe(15);
    expect<i32>(getPixel(109, 37)).toBe(0);
    expect<i32>(getPixel(20, 29)).toBe(0); // inside is blacked out
    expect<i32>(getPixel(20, 32)).toBe(0); // ... even over the title
  });

  it("moves badge and mode name 5 px inward while K1 is held", () => {
    const s = state(0);
    s.recording = true; s.shift = true; s.modeName = "sampler";
    drawPlayScreen(s);
    expect<i32>(getPixel(103, 6)).toBe(15);
    expect<i32>(getPixel(122, 15)).toBe(15);
    expect<i32>(getPixel(127, 10)).toBe(0);
    let mode = 0;
    for (let x = 0; x < 40; x++) if (getPixel(x, 54) != 0) mode++; // "sampler" baseline at 55
    expect<i32>(mode).toBeGreaterThan(0);
  });
});
