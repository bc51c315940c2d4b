/**
 * Our own BagIt (RFC 8493) validator, run before a bag is handed out: bagit.txt, every
 * payload and tag manifest line (paths percent-decoded, checksums recomputed), payload
 * files missing from or absent in every payload manifest, Payload-Oxum, tag files not in
 * the tag manifests, and anything that is not a plain file or directory. It reports every
 * problem it finds rather than stopping at the first.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compareCodeUnits, decodeManifestPath, unsafeBagPathReason } from './encoding.js';

export type BagProblemCode =
  | 'bagit-txt'
  | 'no-data-directory'
  | 'no-payload-manifest'
  | 'unsupported-algorithm'
  | 'manifest-syntax'
  | 'unsafe-path'
  | 'duplicate-entry'
  | 'missing-file'
  | 'checksum-mismatch'
  | 'unlisted-payload-file'
  | 'unlisted-tag-file'
  | 'payload-oxum'
  | 'bag-info'
  | 'fetch-not-supported'
  | 'not-a-regular-file'
  | 'unreadable';

export interface BagProblem {
  code: BagProblemCode;
  /** The file concerned, relative to the bag ("data/segments/segment-0001.mkv"), when there is one. */
  path?: string;
  message: string;
}

export interface BagValidation {
  valid: boolean;
  problems: BagProblem[];
  /** What data/ actually holds. */
  payloadBytes: number;
  payloadFiles: number;
}

export interface ValidateOptions {
  /** Check structure, listings and Payload-Oxum only, without reading any file's content. */
  fast?: boolean;
}

// Node's names for the algorithms BagIt implementations use, with their hex lengths.
const ALGORITHMS: Record<string, { node: string; hexLength: number }> = {
  md5: { node: 'md5', hexLength: 32 },
  sha1: { node: 'sha1', hexLength: 40 },
  sha256: { node: 'sha256', hexLength: 64 },
  sha512: { node: 'sha512', hexLength: 128 },
};

interface ManifestEntry {
  algorithm: string;
  checksum: string;
  path: string;
  /** The manifest the line comes from. */
  manifest: string;
}

interface Listing {
  files: Map<string, number>;
  others: string[];
}

async function listBag(dir: string): Promise<Listing> {
  const listing: Listing = { files: new Map(), others: [] };
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(relative ? join(dir, relative) : dir, { withFileTypes: true });
    for (const entry of entries) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) listing.files.set(path, (await lstat(join(dir, path))).size);
      else listing.others.push(path);
    }
  };
  await walk('');
  return listing;
}

async function hashFile(path: string, algorithms: string[]): Promise<Map<string, string>> {
  const hashes = algorithms.map((algorithm) => [algorithm, createHash(ALGORITHMS[algorithm]?.node ?? algorithm)] as const);
  for await (const chunk of createReadStream(path)) {
    for (const [, hash] of hashes) hash.update(chunk as Buffer);
  }
  return new Map(hashes.map(([algorithm, hash]) => [algorithm, hash.digest('hex')]));
}

/** The lines of a tag file, without their line endings (LF, CRLF or CR); a final empty line dropped. */
function lines(text: string): string[] {
  const all = text.split(/\r\n|\r|\n/);
  if (all.at(-1) === '') all.pop();
  return all;
}

/** bag-info.txt as [label, value] pairs, continuation lines joined with a space. */
export function parseBagInfo(text: string): { fields: Array<[string, string]>; errors: string[] } {
  const fields: Array<[string, string]> = [];
  const errors: string[] = [];
  lines(text).forEach((line, i) => {
    if (/^[ \t]/.test(line)) {
      const last = fields.at(-1);
      if (last) last[1] = `${last[1]} ${line.trim()}`;
      else errors.push(`line ${i + 1}: a continuation line with no label before it`);
      return;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      errors.push(`line ${i + 1}: no "Label: value"`);
      return;
    }
    fields.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  });
  return { fields, errors };
}

export async function validateBag(dir: string, options: ValidateOptions = {}): Promise<BagValidation> {
  const problems: BagProblem[] = [];
  const problem = (code: BagProblemCode, message: string, path?: string): void => {
    problems.push(path === undefined ? { code, message } : { code, path, message });
  };

  let listing: Listing;
  try {
    listing = await listBag(dir);
  } catch (error) {
    problem('unreadable', `cannot list ${dir}: ${(error as Error).message}`);
    return { valid: false, problems, payloadBytes: 0, payloadFiles: 0 };
  }
  for (const other of listing.others) problem('not-a-regular-file', `${other} is not a regular file or directory`, other);
  const readText = async (path: string): Promise<string | null> => {
    if (!listing.files.has(path)) return null;
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(await readFile(join(dir, path)));
    } catch (error) {
      problem('unreadable', `${path}: ${(error as Error).message}`, path);
      return null;
    }
  };

  // bagit.txt: exactly the two declarations, in this order.
  const bagit = await readText('bagit.txt');
  if (bagit === null) problem('bagit-txt', 'bagit.txt is missing', 'bagit.txt');
  else {
    const declared = lines(bagit);
    const version = /^BagIt-Version: (\d+)\.(\d+)$/.exec(declared[0] ?? '');
    if (bagit.startsWith('\uFEFF')) problem('bagit-txt', 'bagit.txt starts with a byte order mark', 'bagit.txt');
    if (!version) problem('bagit-txt', `bagit.txt line 1 is "${declared[0] ?? ''}", not "BagIt-Version: M.N"`, 'bagit.txt');
    else if (`${version[1]}.${version[2]}` !== '1.0') problem('bagit-txt', `BagIt-Version ${version[1]}.${version[2]}: only 1.0 is supported`, 'bagit.txt');
    if (declared[1] !== 'Tag-File-Character-Encoding: UTF-8') {
      problem('bagit-txt', `bagit.txt line 2 is "${declared[1] ?? ''}", not "Tag-File-Character-Encoding: UTF-8"`, 'bagit.txt');
    }
    if (declared.length > 2) problem('bagit-txt', 'bagit.txt has more than two lines', 'bagit.txt');
  }
  const dataInfo = await lstat(join(dir, 'data')).catch(() => null);
  if (!dataInfo?.isDirectory()) problem('no-data-directory', 'there is no data/ directory', 'data');
  if (listing.files.has('fetch.txt')) problem('fetch-not-supported', 'fetch.txt: bags with files to fetch are not accepted', 'fetch.txt');

  // Manifests.
  interface ManifestFile {
    path: string;
    algorithm: string;
    hexLength: number;
    isTag: boolean;
  }
  const manifests: ManifestFile[] = [];
  for (const path of [...listing.files.keys()].sort(compareCodeUnits)) {
    const match = /^(tag)?manifest-([A-Za-z0-9]+)\.txt$/.exec(path);
    if (!match) continue;
    const algorithm = match[2] ?? '';
    const spec = ALGORITHMS[algorithm];
    if (!spec) problem('unsupported-algorithm', `${path}: algorithm "${algorithm}" is not supported`, path);
    else manifests.push({ path, algorithm, hexLength: spec.hexLength, isTag: match[1] !== undefined });
  }
  // Payload manifests first, so that problems read in the bag's order.
  manifests.sort((a, b) => Number(a.isTag) - Number(b.isTag));
  if (!manifests.some((manifest) => !manifest.isTag)) problem('no-payload-manifest', 'no manifest-<algorithm>.txt');

  const entries: ManifestEntry[] = [];
  for (const { path: manifest, algorithm, hexLength, isTag } of manifests) {
    const text = await readText(manifest);
    if (text === null) continue;
    const seen = new Set<string>();
    lines(text).forEach((line, i) => {
      const where = `${manifest} line ${i + 1}`;
      const match = /^([0-9A-Fa-f]+)[ \t]+(.+)$/.exec(line);
      if (!match?.[1] || !match[2]) {
        problem('manifest-syntax', `${where}: not "checksum path"`, manifest);
        return;
      }
      const checksum = match[1].toLowerCase();
      const path = decodeManifestPath(match[2]);
      if (checksum.length !== hexLength) {
        problem('manifest-syntax', `${where}: a ${algorithm} checksum has ${hexLength} hex digits, not ${checksum.length}`, manifest);
        return;
      }
      const unsafe = unsafeBagPathReason(path);
      if (unsafe) {
        problem('unsafe-path', `${where}: "${path}": ${unsafe}`, manifest);
        return;
      }
      if (!isTag && !path.startsWith('data/')) {
        problem('manifest-syntax', `${where}: "${path}" is not under data/`, manifest);
        return;
      }
      if (isTag && (path.startsWith('data/') || /^tagmanifest-[A-Za-z0-9]+\.txt$/.test(path))) {
        problem('manifest-syntax', `${where}: a tag manifest cannot list "${path}"`, manifest);
        return;
      }
      if (seen.has(path)) {
        problem('duplicate-entry', `${where}: "${path}" is listed twice`, path);
        return;
      }
      seen.add(path);
      entries.push({ algorithm, checksum, path, manifest });
    });
    if (!isTag) {
      for (const path of listing.files.keys()) {
        if (path.startsWith('data/') && !seen.has(path)) problem('unlisted-payload-file', `${path} is not in ${manifest}`, path);
      }
    } else {
      for (const path of listing.files.keys()) {
        if (!path.startsWith('data/') && !/^tagmanifest-[A-Za-z0-9]+\.txt$/.test(path) && !seen.has(path)) {
          problem('unlisted-tag-file', `${path} is not in ${manifest}`, path);
        }
      }
    }
  }

  // Checksums: each file read once, for every algorithm that lists it.
  const wanted = new Map<string, ManifestEntry[]>();
  for (const entry of entries) {
    if (!listing.files.has(entry.path)) {
      problem('missing-file', `${entry.path} is in ${entry.manifest} but not in the bag`, entry.path);
      continue;
    }
    wanted.set(entry.path, [...(wanted.get(entry.path) ?? []), entry]);
  }
  if (!options.fast) {
    for (const [path, list] of [...wanted].sort(([a], [b]) => compareCodeUnits(a, b))) {
      let actual: Map<string, string>;
      try {
        actual = await hashFile(join(dir, path), [...new Set(list.map((entry) => entry.algorithm))]);
      } catch (error) {
        problem('unreadable', `${path}: ${(error as Error).message}`, path);
        continue;
      }
      for (const entry of list) {
        const found = actual.get(entry.algorithm);
        if (found !== entry.checksum) problem('checksum-mismatch', `${path}: ${entry.manifest} says ${entry.checksum}, the file's ${entry.algorithm} is ${found}`, path);
      }
    }
  }

  // bag-info.txt and Payload-Oxum.
  let payloadBytes = 0;
  let payloadFiles = 0;
  for (const [path, size] of listing.files) {
    if (!path.startsWith('data/')) continue;
    payloadBytes += size;
    payloadFiles += 1;
  }
  const info = await readText('bag-info.txt');
  if (info !== null) {
    const { fields, errors } = parseBagInfo(info);
    for (const error of errors) problem('bag-info', `bag-info.txt ${error}`, 'bag-info.txt');
    const oxums = fields.filter(([label]) => label === 'Payload-Oxum');
    if (oxums.length > 1) problem('bag-info', 'bag-info.txt has more than one Payload-Oxum', 'bag-info.txt');
    const oxum = oxums[0]?.[1];
    if (oxum !== undefined) {
      const match = /^(\d+)\.(\d+)$/.exec(oxum);
      if (!match) problem('payload-oxum', `Payload-Oxum "${oxum}" is not "octets.count"`, 'bag-info.txt');
      else if (Number(match[1]) !== payloadBytes || Number(match[2]) !== payloadFiles) {
        problem('payload-oxum', `Payload-Oxum says ${match[1]} bytes in ${match[2]} files, data/ holds ${payloadBytes} bytes in ${payloadFiles} files`, 'bag-info.txt');
      }
    }
  }

  return { valid: problems.length === 0, problems, payloadBytes, payloadFiles };
}
