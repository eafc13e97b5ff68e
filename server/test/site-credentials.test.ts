/**
 * Credentials bound to where they go, and the host policy applied to the address actually
 * connected: through the HTTP API, against scripted servers that record every command line
 * they receive (PASS in clear: they are the server's side).
 */
import dns from 'node:dns/promises';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Site, SiteTestResult } from '../../contract/index.js';
import { SecretBox } from '../src/sites/secrets.js';
import { startTestApp, type TestApp } from './app.js';
import { startScriptedServer, type ScriptedServer } from './faults/scripted-server.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
  vi.restoreAllMocks();
});

const SECRET = 'hunter2-stored-secret';

/** Accepts any login and FEAT, plus `extra`; everything else is left to the scripted server's 502. */
async function loginServer(host: string, extra: Record<string, [number, string]> = {}): Promise<ScriptedServer> {
  const answers: Record<string, [number, string]> = {
    USER: [331, 'Password required.'],
    PASS: [230, 'Logged in.'],
    FEAT: [211, 'no features'],
    QUIT: [221, 'Bye.'],
    ...extra,
  };
  const server = await startScriptedServer({
    host,
    command: (conn, command) => {
      const answer = answers[command.verb];
      if (!answer) return false;
      conn.reply(...answer);
      return true;
    },
  });
  cleanup.push(() => server.close());
  return server;
}

async function app(options: Parameters<typeof startTestApp>[0] = {}): Promise<TestApp> {
  const t = await startTestApp(options);
  cleanup.push(() => t.close());
  return t;
}

async function createSite(t: TestApp, body: Record<string, unknown>): Promise<Site> {
  const response = await t.app.inject({ method: 'POST', url: '/api/sites', headers: t.auth, payload: { name: 'alpha', user: 'bob', ...body } });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as Site;
}

async function patchSite(t: TestApp, id: string, body: Record<string, unknown>): Promise<Site> {
  const response = await t.app.inject({ method: 'PATCH', url: `/api/sites/${id}`, headers: t.auth, payload: body });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as Site;
}

async function testSite(t: TestApp, id: string): Promise<SiteTestResult> {
  return (await t.app.inject({ method: 'POST', url: `/api/sites/${id}/test`, headers: t.auth })).json() as SiteTestResult;
}

const passwordsSent = (server: ScriptedServer) =>
  server.connections.flatMap((c) => c.commands.filter((command) => command.verb === 'PASS').map((command) => command.arg));

describe('a stored password stays with the endpoint it was given for', () => {
  it('a new host never receives it; a password sent with the change does', async () => {
    const [a, b] = [await loginServer('127.0.0.2'), await loginServer('127.0.0.3')];
    const t = await app();
    const site = await createSite(t, { host: a.host, port: a.port, password: SECRET });
    expect((await testSite(t, site.id)).ok).toBe(true);
    expect(passwordsSent(a)).toEqual([SECRET]);

    const moved = await patchSite(t, site.id, { host: b.host, port: b.port });
    expect(moved.hasPassword).toBe(false);
    await testSite(t, site.id);
    expect(b.connections.length).toBeGreaterThan(0);
    expect(passwordsSent(b)).not.toContain(SECRET);
    expect(JSON.stringify(b.commandLog())).not.toContain(SECRET);

    const withNew = await patchSite(t, site.id, { password: 'fresh-secret-for-b' });
    expect(withNew.hasPassword).toBe(true);
    expect((await testSite(t, site.id)).ok).toBe(true);
    expect(passwordsSent(b).at(-1)).toBe('fresh-secret-for-b');
  });

  it.each<[string, Record<string, unknown>]>([
    ['port', { port: 1 }],
    ['user', { user: 'mallory' }],
    ['TLS mode', { tls: 'explicit' }],
    ['pinned fingerprint', { fingerprint256: 'AB:'.repeat(31) + 'AB' }],
  ])('changing the %s clears it too', async (_what, change) => {
    const a = await loginServer('127.0.0.2');
    const t = await app();
    const site = await createSite(t, { host: a.host, port: a.port, password: SECRET });
    expect((await patchSite(t, site.id, change)).hasPassword).toBe(false);
    const listed = (await t.app.inject({ url: `/api/sites/${site.id}`, headers: t.auth })).json() as Site;
    expect(listed.hasPassword).toBe(false);
  });

  it('keeps it when the change comes with a new one, or touches nothing it is bound to', async () => {
    const [a, b] = [await loginServer('127.0.0.2'), await loginServer('127.0.0.3')];
    const t = await app();
    const site = await createSite(t, { host: a.host, port: a.port, password: SECRET });
    const renamed = await patchSite(t, site.id, { name: 'renamed', maxConnections: 3, host: a.host, port: a.port });
    expect(renamed.hasPassword).toBe(true);
    await testSite(t, site.id);
    expect(passwordsSent(a)).toEqual([SECRET]);

    const moved = await patchSite(t, site.id, { host: b.host, port: b.port, password: 'given-with-the-move' });
    expect(moved.hasPassword).toBe(true);
    await testSite(t, site.id);
    expect(passwordsSent(b)).toEqual(['given-with-the-move']);
  });

  it('a password sealed the old way (additional data = site id) still opens after the upgrade, and is re-sealed', async () => {
    const a = await loginServer('127.0.0.2');
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-reseal-'));
    cleanup.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const first = await startTestApp({ dataDir });
    const site = await createSite(first, { host: a.host, port: a.port, password: 'placeholder' });
    await first.close();

    // Put the database back the way the first release left it: schema 1, sealed with the id.
    const legacySeal = SecretBox.open(dataDir).seal(SECRET, site.id);
    const db = new Database(path.join(dataDir, 'pasv.sqlite'));
    db.prepare('UPDATE sites SET password_enc = ? WHERE id = ?').run(legacySeal, site.id);
    // Added by later migrations.
    db.exec(
      `DROP INDEX transfers_history; ALTER TABLE transfers DROP COLUMN cleared;
       DROP TRIGGER transfer_counts_update; DROP TRIGGER transfer_counts_delete; DROP TRIGGER transfer_files_version;
       DROP TABLE transfer_counts;
       ALTER TABLE transfers DROP COLUMN version; DROP TABLE revoked_sessions;
       DROP TABLE mirror_entries; DROP TABLE mirror_runs; DROP TABLE mirror_jobs;
       ALTER TABLE transfers DROP COLUMN planned;
       ALTER TABLE transfer_files DROP COLUMN source_mtime; ALTER TABLE transfer_files DROP COLUMN source_mtime_exact;
       ALTER TABLE transfer_files DROP COLUMN mtime_set; DROP INDEX transfer_files_retry;
       DROP INDEX transfer_files_seq;
       DROP TABLE routes; ALTER TABLE sites DROP COLUMN pret;
       DROP TABLE transfer_trace; DROP TABLE transfer_trace_dropped;
       DROP TABLE site_bookmarks;
       DROP INDEX transfer_files_leases; ALTER TABLE transfer_files DROP COLUMN lease_owner;
       ALTER TABLE transfer_files DROP COLUMN lease_epoch; ALTER TABLE transfer_files DROP COLUMN lease_expires_at;
       ALTER TABLE transfers DROP COLUMN walk_owner; ALTER TABLE transfers DROP COLUMN walk_epoch;
       ALTER TABLE transfers DROP COLUMN walk_expires_at; ALTER TABLE sites DROP COLUMN egress;`,
    );
    db.pragma('user_version = 1');
    db.close();

    const t = await app({ dataDir });
    expect((await testSite(t, site.id)).ok).toBe(true);
    expect(passwordsSent(a)).toEqual([SECRET]);
    const reopened = new Database(path.join(dataDir, 'pasv.sqlite'), { readonly: true });
    const { password_enc: stored } = reopened.prepare('SELECT password_enc FROM sites WHERE id = ?').get(site.id) as { password_enc: string };
    reopened.close();
    expect(stored).not.toBe(legacySeal);
    expect(() => SecretBox.open(dataDir).open(stored, site.id)).toThrow();
  });
});

describe('the host policy at connect time', () => {
  it('a name that resolved to a public address when saved but reaches loopback at connect is refused before the greeting is read', async () => {
    // The server listens on 127.0.0.1, where "localhost" really leads; the check at save time
    // is made to see a public address, as a rebinding DNS server would answer.
    const server = await loginServer('127.0.0.1');
    const t = await app({ env: { PASV_ALLOW_PRIVATE_HOSTS: 'false' } });
    vi.spyOn(dns, 'lookup').mockResolvedValue([{ address: '192.0.2.10', family: 4 }] as never);
    const site = await createSite(t, { host: 'localhost', port: server.port, password: SECRET });

    const result = await testSite(t, site.id);
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('host_refused');
    expect(result.error?.message).toMatch(/127\.0\.0\.1|::1/);

    const listing = await t.app.inject({ url: `/api/sites/${site.id}/list?path=/`, headers: t.auth });
    expect(listing.json().error.code).toBe('host_refused');

    expect(server.connections.length).toBeGreaterThan(0);
    expect(server.commandLog()).toEqual([]);
  });

  it('a site whose 227 announces an address of another class fails its listing with host_refused, naming both', async () => {
    const server = await loginServer('127.0.0.2', {
      TYPE: [200, 'Type set.'],
      CWD: [250, 'Okay.'],
      PASV: [227, 'Entering Passive Mode (10,1,2,3,195,80).'],
    });
    const t = await app();
    const site = await createSite(t, { host: server.host, port: server.port, password: SECRET, pasvAddress: 'reply' });
    const listing = await t.app.inject({ url: `/api/sites/${site.id}/list?path=/`, headers: t.auth });
    expect(listing.json().error).toMatchObject({ code: 'host_refused', message: expect.stringMatching(/127\.0\.0\.2 announced 10\.1\.2\.3/) });
    expect(server.commandLog().filter((line) => / (LIST|MLSD)/.test(line))).toEqual([]);
  });
});
