export * from './limits.js';
export * from './errors.js';
export * from './schemas.js';
export * from './recording-chunk.js';
export type * from './messages.js';
export { CLIENT_EVENTS } from './messages.js';
