/**
 * What only the local disk shows; the contract every store keeps is in object-store.test.ts.
 */
import { mkdtempSync, readdirSync, symlinkSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { UnsafePathError } from '../errors.js';
import { LocalObjectStore } from './local-store.js';

const fresh = () => {
  const root = join(mkdtempSync(join(tmpdir(), 'archive-store-')), 'objects');
  return { root, store: new LocalObjectStore(root) };
};

describe('LocalObjectStore', () => {
  it('leaves no temporary file beside the objects', async () => {
    const { root, store } = fresh();
    await store.put('rec-1', 'segments/a.mkv', Readable.from([Buffer.from('hello '), Buffer.from('world')]));
    expect(readdirSync(join(root, 'rec-1', 'segments'))).toEqual(['a.mkv']);
  });

  it('removes the temporary file when the source fails mid-way', async () => {
    const { root, store } = fresh();
    const failing = new Readable({
      read() {
        this.push(Buffer.from('partial'));
        this.destroy(new Error('source broke'));
      },
    });
    await expect(store.put('rec-1', 'a.bin', failing)).rejects.toThrow('source broke');
    expect(readdirSync(join(root, 'rec-1'))).toEqual([]);
  });

  it('does not follow a symbolic link planted in the store', async () => {
    const { root, store } = fresh();
    const outside = mkdtempSync(join(tmpdir(), 'archive-outside-'));
    mkdirSync(join(root, 'rec-1'), { recursive: true });
    symlinkSync(outside, join(root, 'rec-1', 'linked'));
    await expect(store.put('rec-1', 'linked/a.txt', Readable.from([Buffer.from('x')]))).rejects.toBeInstanceOf(UnsafePathError);
    expect(readdirSync(outside)).toEqual([]);
    writeFileSync(join(outside, 'secret'), 'secret');
    symlinkSync(join(outside, 'secret'), join(root, 'rec-1', 'secret'));
    await expect(store.get('rec-1', 'secret')).rejects.toBeInstanceOf(UnsafePathError);
  });

  it('removes the recording directory on delete', async () => {
    const { root, store } = fresh();
    await store.put('rec-1', 'a/b/c.bin', Readable.from([Buffer.from('abc')]));
    await store.put('rec-2', 'a.bin', Readable.from([Buffer.from('abc')]));
    await store.delete('rec-1');
    expect(existsSync(join(root, 'rec-1'))).toBe(false);
    expect(readdirSync(root)).toEqual(['rec-2']);
  });
});
