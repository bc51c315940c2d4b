import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CertificateError, createSelfSignedCertificate, subjectAltNameEntry } from '../src/certificate.js';
import { ConfigError, loadConfig } from '../src/config.js';
import type { RunningServer } from '../src/server.js';
import { loadTlsFiles, TlsError } from '../src/tls.js';
import { closeAll, freshRoom, join as joinRoom, startSignaling, unconnectedClient } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'conclave-tls-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A self-signed certificate for loopback, in a directory of its own. */
function selfSigned(name: string, days = 30) {
  return createSelfSignedCertificate({ hosts: ['127.0.0.1', 'localhost'], days, outDir: join(dir, name) });
}

/** An internal CA and a server certificate it issued for 127.0.0.1 (openssl, as an administration's CA would). */
function internalCa() {
  const at = (file: string) => join(dir, 'ca', file);
  execFileSync('mkdir', ['-p', join(dir, 'ca')]);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  execFileSync('openssl', ['req', '-x509', ...ec, '-keyout', at('ca.key'), '-out', at('ca.pem'), '-days', '30', '-subj', '/CN=Test Internal CA'], { stdio: 'pipe' });
  execFileSync('openssl', ['req', ...ec, '-keyout', at('server.key'), '-out', at('server.csr'), '-subj', '/CN=127.0.0.1'], { stdio: 'pipe' });
  writeFileSync(at('ext.cnf'), 'subjectAltName = IP:127.0.0.1\nbasicConstraints = critical,CA:FALSE\nextendedKeyUsage = serverAuth\n');
  execFileSync(
    'openssl',
    ['x509', '-req', '-in', at('server.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-CAcreateserial', '-days', '10', '-extfile', at('ext.cnf'), '-out', at('server.pem')],
    { stdio: 'pipe' },
  );
  const server = readFileSync(at('server.pem'), 'utf8');
  const ca = readFileSync(at('ca.pem'), 'utf8');
  writeFileSync(at('chain.pem'), server + ca);
  writeFileSync(at('reversed.pem'), ca + server);
  return { chain: at('chain.pem'), reversed: at('reversed.pem'), key: at('server.key'), ca };
}

describe('npm run cert (createSelfSignedCertificate)', () => {
  it('makes a certificate with a subjectAltName for every host, not a CA, and a key only its owner reads', () => {
    const made = createSelfSignedCertificate({ hosts: ['192.168.1.10', 'meet.lan', '::1'], days: 365, outDir: join(dir, 'lan') });
    expect(made.certificate.subjectAltName).toBe('IP Address:192.168.1.10, DNS:meet.lan, IP Address:0:0:0:0:0:0:0:1');
    expect(made.certificate.ca).toBe(false);
    expect(Date.parse(made.certificate.validTo) - Date.now()).toBeGreaterThan(364 * 24 * 3600 * 1000);
    expect(readFileSync(made.keyFile).length).toBeGreaterThan(0);
    expect((execFileSync('stat', ['-c', '%a', made.keyFile]).toString().trim())).toBe('600');
    expect(loadTlsFiles(made.certFile, made.keyFile).daysLeft).toBeGreaterThanOrEqual(364);
    expect(() => createSelfSignedCertificate({ hosts: ['meet.lan'], days: 365, outDir: join(dir, 'lan') })).toThrow(/already exists/);
  });

  it('refuses what is neither an IP address nor a DNS name, and silly lifetimes', () => {
    expect(subjectAltNameEntry('10.0.0.1')).toBe('IP:10.0.0.1');
    expect(subjectAltNameEntry('visio.interieur.gouv.lan')).toBe('DNS:visio.interieur.gouv.lan');
    for (const host of ['bad host', 'a,DNS:evil.example', 'x\nCN=y', '-leading.lan', '']) expect(() => subjectAltNameEntry(host)).toThrow(CertificateError);
    expect(() => createSelfSignedCertificate({ hosts: ['meet.lan'], days: 0, outDir: join(dir, 'zero') })).toThrow(/days/);
    expect(() => createSelfSignedCertificate({ hosts: [], days: 30, outDir: join(dir, 'none') })).toThrow(/at least one host/);
  });
});

describe('TLS_CERT_FILE and TLS_KEY_FILE', () => {
  it('say which file is missing', () => {
    const { certFile, keyFile } = selfSigned('missing');
    expect(() => loadTlsFiles(join(dir, 'nope.pem'), keyFile)).toThrow(/^TLS_CERT_FILE .*nope\.pem: cannot read it: no such file$/);
    expect(() => loadTlsFiles(certFile, join(dir, 'nope.key'))).toThrow(/^TLS_KEY_FILE .*nope\.key: cannot read it: no such file$/);
  });

  it('say when the key is not the certificate’s, or the files are swapped', () => {
    const one = selfSigned('one');
    const two = selfSigned('two');
    expect(() => loadTlsFiles(one.certFile, two.keyFile)).toThrow(/TLS_KEY_FILE .*two\/key\.pem does not match the certificate in TLS_CERT_FILE .*one\/cert\.pem/);
    expect(() => loadTlsFiles(one.keyFile, one.certFile)).toThrow(/no PEM certificate .* swapped\?/);
    writeFileSync(join(dir, 'garbage.key'), 'not a key');
    expect(() => loadTlsFiles(one.certFile, join(dir, 'garbage.key'))).toThrow(/TLS_KEY_FILE .*garbage\.key: not a PEM private key/);
  });

  it('say when the certificate has expired or is not valid yet', () => {
    const { certFile, keyFile } = selfSigned('dates', 30);
    const day = 24 * 3600 * 1000;
    expect(loadTlsFiles(certFile, keyFile, Date.now()).daysLeft).toBe(29);
    expect(() => loadTlsFiles(certFile, keyFile, Date.now() + 31 * day)).toThrow(/TLS_CERT_FILE .*: the certificate \(subject "CN=127\.0\.0\.1.*"\) expired on \d{4}-.*: renew it/);
    expect(() => loadTlsFiles(certFile, keyFile, Date.now() - day)).toThrow(/is not valid before .* clock/);
  });

  it('take an internal CA’s chain in the certificate file, server certificate first', () => {
    const ca = internalCa();
    expect(loadTlsFiles(ca.chain, ca.key).leaf.subject).toBe('CN=127.0.0.1');
    expect(() => loadTlsFiles(ca.reversed, ca.key)).toThrow(TlsError);
    // The key does not match the first certificate (the CA's) when the order is wrong.
    expect(() => loadTlsFiles(ca.reversed, ca.key)).toThrow(/does not match the certificate/);
    // A chain whose second certificate is not the issuer of the first.
    const wrong = join(dir, 'ca', 'wrong-chain.pem');
    writeFileSync(wrong, readFileSync(ca.chain, 'utf8').split('-----END CERTIFICATE-----')[0] + '-----END CERTIFICATE-----\n' + readFileSync(selfSigned('stranger').certFile, 'utf8'));
    expect(() => loadTlsFiles(wrong, ca.key)).toThrow(/certificate #2 \(subject "CN=127\.0\.0\.1.*"\) did not issue certificate #1 \(subject "CN=127\.0\.0\.1"\): put the server certificate first/);
  });

  it('are validated with the rest of the configuration; SERVED_OVER_HTTPS then defaults to true', () => {
    const { certFile, keyFile } = selfSigned('config');
    expect(() => loadConfig({ TLS_CERT_FILE: certFile })).toThrow(/TLS_KEY_FILE: is required when TLS_CERT_FILE is set/);
    expect(() => loadConfig({ TLS_KEY_FILE: keyFile })).toThrow(/TLS_CERT_FILE: is required when TLS_KEY_FILE is set/);
    expect(() => loadConfig({ TLS_CERT_FILE: certFile, TLS_KEY_FILE: join(dir, 'one', 'key.pem') })).toThrow(ConfigError);
    expect(() => loadConfig({ TLS_CERT_FILE: join(dir, 'gone.pem'), TLS_KEY_FILE: keyFile })).toThrow(/invalid configuration:\n {2}TLS_CERT_FILE .*gone\.pem: cannot read it: no such file/);
    expect(loadConfig({ TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile }).SERVED_OVER_HTTPS).toBe(true);
    expect(loadConfig({ TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile, SERVED_OVER_HTTPS: 'false' }).SERVED_OVER_HTTPS).toBe(false);
    expect(loadConfig({}).SERVED_OVER_HTTPS).toBe(false);
    expect(loadConfig({ SERVED_OVER_HTTPS: 'true' }).SERVED_OVER_HTTPS).toBe(true);
  });
});

/** Connects a real Socket.IO client over wss; resolves 'connected' or the connection error's message. */
async function connectOverWss(server: RunningServer, ca?: string): Promise<string> {
  const socket = unconnectedClient(server.url, ca ? { ca } : {});
  socket.connect();
  return new Promise((resolve) => {
    socket.once('connect', () => resolve('connected'));
    socket.once('connect_error', (error: Error & { description?: { message?: string } }) => resolve(`${error.message} ${error.description?.message ?? String(error.description ?? '')}`));
  });
}

function httpsGet(url: string, ca: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (response) => {
      response.resume();
      resolve({ status: response.statusCode ?? 0, headers: response.headers });
    }).once('error', reject);
  });
}

describe('the server over HTTPS', () => {
  let server: RunningServer;
  let cert: string;
  beforeAll(async () => {
    const made = selfSigned('server');
    cert = readFileSync(made.certFile, 'utf8');
    server = await startSignaling({ TLS_CERT_FILE: made.certFile, TLS_KEY_FILE: made.keyFile });
  });
  afterAll(() => server.close());
  afterEach(closeAll);

  it('serves https with HSTS, and a Socket.IO client that trusts the certificate joins over wss', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const health = await httpsGet(`${server.url}/healthz`, cert);
    expect(health.status).toBe(200);
    expect(health.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(await connectOverWss(server, cert)).toBe('connected');
    const socket = unconnectedClient(server.url, { ca: cert });
    socket.connect();
    const reply = await joinRoom(socket, freshRoom(), 'Ada');
    expect(reply.ok).toBe(true);
  });

  it('is refused by a client that does not trust the certificate', async () => {
    const outcome = await connectOverWss(server);
    expect(outcome).not.toBe('connected');
    expect(outcome).toMatch(/self[- ]signed certificate/i);
    const other = readFileSync(selfSigned('other').certFile, 'utf8');
    expect(await connectOverWss(server, other)).toMatch(/self[- ]signed certificate|unable to verify/i);
  });

  it('serves an internal CA’s chain that clients trusting only the CA accept', async () => {
    const ca = internalCa();
    const chained = await startSignaling({ TLS_CERT_FILE: ca.chain, TLS_KEY_FILE: ca.key });
    try {
      expect(await connectOverWss(chained, ca.ca)).toBe('connected');
      expect(await connectOverWss(chained)).toMatch(/self[- ]signed certificate in certificate chain|unable to get local issuer/i);
    } finally {
      await chained.close();
    }
  });
});
