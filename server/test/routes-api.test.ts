/**
 * The route memory and the PRET setting through the HTTP API and the live feed: GET and
 * DELETE /api/routes behind auth, route.updated / route.forgotten on the socket, and a
 * site's `pret` stored, returned and handed to the FTP layer.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RememberedRoute, Site } from '../../contract/index.js';
import type { Route } from '../src/ftp/route.js';
import { eventually, openFeed, startTestApp, type TestApp } from './app.js';

let t: TestApp;
beforeEach(async () => {
  t = await startTestApp();
});
afterEach(async () => {
  await t.close();
});

const ROUTE: Route = { mode: 'fxp', passive: 'destination', security: 'none', pret: true, extended: false };

async function createSite(body: Record<string, unknown>): Promise<Site> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/sites',
    headers: t.auth,
    payload: { host: '127.0.0.2', ...body },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as Site;
}

const listRoutes = async () =>
  (await t.app.inject({ url: '/api/routes', headers: t.auth })).json() as RememberedRoute[];

describe('GET and DELETE /api/routes', () => {
  it('need auth', async () => {
    expect((await t.app.inject({ url: '/api/routes' })).statusCode).toBe(401);
    const forget = await t.app.inject({ method: 'DELETE', url: '/api/routes/a/b' });
    expect(forget.statusCode).toBe(401);
    expect(forget.json().error.code).toBe('unauthorized');
  });

  it('list what the runner reported, announce it live, and forget a pair: 204, then 404', async () => {
    const [a, b] = [await createSite({ name: 'alpha' }), await createSite({ name: 'beta' })];
    expect(await listRoutes()).toEqual([]);
    const feed = await openFeed(t, t.auth);

    t.app.services.routes.worked(a.id, b.id, ROUTE);
    t.app.services.routes.failed(a.id, b.id, { mode: 'relay', pret: false }, '530 Relay not allowed.');
    const [listed] = await listRoutes();
    expect(listed).toEqual({
      sourceSiteId: a.id,
      destinationSiteId: b.id,
      sourceSiteName: 'alpha',
      destinationSiteName: 'beta',
      route: ROUTE,
      description: 'FXP, destination passive, PRET',
      workedAt: expect.any(String),
      failures: [
        {
          route: { mode: 'relay', pret: false },
          description: 'relay through pasv',
          reason: '530 Relay not allowed.',
          at: expect.any(String),
        },
      ],
    });
    // Coalesced per pair: the newest state of it arrives.
    await eventually(() => feed.messages.some((m) => m.type === 'route.updated' && m.route.failures.length === 1));

    const forgotten = await t.app.inject({ method: 'DELETE', url: `/api/routes/${a.id}/${b.id}`, headers: t.auth });
    expect(forgotten.statusCode).toBe(204);
    expect(await listRoutes()).toEqual([]);
    expect(t.app.services.routes.lookup(a.id, b.id)).toBeNull();
    await eventually(() =>
      feed.messages.some(
        (m) => m.type === 'route.forgotten' && m.sourceSiteId === a.id && m.destinationSiteId === b.id,
      ),
    );

    const again = await t.app.inject({ method: 'DELETE', url: `/api/routes/${a.id}/${b.id}`, headers: t.auth });
    expect(again.statusCode).toBe(404);
    expect(again.json()).toEqual({ error: { code: 'not_found', message: expect.stringContaining(a.id) } });
    feed.socket.terminate();
  });

  it('deleting a site forgets its routes', async () => {
    const [a, b] = [await createSite({ name: 'alpha' }), await createSite({ name: 'beta' })];
    t.app.services.routes.worked(a.id, b.id, ROUTE);
    t.app.services.routes.worked(b.id, a.id, ROUTE);
    expect(await listRoutes()).toHaveLength(2);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/sites/${b.id}`, headers: t.auth })).statusCode).toBe(204);
    expect(await listRoutes()).toEqual([]);
  });
});

describe("a site's PRET setting", () => {
  it("defaults to auto, round-trips through create, patch and get, and reaches the session's options", async () => {
    const site = await createSite({ name: 'drftpd' });
    expect(site.pret).toBe('auto');
    const always = await createSite({ name: 'always', pret: 'always' });
    expect(always.pret).toBe('always');

    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/sites/${site.id}`,
      headers: t.auth,
      payload: { pret: 'never' },
    });
    expect(patched.json()).toMatchObject({ pret: 'never' });
    expect((await t.app.inject({ url: `/api/sites/${site.id}`, headers: t.auth })).json()).toMatchObject({
      pret: 'never',
    });
    expect(t.app.services.sites.connectionOptions(site.id).pret).toBe('never');
    expect(t.app.services.sites.connectionOptions(always.id).pret).toBe('always');
  });

  it("refuses a value it doesn't know with a 400", async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/sites',
      headers: t.auth,
      payload: { name: 'x', host: '127.0.0.2', pret: 'sometimes' },
    });
    expect(created.statusCode).toBe(400);
    expect(created.json().error.code).toBe('invalid_request');
    const site = await createSite({ name: 'y' });
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/sites/${site.id}`,
      headers: t.auth,
      payload: { pret: 'sometimes' },
    });
    expect(patched.statusCode).toBe(400);
    expect(patched.json().error.message).toMatch(/pret/);
  });
});
