export { loadRecorderConfig, type RecorderServiceConfig } from './service/config.js';
export { startRecorder, type RunningRecorder } from './service/server.js';
export { createFinalizer } from './service/finalize.js';
