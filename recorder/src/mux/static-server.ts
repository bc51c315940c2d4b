/**
 * The mux page's origin: a loopback HTTP server that serves the page, ffmpeg.wasm and,
 * per job, the input files (GET) and a place to upload the result (PUT). Data moves as
 * plain HTTP bodies, never as JSON or base64 through page.evaluate. Nothing else is
 * served, and the page's CSP only lets it reach this origin.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { applyHeaders, muxPagePolicy, securityHeaders } from '@conclave/signaling/security-headers';
import { type MuxAssets, listFiles } from './assets.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  // instantiateStreaming insists on this type.
  '.wasm': 'application/wasm',
};

/** Same-origin only; wasm compilation allowed; no inline script, no outside request. Plain HTTP on loopback: no HSTS. */
const HEADERS = securityHeaders({ csp: muxPagePolicy(), tls: false });

export interface JobEndpoints {
  id: string;
  /** Where the page GETs input `index`. */
  inputUrl(index: number): string;
  /** Where the page PUTs the result. */
  outputUrl: string;
  /** The uploaded result, once the PUT completed. */
  output(): Uint8Array | undefined;
  /** Forgets the job: its URLs answer 404 from now on. */
  dispose(): void;
}

interface Job {
  inputs: readonly Uint8Array[];
  output?: Uint8Array;
}

const JOB_ROUTE = /^\/jobs\/([0-9a-f-]{36})\/(?:in\/(\d+)|(out))$/;

export class MuxServer {
  readonly #server: Server;
  readonly #files: ReadonlyMap<string, string>;
  readonly #jobs = new Map<string, Job>();
  readonly #maxUploadBytes: number;
  #origin = '';

  private constructor(files: ReadonlyMap<string, string>, maxUploadBytes: number) {
    this.#files = files;
    this.#maxUploadBytes = maxUploadBytes;
    this.#server = createServer((request, response) => this.#handle(request, response));
  }

  /** Listens on a free loopback port. */
  static async start(assets: MuxAssets, options: { maxUploadBytes: number }): Promise<MuxServer> {
    const files = new Map<string, string>();
    for (const name of listFiles(assets.pageDir, (file) => extname(file) in CONTENT_TYPES)) {
      files.set(`/mux/${name}`, join(assets.pageDir, name));
    }
    for (const name of listFiles(assets.ffmpegDir, (file) => /\.m?js$/.test(file))) {
      files.set(`/ffmpeg/${name}`, join(assets.ffmpegDir, name));
    }
    files.set('/core/ffmpeg-core.js', assets.coreJs);
    files.set('/core/ffmpeg-core.wasm', assets.coreWasm);

    const muxServer = new MuxServer(files, options.maxUploadBytes);
    const server = muxServer.#server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    muxServer.#origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return muxServer;
  }

  get origin(): string {
    return this.#origin;
  }

  get pageUrl(): string {
    return `${this.#origin}/mux/index.html`;
  }

  addJob(inputs: readonly Uint8Array[]): JobEndpoints {
    const id = randomUUID();
    const job: Job = { inputs };
    this.#jobs.set(id, job);
    return {
      id,
      inputUrl: (index) => `${this.#origin}/jobs/${id}/in/${index}`,
      outputUrl: `${this.#origin}/jobs/${id}/out`,
      output: () => job.output,
      dispose: () => this.#jobs.delete(id),
    };
  }

  close(): Promise<void> {
    this.#jobs.clear();
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #handle(request: IncomingMessage, response: ServerResponse): void {
    response.setHeader('Cache-Control', 'no-store');
    applyHeaders(response, HEADERS);
    const path = new URL(request.url ?? '/', this.#origin).pathname;
    const [, jobId, inputIndex, out] = JOB_ROUTE.exec(path) ?? [];
    const job = jobId === undefined ? undefined : this.#jobs.get(jobId);
    const input = job && inputIndex !== undefined ? job.inputs[Number(inputIndex)] : undefined;
    const file = this.#files.get(path);
    if (input && request.method === 'GET') {
      response.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': input.byteLength });
      response.end(input);
    } else if (job && out && request.method === 'PUT') {
      this.#receive(request, response, job);
    } else if (file && (request.method === 'GET' || request.method === 'HEAD')) {
      response.writeHead(200, { 'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' });
      if (request.method === 'HEAD') response.end();
      else createReadStream(file).on('error', () => response.destroy()).pipe(response);
    } else {
      response.writeHead(404).end();
    }
  }
  /** Takes the upload into one buffer (sized from Content-Length when there is one). */
  #receive(request: IncomingMessage, response: ServerResponse, job: Job): void {
    const declared = Number(request.headers['content-length'] ?? NaN);
    if (declared > this.#maxUploadBytes) {
      response.writeHead(413, { Connection: 'close' }).end();
      return;
    }
    let buffer = new Uint8Array(Number.isInteger(declared) ? declared : 1 << 20);
    let length = 0;
    request.on('data', (chunk: Buffer) => {
      if (length + chunk.byteLength > this.#maxUploadBytes) {
        response.writeHead(413, { Connection: 'close' }).end();
        request.destroy();
        return;
      }
      if (length + chunk.byteLength > buffer.byteLength) {
        const grown = new Uint8Array(Math.max(buffer.byteLength * 2, length + chunk.byteLength));
        grown.set(buffer.subarray(0, length));
        buffer = grown;
      }
      buffer.set(chunk, length);
      length += chunk.byteLength;
    });
    request.on('end', () => {
      if (response.headersSent) return;
      job.output = buffer.subarray(0, length);
      response.writeHead(204).end();
    });
    request.on('error', () => response.destroy());
  }
}
