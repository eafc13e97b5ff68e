/**
 * Fault, through the service: a site that goes silent mid-sequence (150 and then nothing on a
 * listing, no answer to PORT) must not hold the queue. Cancelling its stuck transfers frees
 * their slots at once, and a stuck listing ends at its idle limit, so a transfer between two
 * healthy servers goes ahead and completes identical.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../app.js';
import { embedded, seededBytes, sha256 } from '../fixtures.js';
import { addSite, finished, getTransfer, startTransfer } from './api.js';
import { startScriptedLister } from './scripted-lister.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A silent site S, healthy sites A (holding f.bin) and B, and an app. */
async function setUp(options: Parameters<typeof startTestApp>[0]) {
  const silent = await startScriptedLister({
    host: '127.0.0.4',
    files: { '/stuck.bin': 1_000 },
    silent: ['PORT', 'EPRT'],
    onListing: () => undefined,
  });
  cleanup.push(() => silent.close());
  const data = seededBytes(512 * 1024, 91);
  const a = await embedded.start({ address: '127.0.0.2', files: { 'f.bin': data } });
  cleanup.push(() => a.stop());
  const b = await embedded.start({ address: '127.0.0.3' });
  cleanup.push(() => b.stop());
  const t = await startTestApp(options);
  cleanup.push(() => t.close());
  const sites = {
    s: await addSite(t, { host: silent.host, port: silent.port, user: 'any', password: 'any' }, 'S'),
    a: await addSite(t, a, 'A'),
    b: await addSite(t, b, 'B'),
  };
  return { silent, data, b, t, sites };
}

async function cancel(t: TestApp, id: string): Promise<void> {
  const response = await t.app.inject({ method: 'POST', url: `/api/transfers/${id}/cancel`, headers: t.auth });
  expect(response.statusCode, response.body).toBe(200);
}

it(
  'cancelling transfers stuck on a silent site frees every slot at once; a healthy copy then completes',
  { timeout: 30_000 },
  async () => {
    // Nothing but a cancel can end these: every timeout is far beyond the test's.
    const { silent, data, b, t, sites } = await setUp({
      pool: { replyTimeoutMs: 120_000, dataIdleTimeoutMs: 120_000 },
      runner: { concurrency: 2, stallTimeoutMs: 120_000, finalReplyTimeoutMs: 120_000 },
    });
    const walkStuck = await startTransfer(t, [sites.s, '/tree'], [sites.b, '/']); // stuck in its listing
    const copyStuck = await startTransfer(t, [sites.s, '/stuck.bin'], [sites.b, '/']); // stuck on PORT
    const listingConn = await silent.listingStarted;
    const portConn = await silent.silenced;
    expect(portConn.lastCommand?.verb).toBe('PORT');

    const healthy = await startTransfer(t, [sites.a, '/f.bin'], [sites.b, '/']);
    expect((await getTransfer(t, healthy.id)).state).toBe('queued'); // both slots are taken

    const cancelledAt = Date.now();
    await cancel(t, walkStuck.id);
    await cancel(t, copyStuck.id);
    const done = await finished(t, healthy.id, 10_000);
    expect(done.state, JSON.stringify(done)).toBe('done');
    expect(Date.now() - cancelledAt).toBeLessThan(5_000);
    expect(sha256(fs.readFileSync(path.join(b.root, 'f.bin')))).toBe(sha256(data));

    // The sessions stuck mid-sequence were closed, not handed to the next job.
    await Promise.all([listingConn.closed, portConn.closed]);
    expect((await finished(t, walkStuck.id, 5_000)).state).toBe('cancelled');
    expect((await finished(t, copyStuck.id, 5_000)).state).toBe('cancelled');
  },
);

it(
  'a listing stuck on a silent site ends at its idle limit and does not hold the only slot',
  { timeout: 30_000 },
  async () => {
    const { data, b, t, sites } = await setUp({
      pool: { dataIdleTimeoutMs: 1_000 },
      runner: { concurrency: 1, retryDelaysMs: [200, 400] },
    });
    const stuck = await startTransfer(t, [sites.s, '/tree'], [sites.b, '/']);
    const healthy = await startTransfer(t, [sites.a, '/f.bin'], [sites.b, '/']);

    const done = await finished(t, healthy.id, 15_000);
    expect(done.state, JSON.stringify(done)).toBe('done');
    expect(sha256(fs.readFileSync(path.join(b.root, 'f.bin')))).toBe(sha256(data));
    const notes = (await getTransfer(t, stuck.id)).notes.join('\n');
    expect(notes).toMatch(/no data on the LIST data connection for 1000 ms; will retry/);
    await cancel(t, stuck.id);
  },
);
