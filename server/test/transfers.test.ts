/**
 * The transfer service end to end through the HTTP API, on real (embedded) FTP servers on
 * distinct loopback addresses: trees, progress on the live feed, retries that resume.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import type { ServerMessage, Transfer } from '../../contract/index.js';
import { startFtpServer } from '../src/demo/ftp-server/server.js';
import { eventually, openFeed, startTestApp, type TestApp } from './app.js';
import { filesOf } from './faults/api.js';
import { embedded, seededBytes, sha256, writeFiles, type TestServer } from './fixtures.js';

const MiB = 1024 * 1024;
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function addSite(
  t: TestApp,
  server: { host: string; port: number; user?: string; password?: string },
  name: string,
): Promise<string> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/sites',
    headers: t.auth,
    payload: {
      name,
      host: server.host,
      port: server.port,
      user: server.user ?? 'tester',
      password: server.password ?? 'secret',
    },
  });
  expect(response.statusCode).toBe(201);
  return response.json().id as string;
}

async function transfer(t: TestApp, body: object): Promise<Transfer> {
  const response = await t.app.inject({ method: 'POST', url: '/api/transfers', headers: t.auth, payload: body });
  expect(response.statusCode).toBe(202);
  return response.json() as Transfer;
}

async function finished(t: TestApp, id: string, timeoutMs = 60_000): Promise<Transfer> {
  return eventually(async () => {
    const current = (await t.app.inject({ url: `/api/transfers/${id}`, headers: t.auth })).json() as Transfer;
    return ['done', 'skipped', 'failed', 'cancelled'].includes(current.state) ? current : null;
  }, timeoutMs);
}

/** Every file below root, relative path → sha256. */
function treeOf(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else out[path.relative(root, full)] = sha256(fs.readFileSync(full));
    }
  };
  walk(root);
  return out;
}

/** The transfer.updated messages about one transfer, in order. */
function updatesOf(messages: ServerMessage[], id: string): Transfer[] {
  return messages.flatMap((m) => (m.type === 'transfer.updated' && m.transfer.id === id ? [m.transfer] : []));
}

async function start(spec: Parameters<typeof embedded.start>[0]): Promise<TestServer> {
  const server = await embedded.start(spec);
  cleanup.push(() => server.stop());
  return server;
}

describe('transfers through the API', () => {
  it('copies a nested tree of 200 files with odd names, identical, with progress on the live feed', async () => {
    const files: Record<string, Buffer> = {};
    const dirs = ['', 'with space', 'ünïcødé ✓', 'brackets [1] (2) {3}', 'deep/er/still'];
    for (let i = 0; i < 200; i++) {
      const dir = dirs[i % dirs.length]!;
      files[path.join('tree', dir, `file ${i} [${i % 7}] é.bin`)] = seededBytes(i === 0 ? 0 : 1024 + i * 37, i);
    }
    const a = await start({ address: '127.0.0.2', files });
    const b = await start({ address: '127.0.0.3' });
    fs.mkdirSync(path.join(a.root, 'tree', 'empty'));
    const t = await startTestApp();
    cleanup.push(() => t.close());
    const [source, destination] = [await addSite(t, a, 'A'), await addSite(t, b, 'B')];
    const { messages } = await openFeed(t, t.auth);

    const created = await transfer(t, {
      source: { siteId: source, path: '/tree' },
      destination: { siteId: destination, dir: '/in' },
    });
    const done = await finished(t, created.id);
    expect(done).toMatchObject({
      state: 'done',
      kind: 'dir',
      mode: 'fxp',
      filesDone: 200,
      filesTotal: 200,
      filesFailed: 0,
    });
    expect(done.bytesDone).toBe(done.bytesTotal);
    expect(treeOf(path.join(b.root, 'in', 'tree'))).toEqual(treeOf(path.join(a.root, 'tree')));
    expect(fs.statSync(path.join(b.root, 'in', 'tree', 'empty')).isDirectory()).toBe(true);

    await eventually(() => messages.some((m) => m.type === 'transfer.updated' && m.transfer.state === 'done'));
    const updates = messages.filter((m) => m.type === 'transfer.updated');
    expect(updates.length).toBeGreaterThan(1);
    expect(messages.map((m) => m.seq)).toEqual(messages.map((_, i) => i + 1));
    expect(messages.some((m) => m.type === 'log' && /^PORT 127,0,0,3,/.test(m.line))).toBe(true);
    const files200 = await filesOf(t, created.id);
    expect(files200).toHaveLength(200);
  });

  it('retries and resumes when the source server dies mid-transfer and comes back', async () => {
    const data = seededBytes(6 * MiB, 9);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-phoenix-'));
    cleanup.push(async () => fs.rmSync(root, { recursive: true, force: true }));
    writeFiles(root, { 'big.bin': data });
    const users = [{ user: 'tester', password: 'secret' }];
    let source = await startFtpServer({ host: '127.0.0.2', root, users, bytesPerSecond: 3 * MiB });
    cleanup.push(() => source.close());
    const b = await start({ address: '127.0.0.3' });
    const t = await startTestApp();
    cleanup.push(() => t.close());
    const [a, dest] = [await addSite(t, source, 'A'), await addSite(t, b, 'B')];
    const created = await transfer(t, {
      source: { siteId: a, path: '/big.bin' },
      destination: { siteId: dest, dir: '/' },
    });

    await eventually(
      () => fs.existsSync(path.join(b.root, 'big.bin')) && fs.statSync(path.join(b.root, 'big.bin')).size > MiB,
    );
    const port = source.port;
    source.destroyConnections();
    await source.close();
    source = await startFtpServer({ host: '127.0.0.2', port, root, users });

    const done = await finished(t, created.id);
    expect(done.state).toBe('done');
    expect(done.notes.join('\n')).toMatch(/will retry/);
    expect(sha256(fs.readFileSync(path.join(b.root, 'big.bin')))).toBe(sha256(data));
    const [file] = await filesOf(t, created.id);
    expect(file.state).toBe('done');
  });

  it('cancels a running transfer and retries it to completion', async () => {
    const data = seededBytes(4 * MiB, 10);
    const a = await start({ address: '127.0.0.2', files: { 'c.bin': data }, bytesPerSecond: 2 * MiB });
    const b = await start({ address: '127.0.0.3' });
    const t = await startTestApp();
    cleanup.push(() => t.close());
    const [src, dst] = [await addSite(t, a, 'A'), await addSite(t, b, 'B')];
    const created = await transfer(t, {
      source: { siteId: src, path: '/c.bin' },
      destination: { siteId: dst, dir: '/' },
    });
    await eventually(
      async () => (await t.app.inject({ url: `/api/transfers/${created.id}`, headers: t.auth })).json().bytesDone > 0,
    );
    const cancelled = await t.app.inject({
      method: 'POST',
      url: `/api/transfers/${created.id}/cancel`,
      headers: t.auth,
    });
    expect(cancelled.json().state).toBe('cancelled');
    const again = await t.app.inject({ method: 'POST', url: `/api/transfers/${created.id}/cancel`, headers: t.auth });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toEqual({ error: { code: 'conflict', message: 'transfer is already cancelled' } });
    const retried = await t.app.inject({ method: 'POST', url: `/api/transfers/${created.id}/retry`, headers: t.auth });
    expect(retried.json().state).toBe('queued');
    expect((await finished(t, created.id)).state).toBe('done');
    expect(sha256(fs.readFileSync(path.join(b.root, 'c.bin')))).toBe(sha256(data));
  });

  it('gives the next free slot to a transfer moved to the top while the one ahead still has files', async () => {
    // One slot: a lane keeps its sessions from file to file, and must still make way.
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 30; i++) files[`many/f${String(i).padStart(2, '0')}.bin`] = seededBytes(256 * 1024, 40 + i);
    const single = seededBytes(64 * 1024, 99);
    const a = await start({ address: '127.0.0.2', files: { ...files, 'one.bin': single }, bytesPerSecond: 2 * MiB });
    const b = await start({ address: '127.0.0.3' });
    const t = await startTestApp({ runner: { concurrency: 1 } });
    cleanup.push(() => t.close());
    const [src, dst] = [await addSite(t, a, 'A'), await addSite(t, b, 'B')];
    const many = await transfer(t, { source: { siteId: src, path: '/many' }, destination: { siteId: dst, dir: '/' } });
    await eventually(
      async () => (await t.app.inject({ url: `/api/transfers/${many.id}`, headers: t.auth })).json().filesDone >= 1,
    );
    const one = await transfer(t, {
      source: { siteId: src, path: '/one.bin' },
      destination: { siteId: dst, dir: '/' },
    });
    const top = await t.app.inject({ method: 'POST', url: `/api/transfers/${one.id}/top`, headers: t.auth });
    expect(top.statusCode).toBe(200);
    expect((await finished(t, one.id)).state).toBe('done');
    const ahead = (await t.app.inject({ url: `/api/transfers/${many.id}`, headers: t.auth })).json() as Transfer;
    expect(ahead.filesDone).toBeLessThan(30);
    expect((await finished(t, many.id)).state).toBe('done');
    expect(sha256(fs.readFileSync(path.join(b.root, 'one.bin')))).toBe(sha256(single));
    expect(Object.keys(treeOf(path.join(b.root, 'many')))).toHaveLength(30);
  });

  it('numbers every stored change of a transfer with a growing version, across a restart too', async () => {
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 6; i++) files[`v/f${i}.bin`] = seededBytes(64 * 1024 + i, 20 + i);
    const a = await start({ address: '127.0.0.2', files });
    const b = await start({ address: '127.0.0.3' });
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-version-'));
    cleanup.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    let t = await startTestApp({ dataDir });
    const [src, dst] = [await addSite(t, a, 'A'), await addSite(t, b, 'B')];
    const { messages } = await openFeed(t, t.auth);
    const created = await transfer(t, { source: { siteId: src, path: '/v' }, destination: { siteId: dst, dir: '/' } });
    const done = await finished(t, created.id);
    expect(done).toMatchObject({ state: 'done', filesDone: 6 });
    await eventually(() => updatesOf(messages, created.id).some((u) => u.state === 'done'));

    // Never back; and up whenever what the store holds changed (progress alone may share one).
    const stored = (u: Transfer) =>
      JSON.stringify([
        u.state,
        u.kind,
        u.mode,
        u.filesDone,
        u.filesFailed,
        u.filesTotal,
        u.bytesTotal,
        u.attempts,
        u.notes,
      ]);
    const seen = [created, ...updatesOf(messages, created.id)];
    for (let i = 1; i < seen.length; i++) {
      const [before, after] = [seen[i - 1]!, seen[i]!];
      if (stored(after) === stored(before)) expect(after.version).toBeGreaterThanOrEqual(before.version);
      else expect(after.version).toBeGreaterThan(before.version);
    }
    expect(done.version).toBe(seen.at(-1)!.version);

    // A restart on the same data dir goes on from there.
    await t.close();
    t = await startTestApp({ dataDir });
    cleanup.push(() => t.close());
    const reloaded = (await t.app.inject({ url: `/api/transfers/${created.id}`, headers: t.auth })).json() as Transfer;
    expect(reloaded.version).toBe(done.version);
    const retried = (
      await t.app.inject({ method: 'POST', url: `/api/transfers/${created.id}/retry`, headers: t.auth })
    ).json() as Transfer;
    expect(retried.state).toBe('queued');
    expect(retried.version).toBeGreaterThan(done.version);
    const again = await finished(t, created.id);
    expect(again.state).toBe('done');
    expect(again.version).toBeGreaterThan(retried.version);
  });

  it('announces a transfer at most ~5 times a second, throttled once: the hub passes each update on', async () => {
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 120; i++) files[`many/f${String(i).padStart(3, '0')}.bin`] = seededBytes(2048 + i, 300 + i);
    const a = await start({ address: '127.0.0.2', files });
    const b = await start({ address: '127.0.0.3' });
    // A hub that coalesced transfers would hold every update for a minute.
    const t = await startTestApp({ hubFlushMs: 60_000 });
    cleanup.push(() => t.close());
    const [src, dst] = [await addSite(t, a, 'A'), await addSite(t, b, 'B')];
    const published: { at: number; transfer: Transfer }[] = [];
    t.app.services.events.on('event', (event) => {
      if (event.type === 'transfer.updated') published.push({ at: performance.now(), transfer: event.transfer });
    });
    const { messages } = await openFeed(t, t.auth);
    await eventually(() => messages.length > 0); // the snapshot

    const created = await transfer(t, {
      source: { siteId: src, path: '/many' },
      destination: { siteId: dst, dir: '/' },
    });
    await eventually(() => updatesOf(messages, created.id).some((u) => u.state === 'done'));
    const ours = published.filter((p) => p.transfer.id === created.id);
    expect(updatesOf(messages, created.id)).toEqual(ours.map((p) => p.transfer));

    // Progress waits out PROGRESS_INTERVAL_MS (200 ms) since the last update; only the few
    // state changes (queued, running, mode, walk ended, done) go out at once.
    const gaps = ours.slice(1).map((p, i) => p.at - ours[i]!.at);
    expect(gaps.filter((gap) => gap < 190).length).toBeLessThanOrEqual(5);
    const seconds = (ours.at(-1)!.at - ours[0]!.at) / 1000;
    expect(ours.length).toBeLessThanOrEqual(5 * seconds + 6);
    expect(ours.length).toBeGreaterThan(3);
  });

  it('fails with the server’s own words when the source file does not exist', async () => {
    const a = await start({ address: '127.0.0.2' });
    const b = await start({ address: '127.0.0.3' });
    const t = await startTestApp();
    cleanup.push(() => t.close());
    const [src, dst] = [await addSite(t, a, 'A'), await addSite(t, b, 'B')];
    const created = await transfer(t, {
      source: { siteId: src, path: '/missing.bin' },
      destination: { siteId: dst, dir: '/' },
    });
    const failed = await finished(t, created.id);
    expect(failed).toMatchObject({ state: 'failed', error: { code: 'not_found' } });
    expect(failed.error!.message).toMatch(/missing\.bin/);
  });
});
