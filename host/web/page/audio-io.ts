// Audio in and out around the engine's worklet node: the microphone (getUserMedia with echo cancellation, noise
// suppression and auto gain off), a dropped WAV looped as the input instead, device pickers (setSinkId where the
// browser has it), analysers for the page's meters, and recording the output to a WAV file.
import { WaveFile } from 'wavefile';

export class AudioIO {
  readonly inputTap: AnalyserNode;
  readonly outputTap: AnalyserNode;
  private mic: MediaStreamAudioSourceNode | null = null;
  private stream: MediaStream | null = null;
  private file: AudioBufferSourceNode | null = null;
  source = 'nothing';

  constructor(readonly ctx: AudioContext, readonly engine: AudioNode) {
    this.inputTap = new AnalyserNode(ctx, { fftSize: 32768 });
    this.outputTap = new AnalyserNode(ctx, { fftSize: 32768 });
    engine.connect(this.outputTap);
    engine.connect(ctx.destination);
  }

  private detach(): void {
    this.mic?.disconnect(); this.mic = null;
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    this.stream = null;
    if (this.file) { this.file.stop(); this.file.disconnect(); this.file = null; }
  }

  private attach(src: AudioNode): void { src.connect(this.engine); src.connect(this.inputTap); }

  async useMicrophone(deviceId?: string): Promise<string> {
    this.detach();
    this.stream = await navigator.mediaDevices.getUserMedia({ audio: {
      echoCancellation: false, noiseSuppression: false, autoGainControl: false,
      ...(deviceId ? { deviceId: { exact: deviceId } } : {}),
    } });
    this.mic = new MediaStreamAudioSourceNode(this.ctx, { mediaStream: this.stream });
    this.attach(this.mic);
    this.source = this.stream.getAudioTracks()[0]?.label || 'microphone';
    return this.source;
  }

  /** A dropped audio file, decoded by the browser and looped as the input. */
  async useFile(name: string, data: ArrayBuffer): Promise<string> {
    const buf = await this.ctx.decodeAudioData(data);
    this.detach();
    this.file = new AudioBufferSourceNode(this.ctx, { buffer: buf, loop: true });
    this.attach(this.file);
    this.file.start();
    this.source = `${name} (looped, ${buf.duration.toFixed(1)} s)`;
    return this.source;
  }

  async devices(): Promise<{ inputs: MediaDeviceInfo[]; outputs: MediaDeviceInfo[] }> {
    const all = await navigator.mediaDevices.enumerateDevices();
    return { inputs: all.filter((d) => d.kind === 'audioinput'), outputs: all.filter((d) => d.kind === 'audiooutput') };
  }

  get canPickOutput(): boolean { return typeof (this.ctx as AudioContext & { setSinkId?: unknown }).setSinkId === 'function'; }
  async setOutput(id: string): Promise<void> { await (this.ctx as AudioContext & { setSinkId(id: string): Promise<void> }).setSinkId(id); }

  latency(): string {
    const ms = (s: number | undefined) => (s === undefined ? '?' : `${(s * 1000).toFixed(1)} ms`);
    return `base ${ms(this.ctx.baseLatency)}, output ${ms(this.ctx.outputLatency)}, ${this.ctx.sampleRate} Hz`;
  }

  /** The last `n` samples that went into / came out of the engine (for the meters and the tests). */
  snapshot(which: 'in' | 'out', n = 32768): Float32Array {
    const a = which === 'in' ? this.inputTap : this.outputTap;
    const x = new Float32Array(a.fftSize);
    a.getFloatTimeDomainData(x);
    return x.subarray(x.length - Math.min(n, x.length));
  }
}

/** Interleaved stereo float frames → a 32-bit float WAV file (wavefile). */
export function wavBytes(interleaved: Float32Array, sampleRate: number): Uint8Array {
  const L = new Float32Array(interleaved.length / 2), R = new Float32Array(interleaved.length / 2);
  for (let i = 0; i < L.length; i++) { L[i] = interleaved[2 * i]!; R[i] = interleaved[2 * i + 1]!; }
  const w = new WaveFile();
  w.fromScratch(2, sampleRate, '32f', [L, R]);
  return w.toBuffer();
}
