/**
 * Scheduled mirror runs in real time on the embedded servers: a ~1 s schedule fires, never
 * overlaps a run still going, and stops when paused; and the backend SIGKILLed mid-sync
 * finishes the same run after a restart, files identical, with no second run for its slot.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { Job, Run, Transfer } from '../../contract/index.js';
import { eventually, openFeed, startTestApp } from './app.js';
import { addSite } from './faults/api.js';
import { childApi, startChildBackend } from './faults/children.js';
import { embedded, seededBytes } from './fixtures.js';
import { createJob, isFinished, patchJob, runsOf, treeOnDisk } from './mirror-api.js';

const MiB = 1024 * 1024;
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** Each run starts after the one before it ended, and no slot has two runs. */
function expectNoOverlap(runs: Run[]): void {
  const ordered = [...runs].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  for (let i = 1; i < ordered.length; i++) {
    expect(ordered[i - 1]!.finishedAt, JSON.stringify(ordered)).toBeDefined();
    expect(Date.parse(ordered[i]!.startedAt)).toBeGreaterThanOrEqual(Date.parse(ordered[i - 1]!.finishedAt!));
  }
  const slots = runs.map((r) => r.slot);
  expect(new Set(slots).size).toBe(slots.length);
}

it('a schedule of every ~1 s fires, skips slots while a run is going, and stops when paused', async () => {
  const files = { 'src/slow.bin': seededBytes(3 * MiB, 1), 'src/a.txt': Buffer.from('a'), 'src/d/b.txt': Buffer.from('b') };
  const a = await embedded.start({ address: '127.0.0.2', files, bytesPerSecond: MiB });
  cleanup.push(() => a.stop());
  const b = await embedded.start({ address: '127.0.0.3' });
  cleanup.push(() => b.stop());
  const t = await startTestApp();
  cleanup.push(() => t.close());
  const { socket, messages } = await openFeed(t, t.auth);
  cleanup.push(() => void socket.terminate());
  const job = await createJob(t, {
    name: 'every second',
    source: { siteId: await addSite(t, a, 'A'), dir: '/src' },
    destination: { siteId: await addSite(t, b, 'B'), dir: '/dst' },
    schedule: { everyMinutes: 0.02 },
  });
  expect(job.schedulePreview).toBe('Every 1 seconds');

  // The first run copies for ~3 s, across two or three slots; the later ones find everything the same.
  const runs = await eventually(async () => {
    const current = await runsOf(t, job.id);
    return current.filter(isFinished).length >= 3 ? current : null;
  }, 30_000);
  const finished = runs.filter(isFinished).reverse();
  expect(finished.every((r) => r.trigger === 'schedule' && r.state === 'done' && r.slot)).toBe(true);
  expect(finished[0]!.transferId).toBeDefined();
  expect(finished[1]!.notes.join()).toMatch(/skipped \d+ slots? from .*: the previous run was still going/);
  expect(finished[1]!.transferId).toBeUndefined();
  expect(treeOnDisk(path.join(b.root, 'dst'))).toEqual(treeOnDisk(path.join(a.root, 'src')));
  // The dashboard hears of each next slot, skipped ones included.
  const announced = new Set(messages.flatMap((m) => (m.type === 'job.updated' && m.job.id === job.id ? [m.job.nextRunAt] : [])));
  expect(announced.size).toBeGreaterThanOrEqual(4);

  const paused = await patchJob(t, job.id, { enabled: false });
  expect(paused).toMatchObject({ enabled: false, nextRunAt: null, schedule: { everyMinutes: 0.02 } });
  const settled = await eventually(async () => {
    const current = await runsOf(t, job.id);
    return current.every(isFinished) ? current : null;
  });
  expectNoOverlap(settled);
  // Three slots' worth of waiting: a paused job starts nothing.
  await new Promise((resolve) => setTimeout(resolve, 3_600));
  expect(await runsOf(t, job.id)).toHaveLength(settled.length);
}, 60_000);

const TOKEN = 'mirror-crash-token';


it('the backend SIGKILLed mid-sync finishes the same run after a restart: identical files, no second run for the slot', async () => {
  const files: Record<string, Buffer> = { 'src/big/movie.bin': seededBytes(8 * MiB, 7) };
  for (let i = 0; i < 10; i++) files[`src/small/f${i}.txt`] = seededBytes(100 + i, 20 + i);
  const a = await embedded.start({ address: '127.0.0.2', files, bytesPerSecond: 2 * MiB });
  cleanup.push(() => a.stop());
  const b = await embedded.start({ address: '127.0.0.3' });
  cleanup.push(() => b.stop());
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-mirror-crash-'));
  cleanup.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  let backend = await startChildBackend(dataDir, TOKEN);
  cleanup.push(() => backend.kill());
  const site = (server: typeof a, name: string) =>
    childApi<{ id: string }>(backend, 'POST', '/api/sites', { name, host: server.host, port: server.port, user: server.user, password: server.password });
  const [src, dst] = [await site(a, 'A'), await site(b, 'B')];
  const job = await childApi<Job>(backend, 'POST', '/api/jobs', {
    name: 'crash',
    source: { siteId: src.id, dir: '/src' },
    destination: { siteId: dst.id, dir: '/dst' },
    schedule: { everyMinutes: 0.02 },
  });

  // Mid-sync of the big file: its transfer has moved some of it, not all.
  const [running, transferId] = await eventually(async () => {
    const [run] = await childApi<Run[]>(backend, 'GET', `/api/jobs/${job.id}/runs`);
    if (run?.state !== 'syncing' || !run.transferId) return null;
    const transfer = await childApi<Transfer>(backend, 'GET', `/api/transfers/${run.transferId}`);
    return transfer.bytesDone > 2 * MiB ? ([run, run.transferId] as const) : null;
  }, 30_000);
  await backend.kill();
  // Down for a few slots.
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  backend = await startChildBackend(dataDir, TOKEN);

  const finished = await eventually(async () => {
    const run = await childApi<Run>(backend, 'GET', `/api/runs/${running.id}`);
    return isFinished(run) ? run : null;
  }, 60_000);
  expect(finished, JSON.stringify(finished)).toMatchObject({ state: 'done', transferId, slot: running.slot, counts: { new: 13 } });
  expect(treeOnDisk(path.join(b.root, 'dst'))).toEqual(treeOnDisk(path.join(a.root, 'src')));

  // The schedule goes on after it, with the slots it missed meanwhile run once, never beside it.
  const runs = await eventually(async () => {
    const current = await childApi<Run[]>(backend, 'GET', `/api/jobs/${job.id}/runs`);
    return current.filter(isFinished).length >= 2 ? current : null;
  }, 30_000);
  await childApi<Job>(backend, 'PATCH', `/api/jobs/${job.id}`, { enabled: false });
  const settled = await eventually(async () => {
    const current = await childApi<Run[]>(backend, 'GET', `/api/jobs/${job.id}/runs`);
    return current.every(isFinished) ? current : null;
  });
  expect(settled.filter((r) => r.slot === running.slot)).toHaveLength(1);
  expect(settled.filter((r) => r.transferId)).toHaveLength(1);
  expectNoOverlap(settled);
  const next = runs.filter(isFinished).reverse()[1]!;
  expect(next.notes.join()).toMatch(/skipped|missed/);
}, 120_000);
