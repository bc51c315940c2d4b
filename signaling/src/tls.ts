import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** What the HTTPS server needs, read and checked. */
export interface TlsFiles {
  /** The PEM text of TLS_CERT_FILE: the server certificate, then any issuers (an internal CA's chain). */
  cert: string;
  key: string;
  /** The server certificate (the first one in the file). */
  leaf: X509Certificate;
  /** Whole days until the first certificate of the chain expires. */
  daysLeft: number;
}

/** Why the certificate or key cannot be used; the message names the setting and the file. */
export class TlsError extends Error {
  override name = 'TlsError';
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const DAY_MS = 24 * 3600 * 1000;

function read(setting: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied (the server runs as another user?)' : (error as Error).message;
    throw new TlsError(`${setting} ${path}: cannot read it: ${why}`);
  }
}

function describe(certificate: X509Certificate): string {
  return `subject "${certificate.subject.replace(/\n/g, ', ')}"`;
}

/**
 * Reads TLS_CERT_FILE and TLS_KEY_FILE (PEM) and checks that they can serve HTTPS:
 * certificates parse, the key is a private key matching the first certificate, each
 * following certificate issued the one before it, and none is expired or not yet valid
 * at `now`. Throws a TlsError saying which problem, in which file.
 */
export function loadTlsFiles(certFile: string, keyFile: string, now = Date.now()): TlsFiles {
  const cert = read('TLS_CERT_FILE', certFile);
  const keyText = read('TLS_KEY_FILE', keyFile);

  const blocks = cert.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) {
    const hint = /PRIVATE KEY-----/.test(cert) ? ' (it holds a private key: are TLS_CERT_FILE and TLS_KEY_FILE swapped?)' : '';
    throw new TlsError(`TLS_CERT_FILE ${certFile}: no PEM certificate (-----BEGIN CERTIFICATE-----) in it${hint}`);
  }
  const chain = blocks.map((block, index) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      throw new TlsError(`TLS_CERT_FILE ${certFile}: certificate #${index + 1} does not parse: ${(error as Error).message}`);
    }
  });

  let key: KeyObject;
  try {
    key = createPrivateKey(keyText);
  } catch (error) {
    const encrypted = /ENCRYPTED/.test(keyText) ? ': it is encrypted; give the server an unencrypted key file readable only by its user' : '';
    throw new TlsError(`TLS_KEY_FILE ${keyFile}: not a PEM private key${encrypted || `: ${(error as Error).message}`}`);
  }

  const leaf = chain[0] as X509Certificate;
  if (!leaf.checkPrivateKey(key)) {
    throw new TlsError(`TLS_KEY_FILE ${keyFile} does not match the certificate in TLS_CERT_FILE ${certFile} (${describe(leaf)}): they are not a pair`);
  }
  chain.forEach((certificate, index) => {
    const which = index === 0 ? 'the certificate' : `chain certificate #${index + 1}`;
    const validTo = Date.parse(certificate.validTo);
    const validFrom = Date.parse(certificate.validFrom);
    if (validTo <= now) {
      throw new TlsError(`TLS_CERT_FILE ${certFile}: ${which} (${describe(certificate)}) expired on ${new Date(validTo).toISOString()}: renew it`);
    }
    if (validFrom > now) {
      throw new TlsError(
        `TLS_CERT_FILE ${certFile}: ${which} (${describe(certificate)}) is not valid before ${new Date(validFrom).toISOString()} (is this machine's clock right?)`,
      );
    }
    const next = chain[index + 1];
    if (next && !certificate.checkIssued(next)) {
      throw new TlsError(
        `TLS_CERT_FILE ${certFile}: certificate #${index + 2} (${describe(next)}) did not issue certificate #${index + 1} (${describe(certificate)}): put the server certificate first, then each issuer in order`,
      );
    }
  });
  const soonest = Math.min(...chain.map((certificate) => Date.parse(certificate.validTo)));
  return { cert, key: keyText, leaf, daysLeft: Math.floor((soonest - now) / DAY_MS) };
}
