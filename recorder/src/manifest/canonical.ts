/**
 * Canonical JSON: what the manifest signature covers, so that re-indenting or reordering
 * manifest.json never changes what was signed. Object keys sorted by UTF-16 code units,
 * no whitespace, strings and numbers as JSON.stringify writes them (the same rules as
 * RFC 8785 for the values a manifest holds: strings, safe integers, booleans, null).
 */
export function canonicalJson(value: unknown): string {
  return write(value, new Set());
}

function write(value: unknown, open: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      // NaN and Infinity have no JSON form; JSON.stringify would quietly write null.
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON: ${value} is not a finite number`);
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      // undefined, bigint, functions, symbols: JSON.stringify drops or throws inconsistently.
      throw new TypeError(`canonical JSON: a ${typeof value} has no JSON form`);
  }
  if (open.has(value)) throw new TypeError('canonical JSON: circular structure');
  open.add(value);
  let text: string;
  if (Array.isArray(value)) {
    text = `[${value.map((item) => write(item, open)).join(',')}]`;
  } else {
    const prototype = Object.getPrototypeOf(value) as unknown;
    // A Date, Map or class instance would lose its meaning (or go through toJSON).
    if (prototype !== Object.prototype && prototype !== null) {
      throw new TypeError('canonical JSON: only plain objects and arrays are allowed');
    }
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    text = `{${keys.map((key) => `${JSON.stringify(key)}:${write(record[key], open)}`).join(',')}}`;
  }
  open.delete(value);
  return text;
}
