/**
 * npm run archive:fixity -- [--data DIR]
 * Re-hashes every stored file of every active recording: one line per problem
 * ("FAIL <recording>/<path>: <what>"), then "N files checked in N recordings, N problems".
 * Exit 0 if none, 1 on any mismatch or missing file, 2 on bad usage or an error.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOG_FILE, openConfiguredArchive } from '../archive.js';
import { loadArchiveConfig } from '../config.js';
import { runFixity } from '../fixity/fixity.js';
import { parseArgs, plural, runCli, UsageError } from './args.js';

const USAGE = 'usage: npm run archive:fixity -- [--data DIR]   (default: ARCHIVE_DATA_DIR)\n';

async function main(args: string[]): Promise<number> {
  const parsed = parseArgs(args);
  if (parsed.positional.length > 0) throw new UsageError(`unexpected argument ${parsed.positional[0] ?? ''}`);
  const config = loadArchiveConfig();
  const dataDir = parsed.dataDir ?? config.dataDir;
  // Checking an archive that is not there must not create an empty one and report success.
  if (!config.databaseUrl && !existsSync(join(dataDir, CATALOG_FILE))) throw new UsageError(`${dataDir} is not an archive (no ${CATALOG_FILE})`);
  const archive = await openConfiguredArchive(config, dataDir);
  try {
    const report = await runFixity({ catalog: archive.catalog, store: archive.store, audit: archive.audit, actor: 'cli:fixity' });
    for (const problem of report.problems) process.stdout.write(`FAIL ${problem.recordingId}/${problem.path}: ${problem.message}\n`);
    process.stdout.write(`${plural(report.files, 'file')} checked in ${plural(report.recordings, 'recording')}, ${plural(report.problems.length, 'problem')}\n`);
    return report.problems.length > 0 ? 1 : 0;
  } finally {
    await archive.close();
  }
}

runCli('archive:fixity', USAGE, main);
