/** Seeded random payloads for the fuzz test: reproducible, and failing cases can be replayed. */
export function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = ['room', 'name', 'role', 'token', 'password', 'ticket', 'to', 'data', 'type', 'sdp', 'candidate', 'id', 'secret', 'locked', 'from', '__proto__', 'constructor'];
const STRINGS = ['', ' ', 'a', 'offer', 'candidate', 'moderator', 'recorder', '\u0000', '\u202e', '../../etc/passwd', '<script>', '😀', 'A'.repeat(22), 'x'.repeat(43), '{"$ne":1}'];

export function randomValue(random: () => number, depth = 0): unknown {
  const pick = Math.floor(random() * (depth > 2 ? 6 : 9));
  switch (pick) {
    case 0:
      return null;
    case 1:
      return random() < 0.5;
    case 2:
      return [0, -1, 1.5, Number.MAX_SAFE_INTEGER, 1e308, -0][Math.floor(random() * 6)];
    case 3:
      return STRINGS[Math.floor(random() * STRINGS.length)];
    case 4:
      return 'z'.repeat(Math.floor(random() * 5000));
    case 5:
      return undefined;
    case 6:
      return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1));
    default: {
      const object: Record<string, unknown> = {};
      const count = Math.floor(random() * 5);
      for (let i = 0; i < count; i++) object[KEYS[Math.floor(random() * KEYS.length)] ?? 'k'] = randomValue(random, depth + 1);
      return object;
    }
  }
}

/** A valid payload with one thing broken: a key dropped, a value of the wrong kind, or a key added. */
export function mutate(random: () => number, valid: Record<string, unknown>): unknown {
  const copy: Record<string, unknown> = structuredClone(valid);
  const keys = Object.keys(copy);
  const key = keys[Math.floor(random() * keys.length)];
  const how = Math.floor(random() * 3);
  if (how === 0 && key) Reflect.deleteProperty(copy, key);
  else if (how === 1 && key) copy[key] = randomValue(random, 1);
  else copy[KEYS[Math.floor(random() * KEYS.length)] ?? 'extra'] = randomValue(random, 1);
  return copy;
}
