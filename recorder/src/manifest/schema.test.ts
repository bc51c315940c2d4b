import { describe, expect, it } from 'vitest';
import { describeIssues, formatIssuePath, manifestSchema, unsafePathReason, type Manifest } from './schema.js';

const valid: Manifest = {
  version: 1,
  recordingId: 'rec-1',
  room: 'board',
  startedAt: '2025-01-01T10:00:00.000Z',
  endedAt: '2025-01-01T11:30:00+01:00',
  recorder: { publicKey: Buffer.alloc(32, 7).toString('base64'), keyId: '0123456789abcdef' },
  previousManifestSha256: 'b'.repeat(64),
  participants: [
    { id: 'p1', name: 'Alice', notices: [{ event: 'shown', notice: 'notice-v3', at: '2025-01-01T10:00:00.000Z' }, { event: 'consented', notice: 'notice-v3', at: '2025-01-01T10:00:02.000Z' }] },
  ],
  segments: [
    {
      index: 1,
      file: 'segments/segment-0001.mkv',
      startOffsetMs: 0,
      endOffsetMs: 60_000,
      reason: 'start',
      tracks: [{ participant: 'p1', kind: 'audio', codec: 'opus', startOffsetMs: 120, gaps: [{ fromMs: 1000, toMs: 4000, reason: 'link-dropped' }] }],
      chapters: [{ startMs: 0, endMs: 60_000, title: 'Opening' }],
      access: [{ participant: 'p1', file: 'segments/segment-0001/p1.webm' }],
    },
  ],
  files: [
    { path: 'segments/segment-0001.mkv', sha256: 'a'.repeat(64), bytes: 10 },
    { path: 'segments/segment-0001/p1.webm', sha256: 'd'.repeat(64), bytes: 8 },
  ],
  signature: Buffer.alloc(64, 9).toString('base64'),
};

function problems(manifest: unknown): string[] {
  const result = manifestSchema.safeParse(manifest);
  return result.success ? [] : describeIssues(result.error);
}

describe('the manifest schema', () => {
  it('accepts a complete manifest', () => {
    expect(problems(valid)).toEqual([]);
  });

  it('rejects unknown fields at any depth, naming where', () => {
    expect(problems({ ...valid, extra: 1 })).toEqual(['(root): Unrecognized key: "extra"']);
    const segments = [{ ...valid.segments[0], tracks: [{ ...valid.segments[0]!.tracks[0], muted: true }] }];
    expect(problems({ ...valid, segments })).toEqual(['segments[0].tracks[0]: Unrecognized key: "muted"']);
  });

  it('rejects bad dates, enums, numbers, hashes and keys, naming each field', () => {
    const bad = {
      ...valid,
      version: 2,
      startedAt: '2025-01-01 10:00',
      previousManifestSha256: 'B'.repeat(64),
      recorder: { publicKey: Buffer.alloc(31).toString('base64'), keyId: 'xyz' },
      participants: [{ ...valid.participants[0], notices: [{ event: 'ignored', notice: '', at: 'yesterday' }] }],
      files: [{ path: 'segments/segment-0001.mkv', sha256: 'a'.repeat(63), bytes: -1 }, valid.files[1]],
      signature: 'nope',
    };
    const found = problems(bad).map((line) => line.split(':')[0]);
    expect(found).toEqual(
      expect.arrayContaining([
        'version',
        'startedAt',
        'previousManifestSha256',
        'recorder.publicKey',
        'recorder.keyId',
        'participants[0].notices[0].event',
        'participants[0].notices[0].notice',
        'participants[0].notices[0].at',
        'files[0].sha256',
        'files[0].bytes',
        'signature',
      ]),
    );
  });

  it('bounds strings', () => {
    expect(problems({ ...valid, room: 'x'.repeat(257) })).toEqual([expect.stringMatching(/^room: /)]);
    expect(problems({ ...valid, recordingId: '' })).toEqual([expect.stringMatching(/^recordingId: /)]);
  });

  it('rejects paths that could leave the recording directory', () => {
    for (const path of ['../escape.mkv', 'segments/../../escape', '/etc/passwd', 'C:/x', 'a\\b', 'a//b', './a', 'a/', 'a b', 'ü.mkv']) {
      const found = problems({ ...valid, files: [...valid.files, { path, sha256: 'c'.repeat(64), bytes: 1 }] });
      expect(found, path).toEqual([expect.stringMatching(/^files\[2\]\.path: /)]);
    }
    expect(problems({ ...valid, files: [...valid.files, { path: '../x', sha256: 'c'.repeat(64), bytes: 1 }] })[0]).toMatch(/path traversal/);
    expect(unsafePathReason('segments/segment-0001.mkv')).toBeNull();
    expect(unsafePathReason('.hidden/x')).toBeNull();
  });

  it('checks consistency across fields', () => {
    const segment = valid.segments[0]!;
    expect(problems({ ...valid, endedAt: '2025-01-01T09:00:00.000Z' })).toEqual(['endedAt: endedAt is before startedAt']);
    expect(problems({ ...valid, segments: [{ ...segment, file: 'segments/other.mkv' }] })).toEqual(['segments[0].file: "segments/other.mkv" is not in files']);
    expect(problems({ ...valid, segments: [{ ...segment, tracks: [{ ...segment.tracks[0], participant: 'ghost' }] }] })).toEqual([
      'segments[0].tracks[0].participant: "ghost" is not a participant id',
      'segments[0].access[0].participant: "p1" has no track in this segment',
    ]);
    expect(problems({ ...valid, segments: [segment, segment] })).toEqual([
      'segments[1].index: duplicate segment index 1',
      'segments[1].access[0].file: "segments/segment-0001/p1.webm" is already a segment file or another access copy',
    ]);
    expect(problems({ ...valid, files: [...valid.files, valid.files[0]] })).toEqual(['files[2].path: duplicate path "segments/segment-0001.mkv"']);
    expect(problems({ ...valid, files: [...valid.files, { path: 'manifest.json', sha256: 'c'.repeat(64), bytes: 1 }] })).toEqual([
      'files[2].path: manifest.json cannot list itself',
    ]);
    expect(problems({ ...valid, segments: [{ ...segment, startOffsetMs: 10, endOffsetMs: 5 }] })).toEqual(['segments[0].endOffsetMs: endOffsetMs is before startOffsetMs']);
  });

  it('checks the access copies: known participants recorded in the segment, listed files, one role per file', () => {
    const segment = valid.segments[0]!;
    const withAccess = (access: unknown, extra: Partial<Manifest> = {}) => problems({ ...valid, ...extra, segments: [{ ...segment, access }] });
    // Recordings sealed before access copies existed have none.
    expect(problems({ ...valid, segments: [{ ...segment, access: undefined }], files: [valid.files[0]] })).toEqual([]);
    expect(withAccess([])).toEqual([]);
    expect(withAccess([{ participant: 'ghost', file: 'segments/segment-0001/p1.webm' }])).toEqual(['segments[0].access[0].participant: "ghost" is not a participant id']);
    const bob = { id: 'p2', name: 'Bob', notices: [] };
    expect(withAccess([{ participant: 'p2', file: 'segments/segment-0001/p1.webm' }], { participants: [...valid.participants, bob] })).toEqual([
      'segments[0].access[0].participant: "p2" has no track in this segment',
    ]);
    expect(withAccess([{ participant: 'p1', file: 'segments/segment-0001/p9.webm' }])).toEqual(['segments[0].access[0].file: "segments/segment-0001/p9.webm" is not in files']);
    expect(withAccess([{ participant: 'p1', file: 'segments/segment-0001.mkv' }])).toEqual([
      'segments[0].access[0].file: "segments/segment-0001.mkv" is already a segment file or another access copy',
    ]);
    expect(withAccess([...segment.access!, ...segment.access!])).toEqual([
      'segments[0].access[1].participant: a second access copy for "p1"',
      'segments[0].access[1].file: "segments/segment-0001/p1.webm" is already a segment file or another access copy',
    ]);
    expect(withAccess([{ participant: 'p1', file: '../p1.webm' }])).toEqual([
      expect.stringMatching(/^segments\[0\]\.access\[0\]\.file: path traversal/),
      'segments[0].access[0].file: "../p1.webm" is not in files',
    ]);
    expect(withAccess([{ ...segment.access![0], kind: 'video' }])).toEqual(['segments[0].access[0]: Unrecognized key: "kind"']);
  });

  it('formats issue paths', () => {
    expect(formatIssuePath(['segments', 0, 'tracks', 1, 'kind'])).toBe('segments[0].tracks[1].kind');
    expect(formatIssuePath([])).toBe('(root)');
  });
});
