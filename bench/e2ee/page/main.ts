/** The bench page: starts the crypto worker and lets the benchmark run it, one run at a time. */
import type { CryptoResult, CryptoRun, FromCryptoWorker } from './protocol.js';

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'bench-crypto' });

window.benchCrypto = (run: CryptoRun) =>
  new Promise<CryptoResult>((resolve, reject) => {
    worker.onmessage = ({ data }: MessageEvent<FromCryptoWorker>) => {
      if (data.type === 'result') resolve(data.result);
      else reject(new Error(data.message));
    };
    worker.onerror = (event) => reject(new Error(event.message || 'the worker failed to start'));
    worker.postMessage(run);
  });
