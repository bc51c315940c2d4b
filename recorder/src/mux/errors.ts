/** Why a mux job failed, as a stable code for callers and metrics. */
export type MuxErrorCode =
  | 'invalid-job' // the job itself is wrong: not worth retrying
  | 'too-large' // over the per-job input limit: split the segment
  | 'timeout' // killed by the watchdog, twice
  | 'ffmpeg-failed' // ffmpeg.wasm exited with an error (its log is in the message)
  | 'page-failed' // the browser side failed: load, fetch, upload, crash
  | 'closed'; // the muxer was closed

export class MuxError extends Error {
  override readonly name = 'MuxError';
  readonly code: MuxErrorCode;

  constructor(code: MuxErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  static timeout(timeoutMs: number, attempts: number, inputBytes: number): MuxError {
    const mib = (inputBytes / 2 ** 20).toFixed(1);
    return new MuxError(
      'timeout',
      `mux job timed out: ${attempts} attempts of ${timeoutMs} ms each on ${mib} MiB of input; ffmpeg.wasm was terminated and reloaded after each`,
    );
  }

  static ffmpegFailed(exitCode: number, log: readonly string[]): MuxError {
    return new MuxError('ffmpeg-failed', `ffmpeg.wasm exited with ${exitCode}:\n${log.join('\n')}`);
  }
}
