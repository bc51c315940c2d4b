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
});
