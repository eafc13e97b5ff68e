/**
 * Two nodes on one PostgreSQL, each with its events bridge (app.ts): node A copies (a worker), and
 * app B's WebSocket feed (a web node) follows the copy as if it ran there, from queued to
 * done, control lines included; a browser that comes to B afterwards starts from a snapshot
 * that is current, running file positions included, and so do B's browsers when B's LISTEN
 * connection drops.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerMessage, Snapshot, Transfer } from '../../contract/index.js';
import { bridgeApplicationName } from '../src/cluster/events-bridge.js';
import { addSite, eventually, openFeed, startTestApp, type TestApp } from './app.js';
import { embedded, seededBytes } from './fixtures.js';
import { skipWithoutPostgres, withPostgres } from './postgres.js';

const MiB = 1024 * 1024;
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const updatesOf = (messages: ServerMessage[], id: string): Transfer[] =>
  messages.flatMap((m) => (m.type === 'transfer.updated' && m.transfer.id === id ? [m.transfer] : []));

async function snapshotOf(t: TestApp): Promise<Snapshot> {
  const feed = await openFeed(t, t.auth);
  cleanup.push(async () => void feed.socket.terminate());
  const first = await eventually(() => feed.messages[0]);
  expect(first.type).toBe('snapshot');
  return first as Snapshot & { seq: number };
}

describe.skipIf(skipWithoutPostgres())('live events across the nodes of a cluster', () => {
  const postgres = withPostgres('test');

  it('a copy app A runs is seen on app B’s feed from queued to done, and a new feed on B starts from it', async () => {
    const data = seededBytes(4 * MiB, 13);
    const source = await embedded.start({ address: '127.0.0.2', files: { 'big.bin': data }, bytesPerSecond: MiB });
    cleanup.push(() => source.stop());
    const destination = await embedded.start({ address: '127.0.0.3' });
    cleanup.push(() => destination.stop());

    const env = { PASV_DATABASE_URL: postgres.url, PASV_MASTER_KEY: crypto.randomBytes(32).toString('base64') };
    // A worker serves no API over the network, but its app answers inject() all the same.
    const a = await startTestApp({ env: { ...env, PASV_ROLE: 'worker' } });
    cleanup.push(() => a.close());
    const b = await startTestApp({ env: { ...env, PASV_ROLE: 'web' } });
    cleanup.push(() => b.close());

    const feed = await openFeed(b, b.auth);
    cleanup.push(async () => void feed.socket.terminate());
    await eventually(() => feed.messages.length > 0); // the snapshot
    const [from, to] = [await addSite(a, source, 'alpha'), await addSite(a, destination, 'beta')];
    await eventually(() => feed.messages.filter((m) => m.type === 'site.updated').length === 2);
    await new Promise((resolve) => setTimeout(resolve, 600)); // B's "watching" has reached A

    const started = await a.app.inject({
      method: 'POST',
      url: '/api/transfers',
      headers: a.auth,
      payload: { source: { siteId: from, path: '/big.bin' }, destination: { siteId: to, dir: '/' } },
    });
    expect(started.statusCode, started.body).toBe(202);
    const { id } = started.json() as Transfer;

    // Midway, a browser that comes to B sees where the running file is, though only A knows.
    const moving = await eventually(() =>
      updatesOf(feed.messages, id).find((t) => t.state === 'running' && t.bytesDone > 0),
    );
    const midway = (await snapshotOf(b)).transfers.find((t) => t.id === id)!;
    expect(midway.state).toBe('running');
    expect(midway.bytesDone).toBeGreaterThanOrEqual(moving.bytesDone);

    await eventually(() => updatesOf(feed.messages, id).some((t) => t.state === 'done'), 30_000);
    const updates = updatesOf(feed.messages, id);
    const states = updates.map((t) => t.state).filter((state, i, all) => state !== all[i - 1]);
    expect(states).toEqual(['queued', 'running', 'done']);
    expect(updates.map((t) => t.version)).toEqual([...updates.map((t) => t.version)].sort((x, y) => x - y));
    const done = updates.at(-1)!;
    expect(done).toMatchObject({
      filesDone: 1,
      filesTotal: 1,
      filesFailed: 0,
      bytesDone: data.length,
      bytesTotal: data.length,
    });
    expect(feed.messages.map((m) => m.seq)).toEqual(feed.messages.map((_, i) => i + 1));
    // Built on A only because B had a browser watching: the copy's control lines.
    expect(feed.messages.some((m) => m.type === 'log' && /^(RETR|STOR) .*big\.bin/.test(m.line))).toBe(true);
    // B moved nothing itself: every update came over the bridge.
    expect(b.app.services.pool.sessions()).toEqual([]);

    const reported = (await a.app.inject({ url: `/api/transfers/${id}`, headers: a.auth })).json() as Transfer;
    expect(reported).toMatchObject({ state: 'done', bytesDone: data.length, bytesPerSecond: 0 });
    const after = await snapshotOf(b);
    expect(after.transfers.find((t) => t.id === id)).toEqual(reported);

    // B's LISTEN connection dropped: events may have been missed, so B's browsers start over.
    const admin = new pg.Client(postgres.url);
    await admin.connect();
    cleanup.push(() => admin.end());
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [
      bridgeApplicationName(b.app.services.node),
    ]);
    const resent = await eventually(() => feed.messages.filter((m) => m.type === 'snapshot')[1]);
    expect((resent as Snapshot).transfers.find((t) => t.id === id)).toEqual(reported);
  });
});
