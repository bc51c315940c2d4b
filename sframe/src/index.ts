export { decodeHeader, encodeHeader, MAX_UINT64, SFrameError, type SFrameHeader } from './header.js';
export { CIPHER_SUITES, cipherSuite, DEFAULT_SUITE, type CipherSuite } from './suites.js';
export { concat, deriveKeyMaterial, extractSecret, keyLabels, ratchetBaseKey } from './key-schedule.js';
export { createAead, type Aead } from './aead.js';
export { makeNonce, SFrameContext } from './sframe.js';
export { checkVectors, parseVectorFile, type VectorFile, type CheckResult } from './vectors.js';
