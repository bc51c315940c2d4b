/** The archive service: see docs/archive.md. */
export {};
