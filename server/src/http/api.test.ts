import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../../contract/index.js';
import { PASSWORD, TOKEN, eventually, openFeed, startTestApp, type TestApp } from '../../test/app.js';

let t: TestApp;
beforeEach(async () => {
  t = await startTestApp();
});
afterEach(async () => {
  await t.close();
});

async function signIn(): Promise<string> {
  const response = await t.app.inject({ method: 'POST', url: '/api/session', payload: { password: PASSWORD } });
  expect(response.statusCode).toBe(204);
  const cookie = response.cookies.find((c) => c.name === 'pasv_session')!;
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
  return `pasv_session=${cookie.value}`;
}

/** Every (method, url) Fastify knows, read from its route tree (so a new route can't be missed). */
function routeTable(tree: string): { method: string; url: string }[] {
  const stack: { depth: number; path: string }[] = [];
  const table: { method: string; url: string }[] = [];
  for (const line of tree.split('\n')) {
    const match = /^(.*?── )(\S+) \(([A-Z, ]+)\)$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length;
    while (stack.length && stack.at(-1)!.depth >= depth) stack.pop();
    const path = (stack.at(-1)?.path ?? '') + match[2]!;
    stack.push({ depth, path });
    for (const method of match[3]!.split(', ')) {
      // printRoutes shows the docs' static wildcard (/api/docs/static/*) as a child of /api/docs.
      const url = path === '/api/docs*' || path === '/api/docs/*' ? '/api/docs/static/*' : path.replace(':id', 'x');
      if (method !== 'HEAD') table.push({ method, url });
    }
  }
  return table;
}

const site = { name: 'alpha', host: '127.0.0.2', port: 2121, user: 'bob', password: 'hunter2-secret-PW' };

describe('auth', () => {
  it('leaves only /api/health open: every other route answers 401 without auth', async () => {
    expect((await t.app.inject({ url: '/api/health' })).json()).toEqual({ ok: true });
    const table = routeTable(t.app.printRoutes({ commonPrefix: false }));
    expect(table.length).toBeGreaterThan(20);
    for (const { method, url } of table) {
      if (url === '/api/health' || (url === '/api/session' && method === 'POST')) continue;
      const response = await t.app.inject({ method: method as 'GET', url, payload: method === 'GET' ? undefined : {} });
      expect(response.statusCode, `${method} ${url}`).toBe(401);
      expect(response.json().error.code).toBe('unauthorized');
    }
  });

  it('refuses a wrong password and accepts the right one', async () => {
    const wrong = await t.app.inject({ method: 'POST', url: '/api/session', payload: { password: 'nope' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toEqual({ error: { code: 'bad_password', message: 'wrong password' } });
    const cookie = await signIn();
    expect((await t.app.inject({ url: '/api/session', headers: { cookie } })).json()).toEqual({ signedIn: true });
  });

  it('signs out: the cookie stops working', async () => {
    const cookie = await signIn();
    const out = await t.app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie, 'x-requested-with': 'pasv' } });
    expect(out.statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/sites', headers: { cookie } })).statusCode).toBe(401);
  });

  it('needs the CSRF header for cookie writes, not for the bearer token', async () => {
    const cookie = await signIn();
    const forged = await t.app.inject({ method: 'POST', url: '/api/sites', headers: { cookie }, payload: site });
    expect(forged.statusCode).toBe(403);
    expect(forged.json().error.code).toBe('csrf');
    const scripted = await t.app.inject({ method: 'POST', url: '/api/sites', headers: t.auth, payload: site });
    expect(scripted.statusCode).toBe(201);
    expect((await t.app.inject({ url: '/api/sites', headers: { authorization: 'Bearer wrong' } })).statusCode).toBe(401);
  });

  it('rate-limits password guessing', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 12; i++) {
      codes.push((await t.app.inject({ method: 'POST', url: '/api/session', payload: { password: `guess${i}` } })).statusCode);
    }
    expect(codes.slice(0, 10).every((c) => c === 401)).toBe(true);
    expect(codes.at(-1)).toBe(429);
  });

  it('sends security headers with a CSP', async () => {
    const response = await t.app.inject({ url: '/api/health' });
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('sites', () => {
  it('never returns or logs a stored password', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/sites', headers: t.auth, payload: site });
    expect(created.statusCode).toBe(201);
    const body = created.json();
    expect(body).toMatchObject({ name: 'alpha', host: '127.0.0.2', port: 2121, user: 'bob', hasPassword: true, tls: 'none' });
    const responses = [
      created.body,
      (await t.app.inject({ url: '/api/sites', headers: t.auth })).body,
      (await t.app.inject({ url: `/api/sites/${body.id}`, headers: t.auth })).body,
      (await t.app.inject({ method: 'PATCH', url: `/api/sites/${body.id}`, headers: t.auth, payload: { name: 'beta' } })).body,
    ];
    for (const text of responses) expect(text).not.toContain(site.password);
    const { socket, messages } = await openFeed(t, t.auth);
    await eventually(() => messages.length > 0);
    expect(JSON.stringify(messages)).not.toContain(site.password);
    socket.terminate();
  });

  it('answers 400 with a code for malformed bodies and CR/LF', async () => {
    const cases: unknown[] = [
      {},
      { name: 'x' },
      { ...site, port: 70000 },
      { ...site, tls: 'sometimes' },
      { ...site, name: 'evil\r\nname' },
      { ...site, user: 'a\nb' },
      { ...site, host: 'bad host' },
      { ...site, extra: true },
    ];
    for (const payload of cases) {
      const response = await t.app.inject({ method: 'POST', url: '/api/sites', headers: t.auth, payload: payload as object });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json().error.code).toBe('invalid_request');
    }
    const notJson = await t.app.inject({
      method: 'POST',
      url: '/api/sites',
      headers: { ...t.auth, 'content-type': 'application/json' },
      payload: '{"name":',
    });
    expect(notJson.statusCode).toBe(400);
    expect((await t.app.inject({ url: '/api/sites', headers: t.auth })).json()).toEqual([]);
  });

  it('answers 404 for unknown ids', async () => {
    for (const [method, url] of [
      ['GET', '/api/sites/nope'],
      ['PATCH', '/api/sites/nope'],
      ['DELETE', '/api/sites/nope'],
      ['GET', '/api/sites/nope/list'],
      ['GET', '/api/transfers/nope'],
      ['POST', '/api/transfers/nope/cancel'],
    ] as const) {
      const response = await t.app.inject({ method, url, headers: t.auth, payload: method === 'PATCH' ? {} : undefined });
      expect(response.statusCode, `${method} ${url}`).toBe(404);
      expect(response.json().error.code).toBe('not_found');
    }
  });

  it('refuses link-local and metadata hosts', async () => {
    for (const host of ['169.254.169.254', 'fe80::1']) {
      const response = await t.app.inject({ method: 'POST', url: '/api/sites', headers: t.auth, payload: { ...site, host } });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('host_refused');
    }
  });

  it('reports a clear error when testing an unreachable site', async () => {
    const created = (
      await t.app.inject({ method: 'POST', url: '/api/sites', headers: t.auth, payload: { ...site, host: '127.0.0.9', port: 1 } })
    ).json();
    const result = (await t.app.inject({ method: 'POST', url: `/api/sites/${created.id}/test`, headers: t.auth })).json();
    expect(result).toMatchObject({ ok: false, error: { code: 'connection_refused' } });
  });
});

describe('transfers API', () => {
  it('validates transfer bodies', async () => {
    const { id } = (await t.app.inject({ method: 'POST', url: '/api/sites', headers: t.auth, payload: site })).json();
    const bad = [
      { source: { siteId: id, path: '/a' } },
      { source: { siteId: id, path: '/a\r\nDELE x' }, destination: { siteId: id, dir: '/' } },
      { source: { siteId: id, path: '/a' }, destination: { siteId: id, dir: '/' }, mode: 'warp' },
      { source: { siteId: id, path: '/' }, destination: { siteId: id, dir: '/' } },
    ];
    for (const payload of bad) {
      const response = await t.app.inject({ method: 'POST', url: '/api/transfers', headers: t.auth, payload });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
    }
    const unknownSite = await t.app.inject({
      method: 'POST',
      url: '/api/transfers',
      headers: t.auth,
      payload: { source: { siteId: 'nope', path: '/a' }, destination: { siteId: id, dir: '/' } },
    });
    expect(unknownSite.statusCode).toBe(404);
    expect((await t.app.inject({ url: '/api/transfers', headers: t.auth })).json()).toEqual([]);
  });
});

describe('WebSocket', () => {
  it('refuses a foreign Origin and an unauthenticated upgrade', async () => {
    await expect(t.app.injectWS('/api/ws', { headers: { ...t.auth, origin: 'https://evil.example' } })).rejects.toThrow(/403/);
    await expect(t.app.injectWS('/api/ws', { headers: { host: '127.0.0.1:8080', origin: 'http://127.0.0.1:8080' } })).rejects.toThrow(/401/);
  });

  it('sends a snapshot, then ordered deltas, and a new snapshot on resync', async () => {
    const { socket, messages } = await openFeed(t, { ...t.auth, host: '127.0.0.1:8080', origin: 'http://127.0.0.1:8080' });
    await eventually(() => messages.length >= 1);
    expect(messages[0]).toMatchObject({ type: 'snapshot', seq: 1, sites: [], transfers: [], sessions: [] });
    await t.app.inject({ method: 'POST', url: '/api/sites', headers: t.auth, payload: site });
    await t.app.inject({ method: 'POST', url: '/api/queue/pause', headers: t.auth });
    await eventually(() => messages.some((m) => m.type === 'queue.updated'));
    socket.send(JSON.stringify({ type: 'resync' }));
    await eventually(() => messages.filter((m) => m.type === 'snapshot').length === 2);
    expect(messages.map((m) => m.seq)).toEqual(messages.map((_, i) => i + 1));
    const kinds = messages.map((m) => m.type);
    expect(kinds).toContain('site.updated');
    const last = messages.at(-1) as Extract<ServerMessage, { type: 'snapshot' }>;
    expect(last.sites).toHaveLength(1);
    expect(last.queue.paused).toBe(true);
  });

  it('closes the socket on a message that is not in the contract', async () => {
    const socket = await t.app.injectWS('/api/ws', { headers: t.auth });
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    socket.send('{"type":"drop tables"}');
    expect(await closed).toBe(1008);
  });

  it('accepts the bearer token on the upgrade', async () => {
    const { socket, messages } = await openFeed(t, { authorization: `Bearer ${TOKEN}` });
    await eventually(() => messages.length > 0);
    socket.terminate();
  });
});
