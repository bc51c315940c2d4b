import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * Offline guard for the minimum versions in the root package.json's `overrides`: every copy
 * of these packages that package-lock.json installs is at least the version without known
 * advisories (the online check, `npm audit --audit-level=high`, is in docs/deploy.md).
 *
 * - socket.io-parser >= 4.2.7: CVE-2026-69185 (high) affects >= 4.0.0 < 4.2.7.
 * - ws >= 8.21.0: CVE-2026-48779 (high, memory exhaustion from tiny fragments) affects
 *   < 8.21.0; CVE-2026-45736 (moderate, uninitialized memory in close()) < 8.20.1.
 */
const FLOORS: Record<string, string> = { 'socket.io-parser': '4.2.7', ws: '8.21.0' };

const root = new URL('../../', import.meta.url);
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as { packages: Record<string, { version?: string }> };
const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { overrides?: Record<string, string> };

function atLeast(version: string, floor: string): boolean {
  const a = version.split(/[.+-]/).slice(0, 3).map(Number);
  const b = floor.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

describe('dependency floors', () => {
  for (const [name, floor] of Object.entries(FLOORS)) {
    it(`${name}: overridden to ^${floor} and every installed copy is at least ${floor}`, () => {
      expect(manifest.overrides?.[name]).toBe(`^${floor}`);
      const copies = Object.entries(lock.packages).filter(([path]) => path === `node_modules/${name}` || path.endsWith(`/node_modules/${name}`));
      expect(copies.length).toBeGreaterThan(0);
      for (const [path, entry] of copies) expect({ path, ok: atLeast(entry.version ?? '0.0.0', floor) }).toEqual({ path, ok: true });
    });
  }

  it('compares versions numerically', () => {
    expect(atLeast('8.21.0', '8.21.0')).toBe(true);
    expect(atLeast('8.20.9', '8.21.0')).toBe(false);
    expect(atLeast('8.100.0', '8.21.0')).toBe(true);
    expect(atLeast('4.2.6', '4.2.7')).toBe(false);
  });
});
