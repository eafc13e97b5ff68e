/**
 * The Sites dialog's server side against a real embedded FTP server: testing unsaved values
 * (nothing stored, the saved password used only for the endpoint it was given for), failures
 * classified from real sockets (no such host, nothing listening, wrong password, no TLS),
 * duplicate names refused without regard to case, and clone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './app.js';
import { startEmbedded, type RunningFtpServer } from './servers/index.js';

let t: TestApp;
let ftp: RunningFtpServer;
beforeAll(async () => {
  ftp = await startEmbedded({ address: '127.0.0.2', files: { 'a.txt': 'a' } });
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
  await ftp.stop();
});

const post = (url: string, payload?: object) =>
  t.app.inject({ method: 'POST', url, headers: t.auth, ...(payload ? { payload } : {}) });
const login = () => ({ host: ftp.host, port: ftp.port, user: ftp.user, password: ftp.password, tls: 'none' as const });
const siteCount = async () => (await t.app.inject({ method: 'GET', url: '/api/sites', headers: t.auth })).json().length;

describe('POST /api/sites/test', () => {
  it('logs in with the values given and stores nothing', async () => {
    const before = await siteCount();
    const response = await post('/api/sites/test', { name: 'unsaved', ...login() });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ ok: true, greeting: expect.any(String), loginMs: expect.any(Number) });
    expect(response.json().features.length).toBeGreaterThan(0);
    expect(await siteCount()).toBe(before);
  });

  it.each([
    ['a wrong password', () => ({ ...login(), password: 'wrong' }), 'login_failed'],
    ['a host that does not resolve', () => ({ ...login(), host: 'nonexistent.invalid' }), 'dns_failed'],
    ['a closed port', () => ({ ...login(), host: '127.0.0.9', port: 1 }), 'connection_refused'],
    ['AUTH TLS on a plain server', () => ({ ...login(), tls: 'explicit' }), 'tls_not_offered'],
  ])('names %s', async (_what, body, code) => {
    const response = await post('/api/sites/test', body());
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ ok: false, error: { code } });
  });

  it("uses a site's saved password for the same endpoint only", async () => {
    const id = (await post('/api/sites', { name: 'form-saved', ...login() })).json().id as string;
    expect((await post('/api/sites/test', { siteId: id, name: 'renamed, unsaved' })).json()).toMatchObject({
      ok: true,
    });
    // Another user: the saved password was not given for it, so none is sent.
    expect((await post('/api/sites/test', { siteId: id, user: 'someone' })).json()).toMatchObject({
      ok: false,
      error: { code: 'login_failed' },
    });
    expect((await post('/api/sites/test', { siteId: 'nope' })).statusCode).toBe(404);
  });

  it('refuses a body with line breaks', async () => {
    expect((await post('/api/sites/test', { ...login(), user: 'a\r\nDELE x' })).statusCode).toBe(400);
  });
});

describe('site names', () => {
  it('refuses a duplicate name on create and on rename, whatever the case', async () => {
    expect((await post('/api/sites', { name: 'Dup-Site', ...login() })).statusCode).toBe(201);
    const again = await post('/api/sites', { name: 'dup-site', ...login() });
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatchObject({ code: 'duplicate_name', message: expect.stringContaining('dup-site') });

    const other = (await post('/api/sites', { name: 'dup-other', ...login() })).json();
    const rename = await t.app.inject({
      method: 'PATCH',
      url: `/api/sites/${other.id}`,
      headers: t.auth,
      payload: { name: 'DUP-SITE' },
    });
    expect(rename.statusCode).toBe(409);
    // Its own name in another case is not a clash.
    const self = await t.app.inject({
      method: 'PATCH',
      url: `/api/sites/${other.id}`,
      headers: t.auth,
      payload: { name: 'DUP-OTHER' },
    });
    expect(self.statusCode).toBe(200);
  });
});

describe('POST /api/sites/:id/clone', () => {
  it('copies everything but the name, the password included', async () => {
    const source = (
      await post('/api/sites', { name: 'clone-me', ...login(), maxConnections: 3, pret: 'never' })
    ).json();
    const first = await post(`/api/sites/${source.id}/clone`);
    expect(first.statusCode).toBe(201);
    const copy = first.json();
    const copied = [
      'host',
      'port',
      'user',
      'tls',
      'fingerprint256',
      'maxConnections',
      'passive',
      'relayAllowed',
      'pret',
    ];
    for (const field of copied) expect(copy[field], field).toEqual(source[field]);
    expect(copy).toMatchObject({ name: 'clone-me copy', hasPassword: true });
    expect(copy.id).not.toBe(source.id);
    expect((await post(`/api/sites/${copy.id}/test`)).json()).toMatchObject({ ok: true });
    expect((await post(`/api/sites/${source.id}/clone`)).json().name).toBe('clone-me copy 2');
    expect((await post('/api/sites/nope/clone')).statusCode).toBe(404);
  });
});
