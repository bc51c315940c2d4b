import { createIdentity, type IdentityKeys } from '../e2ee/identity.js';
import { db, type TrustedIdentity } from './db.js';

/**
 * This browser's identity key, created on first use and kept with Dexie. When storage is
 * unavailable (private browsing, full disk) a key for this page's life is used: the
 * meeting still works, verification is just not remembered.
 */
export async function loadIdentity(): Promise<IdentityKeys> {
  try {
    const stored = await db().identity.get('self');
    if (stored) return { privateKey: stored.privateKey, publicKey: stored.publicKey };
    const created = await createIdentity();
    await db().identity.put({ key: 'self', ...created });
    return created;
  } catch (error) {
    console.warn('conclave: identity key not stored', error);
    return createIdentity();
  }
}

const nameKey = (name: string) => name.trim().toLowerCase();

export interface TrustCheck {
  verified: boolean;
  /** Someone with this name was verified before under another key. */
  knownNameNewKey: boolean;
}

export async function checkTrust(fingerprint: string, name: string): Promise<TrustCheck> {
  try {
    if (await db().trusted.get(fingerprint)) return { verified: true, knownNameNewKey: false };
    const sameName = await db().trusted.where('nameKey').equals(nameKey(name)).count();
    return { verified: false, knownNameNewKey: sameName > 0 };
  } catch {
    return { verified: false, knownNameNewKey: false };
  }
}

export async function rememberVerified(fingerprint: string, name: string): Promise<void> {
  const entry: TrustedIdentity = { fingerprint, name, nameKey: nameKey(name), verifiedAt: Date.now() };
  try {
    await db().trusted.put(entry);
  } catch (error) {
    console.warn('conclave: could not remember the verification', error);
  }
}

export async function forgetVerified(fingerprint: string): Promise<void> {
  try {
    await db().trusted.delete(fingerprint);
  } catch {
    // Nothing stored, nothing to forget.
  }
}
