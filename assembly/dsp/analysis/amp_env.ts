// Amplitude follower exactly as norns' \amp_env SynthDef: A2K(abs(in)) — the first sample of every 64-sample
// control block — through LagUD(0.01, 0.01), SuperCollider's one-pole lag with a −60 dB time constant.

export const AMP_ENV_BLOCK: i32 = 64;

export class AmpEnv {
  value: f32 = 0;
  private coef: f32 = 0;
  private phase: i32 = 0;

  init(sampleRate: f32): void {
    const controlRate = sampleRate / <f32>AMP_ENV_BLOCK;
    // SC Lag: b1 = exp(log(0.001) / (lagTime * controlRate)); same time up and down here.
    this.coef = Mathf.exp(Mathf.log(0.001) / (0.01 * controlRate));
    this.reset();
  }

  reset(): void {
    this.value = 0;
    this.phase = 0;
  }

  /** Feed n samples from a f32 pointer. Only the first sample of each 64-sample control block is read. */
  process(ptr: usize, n: i32): void {
    if (n <= 0) return;
    let y = this.value;
    const b1 = this.coef;
    for (let i = (AMP_ENV_BLOCK - this.phase) & (AMP_ENV_BLOCK - 1); i < n; i += AMP_ENV_BLOCK) {
      const x = Mathf.abs(load<f32>(ptr + (<usize>i << 2)));
      y = x + b1 * (y - x);
    }
    this.phase = (this.phase + n) & (AMP_ENV_BLOCK - 1);
    this.value = y;
  }
}
