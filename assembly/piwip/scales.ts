// The current norns MusicUtil scale list (lua/lib/musicutil.lua, 41 scales), names lower-cased as piwip shows
// them, and generate_scale_of_length(): ascend from the root through the intervals, octave after octave.

export const SCALE_COUNT: i32 = 41;

// '|'-separated, in MusicUtil order; doubles as the option list of the "scale_mode" param.
export const SCALE_NAMES: string =
  "major|natural minor|harmonic minor|melodic minor|dorian|phrygian|lydian|mixolydian|locrian|whole tone|" +
  "major pentatonic|minor pentatonic|major bebop|altered scale|dorian bebop|mixolydian bebop|blues scale|" +
  "diminished whole half|diminished half whole|neapolitan major|hungarian major|harmonic major|hungarian minor|" +
  "lydian minor|neapolitan minor|major locrian|leading whole tone|six tone symmetrical|balinese|persian|" +
  "east indian purvi|oriental|double harmonic|enigmatic|overtone|eight tone spanish|prometheus|" +
  "gagaku rittsu sen pou|in sen pou|okinawa|chromatic";

// Each scale's intervals including the closing octave (12), as in MusicUtil; -1 ends a row.
const INTERVALS: StaticArray<i8> = [
  0, 2, 4, 5, 7, 9, 11, 12, -1,
  0, 2, 3, 5, 7, 8, 10, 12, -1,
  0, 2, 3, 5, 7, 8, 11, 12, -1,
  0, 2, 3, 5, 7, 9, 11, 12, -1,
  0, 2, 3, 5, 7, 9, 10, 12, -1,
  0, 1, 3, 5, 7, 8, 10, 12, -1,
  0, 2, 4, 6, 7, 9, 11, 12, -1,
  0, 2, 4, 5, 7, 9, 10, 12, -1,
  0, 1, 3, 5, 6, 8, 10, 12, -1,
  0, 2, 4, 6, 8, 10, 12, -1,
  0, 2, 4, 7, 9, 12, -1,
  0, 3, 5, 7, 10, 12, -1,
  0, 2, 4, 5, 7, 8, 9, 11, 12, -1,
  0, 1, 3, 4, 6, 8, 10, 12, -1,
  0, 2, 3, 4, 5, 7, 9, 10, 12, -1,
  0, 2, 4, 5, 7, 9, 10, 11, 12, -1,
  0, 3, 5, 6, 7, 10, 12, -1,
  0, 2, 3, 5, 6, 8, 9, 11, 12, -1,
  0, 1, 3, 4, 6, 7, 9, 10, 12, -1,
  0, 1, 3, 5, 7, 9, 11, 12, -1,
  0, 3, 4, 6, 7, 9, 10, 12, -1,
  0, 2, 4, 5, 7, 8, 11, 12, -1,
  0, 2, 3, 6, 7, 8, 11, 12, -1,
  0, 2, 4, 6, 7, 8, 10, 12, -1,
  0, 1, 3, 5, 7, 8, 11, 12, -1,
  0, 2, 4, 5, 6, 8, 10, 12, -1,
  0, 2, 4, 6, 8, 10, 11, 12, -1,
  0, 1, 4, 5, 8, 9, 11, 12, -1,
  0, 1, 3, 7, 8, 12, -1,
  0, 1, 4, 5, 6, 8, 11, 12, -1,
  0, 1, 4, 6, 7, 8, 11, 12, -1,
  0, 1, 4, 5, 6, 9, 10, 12, -1,
  0, 1, 4, 5, 7, 8, 11, 12, -1,
  0, 1, 4, 6, 8, 10, 11, 12, -1,
  0, 2, 4, 6, 7, 9, 10, 12, -1,
  0, 1, 3, 4, 5, 6, 8, 10, 12, -1,
  0, 2, 4, 6, 9, 10, 12, -1,
  0, 2, 5, 7, 9, 10, 12, -1,
  0, 1, 5, 2, 8, 12, -1,
  0, 4, 5, 7, 11, 12, -1,
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, -1,
];

function rowStart(scale: i32): i32 {
  let row = 0;
  let i = 0;
  while (row < scale) {
    if (unchecked(INTERVALS[i]) < 0) row++;
    i++;
  }
  return i;
}

/**
 * Fill out[0..length) with MusicUtil.generate_scale_of_length(root, scale, length) for a 0-based scale index;
 * piwip pads a list cut short by MIDI 127 with its last note. Returns the count written (always `length`).
 */
export function generateScale(root: i32, scale: i32, out: StaticArray<i32>, length: i32): i32 {
  if (scale < 0 || scale >= SCALE_COUNT) scale = 4;
  const start = rowStart(scale);
  let len = 0;
  while (unchecked(INTERVALS[start + len]) >= 0) len++;
  let count = 0;
  let i = 0;
  let base = root;
  while (count < length) {
    if (i > 0 && i % len == 0) {
      base += <i32>unchecked(INTERVALS[start + len - 1]);
    } else {
      const note = base + <i32>unchecked(INTERVALS[start + (i % len)]);
      if (note > 127) break;
      unchecked(out[count] = note);
      count++;
    }
    i++;
  }
  if (count == 0) { unchecked(out[0] = root < 127 ? root : 127); count = 1; }
  while (count < length) { unchecked(out[count] = out[count - 1]); count++; }
  return count;
}
