/**
 * The Sites dialog's helpers for moving in: FileZilla and pasv imports with their preview, and a test of the form before saving (with a hint for
 * what went wrong), the one-click fix for a plain server, duplicate names, a pasted URL, clone.
 */
import fs from 'node:fs';
import type { Site } from '../contract/index.js';
import { test, expect, FTP_PASSWORD, FTP_USER, shotPath, uniqueName } from './fixtures.js';

test.describe('sites dialog: before saving', () => {
  test('tests the form before saving, with a hint for a wrong password and nothing stored', async ({
    dashboard,
    pasv,
  }) => {
    const { sites } = dashboard;
    const name = uniqueName('unsaved');
    await dashboard.open();
    await sites.open();
    await sites.button('New site').click();
    await sites.field('Name').fill(name);
    await sites.field('Host').fill(pasv.alpha.server.host);
    await sites.field('Port').fill(String(pasv.alpha.server.port));
    await sites.field('User').fill(FTP_USER);
    await sites.field('Password').fill('not-the-password');
    await sites.field('TLS').selectOption({ label: 'None (plain FTP)' });

    await sites.testConnection();
    await expect(sites.testResult.getByRole('alert')).toContainText('530');
    await expect(sites.testResult.getByRole('alert')).not.toContainText('login_failed');
    await expect(sites.testResult.getByText('code: login_failed')).toBeVisible();
    await expect(sites.testResult.getByText('Wrong user or password.')).toBeVisible();

    await sites.field('Password').fill(FTP_PASSWORD);
    await sites.testConnection();
    await expect(sites.testResult.getByRole('status')).toHaveText(/^✓ Connection OK — logged in in \d+ ms$/);
    const all = await pasv.api<Site[]>('GET', '/api/sites');
    expect(all.map((site) => site.name)).not.toContain(name);
  });

  test('a plain server refusing AUTH TLS gets the plain-FTP hint, and its button fixes the form', async ({
    page,
    dashboard,
    pasv,
  }) => {
    const { sites } = dashboard;
    await dashboard.open();
    await sites.open();
    await sites.button('New site').click();
    await sites.field('Name').fill(uniqueName('tls-less'));
    await sites.field('Host').fill(pasv.beta.server.host);
    await sites.field('Port').fill(String(pasv.beta.server.port));
    await sites.field('User').fill(FTP_USER);
    await sites.field('Password').fill(FTP_PASSWORD);
    await expect(sites.field('TLS')).toHaveValue('explicit');

    await sites.testConnection();
    await expect(sites.testResult.getByText('This server has no TLS; choose Plain FTP.')).toBeVisible();
    await page.screenshot({ path: shotPath('site-test.png'), animations: 'disabled' });
    await sites.testResult.getByRole('button', { name: 'Use plain FTP' }).click();
    await expect(sites.field('TLS')).toHaveValue('none');
    await sites.testConnection();
    await expect(sites.testResult.getByRole('status')).toHaveText(/^✓ Connection OK/);
  });

  test('a duplicate name is refused, whatever its case', async ({ dashboard, pasv }) => {
    const name = uniqueName('Taken');
    const first = await pasv.api<Site>('POST', '/api/sites', {
      name,
      host: pasv.alpha.server.host,
      port: pasv.alpha.server.port,
    });
    try {
      await dashboard.open();
      await dashboard.sites.open();
      await dashboard.sites.button('New site').click();
      await dashboard.sites.field('Name').fill(name.toLowerCase());
      await dashboard.sites.field('Host').fill(pasv.alpha.server.host);
      await dashboard.sites.button('Save').click();
      await expect(dashboard.sites.dialog.getByRole('alert')).toContainText(
        `Could not save: A site named "${name.toLowerCase()}" already exists — choose another name`,
      );
      await expect(dashboard.sites.dialog.getByRole('form', { name: 'New site' })).toBeVisible();
    } finally {
      await pasv.api('DELETE', `/api/sites/${first.id}`);
    }
  });

  test('a pasted ftp:// URL fills host, port, TLS, user and password', async ({ dashboard, pasv }) => {
    const { sites } = dashboard;
    const { host, port } = pasv.alpha.server;
    await dashboard.open();
    await sites.open();
    await sites.button('New site').click();
    await sites.field('Name').fill(uniqueName('pasted'));
    await sites.field('Host').fill(`ftp://${FTP_USER}:${encodeURIComponent(FTP_PASSWORD)}@${host}:${port}/pub`);
    await expect(sites.field('Host')).toHaveValue(host);
    await expect(sites.field('Port')).toHaveValue(String(port));
    await expect(sites.field('User')).toHaveValue(FTP_USER);
    await expect(sites.field('Password')).toHaveValue(FTP_PASSWORD);
    await expect(sites.field('TLS')).toHaveValue('none');
    await expect(sites.dialog.getByText("The URL's folder /pub is not kept")).toBeVisible();
    await sites.testConnection();
    await expect(sites.testResult.getByRole('status')).toHaveText(/^✓ Connection OK/);
  });

  test('clone copies a site, its password included, under "<name> copy"', async ({ dashboard, pasv }) => {
    const name = uniqueName('original');
    const site = await pasv.api<Site>('POST', '/api/sites', {
      name,
      host: pasv.alpha.server.host,
      port: pasv.alpha.server.port,
      user: FTP_USER,
      password: FTP_PASSWORD,
      maxConnections: 3,
    });
    await dashboard.open();
    await dashboard.sites.open();
    await dashboard.sites.saved(name).click();
    await dashboard.sites.button('Clone').click();
    await expect(dashboard.sites.dialog.getByRole('form', { name: `Edit ${name} copy` })).toBeVisible();
    await expect(dashboard.sites.field('Max connections')).toHaveValue('3');
    await expect(dashboard.sites.field('Password')).toHaveAccessibleDescription('saved — leave empty to keep it');
    await dashboard.sites.testConnection();
    await expect(dashboard.sites.testResult.getByRole('status')).toHaveText(/^✓ Connection OK/);
    const copy = (await pasv.api<Site[]>('GET', '/api/sites')).find((s) => s.name === `${name} copy`)!;
    await pasv.api('DELETE', `/api/sites/${copy.id}`);
    await pasv.api('DELETE', `/api/sites/${site.id}`);
  });
});

test.describe('sites dialog: moving in', () => {
  test('a FileZilla sitemanager.xml imports after a preview, and the site it creates connects', async ({
    page,
    dashboard,
    pasv,
  }) => {
    const folder = uniqueName('FZ');
    const { host, port } = pasv.alpha.server;
    const xml = `<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>
<FileZilla3 version="3.66.5" platform="*nix"><Servers><Folder expanded="1">${folder}
  <Server><Host>${host}</Host><Port>${port}</Port><Protocol>6</Protocol><Type>0</Type><User>${FTP_USER}</User>
  <Pass encoding="base64">${Buffer.from(FTP_PASSWORD).toString('base64')}</Pass><Logontype>1</Logontype>
  <PasvMode>MODE_DEFAULT</PasvMode><Name>alpha box</Name></Server>
  <Server><Host>sftp.example.org</Host><Port>22</Port><Protocol>1</Protocol><Logontype>2</Logontype><Name>shell</Name></Server>
</Folder></Servers></FileZilla3>`;
    const { sites } = dashboard;
    await dashboard.open();
    await sites.open();
    await sites.dialog.getByRole('button', { name: 'Import…' }).click();
    const panel = sites.dialog.getByRole('region', { name: 'Import sites' });
    await panel.getByLabel('Format').selectOption({ label: 'FileZilla (sitemanager.xml)' });
    await panel
      .getByLabel('File')
      .setInputFiles({ name: 'sitemanager.xml', mimeType: 'text/xml', buffer: Buffer.from(xml) });
    await panel.getByRole('button', { name: 'Preview' }).click();

    const table = panel.getByRole('table', { name: 'Sites in the file' });
    await expect(table.getByRole('checkbox', { name: `Import ${folder}/alpha box` })).toBeChecked();
    await expect(table.getByRole('checkbox', { name: `Import ${folder}/shell` })).toBeDisabled();
    await expect(table.getByText('SFTP is not FTP')).toBeVisible();
    await expect(table).not.toContainText(FTP_PASSWORD);
    await page.screenshot({ path: shotPath('import.png'), animations: 'disabled' });

    await panel.getByRole('button', { name: 'Import 1 site' }).click();
    await expect(panel.getByRole('status')).toHaveText(`Imported 1 site: ${folder}/alpha box.`);
    await sites.saved(`${folder}/alpha box`).click();
    await sites.testConnection();
    await expect(sites.testResult.getByRole('status')).toHaveText(/^✓ Connection OK/);
  });

  test('an export with sealed passwords imports again, clashes renamed in the preview', async ({
    page,
    dashboard,
    pasv,
  }) => {
    const name = uniqueName('roundtrip');
    await pasv.api<Site>('POST', '/api/sites', {
      name,
      host: pasv.beta.server.host,
      port: pasv.beta.server.port,
      user: FTP_USER,
      password: FTP_PASSWORD,
    });
    const { sites } = dashboard;
    await dashboard.open();
    await sites.open();
    await sites.dialog.getByRole('button', { name: 'Export…' }).click();
    const exporter = sites.dialog.getByRole('region', { name: 'Export sites' });
    await exporter.getByLabel('Include passwords').check();
    await exporter.getByLabel('Export passphrase').fill('round trip phrase');
    const downloading = page.waitForEvent('download');
    await exporter.getByRole('button', { name: 'Download pasv-sites.json' }).click();
    const file = await (await downloading).path();
    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toContain(FTP_PASSWORD);

    await sites.dialog.getByRole('button', { name: 'Import…' }).click();
    const panel = sites.dialog.getByRole('region', { name: 'Import sites' });
    await panel.getByLabel('Format').selectOption({ label: 'pasv export (JSON)' });
    await panel
      .getByLabel('File')
      .setInputFiles({ name: 'pasv-sites.json', mimeType: 'application/json', buffer: Buffer.from(text) });
    await panel.getByLabel('Passphrase').fill('round trip phrase');
    await panel.getByRole('button', { name: 'Preview' }).click();
    // Every site of the export is already here: none ticked; tick ours and rename it.
    const table = panel.getByRole('table', { name: 'Sites in the file' });
    const tick = table.getByRole('checkbox', { name: `Import ${name}`, exact: true });
    await expect(tick).not.toBeChecked();
    await tick.check();
    await expect(table.getByText('name already taken — rename it')).toBeVisible();
    await expect(panel.getByRole('button', { name: 'Import 1 site' })).toBeDisabled();
    await table.getByRole('textbox', { name: `Name for ${name}`, exact: true }).fill(`${name} again`);
    await panel.getByRole('button', { name: 'Import 1 site' }).click();
    await expect(panel.getByRole('status')).toHaveText(`Imported 1 site: ${name} again.`);

    await sites.saved(`${name} again`).click();
    await expect(sites.field('Password')).toHaveAccessibleDescription('saved — leave empty to keep it');
    await sites.testConnection();
    await expect(sites.testResult.getByRole('status')).toHaveText(/^✓ Connection OK/);
  });
});
