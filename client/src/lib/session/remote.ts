import type { Role } from '@conclave/protocol';
import { NEGOTIATING, type PeerSecurity } from '../e2ee/e2ee-session.js';
import type { LinkState } from '../mesh/mesh.js';
import { NO_PRESENCE, type Presence } from '../mesh/peer-messages.js';
import type { LinkQuality } from '../mesh/quality.js';

/** One remote participant as the UI shows it. Plain data: the session replaces it on change. */
export interface RemoteParticipant {
  id: string;
  name: string;
  role: Role;
  link: LinkState;
  quality: LinkQuality | null;
  presence: Presence;
  /** Every stream received from this peer, by id (camera and, when sharing, screen). */
  streams: ReadonlyMap<string, MediaStream>;
  /** End-to-end encryption of this peer's link, as the UI shows it. */
  security: PeerSecurity;
}

export function newRemote(peer: { id: string; name: string; role: Role }, security: PeerSecurity = NEGOTIATING): RemoteParticipant {
  return { ...peer, link: 'connecting', quality: null, presence: { ...NO_PRESENCE }, streams: new Map(), security };
}

/** Whether this peer's media may be shown: decrypted, or the room is transport-encryption only. */
export function mediaShown(remote: RemoteParticipant): boolean {
  return remote.security.state === 'encrypted' || remote.security.state === 'transport';
}

/** The camera stream: the one presence names, else the first that is not the screen. */
export function cameraStream(remote: RemoteParticipant): MediaStream | null {
  const named = remote.presence.camera ? remote.streams.get(remote.presence.camera) : undefined;
  if (named) return named;
  for (const [id, stream] of remote.streams) if (id !== remote.presence.screen) return stream;
  return null;
}

export function screenStream(remote: RemoteParticipant): MediaStream | null {
  return remote.presence.screen ? (remote.streams.get(remote.presence.screen) ?? null) : null;
}
