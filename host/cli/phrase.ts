// A synthetic wind-instrument phrase for the demo and tests: additive harmonics under a two-formant spectral tilt
// (brass/voice-like), delayed 5 Hz vibrato, attacks that brighten as they open, releases, and breath noise from a
// seeded xorshift32 PRNG. Pure function of its options, so every run gives the same samples.

export interface PhraseNote {
  /** MIDI note number. */
  midi: number;
  /** Start and length in seconds. */
  start: number;
  dur: number;
}

/** Two phrases in D dorian (the harmonizer's default scale) with a rest between them: 10 notes over about 8 s. */
export const DEMO_MELODY: readonly PhraseNote[] = [
  { midi: 62, start: 0.30, dur: 0.45 }, { midi: 65, start: 0.80, dur: 0.45 }, { midi: 69, start: 1.30, dur: 0.75 },
  { midi: 67, start: 2.10, dur: 0.40 }, { midi: 64, start: 2.55, dur: 1.00 },
  // rest of about 1.3 s: the follower's silence rule ends the first take
  { midi: 69, start: 4.85, dur: 0.45 }, { midi: 72, start: 5.35, dur: 0.45 }, { midi: 71, start: 5.85, dur: 0.40 },
  { midi: 69, start: 6.30, dur: 0.55 }, { midi: 62, start: 6.90, dur: 1.20 },
];

export interface PhraseOptions {
  sampleRate?: number;
  seed?: number;
  notes?: readonly PhraseNote[];
  /** Peak amplitude of a sustained note before breath noise (default 0.4). */
  level?: number;
  /** Silence after the last note, seconds (default 0.4). */
  after?: number;
}

export interface Phrase { samples: Float32Array; sampleRate: number; notes: readonly PhraseNote[]; seconds: number }

export const midiToHz = (m: number): number => 440 * 2 ** ((m - 69) / 12);

/** xorshift32 mapped to [-1, 1). Never returns the zero state. */
export function noiseSource(seed: number): () => number {
  let x = (seed >>> 0) || 0x9e3779b9;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x / 2147483648 - 1;
  };
}

/** Harmonic amplitude: a -6 dB/oct tilt lifted by formants near 600 Hz and 1.3 kHz (an open, trumpet-like "ah"). */
export function formantGain(hz: number): number {
  const bump = (f: number, w: number, g: number) => g * Math.exp(-(((hz - f) / w) ** 2));
  return (1 + bump(600, 300, 1.5) + bump(1300, 450, 2.2)) * Math.min(1, 220 / hz);
}

const HARMONICS = 12;
const ATTACK = 0.06;
const RELEASE = 0.09;

export function generatePhrase(opts: PhraseOptions = {}): Phrase {
  const sr = opts.sampleRate ?? 48000;
  const notes = opts.notes ?? DEMO_MELODY;
  const level = opts.level ?? 0.4;
  const end = notes.reduce((m, n) => Math.max(m, n.start + n.dur), 0) + RELEASE + (opts.after ?? 0.4);
  const out = new Float32Array(Math.ceil(end * sr));
  const noise = noiseSource(opts.seed ?? 1);
  // Breath noise runs continuously (it is cheap and keeps the PRNG sequence independent of the notes).
  let lp = 0;
  let hpIn = 0;
  let hpOut = 0;
  const breath = new Float32Array(out.length);
  for (let i = 0; i < out.length; i++) {
    lp += 0.35 * (noise() - lp); // soften the top
    hpOut = 0.97 * (hpOut + lp - hpIn); // and drop the rumble: a breathy band
    hpIn = lp;
    breath[i] = hpOut;
  }
  for (const note of notes) {
    const f0 = midiToHz(note.midi);
    const first = Math.floor(note.start * sr);
    const last = Math.min(out.length, Math.ceil((note.start + note.dur + RELEASE) * sr));
    const gains: number[] = [];
    let norm = 0;
    for (let k = 1; k <= HARMONICS; k++) {
      const g = k * f0 < sr / 2 - 1000 ? formantGain(k * f0) / k ** 0.3 : 0;
      gains.push(g);
      norm += g;
    }
    let phase = 0;
    for (let i = first; i < last; i++) {
      const t = i / sr - note.start;
      const env = t < ATTACK ? Math.sin((0.5 * Math.PI * t) / ATTACK) ** 2
        : t < note.dur ? 1 - 0.1 * Math.min(1, (t - ATTACK) / 0.5)
          : 0.9 * Math.max(0, 1 - (t - note.dur) / RELEASE);
      // Vibrato fades in after 150 ms, as players do; depth ±25 cents.
      const vibDepth = 0.25 * Math.min(1, Math.max(0, (t - 0.15) / 0.3));
      const hz = f0 * 2 ** ((vibDepth * Math.sin(2 * Math.PI * 5 * t)) / 12);
      phase += (2 * Math.PI * hz) / sr;
      if (phase > 2 * Math.PI) phase -= 2 * Math.PI;
      // Upper harmonics open with the attack: brightness = env^(k/4).
      let s = 0;
      for (let k = 1; k <= HARMONICS; k++) {
        const g = gains[k - 1]!;
        if (g === 0) continue;
        s += g * env ** (1 + (k - 1) / 4) * Math.sin(k * phase);
      }
      const puff = t < ATTACK * 2 ? 0.08 : 0.03; // breath is loudest at the tongued attack
      out[i] = out[i]! + (level * s) / norm + puff * env * breath[i]!;
    }
  }
  return { samples: out, sampleRate: sr, notes, seconds: out.length / sr };
}
