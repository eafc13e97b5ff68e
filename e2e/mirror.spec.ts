/**
 * Mirror jobs as a user meets them: a job made from the two panes, a dry run whose coloured
 * rows match what is really on the disks, a sync, a second dry run that finds everything
 * the same, and a schedule that runs the job by itself and says so in a toast.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Job } from '../contract/index.js';
import { test, expect, putFiles, putFolder, shotPath, type FtpFixture } from './fixtures.js';
import { randomBytes, treeDigest } from './disk.js';
import type { VerdictName } from './pages/mirror.js';

const SOURCE_DIR = 'pub/releases';
const DESTINATION_DIR = 'backup/releases';
const JOB = 'releases nightly';

const day = (n: number) => new Date(Date.UTC(2026, 2, n, 9, 30));

/** Verdicts the compare must give, worked out from the disks alone (size+time, `*.tmp` skipped). */
function expectedVerdicts(source: string, destination: string): Record<string, VerdictName> {
  const list = (root: string) => {
    const found = new Map<string, fs.Stats>();
    const walk = (relative: string) => {
      for (const name of fs.readdirSync(path.join(root, relative))) {
        const rel = path.posix.join(relative, name);
        const stat = fs.statSync(path.join(root, rel));
        found.set(rel, stat);
        if (stat.isDirectory()) walk(rel);
      }
    };
    walk('');
    return found;
  };
  const src = list(source);
  const dst = list(destination);
  const verdicts: Record<string, VerdictName> = {};
  for (const rel of new Set([...src.keys(), ...dst.keys()])) {
    const s = src.get(rel);
    const d = dst.get(rel);
    if (rel.endsWith('.tmp')) verdicts[rel] = 'skipped';
    else if (s && !d) verdicts[rel] = 'new';
    else if (!s && d) verdicts[rel] = 'extra';
    else if (s!.isDirectory()) verdicts[rel] = 'same';
    else verdicts[rel] = s!.size === d!.size && Math.abs(s!.mtimeMs - d!.mtimeMs) <= 2000 ? 'same' : 'changed';
  }
  return verdicts;
}

function seed(alpha: FtpFixture, beta: FtpFixture): void {
  const same = randomBytes(40_000);
  putFiles(alpha, {
    [`${SOURCE_DIR}/2.4.1/pasv-2.4.1-linux-x64.tar.gz`]: randomBytes(600_000),
    [`${SOURCE_DIR}/2.4.1/pasv-2.4.1-windows-x64.zip`]: randomBytes(450_000),
    [`${SOURCE_DIR}/2.4.1/SHA256SUMS`]: 'e3b0c442…  pasv-2.4.1-linux-x64.tar.gz\n'.repeat(2),
    [`${SOURCE_DIR}/2.4.0/pasv-2.4.0-linux-x64.tar.gz`]: same,
    [`${SOURCE_DIR}/2.4.0/CHANGELOG.md`]: '# 2.4.0\n\n- Mirror jobs\n- Faster listings\n',
    [`${SOURCE_DIR}/README.txt`]: 'Releases of pasv, newest first.\n',
    [`${SOURCE_DIR}/upload.tmp`]: 'half an upload',
  });
  putFiles(beta, {
    [`${DESTINATION_DIR}/2.4.0/pasv-2.4.0-linux-x64.tar.gz`]: same,
    [`${DESTINATION_DIR}/2.4.0/CHANGELOG.md`]: '# 2.4.0\n',
    [`${DESTINATION_DIR}/README.txt`]: 'Releases of pasv, newest first.\n',
    [`${DESTINATION_DIR}/2.3.9/pasv-2.3.9-linux-x64.tar.gz`]: randomBytes(30_000),
  });
  putFolder(beta, `${DESTINATION_DIR}/2.4.0`);
  const stamp = (root: string, rel: string, n: number) => fs.utimesSync(path.join(root, rel), day(n), day(n));
  stamp(alpha.root, `${SOURCE_DIR}/2.4.0/pasv-2.4.0-linux-x64.tar.gz`, 2);
  stamp(beta.root, `${DESTINATION_DIR}/2.4.0/pasv-2.4.0-linux-x64.tar.gz`, 2);
  stamp(alpha.root, `${SOURCE_DIR}/README.txt`, 3);
  stamp(beta.root, `${DESTINATION_DIR}/README.txt`, 3);
  stamp(alpha.root, `${SOURCE_DIR}/2.4.0/CHANGELOG.md`, 5);
  stamp(beta.root, `${DESTINATION_DIR}/2.4.0/CHANGELOG.md`, 2);
}

const count = (verdicts: Record<string, VerdictName>, verdict: VerdictName) => Object.values(verdicts).filter((v) => v === verdict).length;

test.describe('mirror jobs', () => {
  test('a job made from the panes compares, syncs, finds both trees the same, and runs on its schedule', async ({
    dashboard,
    pasv,
  }) => {
    test.setTimeout(120_000);
    const { alpha, beta } = pasv;
    seed(alpha, beta);
    const sourceRoot = path.join(alpha.root, SOURCE_DIR);
    const destinationRoot = path.join(beta.root, DESTINATION_DIR);
    const expected = expectedVerdicts(sourceRoot, destinationRoot);
    expect(count(expected, 'new')).toBeGreaterThan(0);
    expect(count(expected, 'changed')).toBe(1);
    expect(count(expected, 'extra')).toBeGreaterThan(0);
    expect(count(expected, 'skipped')).toBe(1);

    await dashboard.open();
    await dashboard.show({ site: 'alpha', path: SOURCE_DIR }, { site: 'beta', path: DESTINATION_DIR });
    const { jobs, jobEditor: editor, compare, page } = dashboard;

    // The job, made from the two panes: the folders come prefilled.
    await dashboard.newMirrorJob.click();
    await expect(editor.dialog).toBeVisible();
    await expect(editor.field('Source folder')).toHaveValue(`/${SOURCE_DIR}`);
    await expect(editor.field('Destination folder')).toHaveValue(`/${DESTINATION_DIR}`);
    await editor.field('Name').fill(JOB);
    await editor.field('Delete extras').check();
    await editor.field('Max deletes').fill('10');
    await editor.openFilters();
    await editor.field('Skip file names').fill('*.tmp');
    // A bad cron is refused by the server on its field, and the job is not saved.
    await editor.schedule('Cron').check();
    await editor.field('Cron expression').fill('61 * * * *');
    await editor.dialog.getByRole('button', { name: 'Create job' }).click();
    await expect(editor.field('Cron expression')).toHaveAttribute('aria-invalid', 'true');
    await expect(editor.field('Cron expression')).toHaveAccessibleDescription(/61/);
    await editor.schedule('Manual only').check();
    await editor.save();

    await expect(jobs.tab).toHaveAttribute('aria-selected', 'true');
    await expect(jobs.row(JOB)).toContainText(`alpha:/${SOURCE_DIR} → beta:/${DESTINATION_DIR}`);
    await expect(jobs.row(JOB)).toContainText('manual only');

    // Dry run: the compare takes the panes' place, every path coloured by its verdict.
    await jobs.action(JOB, 'Dry run').click();
    await expect(compare.region).toBeVisible();
    await compare.waitDone();
    await expect(compare.runState).toContainText('dry run');
    await expect(compare.rows).toHaveCount(Object.keys(expected).length);
    for (const [rel, verdict] of Object.entries(expected)) {
      await expect(compare.row(rel)).toHaveAttribute('data-verdict', verdict);
      await expect(compare.chip(verdict)).toHaveAttribute('data-count', String(count(expected, verdict)));
    }
    await expect(compare.row('2.4.1/pasv-2.4.1-linux-x64.tar.gz')).toContainText('600 kB');
    // Colours: a new row is green, a changed one orange, an extra red (computed, whatever the theme).
    const colourOf = (rel: string) => compare.row(rel).evaluate((row) => getComputedStyle(row).color);
    const [green, orange, red] = await Promise.all([
      colourOf('2.4.1/SHA256SUMS'),
      colourOf('2.4.0/CHANGELOG.md'),
      colourOf('2.3.9/pasv-2.3.9-linux-x64.tar.gz'),
    ]);
    expect(new Set([green, orange, red]).size).toBe(3);
    // The summary bar filters.
    await compare.chip('new').click();
    await expect(compare.rows).toHaveCount(count(expected, 'new'));
    await expect(compare.rowsOf('same')).toHaveCount(0);
    await compare.chip('new').click();
    await expect(compare.rows).toHaveCount(Object.keys(expected).length);
    // Nothing moved on a dry run.
    expect(fs.existsSync(path.join(destinationRoot, '2.4.1'))).toBe(false);
    await page.mouse.move(640, 20);
    await page.screenshot({ path: shotPath('compare.png'), animations: 'disabled' });

    // Sync selected: only the chosen row is copied; nothing else moves, nothing is deleted.
    await compare.row('2.4.1/SHA256SUMS').click();
    await compare.button(/^Sync selected/).click();
    await expect(compare.runState).not.toContainText('dry run');
    await compare.waitDone(60_000);
    expect(fs.readFileSync(path.join(destinationRoot, '2.4.1/SHA256SUMS'))).toEqual(fs.readFileSync(path.join(sourceRoot, '2.4.1/SHA256SUMS')));
    expect(fs.existsSync(path.join(destinationRoot, '2.4.1/pasv-2.4.1-linux-x64.tar.gz'))).toBe(false);
    expect(fs.existsSync(path.join(destinationRoot, '2.3.9'))).toBe(true);

    // Sync all: the copy goes through the queue, extras go after it.
    await compare.button('Sync all').click();
    await expect(compare.runState).not.toContainText('dry run');
    await compare.waitDone(60_000);
    const copied = treeDigest(sourceRoot);
    delete copied['upload.tmp'];
    expect(treeDigest(destinationRoot)).toEqual(copied);

    // The second dry run finds the trees in step: only the skipped file is not "same".
    await compare.button('Dry run again').click();
    await expect(compare.runState).toContainText('dry run');
    await compare.waitDone();
    const after = expectedVerdicts(sourceRoot, destinationRoot);
    expect(Object.values(after).filter((v) => v !== 'same' && v !== 'skipped')).toEqual([]);
    await expect(compare.rows).toHaveCount(Object.keys(after).length);
    await expect(compare.rowsOf('same')).toHaveCount(count(after, 'same'));
    await expect(compare.rowsOf('skipped')).toHaveCount(1);
    for (const verdict of ['new', 'changed', 'extra', 'conflict'] as const) await expect(compare.chip(verdict)).toHaveAttribute('data-count', '0');
    await compare.button('Close compare').click();
    await expect(dashboard.left.grid).toBeVisible();

    // A schedule every 3 s: the job runs by itself and a toast says so.
    await jobs.edit(JOB).click();
    await editor.schedule('Every N minutes').check();
    await editor.field('Minutes').fill('0.05');
    await expect(editor.dialog).toContainText('Every 3 seconds');
    await editor.save();
    await expect(jobs.row(JOB)).toContainText('Every 3 seconds');
    await expect(dashboard.toast(`${JOB}: scheduled run finished`).first()).toBeVisible({ timeout: 30_000 });
    const runs = await jobs.showRuns(JOB);
    await expect(runs.getByRole('row').filter({ hasText: 'schedule' }).first()).toBeVisible();
    await expect(runs.getByRole('row').filter({ hasText: 'manual' })).toHaveCount(4);

    // Paused, it stays paused.
    await jobs.enabled(JOB).click();
    await expect(jobs.enabled(JOB)).not.toBeChecked();
    const [job] = (await pasv.api<Job[]>('GET', '/api/jobs')).filter((candidate) => candidate.name === JOB);
    expect(job?.enabled).toBe(false);
    // The toasts were seen; the picture is of the table under them.
    const toasts = page.getByRole('list', { name: 'Notifications' }).getByRole('button', { name: 'Dismiss notification' });
    while ((await toasts.count()) > 0) await toasts.first().click();
    await page.mouse.move(640, 20);
    await page.screenshot({ path: shotPath('jobs.png'), animations: 'disabled' });
  });
});
