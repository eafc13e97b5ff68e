/**
 * Mirror jobs end to end through the HTTP API, on a pair of real servers (source on
 * 127.0.0.2, destination on 127.0.0.3), checked on the servers' own disks: first sync,
 * re-sync of an unchanged tree, sync after changes (with deletes), the maxDeletes guard,
 * dry runs and modification times.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './app.js';
import { addSite } from './faults/api.js';
import { seededBytes, type ServerKind, type TestServer } from './fixtures.js';
import { allEntries, copiedBy, createJob, foldersOnDisk, patchJob, runToEnd, treeOnDisk } from './mirror-api.js';
import { TIMES_REFUSED_NOTE } from '../src/mirror/run.js';

/** About twenty files in nested folders, a few of them large enough to take more than one read. */
export function sampleTree(prefix: string): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  const add = (name: string, size: number, seed: number) => (files[`${prefix}/${name}`] = seededBytes(size, seed));
  add('readme.txt', 120, 1);
  add('empty.txt', 0, 2);
  add('a/one.txt', 300, 3);
  add('a/two.txt', 301, 4);
  add('a/b/deep.bin', 200_000, 5);
  add('a/b/c/deeper.txt', 50, 6);
  add('a/b/c/d/deepest.txt', 51, 7);
  add('docs/guide.md', 900, 8);
  add('docs/notes.md', 901, 9);
  add('docs/old/2019.md', 902, 10);
  add('media/clip.bin', 300_000, 11);
  add('media/cover.jpg', 4_000, 12);
  add('media/thumbs/t1.jpg', 400, 13);
  add('media/thumbs/t2.jpg', 401, 14);
  add('with space/file name.txt', 77, 15);
  add('x/y/z/leaf.txt', 10, 16);
  add('x/readme.txt', 11, 17);
  add('last.dat', 1_000, 18);
  add('data/1.csv', 33, 19);
  add('data/2.csv', 34, 20);
  return files;
}

/** Write a file as the FTP server's own user, so that it can delete or overwrite it. */
export function writeAsServer(server: TestServer, relative: string, content: Buffer | string): void {
  const owner = fs.statSync(server.root);
  const target = path.join(server.root, relative);
  let dir = server.root;
  for (const part of path.dirname(relative).split('/').filter((p) => p !== '.')) {
    dir = path.join(dir, part);
    if (!fs.existsSync(dir)) {
      fs.mkdirSync(dir);
      fs.chownSync(dir, owner.uid, owner.gid);
    }
  }
  fs.writeFileSync(target, content);
  fs.chownSync(target, owner.uid, owner.gid);
}

/** Give every file below `dir` an old modification time (a second apart), so that a copy made now differs. */
export function ageFiles(dir: string, at = Date.parse('2021-06-01T12:34:56Z')): void {
  let i = 0;
  const walk = (sub: string) => {
    for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = path.join(sub, entry.name);
      if (entry.isDirectory()) walk(rel);
      else fs.utimesSync(path.join(dir, rel), new Date(at + 1000 * i), new Date(at + 1000 * i++));
    }
  };
  walk('');
}

const withoutPrefix = (files: Record<string, unknown>, prefix: string) =>
  Object.keys(files)
    .map((f) => f.slice(prefix.length + 1))
    .sort();

export function mirrorSuite(source: ServerKind, destination: ServerKind): void {
  describe(`mirror ${source.kind} → ${destination.kind}`, () => {
    const cleanup: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const step of cleanup.splice(0).reverse()) await step();
    });

    async function setup(options: { sourceFiles?: Record<string, Buffer>; destFiles?: Record<string, Buffer> } = {}) {
      const a = await source.start({ address: '127.0.0.2', files: options.sourceFiles ?? sampleTree('src') });
      cleanup.push(() => a.stop());
      ageFiles(path.join(a.root, 'src'));
      const b = await destination.start({ address: '127.0.0.3', files: options.destFiles });
      cleanup.push(() => b.stop());
      const t: TestApp = await startTestApp();
      cleanup.push(() => t.close());
      const [sourceSite, destSite] = [await addSite(t, a, 'source'), await addSite(t, b, 'destination')];
      const job = (rules: object = {}) =>
        createJob(t, {
          name: `${source.kind} to ${destination.kind}`,
          source: { siteId: sourceSite, dir: '/src' },
          destination: { siteId: destSite, dir: '/mirror/dst' },
          rules,
        });
      return { a, b, t, job, srcDir: path.join(a.root, 'src'), dstDir: path.join(b.root, 'mirror/dst') };
    }

    it('first sync copies everything; a second run takes only the compare', async () => {
      const files = sampleTree('src');
      const { t, job, srcDir, dstDir } = await setup({ sourceFiles: files });
      const created = await job();
      const first = await runToEnd(t, created.id);
      expect(first, JSON.stringify(first)).toMatchObject({ state: 'done', counts: { new: 20 + 13, changed: 0, extra: 0 } });
      expect(await copiedBy(t, first, '/src')).toEqual(withoutPrefix(files, 'src'));
      expect(treeOnDisk(dstDir)).toEqual(treeOnDisk(srcDir));
      expect(foldersOnDisk(dstDir)).toEqual(foldersOnDisk(srcDir));

      const second = await runToEnd(t, created.id);
      expect(second.state).toBe('done');
      expect(second.transferId).toBeUndefined();
      expect(second.counts).toEqual({ new: 0, changed: 0, same: 33, extra: 0, conflict: 0, skipped: 0 });
      const entries = await allEntries(t, second.id);
      expect(entries).toHaveLength(33);
      expect(entries.every((e) => e.verdict === 'same')).toBe(true);
      // Times: kept where the destination can set them, said in the notes where it can't.
      const keepsTimes = destination.kind !== 'vsftpd';
      expect(first.notes.includes(TIMES_REFUSED_NOTE)).toBe(!keepsTimes);
      if (keepsTimes) {
        for (const name of ['readme.txt', 'a/b/deep.bin', 'media/thumbs/t2.jpg']) {
          const [s, d] = [fs.statSync(path.join(srcDir, name)), fs.statSync(path.join(dstDir, name))];
          // To the second, also from vsftpd, whose LIST shows only the day of a file this old.
          expect(Math.abs(s.mtimeMs - d.mtimeMs), name).toBeLessThan(1_000);
        }
      } else {
        expect(second.notes.join()).toMatch(/compared by size/);
      }
    });

    it('after changes, copies exactly the new and changed files and deletes exactly the extras', async () => {
      const { a, b, t, job, srcDir, dstDir } = await setup();
      const created = await job({ deleteExtras: true, maxDeletes: 10 });
      expect((await runToEnd(t, created.id)).state).toBe('done');

      writeAsServer(a, 'src/a/one.txt', seededBytes(333, 90)); // changed (size)
      writeAsServer(a, 'src/media/cover.jpg', seededBytes(4_100, 91)); // changed (size)
      writeAsServer(a, 'src/a/three.txt', 'new'); // new
      writeAsServer(a, 'src/brand/new/folder/file.txt', 'new in a new folder'); // new, in new folders
      fs.rmSync(path.join(srcDir, 'docs/old'), { recursive: true }); // an extra folder with its file
      fs.rmSync(path.join(srcDir, 'data/2.csv')); // an extra file
      writeAsServer(b, 'mirror/dst/stray.txt', 'only at the destination'); // an extra file

      const dry = await runToEnd(t, created.id, { dryRun: true });
      expect(dry).toMatchObject({ state: 'done', dryRun: true, counts: { new: 5, changed: 2, extra: 4 }, deleted: 0 });
      expect(dry.transferId).toBeUndefined();
      const before = treeOnDisk(dstDir);
      expect(before['stray.txt']).toBeDefined();
      expect(before['a/three.txt']).toBeUndefined();
      expect((await allEntries(t, dry.id, 'extra')).map((e) => e.path).sort()).toEqual([
        'data/2.csv',
        'docs/old',
        'docs/old/2019.md',
        'stray.txt',
      ]);

      const run = await runToEnd(t, created.id);
      expect(run, JSON.stringify(run)).toMatchObject({ state: 'done', counts: { new: 5, changed: 2, extra: 4 }, deleted: 4 });
      expect(await copiedBy(t, run, '/src')).toEqual(['a/one.txt', 'a/three.txt', 'brand/new/folder/file.txt', 'media/cover.jpg']);
      expect(treeOnDisk(dstDir)).toEqual(treeOnDisk(srcDir));
      expect(foldersOnDisk(dstDir)).toEqual(foldersOnDisk(srcDir));
    });

    it('a run that would delete more than maxDeletes fails before copying anything', async () => {
      const { a, t, job, srcDir, dstDir } = await setup();
      const created = await job({ deleteExtras: true, maxDeletes: 2 });
      expect((await runToEnd(t, created.id)).state).toBe('done');
      fs.rmSync(path.join(srcDir, 'media'), { recursive: true }); // 4 files and 2 folders extra
      writeAsServer(a, 'src/fresh.txt', 'would be copied');

      const run = await runToEnd(t, created.id);
      expect(run.state).toBe('failed');
      expect(run.error?.code).toBe('too_many_deletes');
      expect(run.error?.message).toMatch(/would delete 6 entries.*maxDeletes \(2\)/);
      expect(run.transferId).toBeUndefined();
      expect(fs.existsSync(path.join(dstDir, 'fresh.txt'))).toBe(false);
      expect(fs.existsSync(path.join(dstDir, 'media/clip.bin'))).toBe(true);

      // With the guard raised the same changes go through.
      await patchJob(t, created.id, { rules: { maxDeletes: 6 } });
      const retried = await runToEnd(t, created.id);
      expect(retried).toMatchObject({ state: 'done', deleted: 6 });
      expect(treeOnDisk(dstDir)).toEqual(treeOnDisk(srcDir));
    });

    it('skip and pass lists and newer-only hold', async () => {
      const files = {
        ...sampleTree('src'),
        'src/junk.TMP': seededBytes(10, 30),
        'src/tmp/cache.bin': seededBytes(10, 31),
        'src/media/sample/s.bin': seededBytes(10, 32),
      };
      const { b, t, srcDir, dstDir } = await setup({ sourceFiles: files });
      const day = 24 * 60 * 60;
      const now = Date.now() / 1000;
      writeAsServer(b, 'mirror/dst/readme.txt', 'newer at the destination');
      fs.utimesSync(path.join(dstDir, 'readme.txt'), now + day, now + day);
      writeAsServer(b, 'mirror/dst/last.dat', 'older at the destination');
      const older = Date.parse('2020-01-01T00:00:00Z') / 1000;
      fs.utimesSync(path.join(dstDir, 'last.dat'), older, older);
      writeAsServer(b, 'mirror/dst/tmp/keep.bin', 'skipped folder: never an extra');
      const sites = (await t.app.inject({ url: '/api/sites', headers: t.auth })).json() as { id: string; name: string }[];
      const siteId = (name: string) => sites.find((s) => s.name === name)!.id;
      const created = await createJob(t, {
        name: 'rules',
        source: { siteId: siteId('source'), dir: '/src' },
        destination: { siteId: siteId('destination'), dir: '/mirror/dst' },
        rules: {
          newerOnly: true,
          deleteExtras: true,
          skip: { fileNames: { patterns: ['*.tmp'] }, folderNames: { patterns: ['tmp'] }, filePaths: { patterns: ['**/sample/**'] } },
        },
      });
      const run = await runToEnd(t, created.id);
      expect(run, JSON.stringify(run)).toMatchObject({ state: 'done', counts: { conflict: 1, skipped: 3, extra: 0 }, deleted: 0 });
      const entries = await allEntries(t, run.id);
      const verdictOf = (p: string) => entries.find((e) => e.path === p);
      expect(verdictOf('readme.txt')).toMatchObject({ verdict: 'conflict', reason: 'destination is newer' });
      expect(verdictOf('last.dat')?.verdict).toBe('changed');
      expect(verdictOf('junk.TMP')).toMatchObject({ verdict: 'skipped', reason: 'skip list: *.tmp' });
      expect(verdictOf('tmp')).toMatchObject({ verdict: 'skipped', reason: 'skip list: tmp' });
      expect(verdictOf('media/sample/s.bin')).toMatchObject({ verdict: 'skipped', reason: 'skip list: **/sample/**' });
      const onDisk = treeOnDisk(dstDir);
      const source = treeOnDisk(srcDir);
      expect(fs.readFileSync(path.join(dstDir, 'readme.txt'), 'utf8')).toBe('newer at the destination');
      expect(onDisk['last.dat']).toBe(source['last.dat']);
      expect(onDisk['tmp/keep.bin']).toBeDefined();
      expect(Object.keys(onDisk).filter((f) => /junk|cache|sample/.test(f))).toEqual([]);
      expect((await copiedBy(t, run, '/src')).length).toBe(20 - 1);

      // A pass list means "only these", whatever the skip list says.
      const passing = await createJob(t, {
        name: 'only markdown',
        source: { siteId: siteId('source'), dir: '/src' },
        destination: { siteId: siteId('destination'), dir: '/md' },
        rules: { pass: { fileNames: { patterns: ['*.MD'] } }, skip: { fileNames: { patterns: ['guide.md'] } } },
      });
      const passed = await runToEnd(t, passing.id);
      expect(passed.state).toBe('done');
      expect(await copiedBy(t, passed, '/src')).toEqual(['docs/guide.md', 'docs/notes.md', 'docs/old/2019.md']);
      expect(Object.keys(treeOnDisk(path.join(b.root, 'md'))).sort()).toEqual(['docs/guide.md', 'docs/notes.md', 'docs/old/2019.md']);
    });
  });
}
