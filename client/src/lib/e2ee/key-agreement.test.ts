import { describe, expect, it } from 'vitest';
import { createIdentity } from './identity.js';
import { KeyAgreement, KeyAgreementError, supportsX25519, type Confirmation, type Curve, type Hello, type LinkIdentity, type LinkKeys } from './key-agreement.js';

const secret = crypto.getRandomValues(new Uint8Array(16));
const fingerprintA = 'sha-256 AA:BB:CC:DD';
const fingerprintB = 'sha-256 11:22:33:44';

const [identityA, identityB] = await Promise.all([createIdentity(), createIdentity()]);

function pair(options: { secretB?: Uint8Array; seenByB?: string; seenByA?: string; curve?: Curve } = {}) {
  const base = { roomId: 'room-1' };
  const a: LinkIdentity = { ...base, roomSecret: secret, selfId: 'alice', peerId: 'bob', initiator: true, identity: identityA, localFingerprint: fingerprintA, remoteFingerprint: options.seenByA ?? fingerprintB };
  const b: LinkIdentity = { ...base, roomSecret: options.secretB ?? secret, selfId: 'bob', peerId: 'alice', initiator: false, identity: identityB, localFingerprint: fingerprintB, remoteFingerprint: options.seenByB ?? fingerprintA };
  return [new KeyAgreement(a, options.curve), new KeyAgreement(b, options.curve)] as const;
}

type Outcome<T> = { value: T } | { error: Error };
const settle = <T>(p: Promise<T>): Promise<Outcome<T>> => p.then((value) => ({ value }), (error: unknown) => ({ error: error as Error }));

/**
 * Runs the whole exchange; each side's keys or the error that stopped it. `tamper` lets
 * a man in the middle rewrite Alice's hello on its way to Bob.
 */
async function handshake(alice: KeyAgreement, bob: KeyAgreement, tamper: (hello: Hello) => Hello = (hello) => hello) {
  const [helloA, helloB] = await Promise.all([alice.hello(), bob.hello()]);
  const confirmA = await settle(alice.receiveHello(helloB));
  const confirmB = await settle(bob.receiveHello(tamper(helloA)));
  const finish = async (self: KeyAgreement, own: Outcome<Confirmation>, peer: Outcome<Confirmation>): Promise<Outcome<unknown>> => {
    if ('error' in own) return own;
    if ('error' in peer) return { error: new KeyAgreementError('the peer stopped') };
    return settle(self.receiveConfirmation(peer.value));
  };
  return { keysA: await finish(alice, confirmA, confirmB), keysB: await finish(bob, confirmB, confirmA) };
}

describe('key agreement', () => {
  it('gives both sides mirrored directional keys and the same transcript hash', async () => {
    for (const curve of ['P-256', ...((await supportsX25519()) ? ['X25519' as const] : [])] as Curve[]) {
      const { keysA, keysB } = await handshake(...pair({ curve }));
      if (!('value' in keysA) || !('value' in keysB)) throw new Error(`${curve}: handshake failed`);
      const [a, b] = [keysA.value as LinkKeys, keysB.value as LinkKeys];
      expect(a.sendKey).toEqual(b.receiveKey);
      expect(a.receiveKey).toEqual(b.sendKey);
      expect(a.sendKey).not.toEqual(a.receiveKey);
      expect(a.transcriptHash).toEqual(b.transcriptHash);
      expect(a.sendKey).toHaveLength(16);
      expect(a.peerIdentity).toEqual(identityB.publicKey);
      expect(b.peerIdentity).toEqual(identityA.publicKey);
    }
  });

  it('binds the identity keys: a swapped key breaks confirmation, a bad signature is refused', async () => {
    const other = await createIdentity();
    {
      // Someone who knows the room secret swaps in another identity key: the transcripts differ.
      const [alice, bob] = pair();
      const [helloA, helloB] = await Promise.all([alice.hello(), bob.hello()]);
      await alice.receiveHello({ ...helloB, identity: Buffer.from(other.publicKey).toString('base64url') });
      await expect(alice.receiveConfirmation(await bob.receiveHello(helloA))).rejects.toThrow(/key confirmation failed/);
    }
    {
      const [alice, bob] = pair();
      const [helloA, helloB] = await Promise.all([alice.hello(), bob.hello()]);
      await alice.receiveHello(helloB);
      const confirmB = await bob.receiveHello(helloA);
      const signature = Buffer.from(confirmB.signature, 'base64url');
      signature[10] = (signature[10] ?? 0) ^ 1;
      await expect(alice.receiveConfirmation({ ...confirmB, signature: signature.toString('base64url') })).rejects.toThrow(/identity key did not sign/);
    }
  });

  it('fails confirmation with a different room secret', async () => {
    const { keysA, keysB } = await handshake(...pair({ secretB: crypto.getRandomValues(new Uint8Array(16)) }));
    expect('error' in keysA && keysA.error).toBeInstanceOf(KeyAgreementError);
    expect('error' in keysB && keysB.error.message).toMatch(/key confirmation failed/);
  });

  it('catches a signaling server that rewrote a DTLS fingerprint', async () => {
    // The server gave Bob its own certificate's fingerprint in place of Alice's.
    const { keysA, keysB } = await handshake(...pair({ seenByB: 'sha-256 EE:EE:EE:EE' }));
    expect('error' in keysB && keysB.error.message).toMatch(/fingerprint differs/);
    expect('error' in keysA).toBe(true);
  });

  it('catches it too when the man in the middle also rewrites the hello to match', async () => {
    const fake = 'sha-256 EE:EE:EE:EE';
    const { keysA, keysB } = await handshake(...pair({ seenByB: fake }), (hello) => ({ ...hello, fingerprint: fake }));
    expect('error' in keysA && keysA.error.message).toMatch(/key confirmation failed/);
    expect('error' in keysB && keysB.error.message).toMatch(/key confirmation failed/);
  });

  it('refuses short room secrets, garbage keys and forged confirmations', async () => {
    expect(() => new KeyAgreement({ roomId: 'r', roomSecret: new Uint8Array(8), selfId: 'a', peerId: 'b', initiator: true, identity: identityA, localFingerprint: 'x', remoteFingerprint: 'y' })).toThrow(/128 bits/);
    const [alice, bob] = pair();
    await alice.hello();
    const helloB = await bob.hello();
    await expect(alice.receiveHello({ ...helloB, publicKey: 'AAAA' })).rejects.toThrow(/not a valid key/);
    await alice.receiveHello(helloB);
    await expect(alice.receiveConfirmation({ mac: 'AAAA', signature: 'AAAA' })).rejects.toThrow(/key confirmation failed/);
  });
});
