/**
 * The Sites dialog's server side against a real embedded FTP server: testing unsaved values
 * (nothing stored, the saved password used only for the endpoint it was given for), failures
 * classified from real sockets (no such host, nothing listening, wrong password, no TLS),
 * duplicate names refused without regard to case, clone, and a site's egress tag.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EGRESS_TAG_PATTERN } from '../../contract/index.js';
import { EGRESS_TAG } from '../src/config.js';
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

describe("a site's egress tag", () => {
  const patch = (id: string, payload: object) =>
    t.app.inject({ method: 'PATCH', url: `/api/sites/${id}`, headers: t.auth, payload });
  const get = async (id: string) => (await t.app.inject({ url: `/api/sites/${id}`, headers: t.auth })).json();

  it('follows the rule workers announce their tags by', () => {
    expect(EGRESS_TAG_PATTERN).toBe(EGRESS_TAG.source);
  });

  it('is stored, read, changed and cleared, and changing it keeps the password', async () => {
    const plain = (await post('/api/sites', { name: 'egress-none', ...login() })).json();
    expect(plain.egress).toBeNull();
    const created = await post('/api/sites', { name: 'egress-eu', ...login(), egress: 'eu-1' });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    expect(created.json()).toMatchObject({ egress: 'eu-1', hasPassword: true });
    expect(await get(id)).toMatchObject({ egress: 'eu-1' });
    const listed = (await t.app.inject({ url: '/api/sites', headers: t.auth })).json() as { id: string }[];
    expect(listed.find((site) => site.id === id)).toMatchObject({ egress: 'eu-1' });

    const moved = await patch(id, { egress: 'us-west-2' });
    expect(moved.statusCode, moved.body).toBe(200);
    // Which worker connects is not where the site is: the password it was given for stays.
    expect(moved.json()).toMatchObject({ egress: 'us-west-2', hasPassword: true });
    expect((await post(`/api/sites/${id}/test`)).json()).toMatchObject({ ok: true });
    // Absent leaves it as it is; null clears it.
    expect((await patch(id, { maxConnections: 3 })).json()).toMatchObject({ egress: 'us-west-2' });
    expect((await patch(id, { egress: null })).json()).toMatchObject({ egress: null, hasPassword: true });
    expect(await get(id)).toMatchObject({ egress: null });
  });

  it.each(['EU 1', 'a_b', 'Eu-1', '-eu', '', 'x'.repeat(33), 'eu-1\r\nDELE x'])(
    'refuses %j with a 400 that names the field',
    async (egress) => {
      const created = await post('/api/sites', { name: `egress-bad-${crypto.randomUUID()}`, ...login(), egress });
      expect(created.statusCode).toBe(400);
      // The schema's words: the field, and the pattern or the length it breaks.
      const why = /body\/egress must (match pattern "\^\[a-z0-9\]\[a-z0-9-\]\{0,31\}\$"|NOT have more than 32)/;
      expect(created.json().error).toMatchObject({ code: 'invalid_request', message: expect.stringMatching(why) });
      const id = (await post('/api/sites', { name: `egress-ok-${crypto.randomUUID()}`, ...login() })).json().id;
      const patched = await patch(id, { egress });
      expect(patched.statusCode).toBe(400);
      expect(patched.json().error.message).toMatch(why);
      expect(await get(id)).toMatchObject({ egress: null });
    },
  );

  it('goes with a clone, an export and its import', async () => {
    const id = (await post('/api/sites', { name: 'egress-travels', ...login(), egress: 'eu-1' })).json().id;
    expect((await post(`/api/sites/${id}/clone`)).json()).toMatchObject({
      name: 'egress-travels copy',
      egress: 'eu-1',
    });

    const exported = (await post('/api/sites/export', { withPasswords: false })).json();
    const index = exported.sites.findIndex((site: { name: string }) => site.name === 'egress-travels');
    expect(exported.sites[index]).toMatchObject({ egress: 'eu-1' });
    const imported = await post('/api/sites/import', {
      format: 'pasv',
      text: JSON.stringify(exported),
      take: [{ index, name: 'egress-imported' }],
    });
    expect(imported.json().failed).toEqual([]);
    expect(await get(imported.json().created[0].id)).toMatchObject({ egress: 'eu-1' });
  });

  it('marks an imported row with a bad tag as not importable, and takes a file from before tags', async () => {
    const row = (name: string, egress?: string) => ({
      name,
      host: ftp.host,
      port: ftp.port,
      user: ftp.user,
      tls: 'none',
      fingerprint256: null,
      maxConnections: 2,
      passive: 'auto',
      relayAllowed: true,
      allowClearData: false,
      pasvAddress: 'control',
      pret: 'auto',
      ...(egress === undefined ? {} : { egress }),
    });
    const text = JSON.stringify({
      format: 'pasv-sites',
      version: 1,
      exportedAt: '',
      sites: [row('egress-file-bad', 'EU 1'), row('egress-file-old')],
    });
    const result = (await post('/api/sites/import', { format: 'pasv', text })).json();
    expect(result.candidates[0].unsupported).toMatch(/"EU 1" is not an egress tag \(lower-case letters/);
    expect(result.created).toHaveLength(1);
    expect(await get(result.created[0].id)).toMatchObject({ name: 'egress-file-old', egress: null });
  });
});
