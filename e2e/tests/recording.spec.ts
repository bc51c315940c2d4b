import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from '@playwright/test';
import { expect, joinAs, openRoom, test } from '../support/fixtures.js';
import { ffprobe, recordingId, startWithRecorder, storedSeqs, type RecordingSetup } from '../support/recorder.js';

const run = promisify(execFile);
const VERIFY = join(import.meta.dirname, '../../recorder/dist/cli/verify.js');

interface Manifest {
  recordingId: string;
  participants: { id: string; name: string; notices: { event: string; notice: string }[] }[];
  segments: { file: string; tracks: { participant: string; kind: string; gaps: { reason: string }[] }[]; access?: { participant: string; file: string }[] }[];
}

async function consent(page: Page, answer: 'Record me' | 'Don’t record me'): Promise<void> {
  await expect(page.getByTestId('recording-consent')).toBeVisible();
  await page.getByTestId('recording-consent').getByRole('button', { name: answer, exact: true }).click();
}

/** The finished recording's directory, once its manifest is written. */
async function finishedRecording(setup: RecordingSetup, id: string): Promise<string> {
  const dir = join(setup.dataDir, 'recordings', id);
  await expect.poll(() => existsSync(join(dir, 'manifest.json')), { message: 'recording sealed', timeout: 90_000 }).toBe(true);
  return dir;
}

/** Ada and Grace in a meeting that Ada records, both consenting; returns their pages and the recording's id. */
async function recordAdaAndGrace(browser: Browser, setup: RecordingSetup): Promise<{ ada: Page; grace: Page; id: string }> {
  const roomId = randomUUID();
  const ada = await joinAs(browser, setup.signaling, { name: 'Ada', roomId });
  const grace = await joinAs(browser, setup.signaling, { name: 'Grace', roomId });
  await ada.getByRole('button', { name: 'Start recording' }).click();
  await Promise.all([consent(ada, 'Record me'), consent(grace, 'Record me')]);
  return { ada, grace, id: await recordingId(setup) };
}

/** Every chunk numbered so far reached the service: the sequence numbers have no hole. */
async function expectNoMissingChunk(setup: RecordingSetup, id: string): Promise<void> {
  const seqs = await storedSeqs(setup, id);
  expect(seqs).toEqual(Array.from({ length: (seqs.at(-1) ?? 0) + 1 }, (_, i) => i));
}

test('two consent, one declines: the recording holds exactly the two, verified and signed', async ({ browser }) => {
  test.setTimeout(240_000);
  const setup = await startWithRecorder();
  try {
    const roomId = randomUUID();
    const ada = await joinAs(browser, setup.signaling, { name: 'Ada', roomId });
    const grace = await joinAs(browser, setup.signaling, { name: 'Grace', roomId });
    const linus = await joinAs(browser, setup.signaling, { name: 'Linus', roomId });

    await ada.getByRole('button', { name: 'Start recording' }).click();
    // Everyone sees that the meeting is recorded; the recorder is a participant, not a tile.
    for (const page of [ada, grace, linus]) {
      await expect(page.getByTestId('recording-indicator')).toContainText('Recording');
      await expect(page.getByTestId('remote-tile')).toHaveCount(2);
    }
    await consent(linus, 'Don’t record me');
    const consentClickedAt = Date.now();
    await Promise.all([consent(ada, 'Record me'), consent(grace, 'Record me')]);
    const consentedAt = Date.now();
    await expect(linus.getByTestId('recording-consent-state')).toHaveAttribute('data-consent', 'declined');
    await ada.waitForTimeout(8000);
    const stoppedAt = Date.now();
    await ada.getByRole('button', { name: 'Stop recording', exact: true }).click();
    await expect(ada.getByTestId('recording-indicator')).toHaveCount(0, { timeout: 30_000 });
    // The recorder records until it has left: the meeting's recorded span ends between the click and then.
    const leftAt = Date.now();
    for (const page of [grace, linus]) await expect(page.getByTestId('recording-indicator')).toHaveCount(0, { timeout: 30_000 });

    const id = await recordingId(setup);
    const dir = await finishedRecording(setup, id);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    const nameOf = (participant: string) => manifest.participants.find((entry) => entry.id === participant)?.name;

    // Exactly the two consenting participants' audio and video.
    expect(manifest.segments).toHaveLength(1);
    const segment = manifest.segments[0] as Manifest['segments'][number];
    expect(segment.tracks.map((track) => `${nameOf(track.participant)}:${track.kind}`).sort()).toEqual(['Ada:audio', 'Ada:video', 'Grace:audio', 'Grace:video']);
    const probe = await ffprobe(join(dir, segment.file));
    expect(probe.streams.map((stream) => stream.codec_name).sort()).toEqual(['opus', 'opus', 'vp8', 'vp8']);
    const titles = probe.streams.map((stream) => stream.tags?.title ?? stream.tags?.TITLE ?? '');
    expect(titles.filter((title) => title.startsWith('Ada'))).toHaveLength(2);
    expect(titles.filter((title) => title.startsWith('Grace'))).toHaveLength(2);
    expect(titles.some((title) => title.includes('Linus'))).toBe(false);
    // One WebM access copy per consenting participant, with their VP8 and Opus only; none for Linus.
    expect((segment.access ?? []).map((copy) => nameOf(copy.participant)).sort()).toEqual(['Ada', 'Grace']);
    for (const copy of segment.access ?? []) {
      const access = await ffprobe(join(dir, copy.file));
      expect(access.streams.map((stream) => [stream.codec_name, (stream.tags?.title ?? stream.tags?.TITLE ?? '').split(' (')[0]])).toEqual([
        ['vp8', nameOf(copy.participant)],
        ['opus', nameOf(copy.participant)],
      ]);
    }
    const linusId = manifest.participants.find((entry) => entry.name === 'Linus')?.id ?? 'Linus';
    expect((await readdir(join(dir, 'segments'), { recursive: true })).filter((file) => file.includes(linusId))).toEqual([]);
    const duration = Number(probe.format.duration);
    expect(duration).toBeGreaterThan((stoppedAt - consentedAt) / 1000 - 1);
    expect(duration).toBeLessThan((leftAt - consentClickedAt) / 1000 + 1);

    // The notice log says who was shown what and decided what.
    const events = (name: string) => manifest.participants.find((entry) => entry.name === name)?.notices.map((notice) => notice.event) ?? [];
    expect(events('Linus')).toContain('declined');
    expect(events('Linus')).not.toContain('consented');
    expect(events('Ada')).toContain('consented');
    expect(events('Grace')).toContain('consented');

    // The verifier accepts it; one changed byte is caught and named.
    const good = await run('node', [VERIFY, join(setup.dataDir, 'recordings')]);
    expect(good.stdout).toMatch(/0 problems/);
    const media = join(dir, segment.file);
    const bytes = await readFile(media);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = (bytes[middle] ?? 0) ^ 0x01;
    await writeFile(media, bytes);
    const bad = await run('node', [VERIFY, dir]).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => error,
    );
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(segment.file);
  } finally {
    await setup.close();
  }
});

/** PIDs of every process of the Chromium that uses this profile directory. */
async function chromiumPids(profileDir: string): Promise<number[]> {
  const { readdir } = await import('node:fs/promises');
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(profileDir)) pids.push(Number(entry));
  }
  return pids;
}

/** Segment numbers of the chunks the service holds for a recording. */
async function storedSegments(setup: RecordingSetup, id: string): Promise<number[]> {
  const { readdir, readFile } = await import('node:fs/promises');
  const dir = join(setup.dataDir, 'work', id, 'chunks');
  const names = (await readdir(dir).catch(() => [] as string[])).filter((name) => name.endsWith('.json'));
  const segments = await Promise.all(names.map(async (name) => (JSON.parse(await readFile(join(dir, name), 'utf8')) as { segment: number }).segment));
  return [...new Set(segments)].sort((a, b) => a - b);
}

test('the recorder’s Chromium killed mid-meeting: it comes back, nothing before the crash is lost, the gap is marked', async ({ browser }) => {
  test.setTimeout(240_000);
  const setup = await startWithRecorder();
  try {
    const { ada, id } = await recordAdaAndGrace(browser, setup);
    await expect.poll(async () => (await storedSeqs(setup, id)).length, { timeout: 30_000 }).toBeGreaterThan(4);

    // The service stops taking chunks for a while: they pile up in the recorder's IndexedDB.
    const context = await setup.recorder.browser.context();
    await context?.route('**/chunks/**', (route) => route.abort());
    // Uploads already in flight may still land: wait until the count holds for 2 s.
    let storedBefore = -1;
    await expect
      .poll(async () => {
        const before = (await storedSeqs(setup, id)).length;
        await ada.waitForTimeout(2000);
        storedBefore = (await storedSeqs(setup, id)).length;
        return storedBefore - before;
      }, { message: 'uploads stopped', timeout: 30_000 })
      .toBe(0);

    // kill -9 every process of the recorder's browser.
    const profile = join(setup.dataDir, 'browser-profile');
    const pids = await chromiumPids(profile);
    expect(pids.length).toBeGreaterThan(0);
    for (const pid of pids) process.kill(pid, 'SIGKILL');

    // It restarts, rejoins (the consents stand), and drains what IndexedDB held.
    await expect.poll(async () => (await chromiumPids(profile)).length, { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(async () => (await storedSeqs(setup, id)).length, { timeout: 60_000 }).toBeGreaterThan(storedBefore + 8);
    await ada.waitForTimeout(3000);
    // No hole: every chunk numbered before the crash reached the service.
    await expectNoMissingChunk(setup, id);

    await ada.getByRole('button', { name: 'Stop recording', exact: true }).click();
    const dir = await finishedRecording(setup, id);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    const gaps = manifest.segments.flatMap((segment) => segment.tracks.flatMap((track) => track.gaps));
    expect(gaps.some((gap) => gap.reason === 'recorder-restart')).toBe(true);
    expect(manifest.segments.length).toBeGreaterThanOrEqual(2);
  } finally {
    await setup.close();
  }
});

test('the recording service restarted mid-meeting: it resumes the recording from its disk, and nothing is lost', async ({ browser }) => {
  test.setTimeout(240_000);
  const setup = await startWithRecorder();
  try {
    const { ada, id } = await recordAdaAndGrace(browser, setup);
    await expect.poll(async () => (await storedSeqs(setup, id)).length, { timeout: 30_000 }).toBeGreaterThan(4);

    // The service goes away (an upgrade, a reboot) with the recording running, and comes back.
    await setup.restartRecorder();
    const storedAtRestart = (await storedSeqs(setup, id)).length;
    // It reopened the recording from its work directory: the recorder rejoins, the consents stand.
    await expect.poll(async () => (await storedSeqs(setup, id)).length, { timeout: 60_000 }).toBeGreaterThan(storedAtRestart + 8);
    await expectNoMissingChunk(setup, id);

    await ada.getByRole('button', { name: 'Stop recording', exact: true }).click();
    const dir = await finishedRecording(setup, id);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.segments.length).toBeGreaterThanOrEqual(2);
    const gaps = manifest.segments.flatMap((segment) => segment.tracks.flatMap((track) => track.gaps));
    expect(gaps.some((gap) => gap.reason === 'recorder-restart')).toBe(true);
    for (const name of ['Ada', 'Grace']) expect(manifest.participants.map((p) => p.name)).toContain(name);
    await run(process.execPath, [VERIFY, dir]);
  } finally {
    await setup.close();
  }
});

test('the recording disk fills up: the meeting is told, metrics count it, and once there is room nothing is lost', async ({ browser }) => {
  test.skip(process.getuid?.() !== 0, 'a small tmpfs stands for the full disk, and mounting it needs root');
  test.setTimeout(240_000);
  const setup = await startWithRecorder();
  // The service's work directory on a real file system of 1 MiB: it fills within seconds.
  const work = join(setup.dataDir, 'work');
  await mkdir(work, { recursive: true });
  await run('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'conclave-e2e-full', work]);
  try {
    const { ada, grace, id } = await recordAdaAndGrace(browser, setup);

    for (const page of [ada, grace]) await expect(page.getByText('The recorder’s disk is full', { exact: false })).toBeVisible({ timeout: 60_000 });
    const metrics = await (await fetch(`${setup.recorder.url}/metrics`)).text();
    expect(Number(/^conclave_recorder_disk_full_total (\d+)/m.exec(metrics)?.[1])).toBeGreaterThan(0);
    const storedWhileFull = await storedSeqs(setup, id);

    // Room again: the recorder page uploads what it kept, and says so.
    await run('mount', ['-o', 'remount,size=256m', work]);
    for (const page of [ada, grace]) await expect(page.getByText('The recorder has recovered', { exact: false })).toBeVisible({ timeout: 60_000 });
    await expect.poll(async () => (await storedSeqs(setup, id)).length, { timeout: 60_000 }).toBeGreaterThan(storedWhileFull.length + 8);
    await expectNoMissingChunk(setup, id);

    await ada.getByRole('button', { name: 'Stop recording', exact: true }).click();
    // What was stored before the disk filled is intact: the sealed recording verifies.
    await run(process.execPath, [VERIFY, await finishedRecording(setup, id)]);
  } finally {
    // Lazily: the service may still hold a file open there until it closes.
    await run('umount', ['--lazy', work]).catch(() => undefined);
    await setup.close();
  }
});

test('a compliance room: the notice is accepted before joining, the meeting is recorded from the start, a camera switch starts a segment', async ({ browser }) => {
  const roomId = 'compliance-e2e-room-0001';
  const setup = await startWithRecorder({ COMPLIANCE_ROOMS: roomId });
  try {
    const page = await openRoom(browser, setup.signaling, { roomId });
    await page.getByLabel('Your name').fill('Ada');
    await expect(page.getByTestId('preview')).toHaveJSProperty('readyState', 4);
    await page.getByRole('button', { name: 'Join now' }).click();
    await expect(page.getByTestId('compliance-notice')).toContainText('always recorded');
    await page.getByRole('button', { name: 'I accept, join' }).click();
    await expect(page.getByTestId('self-tile')).toBeVisible();
    // Nobody started it: the room is always recorded, and accepting the notice was the consent.
    await expect(page.getByTestId('recording-indicator')).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('recording-consent-state')).toHaveAttribute('data-consent', 'consented');
    await expect(page.getByRole('button', { name: 'Stop recording', exact: true })).toHaveCount(0);
    const id = await recordingId(setup);
    await expect.poll(async () => (await storedSeqs(setup, id)).length, { timeout: 30_000 }).toBeGreaterThan(2);
    // Another camera on the same RTP track: the recorder starts a new segment, so each file holds one source.
    expect(await storedSegments(setup, id)).toEqual([0]);
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Camera').selectOption({ label: 'fake_device_2' });
    await expect.poll(() => storedSegments(setup, id), { timeout: 30_000 }).toEqual([0, 1]);
  } finally {
    await setup.close();
  }
});
