/**
 * The README's pictures, taken from the real dashboard at 1280×800 with realistic data on
 * servers of their own (so no other spec's folders show up in them).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Transfer } from '../contract/index.js';
import { test as base, expect, putFiles, shotPath, type FtpFixture } from './fixtures.js';
import { randomBytes } from './disk.js';

interface Showcase {
  /** A public mirror, throttled so a copy from it runs long enough to be seen. */
  mirror: FtpFixture;
  /** The archive that receives, FXP-capable. */
  vault: FtpFixture;
  /** A box at home that refuses FXP: copies to it go through pasv. */
  nas: FtpFixture;
}

const test = base.extend<object, { showcase: Showcase }>({
  showcase: [
    async ({ pasv }, use) => {
      const mirror = await pasv.addServer('mirror', { address: '127.0.0.9', bytesPerSecond: 2_500_000 });
      const vault = await pasv.addServer('vault', { address: '127.0.0.10' });
      const nas = await pasv.addServer('nas', { address: '127.0.0.11', allowFxp: false });
      const day = (n: number) => new Date(Date.UTC(2026, 2, n, 9 + (n % 8), (n * 7) % 60));
      const stamp = (fixture: FtpFixture, name: string, date: Date) =>
        fs.utimesSync(path.join(fixture.root, name), date, date);
      const releases: Array<[string, Buffer | string, number]> = [
        ['pub/releases/2.4.1/pasv-2.4.1-linux-x64.tar.gz', randomBytes(24_000_000), 14],
        ['pub/releases/2.4.1/pasv-2.4.1-macos-arm64.dmg', randomBytes(3_600_000), 14],
        ['pub/releases/2.4.1/pasv-2.4.1-windows-x64.zip', randomBytes(3_100_000), 14],
        ['pub/releases/2.4.1/SHA256SUMS', 'e3b0c442…  pasv-2.4.1-linux-x64.tar.gz\n'.repeat(3), 14],
        ['pub/releases/2.4.1/SHA256SUMS.asc', '-----BEGIN PGP SIGNATURE-----\n'.repeat(8), 14],
        ['pub/releases/2.4.1/CHANGELOG.md', '# 2.4.1\n\n- Faster listings\n'.repeat(40), 13],
        ['pub/releases/2.4.1/docs/manual.pdf', randomBytes(820_000), 12],
        ['pub/releases/2.4.1/docs/quick start.txt', 'Two commands.\n'.repeat(30), 12],
        ['pub/releases/2.4.1/docs/images/dual-pane.png', randomBytes(240_000), 12],
        ['pub/releases/2.4.1/docs/images/queue.png', randomBytes(210_000), 12],
        ['pub/releases/2.4.1/debian/pasv_2.4.1_amd64.deb', randomBytes(1_900_000), 11],
        ['pub/releases/2.4.1/debian/pasv_2.4.1_arm64.deb', randomBytes(1_800_000), 11],
        ['pub/releases/2.4.0/pasv-2.4.0-linux-x64.tar.gz', randomBytes(1_000), 2],
        ['pub/releases/2.3.9/pasv-2.3.9-linux-x64.tar.gz', randomBytes(1_000), 1],
      ];
      putFiles(mirror, Object.fromEntries(releases.map(([name, content]) => [name, content])));
      for (const [name, , n] of releases) stamp(mirror, name, day(n));
      for (const dir of ['docs/images', 'docs', 'debian']) stamp(mirror, `pub/releases/2.4.1/${dir}`, day(12));
      putFiles(vault, {
        'incoming/2026-03/backup-2026-03-01.tar.zst': randomBytes(2_400_000),
        'incoming/2026-03/photos/IMG_0412.jpg': randomBytes(380_000),
        'incoming/notes.txt': 'to sort\n',
        'incoming/pasv-2.3.9-linux-x64.tar.gz': randomBytes(1_000),
        'incoming/Music/Bach – Goldberg Variations/01 Aria.flac': randomBytes(30_000),
      });
      stamp(vault, 'incoming/notes.txt', day(3));
      stamp(vault, 'incoming/pasv-2.3.9-linux-x64.tar.gz', day(1));
      stamp(vault, 'incoming/2026-03', day(4));
      stamp(vault, 'incoming/Music', day(6));
      await use({ mirror, vault, nas });
    },
    { scope: 'worker' },
  ],
});

/** Whatever a shot left running must not spill into the next test. */
async function cancelUnfinished(api: <T>(method: string, url: string) => Promise<T>): Promise<void> {
  for (const transfer of await api<Transfer[]>('GET', '/api/transfers')) {
    if (transfer.state === 'running' || transfer.state === 'queued')
      await api('POST', `/api/transfers/${transfer.id}/cancel`);
  }
}

const BIG = 'pasv-2.4.1-linux-x64.tar.gz';

test.describe('README screenshots', () => {
  test.beforeEach(async ({ pasv }) => pasv.api('POST', '/api/transfers/clear?failed=true'));
  test.afterEach(async ({ pasv }) => cancelUnfinished(pasv.api));

  test('dual-pane.png: the two servers side by side, a copy running', async ({ dashboard, showcase }) => {
    await dashboard.openAt(
      { siteId: showcase.mirror.id, path: '/pub/releases/2.4.1' },
      { siteId: showcase.vault.id, path: '/incoming' },
    );
    const { left, right, queue, page } = dashboard;

    await left.select(BIG);
    await left.row('pasv-2.4.1-windows-x64.zip').click({ modifiers: ['ControlOrMeta'] });
    await left.row('pasv-2.4.1-macos-arm64.dmg').click({ modifiers: ['ControlOrMeta'] });
    await expect(left.region.getByText('8 items · 3 selected (31 MB)')).toBeVisible();
    await left.row(BIG).dragTo(right.grid);

    await queue.waitFor('pasv-2.4.1-macos-arm64.dmg', 'done');
    await queue.waitFor('pasv-2.4.1-windows-x64.zip', 'done');
    await expect(queue.progress(BIG)).toHaveAttribute('aria-valuenow', /^([2-8][0-9])$/, { timeout: 30_000 });
    await expect(right.row('pasv-2.4.1-macos-arm64.dmg')).toBeVisible();

    await dashboard.tidyForScreenshot();
    await page.screenshot({ path: shotPath('dual-pane.png'), animations: 'disabled' });
  });

  test('queue.png: a folder, a relay fallback, a failure and a copy in flight', async ({
    dashboard,
    pasv,
    showcase,
  }) => {
    const { mirror, vault, nas } = showcase;
    const send = (source: FtpFixture, from: string, destination: FtpFixture, dir: string) =>
      pasv.api<Transfer>('POST', '/api/transfers', {
        source: { siteId: source.id, path: from },
        destination: { siteId: destination.id, dir },
        ifExists: 'overwrite',
      });
    await dashboard.openAt({ siteId: mirror.id, path: '/pub/releases/2.4.1' }, { siteId: vault.id, path: '/incoming' });

    await send(mirror, '/pub/releases/2.4.1/docs', vault, '/incoming');
    await send(mirror, '/pub/releases/2.4.1/debian', nas, '/');
    await send(mirror, '/pub/releases/2.4.1/SHA256SUMS', vault, '/incoming');
    await send(vault, '/incoming/notes.old.txt', nas, '/');
    await send(mirror, `/pub/releases/2.4.1/${BIG}`, vault, '/incoming');
    const { queue, page } = dashboard;
    await queue.waitFor('docs', 'done', 30_000);
    await expect(queue.row('docs')).toContainText('4/4 files');
    await queue.waitFor('debian', 'done', 30_000);
    await expect(queue.mode('debian', 'relay')).toBeVisible();
    await expect(queue.row('debian')).toContainText('fell back to relay');
    await queue.waitFor('SHA256SUMS', 'done', 30_000);
    await expect(queue.row('SHA256SUMS')).toContainText('→ vault:/incoming/');
    await expect(queue.row('SHA256SUMS')).toContainText(/took \d+ s · .* ✓ · FXP/);
    await queue.waitFor('notes.old.txt', 'failed', 30_000);
    await expect(queue.row('notes.old.txt')).toContainText('550');
    await expect(queue.action('notes.old.txt', 'Retry')).toBeVisible();
    await expect(queue.progress(BIG)).toHaveAttribute('aria-valuenow', /^([2-8][0-9])$/, { timeout: 30_000 });

    // The toasts of what finished would cover the rows that say so.
    const dismiss = page.getByRole('button', { name: 'Dismiss notification' });
    while ((await dismiss.count()) > 0)
      await dismiss
        .first()
        .click({ timeout: 2000 })
        .catch(() => undefined);
    await dashboard.tidyForScreenshot();
    await page.screenshot({ path: shotPath('queue.png'), animations: 'disabled' });
  });

  test('log.png: the control conversation of an FXP copy', async ({ dashboard, showcase }) => {
    await dashboard.openAt(
      { siteId: showcase.mirror.id, path: '/pub/releases/2.4.1' },
      { siteId: showcase.vault.id, path: '/incoming' },
    );
    const { left, log, ifExists, page } = dashboard;
    await log.show();

    await ifExists.selectOption('Overwrite');
    await left.select(BIG);
    await dashboard.copyRight.click();

    await expect(log.line(new RegExp(`→ RETR /pub/releases/2\\.4\\.1/${BIG.replace(/\./g, '\\.')}$`))).toBeVisible();
    await expect(log.line(new RegExp(`→ STOR /incoming/${BIG.replace(/\./g, '\\.')}$`))).toBeVisible();
    await expect(log.line(/→ PORT 127,0,0,(9|10),\d+,\d+$/).last()).toBeVisible();
    await expect(log.line(/← 150 /).last()).toBeVisible();
    await expect(log.line(/← 213 \d+$/).last()).toBeVisible(); // the destination's size, polled for progress

    await dashboard.tidyForScreenshot();
    await page.screenshot({ path: shotPath('log.png'), animations: 'disabled' });
  });
});
