// The mux page: runs ffmpeg.wasm jobs for the recorder, which drives it through
// window.conclaveMux (recorder/src/mux/wasm-muxer.ts). Every file comes from this
// origin. Each job gets a fresh ffmpeg worker (loaded in advance, about 0.5 s), which
// fetches the inputs, runs ffmpeg, PUTs the result and is then terminated: its memory,
// files and blob handles go with it, rather than whenever garbage collection runs.
import { FFmpeg } from '/ffmpeg/index.js';

const CORE = {
  coreURL: new URL('/core/ffmpeg-core.js', location.href).href,
  wasmURL: new URL('/core/ffmpeg-core.wasm', location.href).href,
  classWorkerURL: new URL('/mux/ffmpeg-worker.js', location.href).href,
};
const LOG_LINES = 60;

/** The worker the next job will use, loading (or loaded) ahead of time. */
let next = null;
/** The worker running a job, if any. */
let current = null;

function spawn() {
  const instance = new FFmpeg();
  const worker = { instance, wasmBytes: 0, log: [] };
  instance.on('log', ({ type, message }) => {
    if (type === 'memory') worker.wasmBytes = Number(message);
    else worker.log = [...worker.log.slice(1 - LOG_LINES), message];
  });
  worker.ready = instance.load(CORE).then(() => worker);
  worker.ready.catch(() => undefined); // reported to whoever awaits it
  return worker;
}

/** Makes sure a worker is loaded for the next job; throws if ffmpeg.wasm cannot load. */
async function load() {
  next ??= spawn();
  await next.ready;
}

/** Kills the running job's worker and any spare one, and loads a fresh one. */
async function restart() {
  current?.instance.terminate();
  current = null;
  next?.instance.terminate();
  next = spawn();
  await next.ready;
}

/** job: { inputs: [{ url, name }], metadata, args, paths: { dir, metadata, output }, outputUrl }. */
async function run(job) {
  const worker = next ?? spawn();
  next = null;
  current = worker;
  const { instance } = worker;
  const started = performance.now();
  try {
    await worker.ready;
    const { dir, metadata, output } = job.paths;
    await instance.createDir(dir);
    await instance.mount('WORKERFS', { urls: job.inputs }, dir);
    await instance.writeFile(metadata, new TextEncoder().encode(job.metadata));
    const fetched = performance.now();
    const exitCode = await instance.exec(job.args);
    const muxed = performance.now();
    const timings = { fetchMs: fetched - started, execMs: muxed - fetched };
    if (exitCode !== 0) return { exitCode, log: worker.log, wasmBytes: worker.wasmBytes, timings };
    const outputBytes = await instance.readFile(output, { putTo: job.outputUrl });
    timings.uploadMs = performance.now() - muxed;
    return { exitCode, log: worker.log, wasmBytes: worker.wasmBytes, outputBytes, timings };
  } finally {
    instance.terminate();
    if (current === worker) current = null;
    next ??= spawn();
  }
}

/** The spare worker's state: loaded, its wasm memory, the files at its root. */
async function state() {
  if (!next) return { loaded: false, wasmBytes: 0, files: [] };
  const { instance, wasmBytes } = await next.ready;
  const files = (await instance.listDir('/')).map((node) => node.name);
  return { loaded: true, wasmBytes, files };
}

window.conclaveMux = { load, restart, run, state };
