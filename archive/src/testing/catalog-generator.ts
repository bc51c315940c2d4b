/**
 * A catalog at archive scale, generated deterministically (xorshift), for the scale tests
 * and bench:archive: rooms, start times over three years (many sharing a minute), 1 to
 * 180 minutes, 1 to 4 participants with French and English names, 0 to 2 tags.
 */
import { type NewRecording } from '../catalog/types.js';

export const FIRST_NAMES = ['Alice', 'Bob', 'Chloé', 'David', 'Émile', 'Fatou', 'Grégoire', 'Hana', 'Ines', 'Jean'];
export const LAST_NAMES = ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand'];
export const TAGS = ['legal', 'hr', 'q1', 'q2', 'board', 'audit'];
export const ROOMS = 50;
export const GENERATED_START = Date.parse('2023-01-01T00:00:00.000Z');
/** One recording in this many has a participant with a rare name, to search for. */
export const RARE_EVERY = 10_007;
export const RARE_NAME = 'Quentin Zyxwvut';

export interface GeneratedRecording {
  id: string;
  room: string;
  startedAt: number;
  durationMs: number;
  names: string[];
  tags: string[];
}

export function generateCatalog(count: number, seed = 2463534242): { plain: GeneratedRecording[]; recordings: NewRecording[] } {
  let state = seed;
  const random = (n: number) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % n;
  };
  const plain: GeneratedRecording[] = [];
  const recordings: NewRecording[] = [];
  for (let i = 0; i < count; i++) {
    const id = `rec-${String(i).padStart(6, '0')}`;
    const room = `room-${random(ROOMS)}`;
    const startedAt = GENERATED_START + random(3 * 365 * 24 * 60) * 60_000;
    const durationMs = (1 + random(180)) * 60_000;
    const names = Array.from({ length: 1 + random(4) }, () => `${FIRST_NAMES[random(FIRST_NAMES.length)]} ${LAST_NAMES[random(LAST_NAMES.length)]}`);
    if (i % RARE_EVERY === 0) names.push(RARE_NAME);
    const tags = [...new Set(Array.from({ length: random(3) }, () => TAGS[random(TAGS.length)] as string))];
    plain.push({ id, room, startedAt, durationMs, names, tags });
    recordings.push({
      id,
      room,
      startedAt: new Date(startedAt).toISOString(),
      endedAt: new Date(startedAt + durationMs).toISOString(),
      manifestSha256: id.padEnd(64, '0'),
      previousManifestSha256: null,
      recorderKeyId: '0123456789abcdef',
      chainStatus: 'first',
      chainPreviousId: null,
      retentionUntil: null,
      ingestedAt: new Date(startedAt + durationMs).toISOString(),
      participants: names.map((name, j) => ({ id: `p${j}`, name })),
      tags,
      files: [],
    });
  }
  return { plain, recordings };
}
