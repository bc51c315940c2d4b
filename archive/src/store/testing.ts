/**
 * A real S3-protocol server for tests: s3rver (an S3 API written in Node, a devDependency)
 * on a free loopback port, storing in a temporary directory, talked to over HTTP by the
 * real AWS SDK. It stands in because no S3-compatible server can be installed here (Debian
 * bookworm has none that runs without a Ceph cluster, and only the npm registry is
 * reachable). What it does not implement, and so these tests cannot prove against it:
 * conditional writes (it ignores If-None-Match on PUT), signatures (it checks the access
 * key id, not the V4 signature), checksum verification (it ignores x-amz-checksum-*),
 * aborting a multipart upload (405), versioning, and Object Lock (it drops the lock
 * headers, answers NotImplemented for the bucket's Object Lock configuration and 405 for
 * version listings), so nothing here shows a store enforcing retention.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type S3StoreConfig } from './s3-store.js';

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverClass = new (options: {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  configureBuckets: { name: string }[];
}) => S3rverInstance;

// CommonJS without types of its own: loaded with require and given the little it is used for.
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;

export interface TestS3Server {
  /** A store configuration for this server (s3rver's fixed credentials), without prefix. */
  config: S3StoreConfig;
  /** Where s3rver keeps the buckets: `<directory>/<bucket>/...`. */
  directory: string;
  stop(): Promise<void>;
}

export async function startS3Server(bucket = 'archive'): Promise<TestS3Server> {
  const directory = mkdtempSync(join(tmpdir(), 'archive-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  return {
    config: {
      endpoint: `http://127.0.0.1:${port}`,
      forcePathStyle: true,
      region: 'us-east-1',
      bucket,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    },
    directory,
    async stop() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
