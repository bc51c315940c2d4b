import { CAPTURE_PROFILES, preferredProfile, type CaptureProfile } from './capture.js';

export interface DeviceChoice {
  cameraId: string | null;
  microphoneId: string | null;
}

export interface DeviceList {
  cameras: MediaDeviceInfo[];
  microphones: MediaDeviceInfo[];
}

export async function listDevices(): Promise<DeviceList> {
  const devices = await navigator.mediaDevices.enumerateDevices();
  return {
    cameras: devices.filter((device) => device.kind === 'videoinput' && device.deviceId),
    microphones: devices.filter((device) => device.kind === 'audioinput' && device.deviceId),
  };
}

export function videoConstraints(cameraId: string | null, profile: CaptureProfile = preferredProfile()): MediaTrackConstraints {
  const { width, height, frameRate } = CAPTURE_PROFILES[profile];
  return {
    width: { ideal: width },
    height: { ideal: height },
    frameRate: { ideal: frameRate },
    ...(cameraId ? { deviceId: { exact: cameraId } } : {}),
  };
}

export function audioConstraints(microphoneId: string | null): MediaTrackConstraints {
  return {
    echoCancellation: true,
    noiseSuppression: true,
    autoGainControl: true,
    ...(microphoneId ? { deviceId: { exact: microphoneId } } : {}),
  };
}

export type MediaOutcome =
  | { kind: 'full'; stream: MediaStream }
  /** The camera could not be opened (refused, missing, busy): microphone only. */
  | { kind: 'audio-only'; stream: MediaStream; cameraError: unknown }
  /** Neither could be opened. */
  | { kind: 'none'; error: unknown };

/**
 * Opens camera and microphone; if the camera fails, falls back to the microphone alone,
 * so a person without a working camera can still join.
 */
export async function openMedia(choice: DeviceChoice): Promise<MediaOutcome> {
  try {
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: audioConstraints(choice.microphoneId),
      video: videoConstraints(choice.cameraId),
    });
    return { kind: 'full', stream };
  } catch (cameraError) {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: audioConstraints(choice.microphoneId) });
      return { kind: 'audio-only', stream, cameraError };
    } catch (error) {
      return { kind: 'none', error };
    }
  }
}

/** Opens one new track of `kind` from `deviceId` (for a device switch in the meeting). */
export async function openTrack(kind: 'audio' | 'video', deviceId: string): Promise<MediaStreamTrack> {
  const stream = await navigator.mediaDevices.getUserMedia(
    kind === 'video' ? { video: videoConstraints(deviceId) } : { audio: audioConstraints(deviceId) },
  );
  const track = stream.getTracks()[0];
  if (!track) throw new Error(`no ${kind} track from the device`);
  return track;
}
