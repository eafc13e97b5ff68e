/**
 * Fault: the source server dies in the middle of a mirror run's copy and comes back. The
 * run stays in `syncing` while its transfer retries, then finishes: identical files, the
 * extras deleted only after every copy succeeded, one run in the job's history.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { eventually, startTestApp } from '../app.js';
import { embedded, seededBytes, sha256, writeFiles } from '../fixtures.js';
import { createJob, getRun, runFinished, runsOf, startRun, treeOnDisk } from '../mirror-api.js';
import { addSite, getTransfer } from './api.js';
import { startChildFtpServer } from './children.js';

const MiB = 1024 * 1024;
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

it('a source killed mid-run and restarted: the same run resumes its copy and finishes identical', async () => {
  const files = {
    'tree/big.bin': seededBytes(4 * MiB, 71),
    'tree/a/one.txt': seededBytes(1_000, 72),
    'tree/a/two.txt': seededBytes(2_000, 73),
  };
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-mirror-killed-'));
  cleanup.push(() => fs.rmSync(root, { recursive: true, force: true }));
  writeFiles(root, files);
  const spec = { host: '127.0.0.2', root, bytesPerSecond: 2 * MiB, dataTimeoutMs: 5_000 };
  let source = await startChildFtpServer(spec);
  cleanup.push(() => source.kill());
  const destination = await embedded.start({ address: '127.0.0.3', files: { 'tree/stale.txt': 'old' } });
  cleanup.push(() => destination.stop());

  // Enough tries, spaced widely enough, to outlast a server restart on a busy machine.
  const t = await startTestApp({ runner: { maxAttempts: 12, retryDelaysMs: [300, 600, 1_000] } });
  cleanup.push(() => t.close());
  const [a, b] = [await addSite(t, source, 'A'), await addSite(t, destination, 'B')];
  const job = await createJob(t, {
    name: 'killed source',
    source: { siteId: a, dir: '/tree' },
    destination: { siteId: b, dir: '/tree' },
    rules: { deleteExtras: true },
  });
  const started = await startRun(t, job.id);
  const big = path.join(destination.root, 'tree/big.bin');
  await eventually(() => fs.existsSync(big) && fs.statSync(big).size > MiB);

  await source.kill();
  // While the source is gone the run waits for its transfer, and nothing is deleted.
  expect((await getRun(t, started.id)).state).toBe('syncing');
  expect(fs.existsSync(path.join(destination.root, 'tree/stale.txt'))).toBe(true);
  source = await startChildFtpServer({ ...spec, port: source.port });

  const done = await runFinished(t, started.id, 60_000);
  expect(done, JSON.stringify(done)).toMatchObject({ state: 'done', deleted: 1, counts: { new: 4, extra: 1 } }); // 3 files and the folder a
  const expected = Object.fromEntries(
    Object.entries(files).map(([rel, data]) => [rel.slice('tree/'.length), sha256(data)]),
  );
  expect(treeOnDisk(path.join(destination.root, 'tree'))).toEqual(expected);
  expect(await runsOf(t, job.id)).toHaveLength(1);
  // It did go through the failure: the run's transfer was retried after the kill.
  expect((await getTransfer(t, done.transferId!)).notes.join('\n')).toMatch(/will retry/);
}, 90_000);
