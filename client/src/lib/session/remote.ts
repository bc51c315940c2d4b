import type { Role } from '@conclave/protocol';
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
}

export function newRemote(peer: { id: string; name: string; role: Role }): RemoteParticipant {
  return { ...peer, link: 'connecting', quality: null, presence: { ...NO_PRESENCE }, streams: new Map() };
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
