/**
 * Makes a self-signed certificate for trying Conclave over HTTPS on a LAN:
 * npm run cert -- --host 192.168.1.10 [--host meet.lan] [--days 365] --out DIR
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createSelfSignedCertificate } from '../certificate.js';

const USAGE = 'usage: npm run cert -- --host <IP or DNS name> [--host …] [--days 365] --out <directory>';

function fail(message: string): never {
  console.error(`cert: ${message}\n${USAGE}`);
  process.exit(2);
}

function main(): void {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        host: { type: 'string', multiple: true },
        days: { type: 'string', default: '365' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    console.error(USAGE);
    return;
  }
  const hosts = values.host ?? [];
  if (hosts.length === 0) fail('--host is required (the address or name browsers will use; repeat it for several)');
  if (!values.out) fail('--out is required (a directory for cert.pem and key.pem)');
  if (!/^\d+$/.test(values.days)) fail(`--days: "${values.days}" is not a number of days`);

  let made;
  try {
    made = createSelfSignedCertificate({ hosts, days: Number(values.days), outDir: resolve(values.out) });
  } catch (error) {
    fail((error as Error).message);
  }
  const { certFile, keyFile, certificate } = made;
  const origin = (host: string) => `https://${host.includes(':') ? `[${host}]` : host}:8443/`;
  process.stdout.write(
    [
      `Self-signed certificate for ${hosts.join(', ')}, valid until ${new Date(certificate.validTo).toISOString().slice(0, 10)}:`,
      `  certificate  ${certFile}`,
      `  private key  ${keyFile}  (readable by you only; keep it so)`,
      `  SHA-256      ${certificate.fingerprint256}`,
      '',
      'Next:',
      `  1. Start the server with it (as the user who owns the key, or give the service user read access):`,
      `       TLS_CERT_FILE=${certFile} TLS_KEY_FILE=${keyFile} HOST=0.0.0.0 PORT=8443 npm start`,
      '     SERVED_OVER_HTTPS then defaults to true (Strict-Transport-Security).',
      `  2. Open ${origin(hosts[0] ?? '')} in each browser. The certificate is not signed by a CA`,
      '     the browser knows, so each browser must accept it once: compare the SHA-256 above',
      '     with the one the warning page shows, then proceed (or import cert.pem into the',
      "     browser's or the system's trust store, which avoids the warning).",
      '  3. For production, use a certificate from your internal CA instead (docs/deploy.md).',
      '',
    ].join('\n'),
  );
}

main();
