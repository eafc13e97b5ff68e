/**
 * A transfer's file list through the API, a page at a time (GET /api/transfers/:id/files):
 * keyset pages in seq order that cover every file once, and clear refusals of bad paging.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { TransferFilesPage } from '../../contract/index.js';
import { startTestApp, type TestApp } from './app.js';
import { addSite, filesOf } from './faults/api.js';
import { embedded } from './fixtures.js';

const FILES = 2500;

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A queued 2 500-file planned transfer between two embedded servers, the queue paused so that it stays as queued. */
async function queuedTree(): Promise<{ t: TestApp; id: string; paths: string[] }> {
  const a = await embedded.start({ address: '127.0.0.2' });
  cleanup.push(() => a.stop());
  const b = await embedded.start({ address: '127.0.0.3' });
  cleanup.push(() => b.stop());
  const t = await startTestApp();
  cleanup.push(() => t.close());
  const [source, destination] = [await addSite(t, a, 'A'), await addSite(t, b, 'B')];
  expect((await t.app.inject({ method: 'POST', url: '/api/queue/pause', headers: t.auth })).json().paused).toBe(true);
  // Names that do not sort like their seq: the pages must follow the queue's order, not the names'.
  const paths = Array.from({ length: FILES }, (_, i) => `/src/d${i % 5}/f${String(FILES - i).padStart(4, '0')}.bin`);
  const created = t.app.services.transfers.createPlanned({
    name: 'tree',
    source: { siteId: source, dir: '/src' },
    destination: { siteId: destination, dir: '/dst' },
    files: paths.map((p) => ({ source: p, destination: p.replace('/src/', '/dst/'), size: 1 })),
  });
  expect(created).toMatchObject({ state: 'queued', filesTotal: FILES });
  return { t, id: created.id, paths };
}

async function page(t: TestApp, id: string, query: string): Promise<TransferFilesPage> {
  const response = await t.app.inject({ url: `/api/transfers/${id}/files${query}`, headers: t.auth });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as TransferFilesPage;
}

/** Follow nextCursor from the first page with `limit` (none: the default); the pages' sizes. */
async function walkPages(
  t: TestApp,
  id: string,
  limit?: number,
): Promise<{ sizes: number[]; paths: string[]; ids: string[] }> {
  const sizes: number[] = [];
  const paths: string[] = [];
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const params = new URLSearchParams();
    if (limit !== undefined) params.set('limit', String(limit));
    if (cursor) params.set('cursor', cursor);
    const current = await page(t, id, params.size > 0 ? `?${params}` : '');
    sizes.push(current.files.length);
    paths.push(...current.files.map((f) => f.path));
    ids.push(...current.files.map((f) => f.id));
    cursor = current.nextCursor;
  } while (cursor);
  return { sizes, paths, ids };
}

describe('a transfer’s files, paged', () => {
  it('pages cover every file exactly once, in queue order, whatever the page size', async () => {
    const { t, id, paths } = await queuedTree();

    const byDefault = await walkPages(t, id);
    expect(byDefault.sizes).toEqual([...Array<number>(12).fill(200), 100]);
    expect(byDefault.paths).toEqual(paths);
    expect(new Set(byDefault.ids).size).toBe(FILES);

    const byMax = await walkPages(t, id, 1000);
    expect(byMax.sizes).toEqual([1000, 1000, 500]);
    expect(byMax.paths).toEqual(paths);
    expect(byMax.ids).toEqual(byDefault.ids);

    // A page that ends exactly on the last file says so: no cursor to an empty page.
    expect((await walkPages(t, id, 500)).sizes).toEqual([500, 500, 500, 500, 500]);

    const [first] = (await page(t, id, '?limit=1')).files;
    expect(first).toMatchObject({ path: paths[0], state: 'queued', size: 1, bytesDone: 0, mode: null, verified: null });
    expect(await page(t, id, '?cursor=99999999')).toEqual({ files: [], nextCursor: null });
    expect(await filesOf(t, id)).toHaveLength(FILES);
  });

  it('refuses a bad cursor or limit with a 400 that names it, and an unknown transfer with a 404', async () => {
    const { t, id } = await queuedTree();
    for (const [query, field] of [
      ['?cursor=abc', 'cursor'],
      ['?cursor=-1', 'cursor'],
      ['?cursor=1.5', 'cursor'],
      [`?cursor=${'9'.repeat(21)}`, 'cursor'],
      ['?limit=0', 'limit'],
      ['?limit=1001', 'limit'],
      ['?limit=ten', 'limit'],
    ] as const) {
      const response = await t.app.inject({ url: `/api/transfers/${id}/files${query}`, headers: t.auth });
      expect(response.statusCode, query).toBe(400);
      const { error } = response.json() as { error: { code: string; message: string } };
      expect(error.code, query).toBe('invalid_request');
      expect(error.message, query).toContain(field);
    }
    const missing = await t.app.inject({ url: '/api/transfers/no-such-id/files', headers: t.auth });
    expect(missing.statusCode).toBe(404);
  });
});
