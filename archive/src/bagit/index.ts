/** BagIt (RFC 8493) export of one recording: write the bag, stream it as tar, validate it. */
export { BAG_SOFTWARE_AGENT, checkBagInput, writeBag } from './bag.js';
export { BagExportError, type BagExportErrorCode } from './errors.js';
export { tarBag, writeTar, type TarOptions } from './tar.js';
export { validateBag, type BagProblem, type BagProblemCode, type BagValidation, type ValidateOptions } from './validate.js';
export type {
  BagFixityEvent,
  BagHold,
  BagNotice,
  BagOptions,
  BagParticipant,
  BagPayloadFile,
  BagRetention,
  BagSummary,
  RecordingBagInput,
} from './types.js';
