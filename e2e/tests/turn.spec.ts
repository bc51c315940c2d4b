import { randomUUID } from 'node:crypto';
import type { Page } from '@playwright/test';
import { turnCredentials, type RunningServer } from '@conclave/signaling';
import { expect, joinAs, test } from '../support/fixtures.js';
import { expectVideoFlowing } from '../support/media.js';
import { startTestServer } from '../support/server.js';
import { startTurnServer, type RunningTurn } from '../support/turn.js';

/**
 * Calls through a real coturn (Debian package `coturn`), with the credentials the
 * signaling server mints (use-auth-secret), and ICE_TRANSPORT_POLICY=relay so that the
 * browsers may use nothing but the relay: no host candidate can rescue a broken TURN setup.
 */

const TURN_SECRET = 'e2e-turn-secret-0123456789abcdef';

interface PairReport {
  connectionState: RTCPeerConnectionState;
  policy: RTCIceTransportPolicy | undefined;
  turnUsernames: string[];
  /** Types of the selected pair's candidates, when there is one. */
  local?: string;
  remote?: string;
  relayCandidates: number;
  succeededPairs: number;
  framesDecoded: number;
}

/** Per open peer connection: its configuration and, from getStats, the selected candidate pair. */
async function pairReports(page: Page): Promise<PairReport[]> {
  return page.evaluate(async () => {
    const open = (window.__e2ePeerConnections ?? []).filter((pc) => pc.connectionState !== 'closed');
    return Promise.all(
      open.map(async (pc) => {
        const stats: Record<string, unknown>[] = [];
        (await pc.getStats()).forEach((stat: Record<string, unknown>) => stats.push(stat));
        const byId = new Map(stats.map((stat) => [stat.id as string, stat]));
        const transport = stats.find((stat) => stat.type === 'transport' && stat.selectedCandidatePairId);
        const pair = transport ? byId.get(transport.selectedCandidatePairId as string) : undefined;
        const configuration = pc.getConfiguration();
        return {
          connectionState: pc.connectionState,
          policy: configuration.iceTransportPolicy,
          turnUsernames: (configuration.iceServers ?? []).filter((server) => server.username).map((server) => server.username as string),
          ...(pair ? { local: byId.get(pair.localCandidateId as string)?.candidateType as string } : {}),
          ...(pair ? { remote: byId.get(pair.remoteCandidateId as string)?.candidateType as string } : {}),
          relayCandidates: stats.filter((stat) => stat.type === 'local-candidate' && stat.candidateType === 'relay').length,
          succeededPairs: stats.filter((stat) => stat.type === 'candidate-pair' && stat.state === 'succeeded').length,
          framesDecoded: stats
            .filter((stat) => stat.type === 'inbound-rtp' && stat.kind === 'video')
            .reduce((sum, stat) => sum + ((stat.framesDecoded as number | undefined) ?? 0), 0),
        };
      }),
    );
  });
}

/** A signaling server whose clients must relay through `turn`, minting credentials with `secret`. */
function relayServer(turn: RunningTurn, secret: string): Promise<RunningServer> {
  return startTestServer({ TURN_URLS: turn.url, TURN_SECRET: secret, ICE_TRANSPORT_POLICY: 'relay' });
}

test.describe('TURN with coturn', () => {
  let turn: RunningTurn;
  test.beforeAll(async () => {
    turn = await startTurnServer({ secret: TURN_SECRET });
  });
  test.afterAll(async () => {
    await turn.close();
  });

  test('two participants forced to relay get a call through coturn with the credentials the server mints', async ({ browser }) => {
    const server = await relayServer(turn, TURN_SECRET);
    try {
      const roomId = randomUUID();
      const ada = await joinAs(browser, server, { name: 'Ada', roomId });
      const grace = await joinAs(browser, server, { name: 'Grace', roomId });
      await expectVideoFlowing(ada, { connections: 1 });
      await expectVideoFlowing(grace, { connections: 1 });

      const ids: string[] = [];
      for (const page of [ada, grace]) {
        const [report, ...others] = await pairReports(page);
        expect(others).toEqual([]);
        expect(report).toMatchObject({ connectionState: 'connected', policy: 'relay', local: 'relay', remote: 'relay' });
        expect(report?.framesDecoded).toBeGreaterThan(0);
        // The server's credentials: "<expiry>:<participant id>", expiring TURN_TTL_SECONDS (12 h) from now.
        const [username] = report?.turnUsernames ?? [];
        const [expiry, id] = (username ?? '').split(':');
        expect(Number(expiry) - Date.now() / 1000).toBeGreaterThan(12 * 3600 - 120);
        ids.push(id ?? '');
        await expect(page.getByTestId('remote-tile')).toHaveAttribute('data-link', 'connected');
      }
      // coturn itself saw both participants' allocations, under the names the server minted.
      const log = await turn.log();
      for (const id of ids) expect(log).toMatch(new RegExp(`user <\\d+:${id}>: incoming packet ALLOCATE processed, success`));
    } finally {
      await server.close();
    }
  });

  test('with credentials coturn does not accept (another secret), relay-only participants never connect', async ({ browser }) => {
    test.setTimeout(90_000);
    const server = await relayServer(turn, 'not-the-coturn-secret-0123456789');
    try {
      const roomId = randomUUID();
      const ada = await joinAs(browser, server, { name: 'Ada', roomId });
      const grace = await joinAs(browser, server, { name: 'Grace', roomId });
      await expect(ada.getByTestId('remote-tile')).toHaveCount(1);
      // Long enough for a working relay to connect many times over (the test above takes a few seconds).
      await ada.waitForTimeout(15_000);
      const ids: string[] = [];
      for (const page of [ada, grace]) {
        const reports = await pairReports(page);
        expect(reports.length).toBeGreaterThan(0);
        for (const report of reports) {
          ids.push((report.turnUsernames[0] ?? '').split(':')[1] ?? '');
          expect(report).toMatchObject({ policy: 'relay', relayCandidates: 0, succeededPairs: 0, framesDecoded: 0 });
          expect(report.connectionState).not.toBe('connected');
        }
        await expect(page.getByTestId('remote-tile')).not.toHaveAttribute('data-link', 'connected');
      }
      // coturn refused both participants' allocations: 401 for the HMAC made with another secret.
      const log = await turn.log();
      for (const id of ids) {
        expect(log).toMatch(new RegExp(`user <\\d+:${id}>: incoming packet message processed, error 401`));
        expect(log).not.toMatch(new RegExp(`user <\\d+:${id}>: incoming packet ALLOCATE processed, success`));
      }
    } finally {
      await server.close();
    }
  });

  test('coturn relays with fresh credentials and refuses expired ones', async ({ browser, server }) => {
    const page = await browser.newPage();
    await page.goto(server.url);
    /** Relay candidates gathered, and ICE errors, with one set of credentials. */
    const gather = (iceServer: { urls: string[]; username: string; credential: string }) =>
      page.evaluate(async (server) => {
        const pc = new RTCPeerConnection({ iceServers: [server], iceTransportPolicy: 'relay' });
        const relays: string[] = [];
        const errors: number[] = [];
        pc.addEventListener('icecandidate', (event) => {
          if (event.candidate?.type === 'relay') relays.push(event.candidate.candidate);
        });
        pc.addEventListener('icecandidateerror', (event) => errors.push(event.errorCode));
        const done = new Promise<void>((resolve) => pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve()));
        pc.createDataChannel('probe');
        await pc.setLocalDescription(await pc.createOffer());
        await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 10_000))]);
        pc.close();
        return { relays, errors };
      }, iceServer);

    const now = Date.now();
    const fresh = turnCredentials({ urls: [turn.url], secret: TURN_SECRET, ttlSeconds: 600 }, 'probe-fresh', now);
    const expired = turnCredentials({ urls: [turn.url], secret: TURN_SECRET, ttlSeconds: 600 }, 'probe-expired', now - 3600_000);
    const ok = await gather({ urls: [turn.url], username: fresh.username ?? '', credential: fresh.credential ?? '' });
    expect(ok.relays.length).toBeGreaterThan(0);
    const refused = await gather({ urls: [turn.url], username: expired.username ?? '', credential: expired.credential ?? '' });
    expect(refused.relays).toEqual([]);
    expect(refused.errors).toContain(401);
    await page.close();
  });
});
