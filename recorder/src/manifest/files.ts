/** The files of a recording directory, and their SHA-256, streamed (segments can be gigabytes). */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface DirectoryListing {
  /** Regular files, relative to the directory, with forward slashes, sorted. */
  files: string[];
  /** Anything else (symbolic links, sockets, devices): never part of a recording. */
  others: string[];
}

/** Walks `dir` without following symbolic links. */
export async function listDirectory(dir: string): Promise<DirectoryListing> {
  const listing: DirectoryListing = { files: [], others: [] };
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(relative ? join(dir, relative) : dir, { withFileTypes: true });
    for (const entry of entries) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) listing.files.push(path);
      else listing.others.push(path);
    }
  };
  await walk('');
  listing.files.sort();
  listing.others.sort();
  return listing;
}

export interface FileDigest {
  sha256: string;
  bytes: number;
}

/** SHA-256 (hex) and size of what was actually read, so both describe the same bytes. */
export async function hashFile(path: string): Promise<FileDigest> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    const buffer = chunk as Buffer;
    hash.update(buffer);
    bytes += buffer.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * The recording directories under `root` (those holding a manifest.json, `root` itself
 * included), relative to `root` with forward slashes ('' for `root`), sorted. Does not
 * look inside a recording nor follow symbolic links.
 */
export async function findRecordingDirs(root: string, manifestName: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(relative ? join(root, relative) : root, { withFileTypes: true });
    if (entries.some((entry) => entry.name === manifestName && entry.isFile())) {
      found.push(relative);
      return;
    }
    for (const entry of entries) {
      if (entry.isDirectory()) await walk(relative ? `${relative}/${entry.name}` : entry.name);
    }
  };
  await walk('');
  return found.sort();
}
