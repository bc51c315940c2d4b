import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('defaults to loopback, port 3000, 8 seats and no ICE server', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ HOST: '127.0.0.1', PORT: 3000, ROOM_CAPACITY: 8, ICE_SERVERS: [] });
  });

  it('names every bad variable at once', () => {
    expect(() => loadConfig({ PORT: 'eighty', ROOM_CAPACITY: '1', ICE_SERVERS: 'stun:x' })).toThrowError(ConfigError);
    try {
      loadConfig({ PORT: 'eighty', ROOM_CAPACITY: '1', ICE_SERVERS: 'stun:x' });
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toMatch(/PORT/);
      expect(message).toMatch(/ROOM_CAPACITY/);
      expect(message).toMatch(/ICE_SERVERS: must be an array of RTCIceServer objects/);
    }
  });

  it('requires a token secret for token access and a TURN secret with TURN URLs', () => {
    expect(() => loadConfig({ ACCESS: 'token' })).toThrow(/TOKEN_SECRET: is required when ACCESS=token/);
    expect(() => loadConfig({ TURN_URLS: 'turn:turn.lan:3478' })).toThrow(/TURN_SECRET: is required/);
  });

  it('reads a JSON config file, with the environment taking precedence', () => {
    const dir = mkdtempSync(join(tmpdir(), 'conclave-config-'));
    const file = join(dir, 'conclave.json');
    writeFileSync(file, JSON.stringify({ PORT: 4000, ROOM_CAPACITY: 4, TURN_URLS: ['turn:turn.lan:3478'], TURN_SECRET: 'x'.repeat(16) }));
    const config = loadConfig({ CONFIG_FILE: file, ROOM_CAPACITY: '6' });
    expect(config).toMatchObject({ PORT: 4000, ROOM_CAPACITY: 6, TURN_URLS: ['turn:turn.lan:3478'] });

    writeFileSync(file, JSON.stringify({ PORTT: 4000 }));
    expect(() => loadConfig({ CONFIG_FILE: file })).toThrow(/unknown setting\(s\) PORTT/);
    writeFileSync(file, '{ not json');
    expect(() => loadConfig({ CONFIG_FILE: file })).toThrow(/not valid JSON/);
    expect(() => loadConfig({ CONFIG_FILE: join(dir, 'missing.json') })).toThrow(/cannot read CONFIG_FILE/);
  });

  it('accepts ICE servers as JSON', () => {
    const config = loadConfig({ ICE_SERVERS: '[{"urls":["turns:turn.lan:5349"],"username":"u","credential":"c"}]' });
    expect(config.ICE_SERVERS).toEqual([{ urls: ['turns:turn.lan:5349'], username: 'u', credential: 'c' }]);
  });

  it('accepts ICE_TRANSPORT_POLICY=relay only with a TURN server to relay through', () => {
    expect(loadConfig({}).ICE_TRANSPORT_POLICY).toBe('all');
    expect(() => loadConfig({ ICE_TRANSPORT_POLICY: 'relay' })).toThrow(/ICE_TRANSPORT_POLICY: relay needs a TURN server/);
    expect(() => loadConfig({ ICE_TRANSPORT_POLICY: 'relay', ICE_SERVERS: '[{"urls":"stun:stun.lan:3478"}]' })).toThrow(/relay needs a TURN server/);
    expect(() => loadConfig({ ICE_TRANSPORT_POLICY: 'none' })).toThrow(/ICE_TRANSPORT_POLICY/);
    const turn = { TURN_URLS: 'turn:turn.lan:3478', TURN_SECRET: 'x'.repeat(16) };
    expect(loadConfig({ ...turn, ICE_TRANSPORT_POLICY: 'relay' }).ICE_TRANSPORT_POLICY).toBe('relay');
    const iceServers = '[{"urls":["turns:turn.lan:5349"],"username":"u","credential":"c"}]';
    expect(loadConfig({ ICE_SERVERS: iceServers, ICE_TRANSPORT_POLICY: 'relay' }).ICE_TRANSPORT_POLICY).toBe('relay');
  });
});
