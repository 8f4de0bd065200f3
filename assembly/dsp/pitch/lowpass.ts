// Anti-alias lowpass for the pitch follower's decimators: a 6th-order Butterworth as three
// transposed direct-form-II biquads (RBJ cookbook bilinear design), f32 state.

const STAGES: i32 = 3;
// Q of each 2nd-order section of a 6th-order Butterworth: 1 / (2 cos(theta_k)).
const Q0: f64 = 0.5176380902050415;
const Q1: f64 = 0.7071067811865476;
const Q2: f64 = 1.9318516525781366;

export class Lowpass6 {
  private b0: StaticArray<f32> = new StaticArray<f32>(STAGES);
  private b1: StaticArray<f32> = new StaticArray<f32>(STAGES);
  private a1: StaticArray<f32> = new StaticArray<f32>(STAGES);
  private a2: StaticArray<f32> = new StaticArray<f32>(STAGES);
  private z1: StaticArray<f32> = new StaticArray<f32>(STAGES);
  private z2: StaticArray<f32> = new StaticArray<f32>(STAGES);

  /** cutoff in cycles per sample (0 < cutoff < 0.5). */
  design(cutoff: f64): void {
    for (let k = 0; k < STAGES; k++) {
      const q = k == 0 ? Q0 : k == 1 ? Q1 : Q2;
      const w = 2.0 * Math.PI * cutoff;
      const cw = Math.cos(w);
      const alpha = Math.sin(w) / (2.0 * q);
      const a0 = 1.0 + alpha;
      const b = (1.0 - cw) * 0.5 / a0;
      unchecked(this.b0[k] = <f32>b);
      unchecked(this.b1[k] = <f32>(2.0 * b));
      unchecked(this.a1[k] = <f32>(-2.0 * cw / a0));
      unchecked(this.a2[k] = <f32>((1.0 - alpha) / a0));
    }
    this.reset();
  }

  reset(): void {
    for (let k = 0; k < STAGES; k++) { unchecked(this.z1[k] = 0); unchecked(this.z2[k] = 0); }
  }

  @inline tick(x: f32): f32 {
    let y: f32 = x;
    for (let k = 0; k < STAGES; k++) {
      const b0 = unchecked(this.b0[k]);
      const inp = y;
      y = b0 * inp + unchecked(this.z1[k]);
      // b2 == b0 for a lowpass
      unchecked(this.z1[k] = unchecked(this.b1[k]) * inp - unchecked(this.a1[k]) * y + unchecked(this.z2[k]));
      unchecked(this.z2[k] = b0 * inp - unchecked(this.a2[k]) * y);
    }
    // flush denormals so a long silence never slows the filter down
    if (Mathf.abs(y) < 1e-20) {
      y = 0;
      for (let k = 0; k < STAGES; k++) {
        if (Mathf.abs(unchecked(this.z1[k])) < 1e-20) unchecked(this.z1[k] = 0);
        if (Mathf.abs(unchecked(this.z2[k])) < 1e-20) unchecked(this.z2[k] = 0);
      }
    }
    return y;
  }
}
