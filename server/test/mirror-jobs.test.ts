/**
 * Mirror jobs through the API on the embedded servers: bad input named by field, the
 * webhook secret kept out of every answer, a removed site disabling its jobs, one run at a
 * time, cancel, and the live events a dashboard follows.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Job, JobCreate, Run, ServerMessage } from '../../contract/index.js';
import { eventually, openFeed, startTestApp, type TestApp } from './app.js';
import { addSite, filesOf } from './faults/api.js';
import { embedded, seededBytes } from './fixtures.js';
import { createJob, getJob, getRun, patchJob, runFinished, runToEnd, runsOf, startRun } from './mirror-api.js';
import { sampleTree } from './mirror-suite.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function setup(options: { sourceFiles?: Record<string, Buffer>; bytesPerSecond?: number; sourceFxp?: 'none' } = {}) {
  const a = await embedded.start({
    address: '127.0.0.2',
    files: options.sourceFiles ?? sampleTree('src'),
    bytesPerSecond: options.bytesPerSecond,
    fxp: options.sourceFxp,
  });
  cleanup.push(() => a.stop());
  const b = await embedded.start({ address: '127.0.0.3' });
  cleanup.push(() => b.stop());
  const t: TestApp = await startTestApp({ notifier: { retryDelaysMs: [50, 100] } });
  cleanup.push(() => t.close());
  const [sourceSite, destSite] = [await addSite(t, a, 'source A'), await addSite(t, b, 'destination B')];
  const body = (extra: object = {}) => ({
    name: 'nightly',
    source: { siteId: sourceSite, dir: '/src' },
    destination: { siteId: destSite, dir: '/dst' },
    ...extra,
  });
  return { a, b, t, sourceSite, destSite, body };
}

const post = (t: TestApp, url: string, payload?: object) => t.app.inject({ method: 'POST', url, headers: t.auth, ...(payload ? { payload } : {}) });

describe('mirror jobs: bad input', () => {
  it('answers 400 naming the field for an invalid cron, glob, webhook URL, unknown site or unsafe dir', async () => {
    const { t, body } = await setup();
    const cases: [object, string, string][] = [
      [{ schedule: { cron: '61 * * * *' } }, 'invalid_field', 'schedule.cron'],
      [{ schedule: { cron: '* * * *' } }, 'invalid_field', 'schedule.cron'],
      [{ rules: { skip: { fileNames: { patterns: ['*.tmp', '[abc'] } } } }, 'invalid_field', 'rules.skip.fileNames.patterns[1]'],
      [{ webhook: { url: 'file:///etc/passwd' } }, 'invalid_field', 'webhook.url'],
      [{ webhook: { url: 'not a url' } }, 'invalid_field', 'webhook.url'],
      [{ source: { siteId: 'no-such-site', dir: '/src' } }, 'invalid_field', 'source.siteId'],
      [{ destination: { siteId: 'nope', dir: '/dst' } }, 'invalid_field', 'destination.siteId'],
      [{ source: { siteId: 'x', dir: 'relative' } }, 'invalid_field', 'source.dir'],
      [{ rules: { minSize: 10, maxSize: 5 } }, 'invalid_field', 'rules.minSize'],
      // Caught by the schema before anything else: a CR/LF never gets near a socket.
      [{ destination: { siteId: 'x', dir: '/a\r\nDELE x' } }, 'invalid_request', 'destination/dir'],
      [{ schedule: { everyMinutes: 0 } }, 'invalid_request', 'schedule'],
    ];
    for (const [extra, code, field] of cases) {
      const payload = body(extra) as { source: { siteId: string }; destination: { siteId: string } };
      // The unsafe-dir cases name a real site, so the dir is what fails.
      if ('source' in extra && (extra.source as { siteId: string }).siteId === 'x') payload.source.siteId = body().source.siteId;
      if ('destination' in extra && (extra.destination as { siteId: string }).siteId === 'x') payload.destination.siteId = body().destination.siteId;
      const response = await post(t, '/api/jobs', payload);
      expect(response.statusCode, `${JSON.stringify(extra)} → ${response.body}`).toBe(400);
      expect(response.json().error.code, response.body).toBe(code);
      expect(response.json().error.message, response.body).toContain(field);
    }
    expect((await t.app.inject({ url: '/api/jobs', headers: t.auth })).json()).toEqual([]);
  });

  it('takes a JSON body as typed: null size limits stay null and can be cleared, a number in quotes is refused', async () => {
    const { t, body } = await setup();
    const job = await createJob(t, body({ rules: { minSize: null, maxSize: null } }) as JobCreate);
    expect([job.rules.minSize, job.rules.maxSize]).toEqual([null, null]);
    expect((await patchJob(t, job.id, { rules: { minSize: 100 } })).rules.minSize).toBe(100);
    expect((await patchJob(t, job.id, { rules: { minSize: null } })).rules.minSize).toBeNull();
    const quoted = await post(t, '/api/jobs', body({ rules: { maxDeletes: '5' } }));
    expect(quoted.statusCode).toBe(400);
    expect(quoted.json().error.code).toBe('invalid_request');
  });

  it('refuses a destination inside the source on the same site', async () => {
    const { t, body, sourceSite } = await setup();
    const response = await post(t, '/api/jobs', body({ destination: { siteId: sourceSite, dir: '/src/copy' } }));
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toMatch(/^destination\.dir: .*overlaps/);
  });

  it('needs auth on every jobs and runs route', async () => {
    const { t, body } = await setup();
    const job = await createJob(t, body());
    const run = await runToEnd(t, job.id, { dryRun: true });
    const routes: [string, string][] = [
      ['GET', '/api/jobs'],
      ['POST', '/api/jobs'],
      ['GET', `/api/jobs/${job.id}`],
      ['PATCH', `/api/jobs/${job.id}`],
      ['DELETE', `/api/jobs/${job.id}`],
      ['POST', `/api/jobs/${job.id}/run`],
      ['GET', `/api/jobs/${job.id}/runs`],
      ['GET', `/api/runs/${run.id}`],
      ['POST', `/api/runs/${run.id}/cancel`],
      ['GET', `/api/runs/${run.id}/entries`],
    ];
    for (const [method, url] of routes) {
      const response = await t.app.inject({ method: method as 'GET', url, payload: method === 'GET' || method === 'DELETE' ? undefined : {} });
      expect(response.statusCode, `${method} ${url}`).toBe(401);
    }
    expect((await getJob(t, job.id)).id).toBe(job.id);
  });
});

describe('mirror jobs: CRUD', () => {
  it('creates, lists, patches and deletes; the webhook secret is sealed and never returned', async () => {
    const { t, body } = await setup();
    const secret = 'webhook-secret-4f7a';
    const job = await createJob(t, body({ schedule: { cron: '0 3 * * *' }, webhook: { url: 'http://127.0.0.1:9/hook', secret } }));
    expect(job).toMatchObject({
      name: 'nightly',
      enabled: true,
      schedule: { cron: '0 3 * * *' },
      schedulePreview: 'At 03:00',
      webhook: { url: 'http://127.0.0.1:9/hook', hasSecret: true },
      rules: { compareBy: 'size+time', deleteExtras: false, maxDeletes: 100 },
    });
    expect(Date.parse(job.nextRunAt!)).toBeGreaterThan(Date.now());
    expect(new Date(job.nextRunAt!).getMinutes()).toBe(0);
    expect(JSON.stringify(await t.app.inject({ url: '/api/jobs', headers: t.auth }).then((r) => r.json()))).not.toContain(secret);
    const db = new Database(path.join(t.config.dataDir, 'pasv.sqlite'), { readonly: true });
    const stored = db.prepare('SELECT webhook_secret_enc FROM mirror_jobs WHERE id = ?').get(job.id) as { webhook_secret_enc: string };
    db.close();
    expect(stored.webhook_secret_enc).not.toContain(secret);
    expect(fs.readFileSync(path.join(t.config.dataDir, 'pasv.sqlite')).includes(secret)).toBe(false);

    // Pausing keeps the schedule and stops the clock; a new URL without a secret has none.
    const paused = await t.app.inject({ method: 'PATCH', url: `/api/jobs/${job.id}`, headers: t.auth, payload: { enabled: false, webhook: { url: 'https://example.invalid/x' } } });
    expect(paused.statusCode, paused.body).toBe(200);
    expect(paused.json()).toMatchObject({ enabled: false, schedule: { cron: '0 3 * * *' }, nextRunAt: null, webhook: { hasSecret: false } });
    expect((await post(t, `/api/jobs/${job.id}/run`)).statusCode).toBe(409);

    const patched = await t.app.inject({ method: 'PATCH', url: `/api/jobs/${job.id}`, headers: t.auth, payload: { enabled: true, rules: { newerOnly: true } } });
    expect(patched.json()).toMatchObject({ enabled: true, rules: { newerOnly: true, compareBy: 'size+time' } });
    expect(patched.json().nextRunAt).not.toBeNull();

    expect((await t.app.inject({ method: 'DELETE', url: `/api/jobs/${job.id}`, headers: t.auth })).statusCode).toBe(204);
    expect((await t.app.inject({ url: `/api/jobs/${job.id}`, headers: t.auth })).statusCode).toBe(404);
  });

  it('a removed site disables the job with a note naming it; running it is a 409', async () => {
    const { t, body, destSite } = await setup();
    const job = await createJob(t, body({ schedule: { everyMinutes: 60 } }));
    expect((await t.app.inject({ method: 'DELETE', url: `/api/sites/${destSite}`, headers: t.auth })).statusCode).toBe(204);
    const disabled = await getJob(t, job.id);
    expect(disabled).toMatchObject({ enabled: false, nextRunAt: null, schedule: { everyMinutes: 60 } });
    expect(disabled.disabledReason).toMatch(/destination site "destination B" was removed/);
    const refused = await post(t, `/api/jobs/${job.id}/run`, {});
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toMatch(/disabled: the destination site "destination B" was removed/);
    // Enabling it again needs a site that exists.
    const again = await t.app.inject({ method: 'PATCH', url: `/api/jobs/${job.id}`, headers: t.auth, payload: { enabled: true } });
    expect(again.statusCode).toBe(400);
    expect(again.json().error.message).toMatch(/^destination\.siteId/);
  });
});

describe('mirror runs', () => {
  it('one run at a time: a second request while one is active is a 409; a cancel stops it and its transfer', async () => {
    const files = { 'src/big.bin': seededBytes(6 * 1024 * 1024, 3), 'src/small.txt': Buffer.from('x') };
    const { t, body } = await setup({ sourceFiles: files, bytesPerSecond: 1024 * 1024 });
    const { socket, messages } = await openFeed(t, t.auth);
    cleanup.push(async () => void socket.terminate());
    const job = await createJob(t, body());
    const run = await startRun(t, job.id); // a POST without a body: a plain run
    expect(run).toMatchObject({ jobId: job.id, jobName: 'nightly', dryRun: false, trigger: 'manual' });
    const busy = await post(t, `/api/jobs/${job.id}/run`, { dryRun: true });
    expect(busy.statusCode).toBe(409);
    expect(busy.json().error.message).toMatch(/already running/);

    const syncing = await eventually(async () => {
      const current = await getRun(t, run.id);
      return current.state === 'syncing' ? current : null;
    });
    expect(syncing.transferId).toBeDefined();
    const cancelled = await post(t, `/api/runs/${run.id}/cancel`);
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json()).toMatchObject({ state: 'cancelled' });
    const transfer = await eventually(async () => {
      const current = (await t.app.inject({ url: `/api/transfers/${syncing.transferId}`, headers: t.auth })).json();
      return current.state === 'cancelled' ? current : null;
    });
    expect(transfer.state).toBe('cancelled');
    expect((await post(t, `/api/runs/${run.id}/cancel`)).statusCode).toBe(409);
    // Nothing ran on after the cancel: the run stays cancelled.
    expect((await getRun(t, run.id)).state).toBe('cancelled');

    // The live feed told the story: the run's states and the job's last run.
    await eventually(() => messages.some((m) => m.type === 'run.updated' && m.run.id === run.id && m.run.state === 'cancelled'));
    const states = messages.filter((m): m is ServerMessage & { type: 'run.updated'; run: Run } => m.type === 'run.updated' && m.run.id === run.id).map((m) => m.run.state);
    // Coalesced per run by the hub, so not every state shows, but in order and ending cancelled.
    const order = ['queued', 'comparing', 'syncing', 'cancelled'];
    expect(states.map((state) => order.indexOf(state))).toEqual([...states.map((state) => order.indexOf(state))].sort());
    expect(states.at(-1)).toBe('cancelled');
    const jobUpdates = messages.filter((m): m is ServerMessage & { type: 'job.updated'; job: Job } => m.type === 'job.updated');
    expect(jobUpdates.at(-1)?.job.lastRun).toMatchObject({ id: run.id, state: 'cancelled' });
    expect((await runsOf(t, job.id)).map((r) => r.id)).toEqual([run.id]);
  });

  it('a dry run changes nothing on disk; sync selected copies only the chosen entries', async () => {
    const { b, t, body } = await setup();
    const job = await createJob(t, body());
    const dry = await runToEnd(t, job.id, { dryRun: true });
    expect(dry).toMatchObject({ state: 'done', dryRun: true, counts: { new: 33 } });
    expect(fs.existsSync(path.join(b.root, 'dst'))).toBe(false);

    const selected = await runToEnd(t, job.id, { paths: ['docs', 'readme.txt'] });
    expect(selected).toMatchObject({ state: 'done', paths: ['docs', 'readme.txt'] });
    const copied = await filesOf(t, selected.transferId!);
    expect(copied.map((f) => f.path).sort()).toEqual(['/src/docs/guide.md', '/src/docs/notes.md', '/src/docs/old/2019.md', '/src/readme.txt']);
    expect(fs.readdirSync(path.join(b.root, 'dst')).sort()).toEqual(['docs', 'readme.txt']);
    // The run's bytes are the selection's, not the whole plan's.
    const selectedBytes = ['docs/guide.md', 'docs/notes.md', 'docs/old/2019.md', 'readme.txt']
      .map((rel) => fs.statSync(path.join(b.root, 'dst', rel)).size)
      .reduce((sum, size) => sum + size, 0);
    expect(selected.bytes).toBe(selectedBytes);
    expect(dry.bytes).toBe(dry.bytesByVerdict.new + dry.bytesByVerdict.changed);
    expect(selected.bytes).toBeLessThan(dry.bytes);
    const later = await runFinished(t, (await startRun(t, job.id, { dryRun: true })).id);
    expect(later.counts).toMatchObject({ new: 33 - 6, same: 6 });
  });
});

interface Delivery {
  body: string;
  signature: string | undefined;
}

/** A webhook receiver that answers 500 to the first delivery (so the retry shows) and 200 after. */
async function receiver(): Promise<{ url: string; deliveries: Delivery[]; attempts: () => number }> {
  const deliveries: Delivery[] = [];
  let attempts = 0;
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      attempts++;
      if (attempts === 1) {
        response.writeHead(500).end();
        return;
      }
      deliveries.push({ body, signature: request.headers['x-pasv-signature'] as string | undefined });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, deliveries, attempts: () => attempts };
}

const events = (deliveries: Delivery[]) => deliveries.map((d) => (JSON.parse(d.body) as { event: string }).event);

describe('mirror notifications', () => {
  it('POSTs a signed webhook when a run ends (retried after a 500), none for a dry run', async () => {
    const hook = await receiver();
    const { t, body } = await setup({ sourceFiles: { 'src/a.txt': Buffer.from('a') } });
    const secret = 'shh-its-a-secret';
    const job = await createJob(t, body({ webhook: { url: hook.url, secret } }));
    await runToEnd(t, job.id, { dryRun: true });
    const run = await runToEnd(t, job.id);
    await eventually(() => hook.deliveries.length >= 1);
    expect(hook.attempts()).toBe(2);
    expect(events(hook.deliveries)).toEqual(['run.done']);
    const [delivery] = hook.deliveries;
    const expected = `sha256=${crypto.createHmac('sha256', secret).update(delivery!.body).digest('hex')}`;
    expect(delivery!.signature).toBe(expected);
    const payload = JSON.parse(delivery!.body) as { job: Job; run: Run };
    expect(payload.run).toMatchObject({ id: run.id, state: 'done', jobName: 'nightly', counts: { new: 1 } });
    expect(payload.job).toMatchObject({ id: job.id, webhook: { url: hook.url, hasSecret: true } });
    expect(delivery!.body).not.toContain(secret);
  });

  it('says when the run\'s transfer failed, then that the run failed; nothing is deleted', async () => {
    const hook = await receiver();
    const { b, t, body, sourceSite, destSite } = await setup({ sourceFiles: { 'src/a.txt': Buffer.from('a') }, sourceFxp: 'none' });
    // FXP refused by the source and relaying not allowed: the copy fails for good.
    for (const site of [sourceSite, destSite]) {
      await t.app.inject({ method: 'PATCH', url: `/api/sites/${site}`, headers: t.auth, payload: { relayAllowed: false } });
    }
    fs.mkdirSync(path.join(b.root, 'dst'), { recursive: true });
    fs.writeFileSync(path.join(b.root, 'dst', 'extra.txt'), 'stays');
    const job = await createJob(t, body({ webhook: { url: hook.url }, rules: { deleteExtras: true } }));
    const run = await runToEnd(t, job.id);
    expect(run.state).toBe('failed');
    expect(run.error?.code).toBe('copy_failed');
    expect(run.error?.message).toMatch(/1 of 1 files were not copied .*nothing was deleted/);
    expect(run.deleted).toBe(0);
    expect(fs.existsSync(path.join(b.root, 'dst', 'extra.txt'))).toBe(true);
    await eventually(() => hook.deliveries.length >= 2);
    // The first one was answered 500 and retried, so they may arrive in either order.
    expect(events(hook.deliveries).sort()).toEqual(['run.failed', 'transfer.failed']);
    expect(hook.deliveries.every((d) => d.signature === undefined)).toBe(true);
    const transferFailed = hook.deliveries.find((d) => d.body.includes('"transfer.failed"'))!;
    expect((JSON.parse(transferFailed.body) as { transfer: { id: string; state: string } }).transfer).toMatchObject({
      id: run.transferId,
      state: 'failed',
    });
  });
});
