/** Camera capture profiles. The mesh sends one copy per remote participant, so the default stays modest. */
export const CAPTURE_PROFILES = {
  low: { width: 320, height: 240, frameRate: 15 },
  standard: { width: 640, height: 480, frameRate: 24 },
  high: { width: 1280, height: 720, frameRate: 30 },
} as const;

export type CaptureProfile = keyof typeof CAPTURE_PROFILES;

const PROFILE_KEY = 'conclave.captureProfile';

export function preferredProfile(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): CaptureProfile {
  const stored = storage?.getItem(PROFILE_KEY);
  return stored && stored in CAPTURE_PROFILES ? (stored as CaptureProfile) : 'standard';
}

export type MediaProblem = 'media.denied' | 'media.missing' | 'media.busy' | 'media.insecure' | 'media.failed';

/** Why local media could not be had, as a message key a person can act on. */
export function mediaProblem(error: unknown): MediaProblem {
  const name = error instanceof DOMException ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return globalThis.isSecureContext === false ? 'media.insecure' : 'media.denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'media.missing';
  if (name === 'NotReadableError' || name === 'AbortError') return 'media.busy';
  return globalThis.isSecureContext === false ? 'media.insecure' : 'media.failed';
}
