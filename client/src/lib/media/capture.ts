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

export function captureConstraints(profile: CaptureProfile): MediaStreamConstraints {
  const { width, height, frameRate } = CAPTURE_PROFILES[profile];
  return {
    audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    video: { width: { ideal: width }, height: { ideal: height }, frameRate: { ideal: frameRate } },
  };
}

/** Why local media could not be had, in words a person can act on. */
export function describeMediaError(error: unknown): string {
  const name = error instanceof DOMException ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
      return 'Camera and microphone access was refused. Allow it in the browser, then try again.';
    case 'NotFoundError':
      return 'No camera or microphone was found.';
    case 'NotReadableError':
      return 'The camera or microphone is in use by another program.';
    default:
      return window.isSecureContext
        ? 'The camera and microphone could not be opened.'
        : 'Camera and microphone need a secure page: open Conclave over HTTPS or on localhost.';
  }
}

export async function openLocalMedia(profile: CaptureProfile = preferredProfile()): Promise<MediaStream> {
  return navigator.mediaDevices.getUserMedia(captureConstraints(profile));
}
