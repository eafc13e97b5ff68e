/**
 * The queue as it explains itself, through the HTTP API on embedded FTP servers: skipped files
 * and transfers, how a finished one was verified, the counters while paused, "Clear finished"
 * keeping failed rows, and the History that keeps what was cleared.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { HistoryPage, QueueState, Transfer } from '../../contract/index.js';
import { startTestApp, type TestApp } from './app.js';
import { addSite, filesOf, finished } from './faults/api.js';
import { embedded, seededBytes, type TestServer } from './fixtures.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function setup(files: Record<string, Buffer>, destinationFiles: Record<string, Buffer> = {}) {
  const a: TestServer = await embedded.start({ address: '127.0.0.2', files });
  cleanup.push(() => a.stop());
  const b: TestServer = await embedded.start({ address: '127.0.0.3', files: destinationFiles });
  cleanup.push(() => b.stop());
  const t = await startTestApp();
  cleanup.push(() => t.close());
  return { t, a: await addSite(t, a, 'alpha'), b: await addSite(t, b, 'beta') };
}

async function copy(t: TestApp, from: [string, string], to: [string, string], extra: object = {}): Promise<Transfer> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/transfers',
    headers: t.auth,
    payload: { source: { siteId: from[0], path: from[1] }, destination: { siteId: to[0], dir: to[1] }, ...extra },
  });
  expect(response.statusCode, response.body).toBe(202);
  return response.json() as Transfer;
}

async function get<T>(t: TestApp, url: string): Promise<T> {
  const response = await t.app.inject({ url, headers: t.auth });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as T;
}

async function post(t: TestApp, url: string): Promise<number> {
  return (await t.app.inject({ method: 'POST', url, headers: t.auth })).statusCode;
}

const queueIds = async (t: TestApp) => (await get<Transfer[]>(t, '/api/transfers')).map((x) => x.id).sort();

describe('the queue explains itself', () => {
  it('a file the destination has is skipped, not done; a tree counts it apart', async () => {
    const { t, a, b } = await setup(
      { 'one.bin': seededBytes(4096, 1), 'd/x.bin': seededBytes(2048, 2), 'd/y.bin': seededBytes(1024, 3) },
      { 'one.bin': seededBytes(10, 9), 'd/x.bin': seededBytes(10, 8) },
    );
    const single = await finished(t, (await copy(t, [a, '/one.bin'], [b, '/'], { ifExists: 'skip' })).id);
    expect(single).toMatchObject({ state: 'skipped', filesSkipped: 1, filesDone: 0, verified: null, mode: null });
    expect((await filesOf(t, single.id))[0]).toMatchObject({ state: 'skipped', verified: null, bytesDone: 0 });

    const tree = await finished(t, (await copy(t, [a, '/d'], [b, '/'], { ifExists: 'skip' })).id);
    expect(tree).toMatchObject({ state: 'done', filesDone: 1, filesSkipped: 1, filesTotal: 2 });
    const files = await filesOf(t, tree.id);
    expect(files.map((f) => [f.path, f.state])).toEqual([
      ['/d/x.bin', 'skipped'],
      ['/d/y.bin', 'done'],
    ]);
    // The transfer says how its one copied file was checked.
    expect(tree.verified).toBe(files[1]!.verified);
    expect(tree.verified).toMatch(/^(SHA-256|SHA-1|MD5|CRC32|size)$/);
  });

  it('a finished transfer carries start, end and the verification of its copy', async () => {
    const { t, a, b } = await setup({ 'v.bin': seededBytes(64 * 1024, 4) });
    const done = await finished(t, (await copy(t, [a, '/v.bin'], [b, '/'])).id);
    expect(done.state).toBe('done');
    expect(done.verified).toBe((await filesOf(t, done.id))[0]!.verified);
    expect(Date.parse(done.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(done.startedAt!));
    expect(done.bytesDone).toBe(64 * 1024);
  });

  it('while paused, the counters say how many wait', async () => {
    const { t, a, b } = await setup({
      'p1.bin': seededBytes(100, 1),
      'p2.bin': seededBytes(100, 2),
      'p3.bin': seededBytes(100, 3),
    });
    expect(await post(t, '/api/queue/pause')).toBe(200);
    for (const name of ['p1', 'p2', 'p3']) await copy(t, [a, `/${name}.bin`], [b, '/']);
    expect(await get<QueueState>(t, '/api/queue')).toEqual({ paused: true, running: 0, waiting: 3 });
    expect(await post(t, '/api/queue/resume')).toBe(200);
    const ids = await queueIds(t);
    for (const id of ids) await finished(t, id);
    expect(await get<QueueState>(t, '/api/queue')).toEqual({ paused: false, running: 0, waiting: 0 });
  });

  it('Clear finished keeps failed rows unless asked; History keeps all of them', async () => {
    const { t, a, b } = await setup({ 'ok.bin': seededBytes(100, 1) });
    const ok = await finished(t, (await copy(t, [a, '/ok.bin'], [b, '/'])).id);
    const bad = await finished(t, (await copy(t, [a, '/missing.bin'], [b, '/'])).id);
    expect([ok.state, bad.state]).toEqual(['done', 'failed']);

    expect(await post(t, '/api/transfers/clear')).toBe(204);
    expect(await queueIds(t)).toEqual([bad.id]);
    expect(await post(t, '/api/transfers/clear?failed=true')).toBe(204);
    expect(await queueIds(t)).toEqual([]);

    const history = await get<HistoryPage>(t, '/api/history');
    expect(history.transfers.map((x) => [x.id, x.state])).toEqual([
      [bad.id, 'failed'],
      [ok.id, 'done'],
    ]);
    expect(history.transfers[0]!.error?.message).toBeTruthy();
    // A cleared transfer still answers by id, and a retry brings it back to the queue.
    expect(await post(t, `/api/transfers/${bad.id}/retry`)).toBe(200);
    expect(await queueIds(t)).toEqual([bad.id]);
  });

  it('History pages newest first with a cursor, and searches name and paths', async () => {
    const names = ['alpha-1.iso', 'beta-2.iso', 'alpha-3.iso', 'gamma-4.iso', 'alpha-5.iso'];
    const { t, a, b } = await setup(Object.fromEntries(names.map((n, i) => [`pub/${n}`, seededBytes(50, i + 1)])));
    const ended: Transfer[] = [];
    for (const name of names) ended.push(await finished(t, (await copy(t, [a, `/pub/${name}`], [b, '/'])).id));

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: HistoryPage = await get<HistoryPage>(
        t,
        `/api/history?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      seen.push(...page.transfers.map((x) => x.name));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...names].reverse());

    const alpha = await get<HistoryPage>(t, '/api/history?q=ALPHA');
    expect(alpha.transfers.map((x) => x.name)).toEqual(['alpha-5.iso', 'alpha-3.iso', 'alpha-1.iso']);
    expect((await get<HistoryPage>(t, '/api/history?q=%2Fpub%2Fgamma')).transfers.map((x) => x.name)).toEqual([
      'gamma-4.iso',
    ]);
    // LIKE's wildcards are searched for as themselves.
    expect((await get<HistoryPage>(t, '/api/history?q=%25')).transfers).toEqual([]);
    expect(ended.every((x) => x.state === 'done')).toBe(true);

    expect((await t.app.inject({ url: '/api/history' })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/api/history?cursor=nope', headers: t.auth })).statusCode).toBe(400);
  });
});
