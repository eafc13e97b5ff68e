import path from 'node:path';
import type { RememberedRoute, Site, Transfer } from '../contract/index.js';
import type { Route } from '../server/src/ftp/route.js';
import { test, expect, putFiles, putFolder, shotPath, uniqueName } from './fixtures.js';
import { randomBytes, sha256 } from './disk.js';

const SSCN: Route = { mode: 'fxp', passive: 'destination', security: 'sscn-destination', pret: true, extended: false };

test.describe('remembered routes', () => {
  test('a copy between two servers is remembered with its route, shown in the Routes tab', async ({
    dashboard,
    pasv,
  }) => {
    const from = uniqueName('route-src');
    const to = uniqueName('route-dst');
    putFiles(pasv.alpha, { [`${from}/one.bin`]: randomBytes(200_000) });
    putFolder(pasv.beta, to);
    const transfer = await pasv.api<Transfer>('POST', '/api/transfers', {
      source: { siteId: pasv.alpha.id, path: `/${from}/one.bin` },
      destination: { siteId: pasv.beta.id, dir: `/${to}` },
    });
    await expect
      .poll(async () => (await pasv.api<Transfer>('GET', `/api/transfers/${transfer.id}`)).state, { timeout: 30_000 })
      .toBe('done');
    expect(sha256(path.join(pasv.beta.root, to, 'one.bin'))).toBe(sha256(path.join(pasv.alpha.root, from, 'one.bin')));

    // The runner reports what worked to the route memory (transfers/runner.ts).
    const pair = (routes: RememberedRoute[]) =>
      routes.find((route) => route.sourceSiteId === pasv.alpha.id && route.destinationSiteId === pasv.beta.id);
    await expect
      .poll(async () => pair(await pasv.api<RememberedRoute[]>('GET', '/api/routes'))?.route?.mode)
      .toBe('fxp');

    await dashboard.open();
    await dashboard.routes.show();
    await expect(dashboard.routes.row('alpha', 'beta')).toContainText(/FXP, (source|destination) passive/);
    // Other specs of the suite may have copied alpha → beta already; a route that keeps working
    // updates its time at most once a minute (sites/routes.ts).
    await expect(dashboard.routes.row('alpha', 'beta')).toContainText(/worked (just now|\d+ s ago|[12] min ago)/);
    await pasv.api('DELETE', `/api/routes/${pasv.alpha.id}/${pasv.beta.id}`);
    await expect(dashboard.routes.row('alpha', 'beta')).toHaveCount(0);
  });

  test('a route with its failures: expanded, forgotten after a confirm that starts on Cancel, live both ways', async ({
    dashboard,
    pasv,
  }) => {
    // Two sites no copy ever touches: what they remember comes from the backend's route memory alone.
    const site = (name: string) =>
      pasv.api<Site>('POST', '/api/sites', { name, host: pasv.alpha.server.host, port: pasv.alpha.server.port });
    const [north, south] = [await site(uniqueName('north')), await site(uniqueName('south'))];
    const routes = pasv.app.services.routes;
    routes.failed(
      north.id,
      south.id,
      { ...SSCN, passive: 'source', security: 'sscn-source' },
      '426 Transfer aborted. Data connection closed.',
    );
    routes.worked(north.id, south.id, SSCN);
    routes.failed(north.id, south.id, { mode: 'relay', pret: false }, '530 Relay not allowed here.');

    await dashboard.open();
    const { routes: tab, page } = dashboard;
    await tab.show();
    const row = tab.row(north.name, south.name);
    await expect(row).toContainText('FXP, destination passive, the destination is the TLS client (SSCN), PRET');
    await expect(row).toContainText(/worked (just now|\d+ s ago)/); // the suite's other specs may have used this pair already
    await expect(row).toContainText('2 failures');
    const failures = await tab.showFailures(north.name, south.name);
    await expect(failures.getByRole('listitem')).toHaveCount(2);
    await expect(failures.getByRole('listitem').first()).toContainText('relay through pasv');
    await expect(failures.getByRole('listitem').first()).toContainText('530 Relay not allowed here.');
    await expect(failures.getByRole('listitem').nth(1)).toContainText('the source is the TLS client (SSCN)');
    await expect(failures.getByRole('listitem').nth(1)).toContainText('426 Transfer aborted. Data connection closed.');
    await page.mouse.move(640, 20);
    await page.getByRole('region', { name: 'Activity' }).screenshot({ path: shotPath('routes.png') });

    // Live: the other direction appears as the runner reports it, without a reload.
    routes.worked(south.id, north.id, { mode: 'relay', pret: false });
    await expect(tab.row(south.name, north.name)).toContainText('relay through pasv');

    await tab.forget(north.name, south.name).click();
    await expect(tab.confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await tab.confirm.getByRole('button', { name: 'Cancel' }).click();
    await expect(row).toBeVisible();
    await tab.forget(north.name, south.name).click();
    await tab.confirm.getByRole('button', { name: 'Forget', exact: true }).click();
    await expect(row).toHaveCount(0);
    expect(routes.lookup(north.id, south.id)).toBeNull();
    expect((await pasv.api<RememberedRoute[]>('GET', '/api/routes')).some((r) => r.sourceSiteId === north.id)).toBe(
      false,
    );

    // Removing a site takes its routes along, live.
    await pasv.api('DELETE', `/api/sites/${south.id}`);
    await expect(tab.row(south.name, north.name)).toHaveCount(0);
    await pasv.api('DELETE', `/api/sites/${north.id}`);
  });
});

test("a site's PRET setting is saved and kept after a reload", async ({ dashboard, pasv }) => {
  const site = await pasv.api<Site>('POST', '/api/sites', {
    name: uniqueName('drftpd'),
    host: pasv.alpha.server.host,
    port: pasv.alpha.server.port,
  });
  await dashboard.open();
  const { sites } = dashboard;
  await sites.open();
  await sites.saved(site.name).click();
  await expect(sites.field('PRET')).toHaveValue('auto');
  await expect(sites.field('PRET')).toHaveAccessibleDescription(/PASV/);
  await sites.field('PRET').selectOption({ label: 'Always' });
  await sites.button('Save').click();
  await expect(sites.dialog.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
  await sites.field('PRET').scrollIntoViewIfNeeded();
  await sites.dialog.screenshot({ path: shotPath('sites-pret.png') });

  await dashboard.page.reload();
  await expect(dashboard.connection).toHaveText('● live');
  await sites.open();
  await sites.saved(site.name).click();
  await expect(sites.field('PRET')).toHaveValue('always');
  expect((await pasv.api<Site>('GET', `/api/sites/${site.id}`)).pret).toBe('always');
  await pasv.api('DELETE', `/api/sites/${site.id}`);
});
