import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical.js';

describe('canonicalJson', () => {
  it('sorts keys at every level and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: [{ d: null, c: true }, 'x'], é: 'é', Z: -0 })).toBe('{"Z":0,"a":[{"c":true,"d":null},"x"],"b":1,"é":"é"}');
  });

  it('gives the same text whatever the key order or indentation of the source', () => {
    const one = JSON.parse('{ "files": [ { "path": "a", "bytes": 3 } ], "version": 1 }') as unknown;
    const two = JSON.parse('{"version":1,"files":[{"bytes":3,"path":"a"}]}') as unknown;
    expect(canonicalJson(one)).toBe(canonicalJson(two));
  });

  it('escapes strings as JSON does', () => {
    expect(canonicalJson({ s: 'a"b\\c\n\u0001' })).toBe('{"s":"a\\"b\\\\c\\n\\u0001"}');
  });

  it('refuses what has no exact JSON form', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/finite/);
    expect(() => canonicalJson([Infinity])).toThrow(/finite/);
    expect(() => canonicalJson({ u: undefined })).toThrow(/undefined/);
    expect(() => canonicalJson({ b: 1n })).toThrow(/bigint/);
    expect(() => canonicalJson({ d: new Date(0) })).toThrow(/plain objects/);
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => canonicalJson(loop)).toThrow(/circular/);
  });

  it('allows the same object twice when it is not a cycle', () => {
    const shared = { a: 1 };
    expect(canonicalJson([shared, shared])).toBe('[{"a":1},{"a":1}]');
  });
});
