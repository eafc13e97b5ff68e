/**
 * Moving in through the HTTP API, against a real embedded FTP server: a FileZilla file whose
 * site then logs in, the preview (no passwords, duplicates flagged), and pasv's own export
 * round-tripped with sealed passwords into a fresh app.
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

const post = (app: TestApp, url: string, payload?: object) =>
  app.app.inject({ method: 'POST', url, headers: app.auth, ...(payload ? { payload } : {}) });

const fileZilla = () => `<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>
<FileZilla3 version="3.66.5" platform="*nix"><Servers><Folder expanded="1">Imported
  <Server><Host>${ftp.host}</Host><Port>${ftp.port}</Port><Protocol>6</Protocol><Type>0</Type><User>${ftp.user}</User>
  <Pass encoding="base64">${Buffer.from(ftp.password).toString('base64')}</Pass><Logontype>1</Logontype>
  <PasvMode>MODE_PASSIVE</PasvMode><Name>fz-site</Name></Server>
  <Server><Host>sftp.example.org</Host><Port>22</Port><Protocol>1</Protocol><Name>shell</Name></Server>
</Folder></Servers></FileZilla3>`;

describe('POST /api/sites/import', () => {
  it('previews a FileZilla file without passwords, then creates a site that logs in', async () => {
    const preview = await post(t, '/api/sites/import', { format: 'filezilla', text: fileZilla(), dryRun: true });
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.body).not.toContain(ftp.password);
    expect(preview.json()).toMatchObject({
      candidates: [
        { index: 0, name: 'Imported/fz-site', host: ftp.host, hasPassword: true, duplicate: false, tls: 'none' },
        { index: 1, name: 'Imported/shell', unsupported: 'SFTP is not FTP' },
      ],
      created: [],
    });
    expect((await t.app.inject({ method: 'GET', url: '/api/sites', headers: t.auth })).json()).toHaveLength(0);

    const done = await post(t, '/api/sites/import', { format: 'filezilla', text: fileZilla() });
    expect(done.body).not.toContain(ftp.password);
    const [created] = done.json().created;
    expect(created).toMatchObject({ index: 0, name: 'Imported/fz-site' });
    expect((await post(t, `/api/sites/${created.id}/test`)).json()).toMatchObject({ ok: true });

    // Again: now a duplicate, so the default takes nothing; renamed on request, it is created.
    const again = await post(t, '/api/sites/import', { format: 'filezilla', text: fileZilla() });
    expect(again.json()).toMatchObject({ candidates: [{ duplicate: true }, {}], created: [] });
    const renamed = await post(t, '/api/sites/import', {
      format: 'filezilla',
      text: fileZilla(),
      take: [
        { index: 0, name: 'IMPORTED/FZ-SITE' },
        { index: 0, name: 'fz-site 2' },
      ],
    });
    expect(renamed.json()).toMatchObject({
      created: [{ name: 'fz-site 2' }],
      failed: [{ index: 0, name: 'IMPORTED/FZ-SITE', error: { code: 'duplicate_name' } }],
    });
  });

  it('refuses hostile or oversized input with 400 or 413', async () => {
    const bomb = '<?xml version="1.0"?><!DOCTYPE z [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><FileZilla3/>';
    const refused = await post(t, '/api/sites/import', { format: 'filezilla', text: bomb });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.code).toBe('invalid_field');
    const huge = await post(t, '/api/sites/import', { format: 'lftp', text: 'x'.repeat(2_100_000) });
    expect(huge.statusCode).toBe(400);
    const tooBig = await post(t, '/api/sites/import', { format: 'lftp', text: 'x'.repeat(5_000_000) });
    expect(tooBig.statusCode).toBe(413);
  });
});

describe('POST /api/sites/export', () => {
  it('leaves passwords out unless asked, seals them when asked, and round-trips into another pasv', async () => {
    const source = await post(t, '/api/sites', {
      name: 'to-export',
      host: ftp.host,
      port: ftp.port,
      user: ftp.user,
      password: ftp.password,
      pret: 'never',
    });
    expect(source.statusCode).toBe(201);
    const plain = await post(t, '/api/sites/export', { withPasswords: false });
    expect(plain.json()).toMatchObject({ format: 'pasv-sites', version: 1 });
    expect(plain.json().passwords).toBeUndefined();
    expect((await post(t, '/api/sites/export', { withPasswords: true })).statusCode).toBe(400);

    const sealed = await post(t, '/api/sites/export', { withPasswords: true, passphrase: 'a long passphrase' });
    expect(sealed.body).not.toContain(ftp.password);
    const other = await startTestApp();
    try {
      const text = sealed.body;
      expect(
        (await post(other, '/api/sites/import', { format: 'pasv', text, passphrase: 'wrong one!' })).statusCode,
      ).toBe(400);
      const result = await post(other, '/api/sites/import', { format: 'pasv', text, passphrase: 'a long passphrase' });
      expect(result.body).not.toContain(ftp.password);
      const created = result.json().created.find((row: { name: string }) => row.name === 'to-export');
      const site = (
        await other.app.inject({ method: 'GET', url: `/api/sites/${created.id}`, headers: other.auth })
      ).json();
      expect(site).toMatchObject({ host: ftp.host, port: ftp.port, user: ftp.user, pret: 'never', hasPassword: true });
      expect((await post(other, `/api/sites/${created.id}/test`)).json()).toMatchObject({ ok: true });
    } finally {
      await other.close();
    }
  });
});
