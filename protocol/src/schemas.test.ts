import { describe, expect, it } from 'vitest';
import { NAME_MAX_LENGTH, MAX_SDP_LENGTH } from './limits.js';
import { displayNameSchema, joinRequestSchema, roomIdSchema, signalDataSchema, signalRequestSchema } from './schemas.js';

describe('roomIdSchema', () => {
  it.each(['abcd', 'Zq3-_x9A', 'a'.repeat(64)])('accepts %s', (id) => {
    expect(roomIdSchema.safeParse(id).success).toBe(true);
  });
  it.each(['abc', 'a'.repeat(65), 'has space', '../etc', 'é-room', ''])('refuses %j', (id) => {
    expect(roomIdSchema.safeParse(id).success).toBe(false);
  });
});

describe('displayNameSchema', () => {
  it('trims and keeps Unicode names', () => {
    expect(displayNameSchema.parse('  Zoë Ødegård  ')).toBe('Zoë Ødegård');
  });
  it('counts code points, not UTF-16 units', () => {
    expect(displayNameSchema.safeParse('😀'.repeat(NAME_MAX_LENGTH)).success).toBe(true);
    expect(displayNameSchema.safeParse('😀'.repeat(NAME_MAX_LENGTH + 1)).success).toBe(false);
  });
  it.each(['', '   ', 'tab\there', 'bell\u0007', 'evil\u202Eegassem', 'nul\u0000'])('refuses %j', (name) => {
    expect(displayNameSchema.safeParse(name).success).toBe(false);
  });
});

describe('signalDataSchema', () => {
  it('accepts every message simple-peer sends', () => {
    const messages = [
      { type: 'offer', sdp: 'v=0\r\n' },
      { type: 'answer', sdp: 'v=0\r\n' },
      { type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 2122260223 192.0.2.2 50000 typ host', sdpMLineIndex: 0, sdpMid: '0' } },
      { type: 'renegotiate', renegotiate: true },
      { type: 'transceiverRequest', transceiverRequest: { kind: 'video', init: { direction: 'sendrecv' } } },
    ];
    for (const message of messages) expect(signalDataSchema.parse(message)).toEqual(message);
  });
  it('refuses unknown types, extra fields and oversized SDP', () => {
    expect(signalDataSchema.safeParse({ type: 'bye' }).success).toBe(false);
    expect(signalDataSchema.safeParse({ type: 'offer', sdp: 'v=0', from: 'x' }).success).toBe(false);
    expect(signalDataSchema.safeParse({ type: 'offer', sdp: 'x'.repeat(MAX_SDP_LENGTH + 1) }).success).toBe(false);
    expect(signalDataSchema.safeParse(null).success).toBe(false);
  });
});

describe('requests', () => {
  it('join requires a room and a name, nothing else', () => {
    expect(joinRequestSchema.safeParse({ room: 'room-1', name: 'Ada' }).success).toBe(true);
    expect(joinRequestSchema.safeParse({ room: 'room-1' }).success).toBe(false);
    expect(joinRequestSchema.safeParse({ room: 'room-1', name: 'Ada', id: 'forged' }).success).toBe(false);
  });
  it('signal carries no sender: the server stamps it', () => {
    const to = 'A'.repeat(22);
    expect(signalRequestSchema.safeParse({ to, data: { type: 'renegotiate', renegotiate: true } }).success).toBe(true);
    expect(
      signalRequestSchema.safeParse({ to, from: 'B'.repeat(22), data: { type: 'renegotiate', renegotiate: true } }).success,
    ).toBe(false);
  });
});
