import { describe, expect, it } from 'vitest';
import { commitSas, deriveSas, SAS_EMOJI } from './sas.js';

const transcript = crypto.getRandomValues(new Uint8Array(32));

describe('short authentication string', () => {
  it('has 64 distinct emoji', () => {
    expect(new Set(SAS_EMOJI).size).toBe(64);
  });

  it('is the same on both sides, and changes with the transcript', async () => {
    const alice = await commitSas(transcript);
    const bob = await commitSas(transcript);
    const seenByAlice = await deriveSas({ transcriptHash: transcript, initiator: true, own: alice, peerCommitment: bob.commitment, peerNonce: bob.nonce });
    const seenByBob = await deriveSas({ transcriptHash: transcript, initiator: false, own: bob, peerCommitment: alice.commitment, peerNonce: alice.nonce });
    expect(seenByAlice).toEqual(seenByBob);
    expect(seenByAlice.emoji).toHaveLength(5);
    expect(seenByAlice.digits).toMatch(/^\d{6}$/);

    const other = crypto.getRandomValues(new Uint8Array(32));
    const mallory = await commitSas(other);
    const elsewhere = await deriveSas({ transcriptHash: other, initiator: true, own: await commitSas(other), peerCommitment: mallory.commitment, peerNonce: mallory.nonce });
    expect(elsewhere).not.toEqual(seenByAlice);
  });

  it('refuses a nonce that does not match the commitment', async () => {
    const alice = await commitSas(transcript);
    const bob = await commitSas(transcript);
    const swapped = crypto.getRandomValues(new Uint8Array(32));
    await expect(deriveSas({ transcriptHash: transcript, initiator: true, own: alice, peerCommitment: bob.commitment, peerNonce: swapped })).rejects.toThrow(/not committed/);
  });
});
