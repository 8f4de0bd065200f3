// The largest spur of a steady tone: a 4-term Blackman-Harris (side lobes −92 dB) FFT of n = 2^k samples, the
// carrier's bin ± GUARD left out (its main lobe, and the slow level slew's skirt), the rest's largest bin against it.
const GUARD = 12;

function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) { [re[i], re[j]] = [re[j]!, re[i]!]; [im[i], im[j]] = [im[j]!, im[i]!]; }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const a = (-2 * Math.PI) / len;
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < len / 2; k++) {
        const wr = Math.cos(a * k), wi = Math.sin(a * k);
        const p = i + k, q = p + len / 2;
        const xr = re[q]! * wr - im[q]! * wi, xi = re[q]! * wi + im[q]! * wr;
        re[q] = re[p]! - xr; im[q] = im[p]! - xi;
        re[p] = re[p]! + xr; im[p] = im[p]! + xi;
      }
    }
  }
}

export interface Spur { carrierHz: number; spurHz: number; dbc: number }

/** The largest spur of x[from .. from + n) (n a power of two) relative to its carrier (the largest bin), in dBc. */
export function largestSpur(x: Float32Array, sr: number, from: number, n = 16384): Spur {
  const re = new Float64Array(n), im = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = (2 * Math.PI * i) / (n - 1);
    const w = 0.35875 - 0.48829 * Math.cos(u) + 0.14128 * Math.cos(2 * u) - 0.01168 * Math.cos(3 * u);
    re[i] = (x[from + i] ?? 0) * w;
  }
  fft(re, im);
  const mag = new Float64Array(n / 2);
  for (let k = 0; k < n / 2; k++) mag[k] = Math.hypot(re[k]!, im[k]!);
  let c = 0;
  for (let k = 1; k < n / 2; k++) if (mag[k]! > mag[c]!) c = k;
  let s = -1;
  for (let k = 0; k < n / 2; k++) if (Math.abs(k - c) > GUARD && (s < 0 || mag[k]! > mag[s]!)) s = k;
  return { carrierHz: (c * sr) / n, spurHz: (s * sr) / n, dbc: 20 * Math.log10(mag[s]! / mag[c]!) };
}
