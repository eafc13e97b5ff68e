import path from 'node:path';
import fs from 'node:fs';
import type { QueueState, Transfer } from '../contract/index.js';
import { randomBytes } from './disk.js';
import { test, expect, putFiles, putFolder, shotPath, uniqueName } from './fixtures.js';
import { HistoryTab } from './pages/activity.js';

test.describe('a queue that explains itself', () => {
  test('rows name both ends; a finished one says how long, how fast, how checked, and a toast tells', async ({
    dashboard,
    pasv,
  }) => {
    const [one, two, to] = [uniqueName('iso-a'), uniqueName('iso-b'), uniqueName('iso-dst')];
    putFiles(pasv.alpha, { [`${one}/big.iso`]: randomBytes(400_000), [`${two}/big.iso`]: randomBytes(300_000) });
    putFolder(pasv.beta, `${to}/a`);
    putFolder(pasv.beta, `${to}/b`);
    await dashboard.open();
    const send = (from: string, dir: string) =>
      pasv.api<Transfer>('POST', '/api/transfers', {
        source: { siteId: pasv.alpha.id, path: from },
        destination: { siteId: pasv.beta.id, dir },
      });
    await send(`/${one}/big.iso`, `/${to}/a`);
    await send(`/${two}/big.iso`, `/${to}/b`);

    const { queue, page } = dashboard;
    const rows = queue.table.getByRole('row', { name: 'big.iso', exact: true });
    const first = rows.filter({ hasText: `alpha:/${one}/big.iso` });
    const second = rows.filter({ hasText: `alpha:/${two}/big.iso` });
    await expect(first).toContainText(`→ beta:/${to}/a/`);
    await expect(second).toContainText(`→ beta:/${to}/b/`);
    for (const row of [first, second]) {
      await expect(row.getByText('done', { exact: true })).toBeVisible();
      await expect(row).toContainText(/took \d+ s · [\d.]+ [kMG]?B\/s avg · (SHA-256|SHA-1|MD5|CRC32|size) ✓ · FXP/);
    }
    const toasts = page.getByRole('list', { name: 'Notifications' });
    await expect(toasts.getByRole('status').filter({ hasText: 'Transfer finished: big.iso' }).first()).toContainText(
      /(400|300) kB in \d+ s · (SHA-256|SHA-1|MD5|CRC32|size) ✓/,
    );
  });

  test('a file the destination has is skipped, shown so, and told as info', async ({ dashboard, pasv }) => {
    const [from, to] = [uniqueName('skip-src'), uniqueName('skip-dst')];
    const name = `${uniqueName('kept')}.bin`;
    putFiles(pasv.alpha, { [`${from}/${name}`]: randomBytes(50_000) });
    putFiles(pasv.beta, { [`${to}/${name}`]: 'theirs' });
    await dashboard.open();
    await pasv.api<Transfer>('POST', '/api/transfers', {
      source: { siteId: pasv.alpha.id, path: `/${from}/${name}` },
      destination: { siteId: pasv.beta.id, dir: `/${to}` },
      ifExists: 'skip',
    });
    const { queue, page } = dashboard;
    await queue.waitFor(name, 'skipped');
    await expect(queue.row(name).getByText('done', { exact: true })).toHaveCount(0);
    await expect(page.getByRole('status').filter({ hasText: `Transfer skipped: ${name}` })).toBeVisible();
    expect(fs.readFileSync(path.join(pasv.beta.root, to, name), 'utf8')).toBe('theirs');
  });

  test('while paused, the header counts what waits', async ({ dashboard, pasv }) => {
    const from = uniqueName('paused-src');
    const to = uniqueName('paused-dst');
    putFiles(pasv.alpha, { [`${from}/p1.bin`]: 'one', [`${from}/p2.bin`]: 'two' });
    putFolder(pasv.beta, to);
    await pasv.api('POST', '/api/queue/pause');
    try {
      for (const file of ['p1.bin', 'p2.bin']) {
        await pasv.api('POST', '/api/transfers', {
          source: { siteId: pasv.alpha.id, path: `/${from}/${file}` },
          destination: { siteId: pasv.beta.id, dir: `/${to}` },
        });
      }
      const state = await pasv.api<QueueState>('GET', '/api/queue');
      expect(state).toMatchObject({ paused: true, running: 0 });
      expect(state.waiting).toBeGreaterThanOrEqual(2);
      await dashboard.open();
      await expect(dashboard.page.getByText(`(0 active, ${state.waiting} waiting)`)).toBeVisible();
      await expect(dashboard.queue.summary).toContainText('paused ·');
      await expect(dashboard.queue.summary).toContainText(`${state.waiting} waiting`);
      await dashboard.page.getByRole('button', { name: 'Resume queue' }).click();
      await dashboard.queue.waitFor('p1.bin', 'done');
      await dashboard.queue.waitFor('p2.bin', 'done');
      await expect(dashboard.page.getByText('(0 active, 0 waiting)')).toBeVisible();
    } finally {
      await pasv.api('POST', '/api/queue/resume');
    }
  });

  test('Clear finished keeps failed rows until asked; History keeps them all, searchable', async ({
    dashboard,
    pasv,
  }) => {
    const from = uniqueName('hist-src');
    const to = uniqueName('hist-dst');
    const good = `${uniqueName('hist-good')}.bin`;
    const bad = `${uniqueName('hist-bad')}.bin`;
    putFiles(pasv.alpha, { [`${from}/${good}`]: randomBytes(120_000) });
    putFolder(pasv.beta, to);
    await dashboard.open();
    for (const file of [good, bad]) {
      await pasv.api('POST', '/api/transfers', {
        source: { siteId: pasv.alpha.id, path: `/${from}/${file}` },
        destination: { siteId: pasv.beta.id, dir: `/${to}` },
      });
    }
    const { queue, page } = dashboard;
    await queue.waitFor(good, 'done');
    await queue.waitFor(bad, 'failed');

    await queue.clearFinished.click();
    await expect(queue.row(good)).toHaveCount(0);
    await expect(queue.row(bad)).toBeVisible();
    await queue.clearFailedToo.click();
    const confirm = page.getByRole('dialog', { name: 'Clear failed transfers too?' });
    await confirm.getByRole('button', { name: 'Clear all finished' }).click();
    await expect(queue.row(bad)).toHaveCount(0);

    const history = new HistoryTab(page);
    await history.show();
    await history.search.fill(from);
    await expect(history.row(good)).toContainText('done');
    await expect(history.row(good)).toContainText(`alpha:/${from}/${good} → beta:/${to}/`);
    await expect(history.row(good)).toContainText(/(SHA-256|SHA-1|MD5|CRC32|size) ✓/);
    await expect(history.row(good)).toContainText('120 kB');
    await expect(history.row(bad)).toContainText('failed');
    await expect(history.row(bad)).toContainText('550');
    await history.search.fill(bad);
    await expect(history.row(bad)).toBeVisible();
    await expect(history.row(good)).toHaveCount(0);
    await history.search.fill(from);
    await expect(history.row(good)).toBeVisible();
    const dismiss = page.getByRole('button', { name: 'Dismiss notification' });
    // Toasts also go by themselves: take the first one each time, never a stale nth().
    while ((await dismiss.count()) > 0)
      await dismiss
        .first()
        .click({ timeout: 2000 })
        .catch(() => undefined);
    await expect(dismiss).toHaveCount(0);
    await dashboard.tidyForScreenshot();
    await page.screenshot({ path: shotPath('history.png'), animations: 'disabled' });
  });
});
