export { loadRecorderConfig, type RecorderServiceConfig } from './service/config.js';
export { startRecorder, type RunningRecorder } from './service/server.js';
export { createFinalizer } from './service/finalize.js';
export { OFFLINE_CHROMIUM_ARGS, type BrowserObserver } from './service/browser.js';
export { checkRecording, verifyRecording, type Finding, type RecordingCheck } from './manifest/verify.js';
export { MANIFEST_FILE, manifestSchema, type Manifest } from './manifest/schema.js';
