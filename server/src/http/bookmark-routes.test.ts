import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.js';

let t: TestApp;
beforeEach(async () => {
  t = await startTestApp();
});
afterEach(async () => {
  await t.close();
});

const newSite = async (name: string): Promise<string> => {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/sites',
    headers: t.auth,
    payload: { name, host: '127.0.0.2', port: 2121, user: 'bob', password: 'pw' },
  });
  expect(response.statusCode).toBe(201);
  return response.json().id as string;
};

const bookmarks = (siteId: string) => `/api/sites/${siteId}/bookmarks`;

describe('bookmarks', () => {
  it('adds, lists (per site, sorted, no duplicates) and removes favourite folders', async () => {
    const a = await newSite('bm-a');
    const b = await newSite('bm-b');
    expect((await t.app.inject({ url: bookmarks(a), headers: t.auth })).json()).toEqual([]);

    for (const path of ['/pub/releases', '/incoming', '/pub/releases']) {
      const put = await t.app.inject({ method: 'PUT', url: bookmarks(a), headers: t.auth, payload: { path } });
      expect(put.statusCode).toBe(200);
    }
    await t.app.inject({ method: 'PUT', url: bookmarks(b), headers: t.auth, payload: { path: '/other' } });

    const listed = (await t.app.inject({ url: bookmarks(a), headers: t.auth })).json() as Array<{
      path: string;
      createdAt: string;
    }>;
    expect(listed.map((bookmark) => bookmark.path)).toEqual(['/incoming', '/pub/releases']);
    expect(Number.isNaN(Date.parse(listed[0]!.createdAt))).toBe(false);

    const removed = await t.app.inject({
      method: 'DELETE',
      url: `${bookmarks(a)}?path=${encodeURIComponent('/incoming')}`,
      headers: t.auth,
    });
    expect(removed.statusCode).toBe(204);
    const again = await t.app.inject({ method: 'DELETE', url: `${bookmarks(a)}?path=%2Fincoming`, headers: t.auth });
    expect(again.statusCode).toBe(404);
    expect(again.json().error.code).toBe('not_found');
    expect((await t.app.inject({ url: bookmarks(a), headers: t.auth })).json()).toMatchObject([
      { path: '/pub/releases' },
    ]);
    expect((await t.app.inject({ url: bookmarks(b), headers: t.auth })).json()).toMatchObject([{ path: '/other' }]);
  });

  it('refuses paths with CR, LF or NUL, and relative paths', async () => {
    const a = await newSite('bm-c');
    for (const path of ['/a\r\nDELE x', '/a\nb', '/a\u0000', 'relative', '']) {
      const put = await t.app.inject({ method: 'PUT', url: bookmarks(a), headers: t.auth, payload: { path } });
      expect(put.statusCode, JSON.stringify(path)).toBe(400);
    }
    const del = await t.app.inject({ method: 'DELETE', url: `${bookmarks(a)}?path=%2Fa%0D%0A`, headers: t.auth });
    expect(del.statusCode).toBe(400);
    expect((await t.app.inject({ url: bookmarks(a), headers: t.auth })).json()).toEqual([]);
  });

  it('answers 404 for an unknown site, and the bookmarks go with their site', async () => {
    const missing = await t.app.inject({ url: bookmarks('nope'), headers: t.auth });
    expect(missing.statusCode).toBe(404);
    const put = await t.app.inject({ method: 'PUT', url: bookmarks('nope'), headers: t.auth, payload: { path: '/x' } });
    expect(put.statusCode).toBe(404);

    const a = await newSite('bm-d');
    await t.app.inject({ method: 'PUT', url: bookmarks(a), headers: t.auth, payload: { path: '/keep' } });
    expect((await t.app.inject({ method: 'DELETE', url: `/api/sites/${a}`, headers: t.auth })).statusCode).toBe(204);
    const rows = t.app.services.bookmarks.list(a);
    expect(rows).toEqual([]);
  });

  it('needs auth', async () => {
    expect((await t.app.inject({ url: '/api/sites/x/bookmarks' })).statusCode).toBe(401);
  });
});
