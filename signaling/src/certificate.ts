import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A DNS name (letters, digits, hyphens, dots; a leading "*." for a wildcard). */
const DNS_NAME = /^(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export class CertificateError extends Error {
  override name = 'CertificateError';
}

/** The subjectAltName entry for a host: IP:… for an address, DNS:… for a name; throws on anything else. */
export function subjectAltNameEntry(host: string): string {
  if (isIP(host)) return `IP:${host}`;
  if (host.length <= 253 && DNS_NAME.test(host)) return `DNS:${host}`;
  throw new CertificateError(`"${host}" is neither an IP address nor a DNS name`);
}

export interface SelfSignedCertificate {
  certFile: string;
  keyFile: string;
  certificate: X509Certificate;
}

/**
 * Makes a self-signed server certificate and its key (ECDSA P-256) for `hosts` with
 * openssl (Node's crypto can make keys but not certificates): a subjectAltName entry per
 * host, not a CA (CA:FALSE, serverAuth only, as browsers want from a server certificate).
 * Writes `cert.pem` (0644) and `key.pem` (0600) in `outDir`; refuses to overwrite them.
 */
export function createSelfSignedCertificate({ hosts, days, outDir, openssl = 'openssl' }: { hosts: string[]; days: number; outDir: string; openssl?: string }): SelfSignedCertificate {
  if (hosts.length === 0) throw new CertificateError('at least one host is needed');
  if (!Number.isInteger(days) || days < 1 || days > 3650) throw new CertificateError(`days must be a whole number from 1 to 3650, not ${days}`);
  const names = hosts.map(subjectAltNameEntry);
  const certFile = join(outDir, 'cert.pem');
  const keyFile = join(outDir, 'key.pem');
  for (const file of [certFile, keyFile]) if (existsSync(file)) throw new CertificateError(`${file} already exists: remove it or choose another directory`);
  mkdirSync(outDir, { recursive: true, mode: 0o700 });

  // A config of our own, so the system's openssl.cnf (and its CA:TRUE defaults) play no part.
  const work = mkdtempSync(join(tmpdir(), 'conclave-cert-'));
  try {
    const configFile = join(work, 'openssl.cnf');
    writeFileSync(
      configFile,
      [
        '[req]',
        'distinguished_name = dn',
        'x509_extensions = ext',
        'prompt = no',
        '[dn]',
        `CN = ${hosts[0]}`,
        'O = Conclave (self-signed, for trials)',
        '[ext]',
        `subjectAltName = ${names.join(',')}`,
        'basicConstraints = critical,CA:FALSE',
        'keyUsage = critical,digitalSignature',
        'extendedKeyUsage = serverAuth',
        'subjectKeyIdentifier = hash',
        '',
      ].join('\n'),
    );
    const args = ['req', '-x509', '-config', configFile, '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    const result = spawnSync(openssl, [...args, '-sha256', '-days', String(days), '-keyout', keyFile, '-out', certFile], { encoding: 'utf8' });
    if (result.error) {
      const missing = (result.error as NodeJS.ErrnoException).code === 'ENOENT';
      throw new CertificateError(missing ? 'openssl not found: install it (Debian: apt-get install -y openssl)' : result.error.message);
    }
    if (result.status !== 0) throw new CertificateError(`openssl failed: ${result.stderr.trim()}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  chmodSync(keyFile, 0o600);
  chmodSync(certFile, 0o644);
  const certificate = new X509Certificate(readFileSync(certFile));
  return { certFile, keyFile, certificate };
}
