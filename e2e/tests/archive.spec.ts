import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from '@playwright/test';
import { validateBag } from '@conclave/archive';
import { expectAccessible } from '../support/accessibility.js';
import { ARCHIVIST, startArchiveFor } from '../support/archive.js';
import { expect, joinAs, screenshotPath, test } from '../support/fixtures.js';
import { NetworkWatch } from '../support/offline.js';
import { recordingId, startWithRecorder, storedSeqs } from '../support/recorder.js';

const run = promisify(execFile);

async function consent(page: Page): Promise<void> {
  await page.getByTestId('recording-consent').getByRole('button', { name: 'Record me', exact: true }).click();
}

test('an archivist finds the meeting by a participant’s name, plays it in sync, seeks, and exports a BagIt package that validates', async ({ browser }) => {
  test.setTimeout(300_000);
  const recording = await startWithRecorder();
  const archive = await startArchiveFor(recording);
  const work = await mkdtemp(join(tmpdir(), 'conclave-bag-'));
  try {
    // A real meeting, recorded: Ada and Grace consent.
    const roomId = randomUUID();
    const ada = await joinAs(browser, recording.signaling, { name: 'Ada', roomId });
    const grace = await joinAs(browser, recording.signaling, { name: 'Grace Hopper', roomId });
    await ada.getByRole('button', { name: 'Start recording' }).click();
    const started = Date.now();
    await Promise.all([consent(ada), consent(grace)]);
    // The segment starts once the recorder gets media, seconds after the start on a loaded
    // machine: record until the segment is longer than that lead, so that half-way through
    // the recording falls well inside it.
    const recordingDir = await recordingId(recording);
    await expect.poll(async () => (await storedSeqs(recording, recordingDir)).length, { message: 'the recorder stores media', timeout: 60_000 }).toBeGreaterThan(0);
    await ada.waitForTimeout(Math.max(8000, Date.now() - started + 3000));
    await ada.getByRole('button', { name: 'Stop recording', exact: true }).click();
    await ada.context().close();
    await grace.context().close();
    // The archive's inbox picks the sealed recording up by itself.
    await expect
      .poll(async () => (await archive.archive.archive.catalog.search({})).total, { message: 'the recording reaches the archive', timeout: 120_000 })
      .toBe(1);

    // The portal, like every page, reaches nothing but its own origin and breaks no CSP rule.
    const context = await browser.newContext({ acceptDownloads: true });
    const watch = new NetworkWatch();
    await watch.watch(context, 'portal', [archive.archive.url]);
    const page = await context.newPage();
    await page.goto(archive.archive.url);
    await expectAccessible(page, 'the archive login');
    await page.getByLabel('Username').fill(ARCHIVIST.username);
    await page.getByLabel('Password').fill(ARCHIVIST.password);
    await page.getByRole('button', { name: 'Log in' }).click();

    await page.getByLabel('Participant name').fill('hopper');
    await page.getByTestId('search-form').getByRole('button', { name: 'Search' }).click();
    await expect(page.getByTestId('result-row')).toHaveCount(1);
    await expect(page.getByTestId('result-row')).toContainText('Grace Hopper');
    await expectAccessible(page, 'the archive search');
    await page.screenshot({ path: screenshotPath('archive-search'), fullPage: true });
    await page.getByTestId('result-row').getByRole('link').click();

    // One video per participant, both playing from the same clock.
    const videos = page.getByTestId('participant-video');
    await expect(videos).toHaveCount(2);
    await expect(page.getByTestId('notice-log')).toContainText('Grace Hopper');
    await expect(page.getByTestId('integrity-status')).toBeVisible();
    await expectAccessible(page, 'a recording in the archive');
    await page.getByTestId('play-pause').click();
    await expect.poll(() => videos.evaluateAll((list) => list.map((video) => (video as HTMLVideoElement).currentTime).every((time) => time > 1)), { timeout: 20_000 }).toBe(true);

    // Half-way through the recording: every participant's video goes to the same point of
    // its segment (the segment starts when the first person consented; seeking fetches byte ranges).
    const duration = Number(await page.getByTestId('seek-bar').getAttribute('max'));
    expect(duration).toBeGreaterThan(4);
    await page.getByTestId('play-pause').click();
    const id = (await archive.archive.archive.catalog.search({})).recordings[0]?.id ?? '';
    const segment = (await page.evaluate(async (recording) => (await (await fetch(`/api/recordings/${recording}`)).json()) as { segments: { startOffsetMs: number }[] }, id)).segments[0];
    const inSegment = duration / 2 - (segment?.startOffsetMs ?? 0) / 1000;
    expect(inSegment).toBeGreaterThan(1);
    await page.getByTestId('seek-bar').fill(String(duration / 2));
    await expect
      .poll(() => videos.evaluateAll((list) => list.map((video) => (video as HTMLVideoElement).currentTime)), { timeout: 20_000 })
      .toEqual([expect.closeTo(inSegment, 0), expect.closeTo(inSegment, 0)]);
    const times = await videos.evaluateAll((list) => list.map((video) => (video as HTMLVideoElement).currentTime));
    expect(Math.abs((times[0] ?? 0) - (times[1] ?? 0))).toBeLessThan(0.25);
    await page.screenshot({ path: screenshotPath('archive-recording'), fullPage: true });

    // The BagIt package, checked by tools that share no code with the archive.
    const download = page.waitForEvent('download');
    await page.getByTestId('export-button').click();
    const tar = join(work, 'bag.tar');
    await (await download).saveAs(tar);
    await run('tar', ['-xf', tar], { cwd: work });
    const bag = join(work, `${id}.bag`);
    await run('sha256sum', ['--check', '--strict', '--quiet', 'manifest-sha256.txt'], { cwd: bag });
    await run('sha256sum', ['--check', '--strict', '--quiet', 'tagmanifest-sha256.txt'], { cwd: bag });
    const info = await readFile(join(bag, 'bag-info.txt'), 'utf8');
    const [octets, count] = (/^Payload-Oxum: (\d+)\.(\d+)$/m.exec(info) ?? []).slice(1).map(Number);
    const { stdout } = await run('find', ['data', '-type', 'f', '-printf', '%s\\n'], { cwd: bag });
    const sizes = stdout.trim().split('\n').map(Number);
    expect([sizes.reduce((a, b) => a + b, 0), sizes.length]).toEqual([octets, count]);
    await run('xmllint', ['--noout', join(bag, 'metadata', 'dublin-core.xml'), join(bag, 'metadata', 'premis.xml')]);
    expect((await validateBag(bag)).valid).toBe(true);
    // Every one of those steps is in the audit log.
    const actions = (await archive.archive.archive.audit.entries({ recordingId: id })).map((entry) => entry.action);
    expect(actions).toEqual(expect.arrayContaining(['ingest', 'view', 'export']));
    expect(watch.outside(), 'requests to another host').toEqual([]);
    expect(watch.violations, 'CSP violations').toEqual([]);
    expect(watch.requests.length).toBeGreaterThan(5);
    await context.close();
  } finally {
    await rm(work, { recursive: true, force: true });
    await archive.close();
    await recording.close();
  }
});

