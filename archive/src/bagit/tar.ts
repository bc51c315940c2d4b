/**
 * A finished bag as a POSIX tar stream (ustar headers; a pax extended header for a path
 * that does not fit ustar's name and prefix fields, a non-ASCII path, or a file of 8 GiB
 * or more). Entries sit under one top directory, the bag's name, in a stable order
 * (directories before their contents, names sorted); owners are 0, modes 0755 and 0644.
 */
import { createReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { compareCodeUnits } from './encoding.js';

const BLOCK = 512;
const MAX_OCTAL_11 = 0o77777777777; // 8 GiB - 1, the largest size or time 11 octal digits hold
const encoder = new TextEncoder();

export interface TarOptions {
  /** The top directory's name in the archive; default the bag directory's own name. */
  root?: string;
  /** The modification time of every entry; default each file's own. */
  mtime?: Date;
}

interface Entry {
  /** Path in the archive, "/" separated, directories ending with "/". */
  path: string;
  type: 'file' | 'directory';
  /** Absolute path on disk. */
  source: string;
  size: number;
  mtime: number;
}

function writeString(header: Buffer, offset: number, length: number, value: string): void {
  const bytes = encoder.encode(value);
  if (bytes.length > length) throw new Error(`tar: "${value}" does not fit ${length} bytes`);
  header.set(bytes, offset);
}

function writeOctal(header: Buffer, offset: number, length: number, value: number): void {
  // length - 1 digits, then NUL.
  writeString(header, offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
}

/** Splits a path into ustar prefix and name fields, or null if it does not fit. */
function splitUstarPath(path: string): { prefix: string; name: string } | null {
  if (!/^[\x20-\x7e]*$/.test(path)) return null; // non-ASCII or control characters: use pax
  if (path.length <= 100) return { prefix: '', name: path };
  const trailing = path.endsWith('/') ? 1 : 0;
  for (let slash = path.lastIndexOf('/', path.length - 1 - trailing); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
    const prefix = path.slice(0, slash);
    const name = path.slice(slash + 1);
    if (prefix.length <= 155 && name.length <= 100 && name.length > 0) return { prefix, name };
    if (prefix.length <= 155 && name.length > 100) return null;
  }
  return null;
}

/** One 512-byte ustar header. */
function ustarHeader(fields: { name: string; prefix: string; mode: number; size: number; mtime: number; type: string }): Buffer {
  const header = Buffer.alloc(BLOCK);
  writeString(header, 0, 100, fields.name);
  writeOctal(header, 100, 8, fields.mode);
  writeOctal(header, 108, 8, 0); // uid
  writeOctal(header, 116, 8, 0); // gid
  writeOctal(header, 124, 12, fields.size);
  writeOctal(header, 136, 12, fields.mtime);
  header.fill(0x20, 148, 156); // checksum: spaces while summing
  writeString(header, 156, 1, fields.type);
  writeString(header, 257, 6, 'ustar\0');
  writeString(header, 263, 2, '00');
  writeOctal(header, 329, 8, 0); // devmajor
  writeOctal(header, 337, 8, 0); // devminor
  writeString(header, 345, 155, fields.prefix);
  let sum = 0;
  for (const byte of header) sum += byte;
  writeString(header, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return header;
}

/** A pax record "LEN key=value\n", LEN counting the whole record in bytes. */
export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyBytes = encoder.encode(body).length;
  let length = bodyBytes + 1;
  while (String(length).length + bodyBytes !== length) length = String(length).length + bodyBytes;
  return `${length}${body}`;
}

function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest);
}

/** The header blocks of one entry: a pax header first when ustar cannot say it all. */
export function entryHeaders(entry: { path: string; type: 'file' | 'directory'; size: number; mtime: number }): Buffer[] {
  const mode = entry.type === 'directory' ? 0o755 : 0o644;
  const type = entry.type === 'directory' ? '5' : '0';
  const size = entry.type === 'directory' ? 0 : entry.size;
  const mtime = Math.min(Math.max(0, Math.floor(entry.mtime)), MAX_OCTAL_11);
  const split = splitUstarPath(entry.path);
  const records: string[] = [];
  if (!split) records.push(paxRecord('path', entry.path));
  if (size > MAX_OCTAL_11) records.push(paxRecord('size', String(size)));
  const blocks: Buffer[] = [];
  let fields = split ?? { prefix: '', name: '' };
  if (records.length > 0) {
    const data = Buffer.from(records.join(''), 'utf8');
    // A readable stand-in for tools without pax: the ASCII end of the path.
    const ascii = entry.path.replace(/[^\x20-\x7e]/g, '_');
    fields = { prefix: '', name: ascii.slice(-100) };
    const paxName = `PaxHeaders/${ascii.replace(/\/$/, '').split('/').pop() ?? 'entry'}`.slice(0, 100);
    blocks.push(ustarHeader({ name: paxName, prefix: '', mode: 0o644, size: data.length, mtime, type: 'x' }), data, padding(data.length));
  }
  blocks.push(ustarHeader({ ...fields, mode, size: size > MAX_OCTAL_11 ? 0 : size, mtime, type }));
  return blocks;
}

async function listEntries(dir: string, prefix: string, mtime: Date | undefined): Promise<Entry[]> {
  const entries: Entry[] = [];
  const walk = async (source: string, path: string): Promise<void> => {
    const info = await lstat(source);
    const time = (mtime ?? info.mtime).getTime() / 1000;
    if (info.isDirectory()) {
      entries.push({ path: `${path}/`, type: 'directory', source, size: 0, mtime: time });
      const names = (await readdir(source)).sort(compareCodeUnits);
      for (const name of names) await walk(join(source, name), `${path}/${name}`);
    } else if (info.isFile()) {
      entries.push({ path, type: 'file', source, size: info.size, mtime: time });
    } else {
      throw new Error(`tar: ${source} is neither a file nor a directory; a bag holds only those`);
    }
  };
  await walk(dir, prefix);
  return entries;
}

async function* tarChunks(bagDir: string, options: TarOptions): AsyncGenerator<Buffer> {
  const root = options.root ?? basename(bagDir);
  if (!root || root.includes('/') || root === '.' || root === '..') throw new Error(`tar: "${root}" cannot be the top directory`);
  for (const entry of await listEntries(bagDir, root, options.mtime)) {
    yield* entryHeaders(entry);
    if (entry.type !== 'file') continue;
    let read = 0;
    for await (const chunk of createReadStream(entry.source)) {
      const buffer = chunk as Buffer;
      read += buffer.length;
      if (read > entry.size) throw new Error(`tar: ${entry.source} grew while it was archived`);
      yield buffer;
    }
    if (read !== entry.size) throw new Error(`tar: ${entry.source} shrank while it was archived`);
    yield padding(entry.size);
  }
  yield Buffer.alloc(2 * BLOCK);
}

/** The bag at `bagDir` as a tar byte stream (it errors if a file changes while it is read). */
export function tarBag(bagDir: string, options: TarOptions = {}): Readable {
  return Readable.from(tarChunks(bagDir, options), { objectMode: false });
}

/** Streams the bag at `bagDir` as tar into `out`, ending it unless `end` is false. */
export async function writeTar(bagDir: string, out: Writable, options: TarOptions & { end?: boolean } = {}): Promise<void> {
  await pipeline(tarBag(bagDir, options), out, { end: options.end ?? true });
}
