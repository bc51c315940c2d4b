/** How long recordings are kept: days per room, else a default; null keeps them until told otherwise. */
export interface RetentionPolicy {
  defaultDays: number | null;
  rooms: Readonly<Record<string, number | null>>;
}

export const KEEP_FOREVER: RetentionPolicy = { defaultDays: null, rooms: {} };

const DAY_MS = 24 * 60 * 60 * 1000;

/** When a recording of `room` that ended at `endedAt` may be deleted (ISO 8601), or null. */
export function retentionUntil(policy: RetentionPolicy, room: string, endedAt: string): string | null {
  const days = Object.hasOwn(policy.rooms, room) ? (policy.rooms[room] ?? null) : policy.defaultDays;
  if (days === null) return null;
  return new Date(Date.parse(endedAt) + days * DAY_MS).toISOString();
}
