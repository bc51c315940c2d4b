/**
 * npm run archive:ingest -- [--data DIR] RECORDING_DIR...
 * Ingests each sealed recording directory: "ingested <id> (N files, N bytes, chain: <status>)",
 * "already <id>", or "REFUSED <dir>" followed by one indented line per problem.
 * Trusted recorder keys and retention come from the environment (see config.ts).
 * Exit 0 if all were ingested (or already were), 1 if any was refused or failed, 2 on bad usage.
 */
import { userInfo } from 'node:os';
import { openConfiguredArchive } from '../archive.js';
import { loadArchiveConfig } from '../config.js';
import { IngestRefusedError } from '../errors.js';
import { ingestRecording } from '../ingest/ingest.js';
import { parseArgs, plural, runCli, UsageError } from './args.js';

const USAGE = 'usage: npm run archive:ingest -- [--data DIR] RECORDING_DIR...   (default data: ARCHIVE_DATA_DIR)\n';

async function main(args: string[]): Promise<number> {
  const parsed = parseArgs(args);
  if (parsed.positional.length === 0) throw new UsageError('no recording directory given');
  const config = loadArchiveConfig();
  if (config.trustedRecorderKeys.length === 0) {
    process.stderr.write('archive:ingest: no trusted recorder key (set ARCHIVE_TRUSTED_RECORDER_KEYS): every recording will be refused\n');
  }
  const archive = await openConfiguredArchive(config, parsed.dataDir ?? config.dataDir);
  let failed = 0;
  try {
    const deps = { catalog: archive.catalog, store: archive.store, audit: archive.audit, trustedRecorderKeys: config.trustedRecorderKeys, retention: config.retention, actor: `cli:${userInfo().username}` };
    for (const dir of parsed.positional) {
      try {
        const result = await ingestRecording(dir, deps);
        if (result.status === 'already') process.stdout.write(`already ${result.recordingId}\n`);
        else process.stdout.write(`ingested ${result.recordingId} (${plural(result.files, 'file')}, ${plural(result.bytes, 'byte')}, chain: ${result.chain.status})\n`);
      } catch (error) {
        failed++;
        if (error instanceof IngestRefusedError) process.stdout.write(`REFUSED ${dir}\n${error.problems.map((problem) => `  ${problem}\n`).join('')}`);
        else process.stdout.write(`FAILED ${dir}: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
  } finally {
    await archive.close();
  }
  return failed > 0 ? 1 : 0;
}

runCli('archive:ingest', USAGE, main);
