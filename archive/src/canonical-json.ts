/**
 * Canonical JSON (sorted keys, no whitespace): what the audit log hashes, so that a
 * re-serialization never changes a hash. The recorder's rules (recorder/src/manifest/
 * canonical.ts), for the values audit details hold: strings, finite numbers, booleans,
 * null, arrays and plain objects.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON: ${value} is not a finite number`);
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new TypeError(`canonical JSON: a ${typeof value} has no JSON form`);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) throw new TypeError('canonical JSON: only plain objects and arrays are allowed');
  const record = value as Record<string, unknown>;
  // undefined members are dropped, as JSON.stringify does, so an optional field left out hashes the same.
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`;
}
