import type { JoinOk, Peer } from '@conclave/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mintRecorderToken, verifyRecordingGrant } from '../src/access/recording-tokens.js';
import { mintToken } from '../src/access/tokens.js';
import type { RunningServer } from '../src/server.js';
import { client, closeAll, emit, freshRoom, join, next, refusal, startSignaling } from './harness.js';

const RECORDER_SECRET = 'recorder-shared-secret-long-enough-0123';
const RECORDER_URL = 'http://127.0.0.1:4100';
const TOKEN_SECRET = 'join-token-secret-long-enough-0123456789';

let server: RunningServer;
let bare: RunningServer;
beforeAll(async () => {
  server = await startSignaling({ RECORDER_SECRET, RECORDER_URL, TOKEN_SECRET, COMPLIANCE_ROOMS: 'compliance-room-0001' });
  bare = await startSignaling({});
});
afterAll(async () => {
  await server.close();
  await bare.close();
});
afterEach(closeAll);

describe('the recorder role', () => {
  it('is refused to a browser that merely claims it, or holds a token for another room or another secret', async () => {
    const room = freshRoom();
    await join(await client(server), room, 'Ada');
    const claimant = await client(server);
    expect(await refusal(claimant, 'join', { room, name: 'Recorder', role: 'recorder' })).toBe('forbidden');
    const otherRoom = await mintRecorderToken(RECORDER_SECRET, { room: freshRoom(), recording: 'r1', ttlSeconds: 60 });
    expect(await refusal(claimant, 'join', { room, name: 'x', role: 'recorder', token: otherRoom })).toBe('forbidden');
    const forged = await mintRecorderToken('another-secret-that-is-long-enough-0000', { room, recording: 'r1', ttlSeconds: 60 });
    expect(await refusal(claimant, 'join', { room, name: 'x', role: 'recorder', token: forged })).toBe('forbidden');
  });

  it('is taken by the recording service, named Recorder for everyone, past the lock', async () => {
    const room = freshRoom();
    const ada = await client(server);
    await join(ada, room, 'Ada');
    expect(await emit(ada, 'lock', { locked: true })).toEqual({ ok: true });
    const arrival = next<Peer>(ada, 'peer-joined');
    const token = await mintRecorderToken(RECORDER_SECRET, { room, recording: 'r1', ttlSeconds: 60 });
    const recorder = await join(await client(server), room, 'Anything', { role: 'recorder', token });
    expect(recorder.role).toBe('recorder');
    expect(await arrival).toMatchObject({ role: 'recorder', name: 'Recorder' });
  });
});

describe('recording grants', () => {
  it('go to moderators only (by default), and carry room, participant and action', async () => {
    const room = freshRoom();
    const mod = await client(server);
    const joined = await join(mod, room, 'Mod');
    expect(joined.recording).toEqual({ url: RECORDER_URL, policy: 'moderators', compliance: false });
    const reply = (await emit(mod, 'recording-grant', { action: 'start' })) as { ok: true; grant: string; url: string };
    expect(reply.url).toBe(RECORDER_URL);
    expect(await verifyRecordingGrant(RECORDER_SECRET, reply.grant)).toMatchObject({ room, sub: joined.id, action: 'start' });
    const guest = await client(server);
    await join(guest, room, 'Guest');
    expect(await refusal(guest, 'recording-grant', { action: 'start' })).toBe('forbidden');
    expect(await refusal(guest, 'recording-grant', { action: 'pause' })).toBe('invalid');
  });

  it('are unavailable without a recording service', async () => {
    const mod = await client(bare);
    const joined: JoinOk = await join(mod, freshRoom(), 'Mod');
    expect(joined.recording.url).toBeNull();
    expect(await refusal(mod, 'recording-grant', { action: 'start' })).toBe('recording-unavailable');
  });
});

describe('compliance rooms', () => {
  it('need the recording notice accepted before joining, and say so', async () => {
    const room = 'compliance-room-0001';
    const person = await client(server);
    expect(await refusal(person, 'join', { room, name: 'Ada' })).toBe('notice-required');
    const joined = await join(person, room, 'Ada', { acknowledgeRecording: true });
    expect(joined.recording.compliance).toBe(true);
    // Always recorded: anyone may start it, nobody may stop it.
    const guest = await client(server);
    await join(guest, room, 'Guest', { acknowledgeRecording: true });
    expect(await emit(guest, 'recording-grant', { action: 'start' })).toMatchObject({ ok: true });
    expect(await refusal(person, 'recording-grant', { action: 'stop' })).toBe('forbidden');
  });

  it('can be opened by a join token with the compliance claim: every later joiner accepts the notice, nobody stops it', async () => {
    const room = freshRoom();
    const token = await mintToken(TOKEN_SECRET, { room, role: 'moderator', compliance: true, ttlSeconds: 60 });
    const chair = await client(server);
    expect(await refusal(chair, 'join', { room, name: 'Chair', token })).toBe('notice-required');
    const opened = await join(chair, room, 'Chair', { token, acknowledgeRecording: true });
    expect(opened.recording.compliance).toBe(true);
    // A guest without any token is held to the room's notice too.
    const guest = await client(server);
    expect(await refusal(guest, 'join', { room, name: 'Guest' })).toBe('notice-required');
    expect((await join(guest, room, 'Guest', { acknowledgeRecording: true })).recording.compliance).toBe(true);
    // Not even the moderator who opened it may stop its recording.
    expect(await refusal(chair, 'recording-grant', { action: 'stop' })).toBe('forbidden');
    expect(await emit(guest, 'recording-grant', { action: 'start' })).toMatchObject({ ok: true });
  });

  it('refuses a compliance token in a room that was opened without it, and leaves that room as it was', async () => {
    const room = freshRoom();
    const ada = await client(server);
    await join(ada, room, 'Ada');
    const token = await mintToken(TOKEN_SECRET, { room, role: 'participant', compliance: true, ttlSeconds: 60 });
    const late = await client(server);
    expect(await refusal(late, 'join', { room, name: 'Late', token, acknowledgeRecording: true })).toBe('forbidden');
    const bob = await client(server);
    expect((await join(bob, room, 'Bob')).recording.compliance).toBe(false);
    expect((await join(await client(server), room, 'Carol')).peers.map((peer) => peer.name)).toEqual(['Ada', 'Bob']);
  });
});
