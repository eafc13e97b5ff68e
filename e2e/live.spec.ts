import path from 'node:path';
import type { Locator } from '@playwright/test';
import type { Transfer } from '../contract/index.js';
import { test, expect, FTP_PASSWORD, putFiles, putFolder, uniqueName } from './fixtures.js';
import { sha256 } from './disk.js';

test.describe('the live feed', () => {
  test('after the socket drops, the dashboard reconnects and shows what changed meanwhile', async ({
    dashboard,
    pasv,
    socketGate,
  }) => {
    const from = uniqueName('away-src');
    const to = uniqueName('away-dst');
    putFiles(pasv.alpha, { [`${from}/sent-while-away.bin`]: Buffer.alloc(200_000, 42) });
    putFolder(pasv.beta, to);
    await dashboard.open();
    const { queue, left, connection } = dashboard;
    await expect(left.button('Refresh')).toBeEnabled();

    // The server drops every live socket and, for now, turns reconnects away.
    socketGate.close();
    pasv.app.services.hub.dropClients();
    await expect(connection).toHaveText('◌ reconnecting');
    await expect(left.button('Refresh')).toBeDisabled();

    // Meanwhile a script queues a copy, and it finishes.
    const created = await pasv.api<Transfer>('POST', '/api/transfers', {
      source: { siteId: pasv.alpha.id, path: `/${from}/sent-while-away.bin` },
      destination: { siteId: pasv.beta.id, dir: `/${to}` },
    });
    await expect.poll(async () => (await pasv.api<Transfer>('GET', `/api/transfers/${created.id}`)).state).toBe('done');
    await expect(connection).toHaveText('◌ reconnecting');
    await expect(queue.row('sent-while-away.bin')).toHaveCount(0);

    socketGate.open();
    await expect(connection).toHaveText('● live');
    await expect(queue.state('sent-while-away.bin', 'done')).toBeVisible();
    await expect(queue.row('sent-while-away.bin')).toContainText('alpha:/');
    await expect(queue.row('sent-while-away.bin')).toContainText(`→ beta:/${to}/`);
    await expect(left.button('Refresh')).toBeEnabled();
    expect(sha256(path.join(pasv.beta.root, to, 'sent-while-away.bin'))).toBe(
      sha256(path.join(pasv.alpha.root, from, 'sent-while-away.bin')),
    );
  });

  test('the Log tab shows the control conversation as FTP people read it', async ({ dashboard, pasv }) => {
    const site = await pasv.addServer(uniqueName('chatty'), { address: '127.0.0.8' });
    putFiles(site, { 'welcome.txt': 'hello\n' });
    await dashboard.open();
    const { log, left } = dashboard;
    await log.show();

    await left.chooseSite(site.name);
    await expect(left.row('welcome.txt')).toBeVisible();
    await log.onlySite(site.name);

    const pasv227 = log.line(/← 227 Entering Passive Mode \(127,0,0,8,\d+,\d+\)\.?$/).first();
    await expect(log.line(/→ PASV$/).first()).toBeVisible();
    await expect(pasv227).toBeVisible();
    await expect(log.line(/→ (MLSD|LIST)\b/).first()).toBeVisible();
    await expect(log.line(/← 226 /).first()).toBeVisible();
    // Sent and received lines are told apart by their colour.
    const colour = (line: Locator) => line.evaluate((element) => getComputedStyle(element).color);
    expect(await colour(log.line(/→ PASV$/).first())).not.toBe(await colour(pasv227));
    await expect(log.log).not.toContainText(FTP_PASSWORD);
  });

  test('the Log tab shows the login with the password masked', async ({ dashboard, pasv }) => {
    const site = await pasv.addServer(uniqueName('login'), { address: '127.0.0.8' });
    await dashboard.open();
    const { log, left } = dashboard;
    await log.show();

    // Browsing a site pasv has not talked to yet: a new session logs in, then lists.
    await left.chooseSite(site.name);
    await expect(left.grid.getByText('This folder is empty.')).toBeVisible();
    await log.onlySite(site.name);

    await expect(log.line(/→ PASV$/).first()).toBeVisible();
    await expect(log.log).not.toContainText(FTP_PASSWORD);
    await expect(log.line(/→ USER e2e$/)).toBeVisible({ timeout: 3000 });
    await expect(log.line(/→ PASS \*\*\*\*$/)).toBeVisible({ timeout: 3000 });
    await expect(log.line(/← 230 /)).toBeVisible({ timeout: 3000 });
  });
});
