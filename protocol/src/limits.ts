/** Limits shared by the server (which enforces them) and clients (which respect them up front). */

/** Participants in one room, the recorder included. Mesh cost grows as N-1 uplinks per person. */
export const DEFAULT_ROOM_CAPACITY = 8;

/** Room ids: URL-safe, long enough to be unguessable when generated, short enough for a link. */
export const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{4,64}$/;

/** Display names, in Unicode code points after trimming. */
export const NAME_MAX_LENGTH = 64;

/** Room passwords, in characters. */
export const PASSWORD_MAX_LENGTH = 128;

/** Join tokens (compact JWS), in characters. */
export const TOKEN_MAX_LENGTH = 4096;

/** Largest Socket.IO message the server accepts, in bytes (an SDP with many m-lines fits well). */
export const MAX_MESSAGE_BYTES = 64 * 1024;

/** Largest SDP string inside a signal, in characters. */
export const MAX_SDP_LENGTH = 60_000;

/** How long a participant whose connection dropped keeps its seat and id, in seconds. */
export const DEFAULT_RESUME_GRACE_SECONDS = 30;
