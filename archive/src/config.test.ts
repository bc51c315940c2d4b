import { describe, expect, it } from 'vitest';
import { loadArchiveConfig } from './config.js';

const KEY = 'MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqo='.slice(0, 43) + '=';

describe('loadArchiveConfig', () => {
  it('has defaults that keep everything and trust no recorder', () => {
    expect(loadArchiveConfig({})).toMatchObject({
      dataDir: 'archive-data',
      databaseUrl: null,
      trustedRecorderKeys: [],
      retention: { defaultDays: null, rooms: {} },
      logLevel: 'info',
      host: '127.0.0.1',
      port: 3200,
      publicUrl: null,
      tls: false,
      inbox: null,
      inboxSeconds: 10,
    });
  });

  it('reads keys, default and per-room retention', () => {
    const config = loadArchiveConfig({
      ARCHIVE_DATA_DIR: '/srv/archive',
      ARCHIVE_TRUSTED_RECORDER_KEYS: `${KEY}, ${KEY}`,
      ARCHIVE_RETENTION_DAYS: '365',
      ARCHIVE_ROOM_RETENTION: '{"legal": "forever", "standup": 30}',
    });
    expect(config).toMatchObject({ dataDir: '/srv/archive', trustedRecorderKeys: [KEY, KEY], retention: { defaultDays: 365, rooms: { legal: null, standup: 30 } } });
  });

  it('names every bad setting', () => {
    expect(() => loadArchiveConfig({ ARCHIVE_TRUSTED_RECORDER_KEYS: 'not-a-key', ARCHIVE_RETENTION_DAYS: '0', ARCHIVE_ROOM_RETENTION: '{legal: 1}' })).toThrow(
      /invalid archive configuration:\n {2}ARCHIVE_TRUSTED_RECORDER_KEYS\.0: each key is the base64.*\n {2}ARCHIVE_RETENTION_DAYS: a whole number of days.*\n {2}ARCHIVE_ROOM_RETENTION: not JSON/,
    );
    expect(() => loadArchiveConfig({ ARCHIVE_ROOM_RETENTION: '{"legal": -3}' })).toThrow(/ARCHIVE_ROOM_RETENTION\.legal: a whole number of days/);
  });

  it('takes a PostgreSQL URL with a database name, and nothing else, for the catalog', () => {
    expect(loadArchiveConfig({ ARCHIVE_DATABASE_URL: 'postgres://archive:secret@db.example:5432/archive' }).databaseUrl).toBe('postgres://archive:secret@db.example:5432/archive');
    expect(loadArchiveConfig({ ARCHIVE_DATABASE_URL: 'postgresql://db.example/archive' }).databaseUrl).toBe('postgresql://db.example/archive');
    for (const bad of ['mysql://db.example/archive', 'postgres://db.example', 'db.example:5432/archive']) {
      expect(() => loadArchiveConfig({ ARCHIVE_DATABASE_URL: bad }), bad).toThrow(/ARCHIVE_DATABASE_URL: a PostgreSQL URL/);
    }
  });

  it('builds the S3 store from its settings, and names what is missing', () => {
    const config = loadArchiveConfig({
      ARCHIVE_STORE: 's3',
      ARCHIVE_S3_ENDPOINT: 'http://10.0.4.2:9000',
      ARCHIVE_S3_BUCKET: 'archive',
      ARCHIVE_S3_ACCESS_KEY_ID: 'conclave',
      ARCHIVE_S3_SECRET_ACCESS_KEY: 'secret',
      ARCHIVE_S3_OBJECT_LOCK_MODE: 'COMPLIANCE',
      ARCHIVE_S3_OBJECT_LOCK_DAYS: '3650',
    });
    expect(config.s3).toMatchObject({ endpoint: 'http://10.0.4.2:9000', bucket: 'archive', region: 'us-east-1', objectLock: { mode: 'COMPLIANCE', days: 3650 }, conditionalWrites: true });
    expect(loadArchiveConfig({}).s3).toBeNull();
    expect(() => loadArchiveConfig({ ARCHIVE_STORE: 's3' })).toThrow(/ARCHIVE_S3_BUCKET: required with ARCHIVE_STORE=s3[\s\S]*ARCHIVE_S3_ACCESS_KEY_ID: required/);
    expect(() => loadArchiveConfig({ ARCHIVE_S3_OBJECT_LOCK_MODE: 'COMPLIANCE' })).toThrow(/set both ARCHIVE_S3_OBJECT_LOCK_MODE and ARCHIVE_S3_OBJECT_LOCK_DAYS/);
    expect(() => loadArchiveConfig({ ARCHIVE_FIXITY_HOURS: '0' })).toThrow(/ARCHIVE_FIXITY_HOURS/);
  });
});
