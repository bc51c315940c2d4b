export type BagExportErrorCode =
  /** The bag's directory already exists. */
  | 'exists'
  /** The input is unusable: a bad or duplicate path, a catalog that disagrees with the signed manifest. */
  | 'invalid-input'
  /** A copied file's SHA-256 or size differs from what the catalog expects. */
  | 'fixity-mismatch'
  /** Reading a source file or writing the bag failed. */
  | 'io';

/** Why an export failed; the partial bag is already removed when this is thrown. */
export class BagExportError extends Error {
  override readonly name = 'BagExportError';

  constructor(
    readonly code: BagExportErrorCode,
    message: string,
    /** The recording file concerned, when there is one. */
    readonly path?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
