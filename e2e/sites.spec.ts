import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFtpServer, type EmbeddedFtpServer } from '../server/src/demo/ftp-server/server.js';
import type { Site } from '../contract/index.js';
import { test as base, expect, FTP_PASSWORD, FTP_USER, uniqueName } from './fixtures.js';

const GREETING = 'Welcome to the mirror.';

const test = base.extend<{ newServer: EmbeddedFtpServer }>({
  // A server pasv does not know yet: the user adds it by hand.
  newServer: async ({}, use) => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-e2e-new-'));
    const server = await startFtpServer({
      host: '127.0.0.7',
      root,
      users: [{ user: FTP_USER, password: FTP_PASSWORD }],
      greeting: GREETING,
    });
    await use(server);
    await server.close();
    fs.rmSync(root, { recursive: true, force: true });
  },
});

test.describe('managing sites', () => {
  test('a site added in the Sites dialog connects, with its greeting and features', async ({
    dashboard,
    pasv,
    newServer,
  }) => {
    // Site names are unique: other specs of this worker may have a "mirror" already.
    const name = uniqueName('hand-added');
    await dashboard.open();
    await dashboard.sites.open();

    await dashboard.sites.add({
      name,
      host: newServer.host,
      port: newServer.port,
      user: FTP_USER,
      password: FTP_PASSWORD,
      tls: 'None (plain FTP)',
    });
    await expect(dashboard.sites.saved(name)).toContainText(`${newServer.host}:${newServer.port}`);
    await expect(dashboard.sites.field('Password')).toHaveAccessibleDescription('saved — leave empty to keep it');

    await dashboard.sites.testConnection();
    const result = dashboard.sites.testResult;
    await expect(result.getByRole('status')).toHaveText(/^✓ Connection OK — logged in in \d+ ms$/);
    await expect(result.getByText(GREETING)).toBeVisible();
    const features = result.getByRole('list', { name: 'Features' });
    for (const feature of ['MLST type*;size*;modify*;', 'REST STREAM', 'SIZE', 'UTF8']) {
      await expect(
        features.getByRole('listitem').filter({ hasText: new RegExp(`^${feature.replace(/[*;]/g, '\\$&')}$`) }),
      ).toBeVisible();
    }

    await dashboard.sites.close();
    await expect(dashboard.right.site.getByRole('option', { name })).toBeAttached();

    // Saved for real, and the password stays on the server.
    const sites = await pasv.api<Site[]>('GET', '/api/sites');
    const saved = sites.find((site) => site.name === name);
    expect(saved).toMatchObject({
      host: newServer.host,
      port: newServer.port,
      user: FTP_USER,
      tls: 'none',
      hasPassword: true,
    });
    expect(JSON.stringify(sites)).not.toContain(FTP_PASSWORD);
    await pasv.api('DELETE', `/api/sites/${saved!.id}`);
  });

  test('a wrong FTP password reads as the server refused it', async ({ dashboard, pasv }) => {
    const site = await pasv.api<Site>('POST', '/api/sites', {
      name: 'wrong-password',
      host: pasv.alpha.server.host,
      port: pasv.alpha.server.port,
      user: FTP_USER,
      password: 'not-the-ftp-password',
    });
    try {
      await dashboard.open();
      await dashboard.sites.open();
      await dashboard.sites.saved('wrong-password').click();
      await dashboard.sites.testConnection();

      await expect(dashboard.sites.testResult.getByRole('alert')).toHaveText(
        '✕ Connection failed: 530 Login incorrect.',
      );
      await expect(dashboard.sites.testResult.getByRole('list', { name: 'Features' })).toBeHidden();
    } finally {
      await pasv.api('DELETE', `/api/sites/${site.id}`);
    }
  });

  test('moving a site to another host says its saved password goes with the move, and it does', async ({
    dashboard,
    pasv,
  }) => {
    const site = await pasv.api<Site>('POST', '/api/sites', {
      name: 'moving',
      host: pasv.alpha.server.host,
      port: pasv.alpha.server.port,
      user: FTP_USER,
      password: FTP_PASSWORD,
    });
    try {
      await dashboard.open();
      await dashboard.sites.open();
      await dashboard.sites.saved('moving').click();
      const password = dashboard.sites.field('Password');
      await expect(password).toHaveAccessibleDescription('saved — leave empty to keep it');

      await dashboard.sites.field('Host').fill('127.0.0.9');
      await expect(password).toHaveAccessibleDescription(
        'Changing the host clears the saved password — type it again to keep one',
      );
      await dashboard.sites.button('Save').click();
      await expect(password).toHaveAccessibleDescription('not set');
      expect((await pasv.api<Site>('GET', `/api/sites/${site.id}`)).hasPassword).toBe(false);
    } finally {
      await pasv.api('DELETE', `/api/sites/${site.id}`);
    }
  });
});
