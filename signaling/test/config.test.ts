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
      expect(message).toMatch(/ICE_SERVERS: must be a JSON array/);
    }
  });

  it('accepts ICE servers as JSON', () => {
    const config = loadConfig({ ICE_SERVERS: '[{"urls":["turns:turn.lan:5349"],"username":"u","credential":"c"}]' });
    expect(config.ICE_SERVERS).toEqual([{ urls: ['turns:turn.lan:5349'], username: 'u', credential: 'c' }]);
  });
});
