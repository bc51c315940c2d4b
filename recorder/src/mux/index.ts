// Muxing a segment's tracks into Matroska (and per-participant WebM access copies) with ffmpeg.wasm in a browser page.
export { MuxError, type MuxErrorCode } from './errors.js';
export { type MuxChapter, type MuxInput, type MuxJob, muxJobSchema } from './job.js';
export { type MuxReport, WasmMuxer, type WasmMuxerOptions } from './wasm-muxer.js';
