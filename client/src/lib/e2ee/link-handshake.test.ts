import { describe, expect, it } from 'vitest';
import { isE2eeMessage, parsePeerMessage, type E2eeMessage } from '../mesh/peer-messages.js';
import { createIdentity } from './identity.js';
import type { Curve, LinkIdentity, LinkKeys } from './key-agreement.js';
import { LinkHandshake, type HandshakeFailure } from './link-handshake.js';
import type { ShortAuthenticationString } from './sas.js';

const secret = crypto.getRandomValues(new Uint8Array(24));
const [identityA, identityB] = await Promise.all([createIdentity(), createIdentity()]);

interface Side {
  keys?: LinkKeys;
  sas?: ShortAuthenticationString;
  failure?: HandshakeFailure;
}

/** Two handshakes joined by a pretend data channel (messages go through JSON and the schema, as on the wire). */
async function run(options: { curves?: [Curve, Curve]; secretB?: Uint8Array; seenByB?: string; offB?: boolean } = {}) {
  const [curveA, curveB] = options.curves ?? ['X25519', 'X25519'];
  const sides: [Side, Side] = [{}, {}];
  const handshakes: LinkHandshake[] = [];
  const identity = (self: 0 | 1): LinkIdentity => ({
    roomId: 'room',
    roomSecret: self === 1 && options.secretB ? options.secretB : secret,
    selfId: self === 0 ? 'a' : 'b',
    peerId: self === 0 ? 'b' : 'a',
    initiator: self === 0,
    identity: self === 0 ? identityA : identityB,
    localFingerprint: self === 0 ? 'sha-256 AA:AA' : 'sha-256 BB:BB',
    remoteFingerprint: self === 0 ? 'sha-256 BB:BB' : (options.seenByB ?? 'sha-256 AA:AA'),
  });
  const deliver = (to: 0 | 1, message: E2eeMessage) => {
    const parsed = parsePeerMessage(JSON.stringify(message));
    if (!parsed || !isE2eeMessage(parsed)) throw new Error(`schema refused ${message.t}`);
    queueMicrotask(() => handshakes[to]?.receive(parsed));
  };
  for (const self of [0, 1] as const) {
    handshakes.push(
      new LinkHandshake(identity(self), self === 0 ? curveA : curveB, {
        send: (message) => deliver(self === 0 ? 1 : 0, message),
        keys: (keys) => (sides[self].keys = keys),
        sas: (sas) => (sides[self].sas = sas),
        failed: (reason) => (sides[self].failure = reason),
      }),
    );
  }
  handshakes[0]?.start();
  if (options.offB) deliver(0, { t: 'e2ee-off' });
  else handshakes[1]?.start();
  await new Promise((resolve) => setTimeout(resolve, 200));
  return sides;
}

describe('link handshake', () => {
  it('agrees on mirrored keys and shows both people the same short authentication string', async () => {
    const [a, b] = await run();
    expect(a.failure ?? b.failure).toBeUndefined();
    expect(a.keys?.sendKey).toEqual(b.keys?.receiveKey);
    expect(a.sas?.emoji).toHaveLength(5);
    expect(a.sas).toEqual(b.sas);
  });

  it('falls back to P-256 when one side has no X25519', async () => {
    const [a, b] = await run({ curves: ['X25519', 'P-256'] });
    expect(a.keys?.receiveKey).toEqual(b.keys?.sendKey);
    expect(a.sas).toEqual(b.sas);
  });

  it('names the failure: wrong room secret, rewritten fingerprint, transport-only peer', async () => {
    const wrong = await run({ secretB: crypto.getRandomValues(new Uint8Array(24)) });
    expect(wrong.map((side) => side.failure)).toEqual(['confirmation', 'confirmation']);
    expect(wrong.some((side) => side.keys)).toBe(false);
    const middle = await run({ seenByB: 'sha-256 EE:EE' });
    expect(middle.map((side) => side.failure)).toEqual(['in-the-middle', 'in-the-middle']);
    expect(middle.some((side) => side.keys)).toBe(false);
    const off = await run({ offB: true });
    expect(off[0].failure).toBe('unencrypted');
  });
});
