/**
 * The BagIt (RFC 8493) export of one recording. The bag is built under a hidden sibling
 * name and renamed into place at the end: it is complete or absent. Every payload file is
 * hashed while it is copied and compared with the catalog's SHA-256 and size; a mismatch
 * aborts the export and removes what was written.
 *
 *   bagit.txt                 BagIt-Version 1.0, UTF-8
 *   bag-info.txt              Payload-Oxum, Bagging-Date, External-Identifier, ...
 *   manifest-sha256.txt       every file under data/
 *   tagmanifest-sha256.txt    every other file but itself
 *   metadata/dublin-core.xml  dcterms description of the recording
 *   metadata/premis.xml       PREMIS 3 objects (with fixity), events and agents
 *   data/manifest.json        the recorder's signed manifest, byte for byte
 *   data/notice-log.json      who was shown which notice, consented, declined, ...
 *   data/segments/..., data/timelines/...  the recording's files
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fsyncDirectory } from '@conclave/recorder/manifest';
import type { Readable } from 'node:stream';
import { compareCodeUnits, formatBagInfo, formatBagSize, manifestLine, payloadOxum, unsafeBagPathReason } from './encoding.js';
import { BagExportError } from './errors.js';
import { describeHold, describeRecording, dublinCoreXml, premisXml, type BaggedFile } from './metadata.js';
import type { BagOptions, BagPayloadFile, BagSummary, RecordingBagInput } from './types.js';

export const BAG_SOFTWARE_AGENT = 'Conclave archive (@conclave/archive 0.1.0)';
export const BAGIT_TXT = 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n';
export const PAYLOAD_MANIFEST = 'manifest-sha256.txt';
export const TAG_MANIFEST = 'tagmanifest-sha256.txt';
export const SIGNED_MANIFEST = 'manifest.json';
export const NOTICE_LOG = 'notice-log.json';

const HEX_SHA256 = /^[0-9a-f]{64}$/;

/**
 * Throws BagExportError naming the first thing wrong with `input`: 'invalid-input', or
 * 'fixity-mismatch' when the raw manifest does not hash to the catalog's SHA-256.
 */
export function checkBagInput(input: RecordingBagInput): void {
  const invalid = (message: string, path?: string): never => {
    throw new BagExportError('invalid-input', message, path);
  };
  if (!input.recordingId) invalid('the recording id is empty');
  if (input.manifest.parsed.recordingId !== input.recordingId) {
    invalid(`the signed manifest is recording "${input.manifest.parsed.recordingId}", not "${input.recordingId}"`);
  }
  if (input.manifest.sha256 !== undefined) {
    const actual = createHash('sha256').update(input.manifest.raw).digest('hex');
    if (actual !== input.manifest.sha256) {
      throw new BagExportError(
        'fixity-mismatch',
        `"${SIGNED_MANIFEST}": the raw manifest has SHA-256 ${actual} but the catalog expects ${input.manifest.sha256}; export aborted`,
        SIGNED_MANIFEST,
      );
    }
  }
  const seen = new Set<string>();
  for (const file of input.files) {
    const reason = unsafeBagPathReason(file.path);
    if (reason) invalid(`"${file.path}": ${reason}`, file.path);
    if (file.path === SIGNED_MANIFEST) invalid(`"${SIGNED_MANIFEST}" comes from manifest.raw, not from files`, file.path);
    if (seen.has(file.path)) invalid(`"${file.path}" is listed twice`, file.path);
    if (!HEX_SHA256.test(file.sha256)) invalid(`"${file.path}": the expected sha256 is not 64 lowercase hex digits`, file.path);
    if (!Number.isSafeInteger(file.bytes) || file.bytes < 0) invalid(`"${file.path}": bytes is not a size`, file.path);
    seen.add(file.path);
  }
  // Nested names: "a" as a file and "a/b" cannot both exist.
  for (const path of seen) {
    const segments = path.split('/');
    for (let i = 1; i < segments.length; i += 1) {
      const parent = segments.slice(0, i).join('/');
      if (seen.has(parent) || parent === SIGNED_MANIFEST) invalid(`"${path}" is inside "${parent}", which is a file`, path);
    }
  }
  // The catalog and the recorder's signed manifest must agree on every file the manifest lists.
  const catalog = new Map(input.files.map((file) => [file.path, file]));
  for (const signed of input.manifest.parsed.files) {
    const file = catalog.get(signed.path);
    if (!file) invalid(`"${signed.path}" is in the signed manifest but not among the files to export`, signed.path);
    else if (file.sha256 !== signed.sha256 || file.bytes !== signed.bytes) {
      invalid(
        `"${signed.path}": the catalog expects SHA-256 ${file.sha256} (${file.bytes} bytes), the signed manifest says ${signed.sha256} (${signed.bytes} bytes)`,
        signed.path,
      );
    }
  }
}

/** The notice log as a chronological list of events, each naming its participant. */
export function noticeLogJson(input: RecordingBagInput): string {
  const events = input.participants
    .flatMap((participant) => participant.notices.map((notice) => ({ at: notice.at, participant: participant.id, name: participant.name, event: notice.event, notice: notice.notice })))
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || compareCodeUnits(a.participant, b.participant));
  const participants = input.participants.map((participant) => ({ id: participant.id, name: participant.name }));
  return `${JSON.stringify({ version: 1, recordingId: input.recordingId, room: input.room, participants, events }, null, 2)}\n`;
}

/** Writes to `handle` until every byte is written. */
async function writeAll(handle: Awaited<ReturnType<typeof open>>, data: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    offset += bytesWritten;
  }
}

/** A new file holding `data`, synced; returns its SHA-256. */
async function writeNewFile(path: string, data: string | Uint8Array): Promise<string> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
  try {
    await writeAll(handle, bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return createHash('sha256').update(bytes).digest('hex');
}

/** Copies `file` to `dest`, hashing as it goes, and checks SHA-256 and size against the catalog. */
async function copyVerified(file: BagPayloadFile, dest: string): Promise<void> {
  let source: Readable;
  try {
    source = await file.open();
  } catch (error) {
    throw new BagExportError('io', `"${file.path}": cannot open the source: ${(error as Error).message}`, file.path, { cause: error });
  }
  const handle = await open(dest, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    try {
      for await (const chunk of source) {
        const buffer: Buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
        bytes += buffer.length;
        if (bytes > file.bytes) {
          throw new BagExportError('fixity-mismatch', `"${file.path}": the source holds more than the ${file.bytes} bytes the catalog expects; export aborted`, file.path);
        }
        hash.update(buffer);
        await writeAll(handle, buffer);
      }
    } catch (error) {
      if (error instanceof BagExportError) throw error;
      throw new BagExportError('io', `"${file.path}": reading the source failed: ${(error as Error).message}`, file.path, { cause: error });
    }
    await handle.sync();
  } finally {
    source.destroy();
    await handle.close();
  }
  const sha256 = hash.digest('hex');
  if (bytes !== file.bytes || sha256 !== file.sha256) {
    throw new BagExportError(
      'fixity-mismatch',
      `"${file.path}": the copy has SHA-256 ${sha256} (${bytes} bytes) but the catalog expects ${file.sha256} (${file.bytes} bytes); export aborted`,
      file.path,
    );
  }
}


async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * Writes the bag of one recording at `outDir` (which must not exist; its parent is
 * created). Rejects with BagExportError, having removed everything it wrote.
 */
export async function writeBag(input: RecordingBagInput, outDir: string, options: BagOptions): Promise<BagSummary> {
  checkBagInput(input);
  const target = resolve(outDir);
  const parent = dirname(target);
  if (await exists(target)) throw new BagExportError('exists', `${target} already exists`);
  await mkdir(parent, { recursive: true });
  const temp = join(parent, `.${basename(target)}.partial-${randomBytes(6).toString('hex')}`);
  await mkdir(temp);
  try {
    const summary = await fillBag(input, temp, options);
    await fsyncDirectory(temp);
    if (await exists(target)) throw new BagExportError('exists', `${target} appeared while the bag was written`);
    await rename(temp, target);
    await fsyncDirectory(parent);
    return { ...summary, dir: target };
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    if (error instanceof BagExportError) throw error;
    throw new BagExportError('io', `writing the bag of ${input.recordingId} failed: ${(error as Error).message}`, undefined, { cause: error });
  }
}

async function fillBag(input: RecordingBagInput, bag: string, options: BagOptions): Promise<Omit<BagSummary, 'dir'>> {
  const now = (options.now ?? (() => new Date()))();
  const softwareAgent = options.softwareAgent ?? BAG_SOFTWARE_AGENT;
  const created = new Set<string>([bag]);
  const ensureDir = async (dir: string): Promise<void> => {
    if (created.has(dir)) return;
    await ensureDir(dirname(dir));
    await mkdir(dir);
    created.add(dir);
  };

  const bagged: BaggedFile[] = [];
  for (const file of [...input.files].sort((a, b) => compareCodeUnits(a.path, b.path))) {
    const dest = join(bag, 'data', ...file.path.split('/'));
    await ensureDir(dirname(dest));
    await copyVerified(file, dest);
    bagged.push({ bagPath: `data/${file.path}`, originalPath: file.path, bytes: file.bytes, sha256: file.sha256, catalogChecked: true });
  }
  await ensureDir(join(bag, 'data'));
  const generated: Array<[string, string | Uint8Array]> = [[SIGNED_MANIFEST, input.manifest.raw]];
  if (!input.files.some((file) => file.path === NOTICE_LOG)) generated.push([NOTICE_LOG, noticeLogJson(input)]);
  for (const [path, data] of generated) {
    const sha256 = await writeNewFile(join(bag, 'data', path), data);
    bagged.push({ bagPath: `data/${path}`, originalPath: path, bytes: Buffer.byteLength(data), sha256, catalogChecked: false });
  }
  bagged.sort((a, b) => compareCodeUnits(a.bagPath, b.bagPath));

  const payloadBytes = bagged.reduce((sum, file) => sum + file.bytes, 0);
  const tagFiles: Array<[string, string]> = [
    ['bagit.txt', BAGIT_TXT],
    ['bag-info.txt', bagInfoTxt(input, options, now, softwareAgent, payloadBytes, bagged.length)],
    [PAYLOAD_MANIFEST, bagged.map((file) => manifestLine(file.sha256, file.bagPath)).join('')],
  ];
  const context = { input, files: bagged, exportedAt: now, softwareAgent, requestedBy: options.requestedBy, sourceOrganization: options.sourceOrganization };
  tagFiles.push(['metadata/dublin-core.xml', dublinCoreXml(context)], ['metadata/premis.xml', premisXml(context)]);

  let tagManifest = '';
  for (const [path, text] of tagFiles.sort(([a], [b]) => compareCodeUnits(a, b))) {
    await ensureDir(dirname(join(bag, path)));
    tagManifest += manifestLine(await writeNewFile(join(bag, path), text), path);
  }
  await writeNewFile(join(bag, TAG_MANIFEST), tagManifest);
  for (const dir of created) await fsyncDirectory(dir);

  return { payloadBytes, payloadFiles: bagged.length, sha256: new Map(bagged.map((file) => [file.bagPath, file.sha256])) };
}

function bagInfoTxt(input: RecordingBagInput, options: BagOptions, now: Date, softwareAgent: string, bytes: number, files: number): string {
  const fields: Array<[string, string]> = [
    ['Source-Organization', options.sourceOrganization],
    ['Bagging-Date', now.toISOString().slice(0, 10)],
    ['Payload-Oxum', payloadOxum(bytes, files)],
    ['Bag-Size', formatBagSize(bytes)],
    ['External-Identifier', input.recordingId],
    ['External-Description', describeRecording(input)],
    ['Internal-Sender-Identifier', options.internalSenderIdentifier ?? `conclave-recording:${input.recordingId}`],
    ['Bag-Software-Agent', softwareAgent],
    ['Conclave-Room', input.room],
    ['Conclave-Started-At', input.startedAt],
    ['Conclave-Ended-At', input.endedAt],
    ['Conclave-Recorder-Key-Id', input.manifest.parsed.recorder.keyId],
    ['Conclave-Retain-Until', input.retention.retainUntil ?? 'indefinitely'],
    ...input.retention.holds.map((hold): [string, string] => ['Conclave-Legal-Hold', describeHold(hold)]),
  ];
  return formatBagInfo(fields);
}
