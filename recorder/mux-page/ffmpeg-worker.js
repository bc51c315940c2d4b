// @ffmpeg/ffmpeg's own worker, with additions for the recorder's memory budget; the
// rest is that worker unchanged. The page (mux.js) uses a fresh worker per job and
// terminates it afterwards, so everything below dies with the job.
//
// - mount('WORKERFS', { urls: [{ name, url }] }, dir): the worker fetches the inputs
//   itself and mounts them read-only. ffmpeg reads them from the blobs as it goes, so
//   they are never copied into its memory, and no other thread holds a handle that
//   would pin them in the browser until some garbage collection.
// - readFile(path, { putTo: url }): the worker PUTs the file to `url`, read in chunks
//   into a Blob (no second full copy here; a Blob body also stays out of the DevTools
//   protocol, which copies typed-array request bodies into its events), and answers
//   with the file's size.
// - Before each exec, the output file is sized once for all: a copy (`-c copy`) is
//   about as large as its inputs, and the in-memory file system would otherwise grow it
//   by 12.5% at a time, copying it and leaving the old buffer behind each time.
// - Before each reply, a log line of type "memory" reports how large ffmpeg's wasm
//   memory has grown (it never shrinks: this is the peak).
import '/ffmpeg/worker.js';

const CHUNK = 8 * 1024 * 1024;
let memory = null;
let core = null; // ffmpeg-core's emscripten Module, for its FS
let expected = null; // { name, bytes }: the output file of the running exec

/** Keeps the Memory that ffmpeg-core's instance exports (emscripten minifies its name). */
function keepMemory(result) {
  const exports = (result.instance ?? result).exports;
  memory = Object.values(exports).find((value) => value instanceof WebAssembly.Memory) ?? memory;
  return result;
}
const { instantiate, instantiateStreaming } = WebAssembly;
WebAssembly.instantiate = (...args) => instantiate(...args).then(keepMemory);
WebAssembly.instantiateStreaming = (...args) => instantiateStreaming(...args).then(keepMemory);

// @ffmpeg/ffmpeg's worker sets self.createFFmpegCore to the core's factory, then calls
// it: wrap the factory to keep the Module it makes.
let createCore;
Object.defineProperty(self, 'createFFmpegCore', {
  configurable: true,
  get: () => createCore,
  set: (create) => {
    createCore = async (...args) => {
      core = await create(...args);
      sizeOutputFiles(core.FS.filesystems.MEMFS);
      return core;
    };
  },
});

function sizeOutputFiles(memfs) {
  const expand = memfs?.expandFileStorage;
  if (typeof expand !== 'function') return; // another emscripten: keep its own growth
  memfs.expandFileStorage = (node, capacity) =>
    expand.call(memfs, node, expected && node.name === expected.name ? Math.max(capacity, expected.bytes) : capacity);
}

/** The output of `ffmpeg ... -i in1 -i in2 ... out`: its name and about how large it will be. */
function expectOutput(args) {
  let bytes = 1024 * 1024;
  args.forEach((arg, index) => {
    if (arg !== '-i') return;
    try {
      bytes += core.FS.stat(args[index + 1]).size;
    } catch {
      // not a file: nothing to add
    }
  });
  return { name: String(args.at(-1)).split('/').at(-1), bytes: Math.ceil(bytes * 1.02) };
}

async function mountUrls(urls, mountPoint) {
  const blobs = [];
  for (const { name, url } of urls) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
    blobs.push({ name, data: await response.blob() });
  }
  core.FS.mount(core.FS.filesystems.WORKERFS, { blobs }, mountPoint);
  return true;
}

async function putFile(path, url) {
  const stream = core.FS.open(path, 'r');
  const parts = [];
  try {
    const size = core.FS.stat(path).size;
    for (let position = 0; position < size; position += CHUNK) {
      const chunk = new Uint8Array(Math.min(CHUNK, size - position));
      core.FS.read(stream, chunk, 0, chunk.byteLength, position);
      parts.push(new Blob([chunk]));
    }
  } finally {
    core.FS.close(stream);
  }
  const body = new Blob(parts);
  const response = await fetch(url, { method: 'PUT', body });
  if (!response.ok) throw new Error(`PUT ${url}: ${response.status}`);
  return body.size;
}

const post = self.postMessage.bind(self);
self.postMessage = (message, transfer) => {
  // Replies carry the id of the request they answer; logs and progress do not.
  if (message && message.id !== undefined) {
    post({ type: 'LOG', data: { type: 'memory', message: String(memory ? memory.buffer.byteLength : 0) } });
  }
  post(message, transfer);
};

/** Answers a request the way @ffmpeg/ffmpeg's worker does. */
function reply(id, type, work) {
  work.then(
    (data) => self.postMessage({ id, type, data }),
    (error) => self.postMessage({ id, type: 'ERROR', data: String(error) }),
  );
}

const handle = self.onmessage;
self.onmessage = (event) => {
  const { id, type, data } = event.data;
  if (core && type === 'MOUNT' && Array.isArray(data.options?.urls)) {
    return reply(id, type, mountUrls(data.options.urls, data.mountPoint));
  }
  if (core && type === 'READ_FILE' && typeof data.encoding?.putTo === 'string') {
    return reply(id, type, putFile(data.path, data.encoding.putTo));
  }
  if (core && type === 'EXEC') {
    expected = expectOutput(data.args);
    return Promise.resolve(handle(event)).finally(() => (expected = null));
  }
  return handle(event);
};
