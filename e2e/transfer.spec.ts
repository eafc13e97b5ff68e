import fs from 'node:fs';
import path from 'node:path';
import { test, expect, putFiles, putFolder, uniqueName } from './fixtures.js';
import { randomBytes, sha256, treeDigest } from './disk.js';

test.describe('copying between servers', () => {
  test('a file dragged onto the other pane shows its progress and lands byte for byte', async ({
    dashboard,
    pasv,
    throttled,
  }) => {
    const from = uniqueName('drag-src');
    const to = uniqueName('drag-dst');
    putFiles(throttled, { [`${from}/video.mkv`]: randomBytes(3_000_000) });
    putFolder(pasv.beta, to);
    await dashboard.open();
    await dashboard.show({ site: throttled.name, path: from }, { site: 'beta', path: to });

    await dashboard.left.row('video.mkv').dragTo(dashboard.right.grid);

    const { queue } = dashboard;
    await expect(queue.row('video.mkv')).toContainText(`${throttled.name}:/`);
    await expect(queue.row('video.mkv')).toContainText(`→ beta:/${to}/`);
    await queue.waitFor('video.mkv', 'running');
    await expect(queue.progress('video.mkv')).toHaveAttribute('aria-valuenow', /^[1-9][0-9]?$/); // seen between 1 and 99 %
    await queue.waitFor('video.mkv', 'done', 30_000);
    await expect(queue.progress('video.mkv')).toHaveAttribute('aria-valuenow', '100');
    await expect(queue.mode('video.mkv', 'FXP')).toBeVisible();
    // The destination pane refreshes by itself once the copy is done.
    await expect(dashboard.right.row('video.mkv')).toContainText('3.0 MB');

    expect(sha256(path.join(pasv.beta.root, to, 'video.mkv'))).toBe(
      sha256(path.join(throttled.root, from, 'video.mkv')),
    );
  });

  test('a folder tree copied with "Copy →" arrives whole, odd names included', async ({ dashboard, pasv }) => {
    const from = uniqueName('tree-src');
    const to = uniqueName('tree-dst');
    const tree = 'Summer trip 2026';
    putFiles(pasv.alpha, {
      [`${from}/${tree}/read me.txt`]: 'spaces in the name\n',
      [`${from}/${tree}/Zürich & Genève/café crème.jpg`]: randomBytes(150_000),
      [`${from}/${tree}/Zürich & Genève/nested/deeper/日本語 ファイル.bin`]: randomBytes(70_000),
      [`${from}/${tree}/Zürich & Genève/nested/empty.txt`]: '',
      [`${from}/${tree}/Ωmega (final) [v2].tar`]: randomBytes(300_000),
      [`${from}/${tree}/Résumé/CV – 2026.pdf`]: randomBytes(20_000),
    });
    putFolder(pasv.alpha, `${from}/${tree}/Zürich & Genève/empty folder`);
    putFolder(pasv.beta, to);
    await dashboard.open();
    await dashboard.show({ site: 'alpha', path: from }, { site: 'beta', path: to });
    await expect(dashboard.ifExists).toHaveValue('ask');

    await dashboard.left.select(tree);
    await dashboard.copyRight.click();

    await expect(dashboard.notice(`Queued 1 transfer to beta:/${to}`)).toBeVisible();
    const { queue } = dashboard;
    await expect(queue.row(tree)).toBeVisible();
    await queue.waitFor(tree, 'done', 30_000);
    await expect(queue.row(tree)).toContainText('6/6 files');
    await queue
      .row(tree)
      .getByRole('button', { name: `Show files of ${tree}` })
      .click();
    const files = dashboard.page.getByRole('table', { name: 'Files' });
    await expect(files.getByRole('row', { name: 'Zürich & Genève/nested/deeper/日本語 ファイル.bin' })).toContainText(
      'done',
    );
    await expect(dashboard.right.row(tree)).toBeVisible();

    expect(treeDigest(path.join(pasv.beta.root, to, tree))).toEqual(treeDigest(path.join(pasv.alpha.root, from, tree)));
  });

  test("a 3000-file transfer's file list opens at once and scrolls to its last file, a page at a time", async ({
    dashboard,
    pasv,
  }) => {
    const name = uniqueName('many-files');
    const count = 3000;
    const paths = Array.from({ length: count }, (_, i) => `/${name}/f${String(i + 1).padStart(4, '0')}.bin`);
    // Queued and kept so (queue paused): the list, not the copy, is under test.
    await pasv.api('POST', '/api/queue/pause');
    const created = pasv.app.services.transfers.createPlanned({
      name,
      source: { siteId: pasv.alpha.id, dir: `/${name}` },
      destination: { siteId: pasv.beta.id, dir: `/${name}` },
      files: paths.map((p) => ({ source: p, destination: p, size: 1 })),
    });
    try {
      await dashboard.open();
      const { queue } = dashboard;
      await expect(queue.row(name)).toContainText(`0/${count} files`);
      await queue
        .row(name)
        .getByRole('button', { name: `Show files of ${name}` })
        .click();
      const files = dashboard.page.getByRole('table', { name: 'Files' });
      await expect(files.getByRole('row', { name: paths[0] })).toContainText('queued');
      // Virtualised: a screenful of rows in the page, not 3000 (nor the first page's 500).
      expect(await files.getByRole('row').count()).toBeLessThan(80);
      await expect(dashboard.page.getByText(`500 of ${count} files loaded`)).toBeVisible();

      const list = dashboard.page.getByRole('region', { name: `Files of ${name}` });
      const last = files.getByRole('row', { name: paths.at(-1) });
      await expect(async () => {
        await list.evaluate((element) => (element.scrollTop = element.scrollHeight));
        await expect(last).toBeVisible({ timeout: 500 });
      }).toPass({ timeout: 20_000 });
      await expect(last).toContainText('queued');
      await expect(dashboard.page.getByText(`${count} files`, { exact: true })).toBeVisible();
      expect(await files.getByRole('row').count()).toBeLessThan(80);
    } finally {
      await pasv.api('POST', `/api/transfers/${created.id}/cancel`);
      await pasv.api('POST', '/api/queue/resume');
    }
  });

  test('cancelling a large transfer stops it', async ({ dashboard, pasv, throttled }) => {
    const from = uniqueName('cancel-src');
    const to = uniqueName('cancel-dst');
    const size = 40_000_000;
    putFiles(throttled, { [`${from}/huge.iso`]: randomBytes(size) });
    putFolder(pasv.beta, to);
    await dashboard.open();
    await dashboard.show({ site: throttled.name, path: from }, { site: 'beta', path: to });

    await dashboard.left.select('huge.iso');
    await dashboard.copyRight.click();
    const { queue } = dashboard;
    await queue.waitFor('huge.iso', 'running');
    await expect(queue.progress('huge.iso')).toHaveAttribute('aria-valuenow', /^[1-9][0-9]?$/);

    await queue.action('huge.iso', 'Cancel').click();

    await queue.waitFor('huge.iso', 'cancelled');
    await expect(queue.action('huge.iso', 'Retry')).toBeVisible();
    await expect(queue.action('huge.iso', 'Cancel')).toBeHidden();
    const transfers = await pasv.api<Array<{ name: string; state: string }>>('GET', '/api/transfers');
    expect(transfers.find((transfer) => transfer.name === 'huge.iso')?.state).toBe('cancelled');

    // Nothing keeps writing after the cancel: the partial file settles, short of the whole.
    const partial = path.join(pasv.beta.root, to, 'huge.iso');
    const sizes: number[] = [];
    await expect
      .poll(
        () => {
          sizes.push(fs.existsSync(partial) ? fs.statSync(partial).size : 0);
          return sizes.length >= 3 && sizes.at(-1) === sizes.at(-3);
        },
        { intervals: [750], message: 'the destination file should stop growing once cancelled' },
      )
      .toBe(true);
    expect(sizes.at(-1)).toBeLessThan(size);
  });

  test('servers that refuse FXP are copied through pasv, and the queue says so', async ({
    dashboard,
    refusingPair,
  }) => {
    const { source, destination } = refusingPair;
    const from = uniqueName('relay-src');
    const to = uniqueName('relay-dst');
    putFiles(source, { [`${from}/report.pdf`]: randomBytes(500_000) });
    putFolder(destination, to);
    await dashboard.open();
    await dashboard.show({ site: source.name, path: from }, { site: destination.name, path: to });

    await dashboard.left.select('report.pdf');
    await dashboard.copyRight.click();

    const { queue } = dashboard;
    await queue.waitFor('report.pdf', 'done', 30_000);
    await expect(queue.mode('report.pdf', 'relay')).toBeVisible();
    await expect(queue.row('report.pdf')).toContainText('fell back to relay');

    expect(sha256(path.join(destination.root, to, 'report.pdf'))).toBe(
      sha256(path.join(source.root, from, 'report.pdf')),
    );
  });
});
