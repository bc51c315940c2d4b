/**
 * Archive benchmark: npm run bench:archive [-- --recordings 100000 --queries 200 --file-mib 256 --skip-range]
 *
 * 1. Search latency: a SQLite catalog of N generated recordings (archive/src/testing/
 *    catalog-generator.ts), each kind of query the portal sends run Q times with varied
 *    parameters, through the catalog's own search (what the API calls).
 * 2. Range-served throughput: the archive service over loopback HTTP, an archivist's
 *    session, one stored file of M MiB: the whole file, then random 1 MiB ranges (what a
 *    seeking player asks for) one at a time and eight at a time.
 * Prints a table and a JSON line; asserts nothing.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { loadArchiveConfig, openArchive, startArchive, type SearchQuery } from '@conclave/archive';
import { FIRST_NAMES, generateCatalog, LAST_NAMES, RARE_NAME, ROOMS, TAGS, GENERATED_START } from '../../archive/src/testing/catalog-generator.js';

const { values } = parseArgs({
  options: {
    recordings: { type: 'string', default: '100000' },
    queries: { type: 'string', default: '200' },
    'file-mib': { type: 'string', default: '256' },
    'skip-range': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log('npm run bench:archive -- [--recordings 100000] [--queries 200] [--file-mib 256] [--skip-range (search only)]');
  process.exit(0);
}
const RECORDINGS = Number(values.recordings);
const QUERIES = Number(values.queries);
const FILE_MIB = Number(values['file-mib']);
for (const [name, value] of [['recordings', RECORDINGS], ['queries', QUERIES], ['file-mib', FILE_MIB]] as const) {
  if (!Number.isInteger(value) || value <= 0) {
    console.error(`bench:archive: --${name} must be a positive whole number`);
    process.exit(1);
  }
}
if (FILE_MIB < 2 && !values['skip-range']) {
  // Random 1 MiB ranges need a larger file to fall anywhere but on the whole of it.
  console.error('bench:archive: --file-mib must be at least 2 (or pass --skip-range)');
  process.exit(1);
}
const TARGET_P99_MS = 50;
const f = (n: number, digits = 1) => n.toFixed(digits);

/** The same xorshift as the generator, with its own seed, for the query parameters. */
let seed = 88172645;
const random = (n: number) => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % n;
};
const pick = <T>(list: readonly T[]): T => list[random(list.length)] as T;
const fragment = (name: string) => {
  const length = 3 + random(3);
  const start = random(Math.max(1, name.length - length));
  return name.slice(start, start + length);
};
const month = () => {
  const from = new Date(GENERATED_START + random(35) * 30 * 86_400_000);
  return { startedFrom: from.toISOString(), startedTo: new Date(from.getTime() + 30 * 86_400_000).toISOString() };
};

/** The portal's queries, each with fresh parameters per run. */
const QUERY_KINDS: { name: string; make: () => SearchQuery }[] = [
  { name: 'newest first (no filter)', make: () => ({ limit: 25 }) },
  { name: 'participant, part of a name', make: () => ({ participant: fragment(`${pick(FIRST_NAMES)} ${pick(LAST_NAMES)}`), limit: 25 }) },
  { name: 'participant, a rare name', make: () => ({ participant: RARE_NAME.split(' ')[1] as string, limit: 25 }) },
  { name: 'room', make: () => ({ room: `room-${random(ROOMS)}`, limit: 25 }) },
  { name: 'a month', make: () => ({ ...month(), limit: 25 }) },
  { name: 'duration between', make: () => ({ minDurationMs: random(60) * 60_000, maxDurationMs: (60 + random(120)) * 60_000, limit: 25 }) },
  { name: 'two tags', make: () => ({ tags: [pick(TAGS), pick(TAGS)], limit: 25 }) },
  { name: 'room + month + participant', make: () => ({ room: `room-${random(ROOMS)}`, ...month(), participant: pick(LAST_NAMES).slice(0, 4), limit: 25 }) },
];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function searchLatency(dir: string) {
  const archive = await openArchive(dir);
  try {
    const generated = generateCatalog(RECORDINGS);
    const started = performance.now();
    await archive.catalog.insertRecordings(generated.recordings);
    const insertSeconds = (performance.now() - started) / 1000;
    const rows = [];
    const all: number[] = [];
    for (const kind of QUERY_KINDS) {
      const times: number[] = [];
      let matches = 0;
      for (let i = 0; i < QUERIES; i++) {
        const query = kind.make();
        const t0 = performance.now();
        const page = await archive.catalog.search(query);
        times.push(performance.now() - t0);
        matches += page.total;
      }
      times.sort((a, b) => a - b);
      all.push(...times);
      rows.push({ kind: kind.name, p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99), max: times.at(-1) ?? Number.NaN, meanMatches: matches / QUERIES });
    }
    // Paging deep: ten next pages of the unfiltered listing, cursor after cursor.
    const paging: number[] = [];
    for (let round = 0; round < Math.max(1, Math.floor(QUERIES / 10)); round++) {
      let cursor: string | undefined;
      for (let page = 0; page < 10; page++) {
        const t0 = performance.now();
        const result = await archive.catalog.search({ limit: 25, ...(cursor ? { cursor } : {}) });
        paging.push(performance.now() - t0);
        cursor = result.nextCursor ?? undefined;
      }
    }
    paging.sort((a, b) => a - b);
    all.push(...paging);
    rows.push({ kind: 'next page (ten deep)', p50: percentile(paging, 50), p95: percentile(paging, 95), p99: percentile(paging, 99), max: paging.at(-1) ?? Number.NaN, meanMatches: RECORDINGS });
    all.sort((a, b) => a - b);
    return { insertSeconds, rows, overall: { p50: percentile(all, 50), p99: percentile(all, 99), max: all.at(-1) ?? Number.NaN, queries: all.length } };
  } finally {
    await archive.close();
  }
}

async function rangeThroughput(dir: string) {
  const config = loadArchiveConfig({ ARCHIVE_DATA_DIR: dir, ARCHIVE_PORT: '0', LOG_LEVEL: 'silent', CLIENT_DIR: '/nonexistent' });
  const service = await startArchive(config, pino({ level: 'silent' }));
  try {
    const { catalog, store } = service.archive;
    const size = FILE_MIB * 2 ** 20;
    const source = join(dir, 'big.mkv');
    writeFileSync(source, randomBytes(size));
    const stored = await store.put('bench-recording', 'segments/segment-0001.mkv', source);
    rmSync(source);
    const [template] = generateCatalog(1).recordings;
    if (!template) throw new Error('the generator made no recording');
    await catalog.insertRecordings([
      {
        ...template,
        id: 'bench-recording',
        files: [{ path: 'segments/segment-0001.mkv', size: stored.size, sha256: stored.sha256, kind: 'segment' }],
      },
    ]);
    await service.accounts.create('bench', 'a long benchmark passphrase', 'archivist', { actor: 'bench' });
    const login = await fetch(`${service.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: service.url },
      body: JSON.stringify({ username: 'bench', password: 'a long benchmark passphrase' }),
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const url = `${service.url}/api/recordings/bench-recording/files/segments/segment-0001.mkv`;

    const whole = async () => {
      const t0 = performance.now();
      const response = await fetch(url, { headers: { cookie } });
      const bytes = (await response.arrayBuffer()).byteLength;
      if (bytes !== size) throw new Error(`got ${bytes} bytes of ${size}`);
      return (size / 2 ** 20) / ((performance.now() - t0) / 1000);
    };
    const wholeRuns = [await whole(), await whole(), await whole()];

    const ranges = async (concurrency: number, count: number) => {
      const latencies: number[] = [];
      const t0 = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < count) {
            next++;
            const start = random(size - 2 ** 20);
            const r0 = performance.now();
            const response = await fetch(url, { headers: { cookie, range: `bytes=${start}-${start + 2 ** 20 - 1}` } });
            const bytes = (await response.arrayBuffer()).byteLength;
            if (response.status !== 206 || bytes !== 2 ** 20) throw new Error(`range answered ${response.status} with ${bytes} bytes`);
            latencies.push(performance.now() - r0);
          }
        }),
      );
      const seconds = (performance.now() - t0) / 1000;
      latencies.sort((a, b) => a - b);
      return { concurrency, requests: count, perSecond: count / seconds, mibPerSecond: count / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
    };
    return { fileMiB: FILE_MIB, wholeMiBPerSecond: wholeRuns, ranges: [await ranges(1, 200), await ranges(8, 400)] };
  } finally {
    await service.close();
  }
}

async function main(): Promise<void> {
  console.log(`Conclave archive benchmark (${cpus().length} cores, Node ${process.version}, load average ${f(loadavg()[0] ?? Number.NaN)} at start)`);
  const searchDir = mkdtempSync(join(tmpdir(), 'bench-archive-search-'));
  const rangeDir = mkdtempSync(join(tmpdir(), 'bench-archive-range-'));
  try {
    const search = await searchLatency(searchDir);
    console.log(`\n1. Search over ${RECORDINGS.toLocaleString('en')} recordings in SQLite (catalogued in ${f(search.insertSeconds)} s), ${QUERIES} queries of each kind, 25 per page\n`);
    console.log(`${'query'.padEnd(30)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)} ${'matches'.padStart(9)}`);
    for (const row of search.rows) {
      console.log(`${row.kind.padEnd(30)} ${f(row.p50, 2).padStart(8)} ${f(row.p95, 2).padStart(8)} ${f(row.p99, 2).padStart(8)} ${f(row.max, 2).padStart(8)} ${f(row.meanMatches, 0).padStart(9)}`);
    }
    const met = search.overall.p99 < TARGET_P99_MS;
    console.log(`\nall ${search.overall.queries} queries: p50 ${f(search.overall.p50, 2)} ms, p99 ${f(search.overall.p99, 2)} ms (target < ${TARGET_P99_MS} ms: ${met ? 'met' : 'MISSED'}), max ${f(search.overall.max, 2)} ms`);

    if (values['skip-range']) {
      console.log(`\n${JSON.stringify({ cores: cpus().length, recordings: RECORDINGS, queries: QUERIES, search })}`);
      return;
    }
    const range = await rangeThroughput(rangeDir);
    console.log(`\n2. Serving a ${range.fileMiB} MiB file over loopback HTTP to an archivist's session\n`);
    console.log(`whole file: ${range.wholeMiBPerSecond.map((speed) => `${f(speed, 0)} MiB/s`).join(', ')}`);
    for (const row of range.ranges) {
      console.log(`random 1 MiB ranges, ${row.concurrency} at a time: ${f(row.perSecond, 0)} requests/s (${f(row.mibPerSecond, 0)} MiB/s), latency p50 ${f(row.p50, 1)} ms, p99 ${f(row.p99, 1)} ms`);
    }
    console.log(`\n${JSON.stringify({ cores: cpus().length, recordings: RECORDINGS, queries: QUERIES, search, range })}`);
  } finally {
    rmSync(searchDir, { recursive: true, force: true });
    rmSync(rangeDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('bench:archive failed:', error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
