/**
 * Fault: the source server stops answering mid-transfer (SIGSTOP of its process): the TCP
 * connections stay up, nothing comes back. The copy must end by its stall timeout, be
 * retried, and the retries must time out too instead of hanging; after SIGCONT the transfer
 * resumes and completes identical. Timeouts are shortened through the app's test options.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { eventually, startTestApp } from '../app.js';
import { embedded, seededBytes, sha256, writeFiles } from '../fixtures.js';
import { addSite, finished, getTransfer, recordLog, sentTo, startTransfer } from './api.js';
import { startChildFtpServer } from './children.js';

const MiB = 1024 * 1024;
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function sizeOf(file: string): number {
  return fs.existsSync(file) ? fs.statSync(file).size : 0;
}

it('a stopped source server: stall timeout, retries that time out, then SIGCONT and it completes', async () => {
  const data = seededBytes(4 * MiB, 61);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-stopped-src-'));
  cleanup.push(() => fs.rmSync(root, { recursive: true, force: true }));
  writeFiles(root, { 'big.bin': data });
  const source = await startChildFtpServer({ host: '127.0.0.2', root, bytesPerSecond: 2 * MiB });
  cleanup.push(() => source.kill());
  const destination = await embedded.start({ address: '127.0.0.3' });
  cleanup.push(() => destination.stop());

  const t = await startTestApp({
    pool: { connectTimeoutMs: 1_000, replyTimeoutMs: 2_000 },
    runner: { stallTimeoutMs: 1_500, maxAttempts: 10, retryDelaysMs: [200, 400] },
  });
  cleanup.push(() => t.close());
  const log = recordLog(t);
  const [a, b] = [await addSite(t, source, 'A'), await addSite(t, destination, 'B')];
  const created = await startTransfer(t, [a, '/big.bin'], [b, '/']);
  const target = path.join(destination.root, 'big.bin');

  await eventually(() => sizeOf(target) > MiB);
  source.signal('SIGSTOP');
  const stoppedAt = Date.now();

  // The stall is noticed, the copy given up and retried; the retry's login times out too.
  const notes = async () => (await getTransfer(t, created.id)).notes.join('\n');
  await eventually(async () => /no progress for 2 s; will retry/.test(await notes()), 15_000);
  const stallNotedAfter = Date.now() - stoppedAt;
  await eventually(async () => /no reply to greeting within 1000 ms; will retry/.test(await notes()), 15_000);
  const stalledSize = sizeOf(target);
  expect(stalledSize).toBeLessThan(data.length);
  // Stall (1.5 s, read once a second) + ABOR left unanswered (5 s) + slack: it did not hang.
  expect(stallNotedAfter).toBeLessThan(12_000);
  expect((await getTransfer(t, created.id)).state).toBe('running');

  source.signal('SIGCONT');
  const done = await finished(t, created.id);
  expect(done.state, JSON.stringify(done)).toBe('done');
  expect(sha256(fs.readFileSync(target))).toBe(sha256(data));
  // It resumed from what the destination held, not from zero.
  const offsets = sentTo(log, a, 'REST').map((s) => Number(s.line.split(' ')[1]));
  expect(offsets.some((n) => n >= MiB && n <= stalledSize)).toBe(true);
});
