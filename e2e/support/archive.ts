import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadArchiveConfig, startArchive, type RunningArchive } from '@conclave/archive';
import { loadOrCreateRecorderKey } from '@conclave/recorder/manifest';
import type { RecordingSetup } from './recorder.js';

export const ARCHIVIST = { username: 'claire', password: 'claire’s long archive passphrase' };

export interface ArchiveSetup {
  archive: RunningArchive;
  close(): Promise<void>;
}

/**
 * An archive service whose inbox is the recording service's `recordings/` directory and
 * which trusts that recorder's key, with one archivist account.
 */
export async function startArchiveFor(recording: RecordingSetup): Promise<ArchiveSetup> {
  // The recorder creates its signing key on first use; creating it now lets the archive trust it from the start.
  const key = await loadOrCreateRecorderKey(join(recording.dataDir, 'keys'));
  const dataDir = await mkdtemp(join(tmpdir(), 'conclave-archive-'));
  const config = loadArchiveConfig({
    ARCHIVE_DATA_DIR: dataDir,
    ARCHIVE_PORT: '0',
    ARCHIVE_INBOX: join(recording.dataDir, 'recordings'),
    ARCHIVE_INBOX_SECONDS: '1',
    ARCHIVE_TRUSTED_RECORDER_KEYS: key.publicKeyBase64,
    LOG_LEVEL: 'warn',
  });
  const archive = await startArchive(config, pino({ level: 'warn' }));
  await archive.accounts.create(ARCHIVIST.username, ARCHIVIST.password, 'archivist', { actor: 'e2e' });
  return {
    archive,
    close: async () => {
      await archive.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
