import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { test, expect, putFiles, putFolder, shotPath, uniqueName } from './fixtures.js';
import { PaneNav } from './pages/navigation.js';

test.describe('navigation in the panes', () => {
  test('the path box: Ctrl+L or a click types a path, Enter goes there, a wrong one keeps the listing', async ({
    dashboard,
    pasv,
  }) => {
    const top = uniqueName('nav-path');
    putFiles(pasv.alpha, { [`${top}/deep/er/inside.txt`]: 'x', [`${top}/here.txt`]: 'y' });
    await dashboard.open();
    const { left } = dashboard;
    const nav = new PaneNav(dashboard.page, left);
    await left.chooseSite('alpha');
    await left.openFolder(top);

    await left.grid.focus();
    await dashboard.page.keyboard.press('Control+L');
    await expect(nav.pathInput).toBeFocused();
    await expect(nav.pathInput).toHaveValue(`/${top}`);
    await nav.pathInput.fill(`/${top}/deep//er/`);
    await nav.pathInput.press('Enter');
    await expect(left.here).toHaveText('er');
    await expect(left.row('inside.txt')).toBeVisible();
    await expect(left.crumbs.getByRole('button')).toHaveText(['/', top, 'deep', 'er']);
    await expect(left.grid).toBeFocused();

    // A click beside the crumbs (not on one) opens the box too; Esc leaves everything as it was.
    const box = (await left.crumbs.boundingBox())!;
    await left.crumbs.click({ position: { x: box.width - 4, y: box.height / 2 } });
    await expect(nav.pathInput).toBeFocused();
    await nav.pathInput.fill('/somewhere/else');
    await nav.pathInput.press('Escape');
    await expect(nav.pathInput).toBeHidden();
    await expect(left.here).toHaveText('er');

    // A folder that isn't there: the pane says so and keeps showing the last listing.
    await nav.editPath.click();
    await nav.pathInput.fill(`/${top}/missing`);
    await nav.pathInput.press('Enter');
    await expect(nav.problem).toContainText(`Cannot open /${top}/missing`);
    await expect(left.here).toHaveText('er');
    await expect(left.row('inside.txt')).toBeVisible();
  });

  test('type-ahead jumps to the name typed; Tab and Shift+Tab switch panes and keep each cursor', async ({
    dashboard,
    pasv,
  }) => {
    const dir = uniqueName('nav-type');
    const other = uniqueName('nav-other');
    putFiles(pasv.alpha, {
      [`${dir}/apple.txt`]: 'a',
      [`${dir}/banana.txt`]: 'b',
      [`${dir}/bandana.txt`]: 'c',
      [`${dir}/cherry.txt`]: 'd',
    });
    putFiles(pasv.beta, { [`${other}/one.txt`]: '1', [`${other}/two.txt`]: '2' });
    await dashboard.open();
    await dashboard.show({ site: 'alpha', path: dir }, { site: 'beta', path: other });
    const { left, right, page } = dashboard;
    const leftNav = new PaneNav(page, left);
    const rightNav = new PaneNav(page, right);

    await left.grid.focus();
    await page.keyboard.type('band');
    await expect(left.row('bandana.txt')).toHaveAttribute('aria-selected', 'true');
    await expect(left.row('banana.txt')).toHaveAttribute('aria-selected', 'false');
    await expect(leftNav.activeMark).toBeVisible();

    await page.keyboard.press('Tab');
    await expect(right.grid).toBeFocused();
    await expect(rightNav.activeMark).toBeVisible();
    await expect(leftNav.activeMark).toBeHidden();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect(right.row('two.txt')).toHaveClass(/cursor/);

    await page.keyboard.press('Shift+Tab');
    await expect(left.grid).toBeFocused();
    await expect(leftNav.activeMark).toBeVisible();
    await expect(left.row('bandana.txt')).toHaveClass(/cursor/);
    await page.keyboard.press('ArrowDown');
    await expect(left.row('cherry.txt')).toHaveClass(/cursor/);
    await page.keyboard.press('Tab');
    await expect(right.row('two.txt')).toHaveClass(/cursor/);
  });

  test('F5 and Ctrl+Enter copy to the other pane, byte for byte', async ({ dashboard, pasv }) => {
    const from = uniqueName('nav-f5-src');
    const to = uniqueName('nav-f5-dst');
    const first = randomBytes(40_000);
    const second = randomBytes(12_345);
    putFiles(pasv.alpha, { [`${from}/first.bin`]: first, [`${from}/second.bin`]: second });
    putFolder(pasv.beta, to);
    await dashboard.open();
    await dashboard.show({ site: 'alpha', path: from }, { site: 'beta', path: to });
    const { left, right, queue, page } = dashboard;

    await left.select('first.bin');
    await page.keyboard.press('F5');
    await expect(dashboard.notice(`Queued 1 transfer to beta:/${to}`)).toBeVisible();
    await queue.waitFor('first.bin', 'done', 30_000);
    await expect(right.row('first.bin')).toBeVisible();
    expect(fs.readFileSync(path.join(pasv.beta.root, to, 'first.bin')).equals(first)).toBe(true);

    // The focused row, without selecting it: Ctrl+Enter.
    await left.grid.focus();
    await page.keyboard.press('End');
    await page.keyboard.press('Escape');
    await expect(left.row('second.bin')).toHaveClass(/cursor/);
    await expect(left.row('second.bin')).toHaveAttribute('aria-selected', 'false');
    await page.keyboard.press('Control+Enter');
    await queue.waitFor('second.bin', 'done', 30_000);
    expect(fs.readFileSync(path.join(pasv.beta.root, to, 'second.bin')).equals(second)).toBe(true);
  });

  test('the context menu: new folder, copy path, delete with Cancel focused', async ({ dashboard, pasv, context }) => {
    const dir = uniqueName('nav-menu');
    putFiles(pasv.beta, { [`${dir}/keep.txt`]: 'keep', [`${dir}/doomed.txt`]: 'bye' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await dashboard.open();
    const { right, page } = dashboard;
    const nav = new PaneNav(page, right);
    await right.chooseSite('beta');
    await right.openFolder(dir);

    // Right-click on the empty space under the rows.
    const grid = (await right.grid.boundingBox())!;
    await right.grid.click({ button: 'right', position: { x: grid.width / 2, y: grid.height - 20 } });
    await expect(nav.menu).toBeVisible();
    await expect(nav.menu.getByRole('menuitem')).toHaveText([
      /^Copy to other side/,
      /^Rename/,
      /^Delete/,
      /^New folder/,
      /^Refresh/,
      /^Copy path/,
    ]);
    // Nothing selected: what needs a selection is off, and focus starts on the first that isn't.
    await expect(nav.menuItem('Delete')).toBeDisabled();
    await expect(nav.menuItem('Copy to other side')).toBeDisabled();
    await expect(nav.menuItem('New folder')).toBeFocused();
    const menuBox = (await nav.menu.boundingBox())!;
    const viewport = page.viewportSize()!;
    expect(menuBox.y + menuBox.height).toBeLessThanOrEqual(viewport.height);
    expect(menuBox.x + menuBox.width).toBeLessThanOrEqual(viewport.width);
    await page.mouse.move(viewport.width / 2, 10);
    await page.screenshot({ path: shotPath('context-menu.png'), animations: 'disabled' });

    await page.keyboard.press('Escape');
    await expect(nav.menu).toBeHidden();
    await expect(right.grid).toBeFocused();

    await right.grid.click({ button: 'right', position: { x: grid.width / 2, y: grid.height - 20 } });
    await nav.menuItem('New folder').click();
    const mkdir = page.getByRole('dialog', { name: 'New folder' });
    await mkdir.getByRole('textbox', { name: 'Folder name' }).fill('made-by-menu');
    await mkdir.getByRole('button', { name: 'Create' }).click();
    await expect(right.row('made-by-menu')).toBeVisible();
    expect(fs.statSync(path.join(pasv.beta.root, dir, 'made-by-menu')).isDirectory()).toBe(true);

    await right.row('keep.txt').click({ button: 'right' });
    await expect(right.row('keep.txt')).toHaveAttribute('aria-selected', 'true');
    await nav.menuItem('Copy path').click();
    await expect(right.region.getByRole('status')).toHaveText(`Copied /${dir}/keep.txt`);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`/${dir}/keep.txt`);

    // Keyboard: Shift+F10 on the row, down to Delete; the confirm focuses Cancel, so Enter keeps the file.
    await right.select('doomed.txt');
    await page.keyboard.press('Shift+F10');
    await expect(nav.menu).toBeVisible();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect(nav.menuItem('Delete')).toBeFocused();
    await page.keyboard.press('Enter');
    const confirm = page.getByRole('dialog', { name: 'Delete 1 item?' });
    await expect(confirm).toBeVisible();
    await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(confirm).toBeHidden();
    expect(fs.existsSync(path.join(pasv.beta.root, dir, 'doomed.txt'))).toBe(true);

    // Del then Enter does not delete either; a click on Delete does.
    await right.grid.focus();
    await page.keyboard.press('Delete');
    await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(confirm).toBeHidden();
    expect(fs.existsSync(path.join(pasv.beta.root, dir, 'doomed.txt'))).toBe(true);
    await page.keyboard.press('Delete');
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await expect(right.row('doomed.txt')).toBeHidden();
    expect(fs.existsSync(path.join(pasv.beta.root, dir, 'doomed.txt'))).toBe(false);
  });

  test('? opens the shortcuts sheet, but not while typing in a field', async ({ dashboard, pasv }) => {
    const dir = uniqueName('nav-help');
    putFiles(pasv.alpha, { [`${dir}/a.txt`]: 'a' });
    await dashboard.open();
    const { left, page } = dashboard;
    await left.chooseSite('alpha');
    await left.openFolder(dir);
    const sheet = page.getByRole('dialog', { name: 'Keyboard shortcuts' });

    const filter = left.region.getByRole('searchbox', { name: 'Filter' });
    await filter.fill('');
    await filter.press('?');
    await expect(filter).toHaveValue('?');
    await expect(sheet).toBeHidden();
    await filter.fill('');

    await left.grid.focus();
    await page.keyboard.press('?');
    await expect(sheet).toBeVisible();
    for (const key of [
      'Tab',
      'F5',
      'Ctrl+Enter',
      'Ctrl+L',
      'Del',
      'F2',
      'F7',
      'Shift+F10',
      'Backspace',
      'Space',
      '?',
    ]) {
      await expect(sheet.getByText(key, { exact: true })).toBeVisible();
    }
    await page.screenshot({ path: shotPath('shortcuts.png'), animations: 'disabled' });
    await page.keyboard.press('Escape');
    await expect(sheet).toBeHidden();
  });

  test('bookmarks: the star keeps a folder per site, the list goes back to it', async ({ dashboard, pasv }) => {
    const dir = uniqueName('nav-bm');
    putFiles(pasv.alpha, { [`${dir}/inner/x.txt`]: 'x' });
    await dashboard.open();
    const { left, page } = dashboard;
    const nav = new PaneNav(page, left);
    await left.chooseSite('alpha');
    await left.goTo(`/${dir}/inner`);

    await expect(nav.star).toHaveAccessibleName('Bookmark this folder');
    await nav.star.click();
    await expect(nav.star).toHaveAttribute('aria-pressed', 'true');
    await expect(nav.star).toHaveAccessibleName('Remove bookmark');
    const stored = await pasv.api<Array<{ path: string }>>('GET', `/api/sites/${pasv.alpha.id}/bookmarks`);
    expect(stored.map((bookmark) => bookmark.path)).toContain(`/${dir}/inner`);

    await left.crumb('/').click();
    await expect(nav.star).toHaveAttribute('aria-pressed', 'false');
    await nav.bookmarks.click();
    const list = page.getByRole('menu', { name: 'Bookmarks on alpha' });
    await list.getByRole('menuitem', { name: `/${dir}/inner`, exact: true }).click();
    await expect(left.here).toHaveText('inner');
    await expect(left.row('x.txt')).toBeVisible();

    await nav.star.click();
    await expect(nav.star).toHaveAttribute('aria-pressed', 'false');
    const after = await pasv.api<Array<{ path: string }>>('GET', `/api/sites/${pasv.alpha.id}/bookmarks`);
    expect(after.map((bookmark) => bookmark.path)).not.toContain(`/${dir}/inner`);
  });

  test('the conflict dialog shows the size and date of both sides and focuses Cancel', async ({ dashboard, pasv }) => {
    const from = uniqueName('nav-conf-src');
    const to = uniqueName('nav-conf-dst');
    putFiles(pasv.alpha, { [`${from}/clash.bin`]: Buffer.alloc(2048, 1), [`${from}/fresh.bin`]: 'new' });
    putFiles(pasv.beta, { [`${to}/clash.bin`]: Buffer.alloc(500, 2) });
    await dashboard.open();
    await dashboard.show({ site: 'alpha', path: from }, { site: 'beta', path: to });
    const { left, page } = dashboard;
    await expect(dashboard.ifExists).toHaveValue('ask');

    await left.grid.focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('F5');
    const dialog = page.getByRole('dialog', { name: 'Already exists' });
    await expect(dialog).toContainText('1 of 2 of the items already exist');
    const row = dialog.getByRole('row', { name: 'clash.bin' });
    await expect(row.getByRole('cell', { name: 'Source' })).toContainText('2.0 kB');
    await expect(row.getByRole('cell', { name: 'Destination' })).toContainText('500 B');
    const year = String(new Date().getFullYear());
    await expect(row.getByRole('cell', { name: 'Source' })).toContainText(year);
    await expect(row.getByRole('cell', { name: 'Destination' })).toContainText(year);
    await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(dialog).toBeHidden();
    expect(fs.statSync(path.join(pasv.beta.root, to, 'clash.bin')).size).toBe(500);
  });
});
