/**
 * Loudness of a microphone track, 0 to 1, for the pre-join meter and the self tile.
 * Uses the Web Audio API on a clone of the track, so muting the sent track does not
 * silence the meter.
 */
export class LevelMeter {
  readonly #context: AudioContext;
  readonly #analyser: AnalyserNode;
  readonly #samples: Float32Array<ArrayBuffer>;
  readonly #track: MediaStreamTrack;

  constructor(track: MediaStreamTrack) {
    this.#track = track.clone();
    this.#context = new AudioContext();
    this.#analyser = this.#context.createAnalyser();
    this.#analyser.fftSize = 512;
    this.#samples = new Float32Array(this.#analyser.fftSize);
    this.#context.createMediaStreamSource(new MediaStream([this.#track])).connect(this.#analyser);
  }

  /** Root mean square of the last few milliseconds, scaled so speech reaches about 0.5. */
  level(): number {
    this.#analyser.getFloatTimeDomainData(this.#samples);
    let sum = 0;
    for (const sample of this.#samples) sum += sample * sample;
    return Math.min(1, Math.sqrt(sum / this.#samples.length) * 4);
  }

  close(): void {
    this.#track.stop();
    void this.#context.close();
  }
}
