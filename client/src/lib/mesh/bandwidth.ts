/**
 * Sharing the uplink across the mesh. Every participant sends one copy of its media per
 * remote participant, so the uplink budget is divided by N-1; audio is served first and
 * never throttled, then screen share, then camera.
 */
export interface UplinkPlan {
  /** Camera video per link. */
  camera: RTCRtpEncodingParameters;
  /** Screen video per link (only when sharing). */
  screen: RTCRtpEncodingParameters;
}

export const DEFAULT_UPLINK_KBPS = 4000;
const AUDIO_KBPS = 48;
const CAMERA_MAX_KBPS = 1000;
const SCREEN_MAX_KBPS = 1500;

function cameraScale(kbps: number): number {
  if (kbps >= 700) return 1;
  if (kbps >= 350) return 1.5;
  if (kbps >= 180) return 2;
  return 4;
}

/** Encodings for each link when `remotes` people receive us and our uplink is `uplinkKbps`. */
export function planUplink(remotes: number, { uplinkKbps = DEFAULT_UPLINK_KBPS, sharing = false } = {}): UplinkPlan {
  const links = Math.max(1, remotes);
  const perLink = Math.max(60, uplinkKbps / links - AUDIO_KBPS);
  const screenKbps = sharing ? Math.min(SCREEN_MAX_KBPS, perLink * 0.65) : 0;
  const cameraKbps = Math.max(50, Math.min(CAMERA_MAX_KBPS, perLink - screenKbps));
  return {
    camera: {
      maxBitrate: Math.round(cameraKbps * 1000),
      scaleResolutionDownBy: sharing ? Math.max(2, cameraScale(cameraKbps)) : cameraScale(cameraKbps),
      maxFramerate: cameraKbps >= 180 ? 30 : 15,
    },
    screen: { maxBitrate: Math.round(Math.max(screenKbps, 100) * 1000), maxFramerate: 15 },
  };
}

/** Applies a plan to one link's senders: `screenTrackIds` tells screen video from camera video. */
export async function applyPlan(senders: RTCRtpSender[], plan: UplinkPlan, screenTrackIds: ReadonlySet<string>): Promise<void> {
  await Promise.all(
    senders.map(async (sender) => {
      const track = sender.track;
      if (!track) return;
      const parameters = sender.getParameters();
      if (!parameters.encodings?.length) return; // not negotiated yet; applied again once connected
      const wanted: RTCRtpEncodingParameters =
        track.kind === 'audio' ? { priority: 'high', networkPriority: 'high' } : screenTrackIds.has(track.id) ? plan.screen : plan.camera;
      parameters.encodings = parameters.encodings.map((encoding) => ({ ...encoding, ...wanted }));
      try {
        await sender.setParameters(parameters);
      } catch (error) {
        console.warn('conclave: could not set encoding parameters', error);
      }
    }),
  );
}
