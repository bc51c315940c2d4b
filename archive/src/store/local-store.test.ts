import { mkdtempSync, readdirSync, symlinkSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ArchiveError, UnsafePathError } from '../errors.js';
import { LocalObjectStore } from './local-store.js';

const fresh = () => {
  const root = join(mkdtempSync(join(tmpdir(), 'archive-store-')), 'objects');
  return { root, store: new LocalObjectStore(root) };
};
const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');

describe('LocalObjectStore', () => {
  it('stores a stream and a file, reports size and hash, reads back whole and by range', async () => {
    const { root, store } = fresh();
    const written = await store.put('rec-1', 'segments/a.mkv', Readable.from([Buffer.from('hello '), Buffer.from('world')]));
    expect(written).toEqual({ size: 11, sha256: sha256('hello world') });
    const source = join(root, '..', 'source.txt');
    writeFileSync(source, 'from a file');
    expect(await store.put('rec-1', 'notes.txt', source)).toEqual({ size: 11, sha256: sha256('from a file') });

    expect(await text(await store.get('rec-1', 'segments/a.mkv'))).toBe('hello world');
    expect(await text(await store.get('rec-1', 'segments/a.mkv', { start: 6 }))).toBe('world');
    expect(await text(await store.get('rec-1', 'segments/a.mkv', { start: 0, end: 4 }))).toBe('hello');
    expect(await store.stat('rec-1', 'segments/a.mkv')).toEqual({ size: 11 });
    expect(await store.stat('rec-1', 'segments/none.mkv')).toBeNull();
    expect(await store.stat('rec-2', 'a.mkv')).toBeNull();
    expect(await store.list('rec-1')).toEqual(['notes.txt', 'segments/a.mkv']);
    // No temporary file is left beside the objects.
    expect(readdirSync(join(root, 'rec-1', 'segments'))).toEqual(['a.mkv']);
  });

  it('never replaces a stored object', async () => {
    const { store } = fresh();
    await store.put('rec-1', 'a.bin', Readable.from([Buffer.from('first')]));
    const again = store.put('rec-1', 'a.bin', Readable.from([Buffer.from('second')]));
    await expect(again).rejects.toMatchObject({ code: 'exists' });
    expect(await text(await store.get('rec-1', 'a.bin'))).toBe('first');
    expect(await store.list('rec-1')).toEqual(['a.bin']);
  });

  it('leaves nothing behind when the source fails mid-way', async () => {
    const { root, store } = fresh();
    const failing = new Readable({
      read() {
        this.push(Buffer.from('partial'));
        this.destroy(new Error('source broke'));
      },
    });
    await expect(store.put('rec-1', 'a.bin', failing)).rejects.toThrow('source broke');
    expect(readdirSync(join(root, 'rec-1'))).toEqual([]);
    expect(await store.stat('rec-1', 'a.bin')).toBeNull();
  });

  it('refuses every path that could leave the root with a typed error', async () => {
    const { store } = fresh();
    const bad: [string, string][] = [
      ['rec-1', '../escape.txt'],
      ['rec-1', 'a/../../escape.txt'],
      ['rec-1', '/etc/passwd'],
      ['rec-1', 'a\0b'],
      ['rec-1', 'a\\b'],
      ['rec-1', ''],
      ['rec-1', 'a//b'],
      ['rec-1', './a'],
      ['..', 'a.txt'],
      ['.hidden', 'a.txt'],
      ['a/b', 'a.txt'],
      ['rec-1', '.tmp-123'],
    ];
    for (const [id, path] of bad) {
      await expect(store.put(id, path, Readable.from([Buffer.from('x')])), `${id} ${path}`).rejects.toBeInstanceOf(UnsafePathError);
      await expect(store.get(id, path), `${id} ${path}`).rejects.toBeInstanceOf(UnsafePathError);
      await expect(store.stat(id, path), `${id} ${path}`).rejects.toBeInstanceOf(UnsafePathError);
    }
    await expect(store.delete('..')).rejects.toBeInstanceOf(UnsafePathError);
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

  it('reports a missing object as not-found and rejects bad ranges', async () => {
    const { store } = fresh();
    await expect(store.get('rec-1', 'a.bin')).rejects.toMatchObject({ code: 'not-found' });
    await store.put('rec-1', 'a.bin', Readable.from([Buffer.from('abc')]));
    await expect(store.get('rec-1', 'a.bin', { start: 2, end: 1 })).rejects.toBeInstanceOf(RangeError);
    await expect(store.get('rec-1', 'a.bin', { start: -1 })).rejects.toBeInstanceOf(RangeError);
    expect(new ArchiveError('not-found', 'x')).toBeInstanceOf(Error);
  });

  it('deletes a whole recording, and deleting nothing succeeds', async () => {
    const { root, store } = fresh();
    await store.put('rec-1', 'a/b/c.bin', Readable.from([Buffer.from('abc')]));
    await store.put('rec-2', 'a.bin', Readable.from([Buffer.from('abc')]));
    await store.delete('rec-1');
    expect(existsSync(join(root, 'rec-1'))).toBe(false);
    expect(await store.list('rec-1')).toEqual([]);
    expect(readdirSync(root)).toEqual(['rec-2']);
    await store.delete('rec-1');
  });
});
