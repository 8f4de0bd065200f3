// The soak's input: a seeded sequence of segments (phrases of an instrument-like tone, silence, sines, noise, DC,
// clipped squares, sudden jumps, impulses, exponential decays into the denormal range, and floats a broken host
// could send: NaN, ±Inf, 1e30, denormals). Oscillators are two-multiply recurrences, not Math.sin per sample, so
// the generator costs little next to the engine.
import type { Rng } from './prng.ts';

export const INPUT_KINDS = ['phrase', 'silence', 'sine', 'noise', 'dc', 'square', 'jumps', 'impulses', 'decay', 'hostile'] as const;
export type InputKind = typeof INPUT_KINDS[number];
const KIND_WEIGHTS = [34, 20, 9, 7, 5, 5, 5, 3, 6, 6];
const HOSTILE = [NaN, Infinity, -Infinity, 1e30, -1e30, 3e38, 1e-40, -1e-41, 1.4e-45, 17, -17, 1e6];

/** One harmonic of a recurrence oscillator: y[n+1] = 2c·y[n] − y[n−1]. */
class Osc {
  y1 = 0; y0 = 0; c2 = 0;
  set(hz: number, sr: number, phase: number): void {
    const w = 2 * Math.PI * Math.min(hz, 0.49 * sr) / sr;
    this.c2 = 2 * Math.cos(w);
    this.y0 = Math.sin(phase - w);
    this.y1 = Math.sin(phase);
  }
  next(): number {
    const y = this.y1;
    const n = this.c2 * this.y1 - this.y0;
    this.y0 = this.y1;
    this.y1 = n;
    return y;
  }
}

export class InputGen {
  kind: InputKind = 'silence';
  counts: Record<InputKind, number> = Object.fromEntries(INPUT_KINDS.map((k) => [k, 0])) as Record<InputKind, number>;
  /** Largest |sample| of the last block after the engine's own clamp to ±16 (NaN → 0), either channel. */
  blockPeak = 0;
  /** Largest |0.5·(L+R)| ever fed (clamped as the engine does): the most the recording buffer can hold. */
  midPeak = 0;
  private left = 0; // samples left in the segment
  private amp = 0;
  private ampR = 1; // right channel gain relative to left (stereo differences)
  private env = 0; private envStep = 0; private envTarget = 1;
  private decay = 1;
  private oscs = [new Osc(), new Osc(), new Osc(), new Osc()];
  private weights = [1, 0, 0, 0];
  private harmonics = 1;
  private level = 0; private hold = 0; private holdMax = 1;
  private hostileP = 0;
  private noise: Rng;

  constructor(private readonly rng: Rng, private readonly sr: number) { this.noise = rng.fork(); }

  private start(): void {
    const r = this.rng;
    this.kind = INPUT_KINDS[r.weighted(KIND_WEIGHTS)]!;
    this.counts[this.kind]++;
    const sr = this.sr;
    this.left = Math.max(1, Math.round(r.logRange(0.01, 20) * sr));
    this.amp = r.chance(0.1) ? r.range(1, 20) : r.logRange(1e-3, 1);
    this.ampR = r.chance(0.7) ? 1 : r.pick([0, -1, 0.5, 1.5]);
    this.env = 1; this.envStep = 0; this.envTarget = 1; this.decay = 1;
    this.hostileP = 0;
    this.harmonics = 1;
    const hz = r.logRange(25, 8000);
    switch (this.kind) {
      case 'phrase': {
        // an instrument-like note: harmonics with a falling tilt, a short attack, held, then a gap (silence)
        this.harmonics = r.int(1, 4);
        for (let h = 0; h < this.harmonics; h++) { this.oscs[h]!.set(hz * (h + 1), sr, r.range(0, 6.28)); this.weights[h] = 1 / ((h + 1) * 1.3); }
        this.amp = r.logRange(0.02, 0.9);
        this.left = Math.round(r.logRange(0.08, 6) * sr);
        this.env = 0; this.envStep = 1 / Math.max(1, r.logRange(0.001, 0.1) * sr); this.envTarget = 1;
        break;
      }
      case 'silence': this.amp = 0; break;
      case 'sine': this.oscs[0]!.set(hz, sr, r.range(0, 6.28)); this.weights[0] = 1; break;
      case 'square': this.oscs[0]!.set(r.logRange(20, 4000), sr, 0); this.amp = r.chance(0.5) ? 1 : this.amp; break;
      case 'dc': this.level = r.chance(0.2) ? r.pick([1, -1, 16, -16, 0.5]) : r.range(-1, 1) * this.amp; break;
      case 'jumps': this.holdMax = r.int(1, 4000); this.hold = 0; this.amp = r.chance(0.5) ? 1 : this.amp; break;
      case 'impulses': this.hostileP = r.logRange(1e-5, 1e-2); this.amp = r.chance(0.5) ? 1 : this.amp; break;
      case 'decay': {
        // a struck tone decaying toward 0 in float for seconds: the samples pass through the denormal range
        this.oscs[0]!.set(hz, sr, 0.3); this.weights[0] = 1;
        this.decay = Math.exp(Math.log(1e-45 / this.amp) / Math.max(1, this.left));
        break;
      }
      case 'hostile': this.hostileP = r.logRange(1e-4, 0.5); this.oscs[0]!.set(hz, sr, 0); this.weights[0] = 1; break;
    }
  }

  /** Fill n frames of both inputs. */
  fill(inL: Float32Array, inR: Float32Array, n: number): void {
    let peak = 0, mid = this.midPeak;
    let i = 0;
    while (i < n) {
      if (this.left <= 0) this.start();
      const m = Math.min(n - i, this.left);
      this.left -= m;
      const end = i + m;
      const a = this.amp, ar = this.ampR;
      switch (this.kind) {
        case 'silence': for (; i < end; i++) { inL[i] = 0; inR[i] = 0; } break;
        case 'phrase': {
          const h = this.harmonics, o = this.oscs, w = this.weights;
          for (; i < end; i++) {
            if (this.env !== this.envTarget) this.env = Math.min(this.envTarget, this.env + this.envStep);
            let y = 0;
            for (let k = 0; k < h; k++) y += o[k]!.next() * w[k]!;
            const v = a * this.env * y;
            inL[i] = v; inR[i] = v * ar;
          }
          break;
        }
        case 'sine': case 'hostile': {
          const o = this.oscs[0]!, p = this.hostileP, r = this.noise;
          for (; i < end; i++) {
            let v = a * o.next();
            if (p > 0 && r.float() < p) v = HOSTILE[r.int(0, HOSTILE.length - 1)]!;
            inL[i] = v; inR[i] = (p > 0 && r.float() < p) ? HOSTILE[r.int(0, HOSTILE.length - 1)]! : v * ar;
          }
          break;
        }
        case 'decay': {
          const o = this.oscs[0]!;
          for (; i < end; i++) { const v = this.env * a * o.next(); this.env *= this.decay; inL[i] = v; inR[i] = v * ar; }
          break;
        }
        case 'noise': { const r = this.noise; for (; i < end; i++) { const v = a * (2 * r.float() - 1); inL[i] = v; inR[i] = v * ar; } break; }
        case 'dc': for (; i < end; i++) { inL[i] = this.level; inR[i] = this.level * ar; } break;
        case 'square': {
          const o = this.oscs[0]!;
          for (; i < end; i++) { const v = o.next() >= 0 ? a : -a; inL[i] = v; inR[i] = v * ar; }
          break;
        }
        case 'jumps': {
          const r = this.noise;
          for (; i < end; i++) {
            if (--this.hold <= 0) { this.level = a * (2 * r.float() - 1); this.hold = r.int(1, this.holdMax); }
            inL[i] = this.level; inR[i] = this.level * ar;
          }
          break;
        }
        case 'impulses': {
          const r = this.noise, p = this.hostileP;
          for (; i < end; i++) { const v = r.float() < p ? (r.chance(0.5) ? a : -a) : 0; inL[i] = v; inR[i] = v; }
          break;
        }
      }
    }
    // what the engine's sanitize() keeps: |x| <= 16, NaN → 0, beyond → ±16
    for (let k = 0; k < n; k++) {
      const l = clamp16(inL[k]!), r = clamp16(inR[k]!);
      const al = Math.abs(l), ar = Math.abs(r);
      if (al > peak) peak = al;
      if (ar > peak) peak = ar;
      const md = Math.abs(Math.fround(0.5 * (l + r)));
      if (md > mid) mid = md;
    }
    this.blockPeak = peak;
    this.midPeak = mid;
  }
}

function clamp16(x: number): number { return x !== x ? 0 : x > 16 ? 16 : x < -16 ? -16 : x; }
