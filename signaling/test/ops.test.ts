import type { KnockOk } from '@conclave/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { mintToken } from '../src/access/tokens.js';
import { client, closeAll, emit, freshRoom, join, startSignaling } from './harness.js';

afterEach(closeAll);

const TOKEN_SECRET = 'ops-test-token-secret-long-enough-123';

describe('operations', () => {
  it('exposes probes and Prometheus metrics', async () => {
    const server = await startSignaling();
    try {
      const alice = await client(server);
      const bob = await client(server);
      const room = freshRoom();
      const a = await join(alice, room, 'Alice');
      await join(bob, room, 'Bob');
      await emit(bob, 'signal', { to: a.id, data: { type: 'offer', sdp: 'v=0' } });
      await emit(bob, 'no-such-event');

      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toMatch(/^conclave_sockets 2$/m);
      expect(metrics).toMatch(/^conclave_rooms 1$/m);
      expect(metrics).toMatch(/^conclave_joins_total\{kind="join"\} 2$/m);
      expect(metrics).toMatch(/^conclave_rejections_total\{reason="unknown-event"\} 1$/m);
      expect(metrics).toMatch(/^conclave_relay_seconds_count 1$/m);
      expect(metrics).toMatch(/^nodejs_eventloop_lag_seconds /m);
    } finally {
      await server.close();
    }
  });

  it('is not ready once shutting down', async () => {
    const server = await startSignaling();
    const socket = await client(server);
    await join(socket, freshRoom(), 'Ada');
    const shutdown = server.shutdown();
    // The HTTP server stops listening first: a probe now fails to connect or says not ready.
    const probe = await fetch(`${server.url}/readyz`).then((r) => r.status, () => 'refused');
    expect([503, 'refused']).toContain(probe);
    await shutdown;
  });

  it('never logs passwords, tokens, secrets or session descriptions', async () => {
    const logs: string[] = [];
    const server = await startSignaling({ TOKEN_SECRET }, logs);
    try {
      const room = freshRoom();
      const password = 'P4ssw0rd-do-not-log';
      const token = await mintToken(TOKEN_SECRET, { room, role: 'moderator', ttlSeconds: 60 });
      const sdp = 'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\na=fingerprint:sha-256 AB:CD';
      const owner = await client(server);
      const o = await join(owner, room, 'Owner', { password, token });
      await emit(owner, 'lock', { locked: true });
      const guest = await client(server);
      await emit(guest, 'join', { room, name: 'Guest', password: 'wrong-guess-do-not-log' });
      const knock = (await emit(guest, 'knock', { room, name: 'Guest' })) as KnockOk;
      await emit(owner, 'admit', { id: knock.id });
      const g = await join(guest, room, 'Guest', { ticket: knock.ticket });
      await emit(guest, 'signal', { to: o.id, data: { type: 'offer', sdp } });
      await emit(guest, 'join', { room, name: 'X', token: 'garbage.token.value' });

      const text = logs.join('');
      expect(text).toContain(o.id); // the logs do record who joined
      for (const secret of [password, 'wrong-guess-do-not-log', token, knock.ticket, o.resume, g.resume, 'a=fingerprint', 'garbage.token.value']) {
        expect(text).not.toContain(secret);
      }
    } finally {
      await server.close();
    }
  });
});
