/**
 * A site's maxConnections holds for the whole cluster: two apps on one PostgreSQL (two nodes,
 * each with its own connection) browse and copy on a site allowed 2 logins, and the FTP server
 * itself never sees a third; all the work still gets done.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFtpServer, type EmbeddedFtpServer } from '../src/demo/ftp-server/server.js';
import { EventBus } from '../src/events.js';
import { ClusterSlots } from '../src/cluster/slots.js';
import { SessionPool, type LoginSlots } from '../src/sites/pool.js';
import { openPostgres } from '../src/store/postgres.js';
import { copied, startTestApp, type TestApp } from './app.js';
import { seededBytes, sha256, writeFiles } from './fixtures.js';
import { skipWithoutPostgres, withPostgres } from './postgres.js';

const USER = { user: 'tester', password: 'secret' };
const KiB = 1024;

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function serve(
  host: string,
  files: Record<string, Buffer> = {},
): Promise<{ server: EmbeddedFtpServer; root: string }> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-cluster-'));
  cleanup.push(() => fs.rmSync(root, { recursive: true, force: true }));
  writeFiles(root, files);
  // No maxLogins: the server takes every login, and counts the most it had at once.
  const server = await startFtpServer({ host, root, users: [USER] });
  cleanup.push(() => server.close());
  return { server, root };
}

/** Two nodes of one cluster: the same database, the same master key. */
async function twoNodes(url: string, first: Parameters<typeof startTestApp>[0] = {}): Promise<[TestApp, TestApp]> {
  const env = { PASV_DATABASE_URL: url, PASV_MASTER_KEY: crypto.randomBytes(32).toString('base64') };
  const one = await startTestApp({ ...first, env });
  cleanup.push(() => one.close());
  const two = await startTestApp({ env });
  cleanup.push(() => two.close());
  return [one, two];
}

async function site(t: TestApp, server: EmbeddedFtpServer, name: string, maxConnections: number): Promise<string> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/sites',
    headers: t.auth,
    payload: { name, host: server.host, port: server.port, ...USER, maxConnections },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id as string;
}

/** `count` listings one after another: the status and body of each. */
async function browse(t: TestApp, siteId: string, paths: string[], count: number) {
  const answers: { status: number; body: string }[] = [];
  for (let i = 0; i < count; i++) {
    const dir = paths[i % paths.length]!;
    const response = await t.app.inject({
      url: `/api/sites/${siteId}/list?path=${encodeURIComponent(dir)}`,
      headers: t.auth,
    });
    answers.push({ status: response.statusCode, body: response.body });
  }
  return answers;
}

function tree(dir: string, n: number, size: number): Record<string, Buffer> {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`${dir}/f${i}.bin`, seededBytes(size, i + 1)]));
}

function expectSame(a: string, b: string, names: string[]): void {
  for (const name of names) {
    expect(sha256(fs.readFileSync(path.join(b, name))), name).toBe(sha256(fs.readFileSync(path.join(a, name))));
  }
}

describe.skipIf(skipWithoutPostgres())('per-site limits across the cluster', () => {
  const postgres = withPostgres('test');

  it('two nodes browsing and copying never log in a third time to a site allowed 2', async () => {
    const files = tree('src', 8, 96 * KiB);
    const a = await serve('127.0.0.2', { ...files, 'docs/readme.txt': Buffer.from('hello') });
    const b = await serve('127.0.0.3');
    // One copy at a time on node one: its copy holds one of A's logins, the panes share the other.
    const [one, two] = await twoNodes(postgres.url, { runner: { concurrency: 1 } });
    const siteA = await site(one, a.server, 'A', 2);
    const siteB = await site(one, b.server, 'B', 4);
    // Node two knows the site from the shared store.
    expect((await two.app.inject({ url: `/api/sites/${siteA}`, headers: two.auth })).json()).toMatchObject({
      maxConnections: 2,
    });

    const [copy, ...panes] = await Promise.all([
      copied(one, { source: { siteId: siteA, path: '/src' }, destination: { siteId: siteB, dir: '/' } }),
      browse(one, siteA, ['/', '/src'], 8),
      browse(one, siteA, ['/docs', '/'], 8),
      browse(two, siteA, ['/src', '/docs'], 8),
      browse(two, siteA, ['/', '/src'], 8),
    ]);

    expect(copy).toMatchObject({ state: 'done', filesDone: 8, filesFailed: 0 });
    expectSame(a.root, b.root, Object.keys(files));
    for (const answer of panes.flat()) expect(answer.status, answer.body).toBe(200);
    expect(JSON.parse(panes[2]![0]!.body)).toMatchObject({
      entries: expect.arrayContaining([expect.objectContaining({ name: 'f0.bin' })]),
    });
    const logins = a.server.logins();
    expect(logins.peak).toBeLessThanOrEqual(2);
    expect(logins.peak).toBe(2); // the work did press on the limit
  });

  it("a copy within one site takes both of its logins, and its progress probe doesn't wait for a third", async () => {
    // From 1 MiB on, the size check after each file goes to the probe (ftp/fxp.ts).
    const files = tree('in', 3, 1536 * KiB);
    const a = await serve('127.0.0.2', files);
    const [one] = await twoNodes(postgres.url);
    const siteA = await site(one, a.server, 'A', 2);

    const started = Date.now();
    const copy = await copied(one, {
      source: { siteId: siteA, path: '/in' },
      destination: { siteId: siteA, dir: '/out' },
    });
    expect(copy).toMatchObject({ state: 'done', filesDone: 3, filesFailed: 0 });
    expectSame(a.root, path.join(a.root, 'out'), Object.keys(files));
    expect(a.server.logins().peak).toBe(2);
    // A probe that waited for a slot its own copy holds would add seconds to every file.
    expect(Date.now() - started).toBeLessThan(8_000);
  });

  it('a lease waiting for a slot held on another node waits without spinning, and stops when aborted', async () => {
    const a = await serve('127.0.0.2');
    const tries = { count: 0 };
    const pools = [counted(tries), new ClusterSlots(openDb(postgres.url))].map((slots) => {
      const pool = new SessionPool(
        () => ({ options: { host: a.server.host, port: a.server.port, ...USER }, maxConnections: 1 }),
        new EventBus(),
        { keepaliveMs: 0 },
        undefined,
        slots,
      );
      cleanup.push(() => pool.close());
      return pool;
    });
    const [waiting, holding] = pools as [SessionPool, SessionPool];
    const held = await holding.lease('A');
    await held.acquire();

    const controller = new AbortController();
    const lease = await waiting.lease('A', controller.signal); // the local limit has room: the cluster's has not
    const login = lease.acquire();
    login.catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(a.server.logins().peak).toBe(1);
    expect(tries.count).toBeGreaterThan(2);
    expect(tries.count).toBeLessThan(10); // about one try per 200 ms
    controller.abort(new Error('cancelled'));
    await expect(login).rejects.toThrow('cancelled');
    lease.release();

    // Once the holder's login closes, the next lease gets its slot.
    held.release();
    await holding.close();
    const next = await waiting.lease('A');
    await expect((await next.acquire()).send('NOOP')).resolves.toMatchObject({ code: 200 });
    expect(a.server.logins().peak).toBe(1);
    next.release();

    function openDb(url: string) {
      const db = openPostgres(url);
      cleanup.push(() => db.close());
      return db;
    }
    function counted(into: { count: number }): LoginSlots {
      const slots = new ClusterSlots(openDb(postgres.url));
      return {
        tryAcquire: (siteId, max) => {
          into.count++;
          return slots.tryAcquire(siteId, max);
        },
        release: (siteId, slot) => slots.release(siteId, slot),
        want: (siteId, waiting) => slots.want(siteId, waiting),
        wanted: (siteId) => slots.wanted(siteId),
      };
    }
  });
});
