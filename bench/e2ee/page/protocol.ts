/** Messages between the benchmark (Node, through the page) and the crypto worker. */

/** One timed run: encrypt then decrypt frames of one size for a while, on `pipelines` links at once. */
export interface CryptoRun {
  /** Frame size in bytes (the encoded frame the worker receives, clear prefix included). */
  size: number;
  /** 'opus' for audio-sized frames, 'vp8' for video (a delta frame: 3 bytes stay in clear). */
  codec: 'vp8' | 'opus';
  seconds: number;
  /** Independent links (each its own SendDirection and ReceiveDirection) run concurrently. */
  pipelines: number;
  /** Bare WebCrypto AES-128-GCM encrypt then decrypt, no SFrame: what the browser's crypto alone costs. */
  baseline?: boolean;
}

export interface CryptoResult {
  /** Frames encrypted and then decrypted (each counted once). */
  frames: number;
  /** Plaintext bytes of those frames. */
  bytes: number;
  /** Wall time of the run in the worker. */
  ms: number;
  /** Protected frame size (SFrame header and tag added). */
  protectedSize: number;
}

export type FromCryptoWorker = { type: 'result'; result: CryptoResult } | { type: 'error'; message: string };

declare global {
  interface Window {
    /** Set by the bench page: runs one CryptoRun in its dedicated worker. */
    benchCrypto?: (run: CryptoRun) => Promise<CryptoResult>;
  }
}
