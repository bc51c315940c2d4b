/**
 * `@conclave/recorder/manifest`: what other services need to read, check and (in tests)
 * make signed recordings, without loading the recording service (Playwright, the muxer).
 */
export { canonicalJson } from './canonical.js';
export { fsyncDirectory, writeFileAtomic } from './fsync.js';
export { MANIFEST_FILE, manifestSchema, unsafePathReason, isSafeRelativePath, type Manifest, type Participant, type NoticeRecord, type Segment } from './schema.js';
export { checkRecording, verifyRecording, type Finding, type RecordingCheck } from './verify.js';
export { keyIdOf, loadOrCreateRecorderKey, publicKeyFromBase64, type RecorderKey } from './signing.js';
export { sealRecording } from './chain.js';
