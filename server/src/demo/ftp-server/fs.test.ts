import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsError, resolveVirtual, toFsError, virtualParent, VirtualFs } from './fs.js';
import { makeTempDir } from '../../../test/raw-ftp-client.js';

describe('resolveVirtual', () => {
  it.each([
    ['/', 'a', '/a'],
    ['/a', 'b/c', '/a/b/c'],
    ['/a/b', '..', '/a'],
    ['/a/b', '../..', '/'],
    ['/a', '/x//y/./z', '/x/y/z'],
    ['/a', '.', '/a'],
    ['/a', 'b/../c', '/a/c'],
    ['/', 'name with spaces', '/name with spaces'],
    ['/', 'ünïcödé/файл', '/ünïcödé/файл'],
  ])('%s + %s → %s', (cwd, input, expected) => {
    expect(resolveVirtual(cwd, input)).toBe(expected);
  });

  it.each([
    ['/', '..'],
    ['/', '../../..'],
    ['/a', '../../etc/passwd'],
    ['/a', '/../x'],
    ['/', 'a/../../b'],
  ])('refuses to climb above the root: %s + %s', (cwd, input) => {
    expect(() => resolveVirtual(cwd, input)).toThrow(FsError);
  });

  it('refuses NUL', () => {
    expect(() => resolveVirtual('/', 'a\0b')).toThrow(FsError);
  });

  it('virtualParent', () => {
    expect(virtualParent('/a/b')).toBe('/a');
    expect(virtualParent('/a')).toBe('/');
    expect(virtualParent('/')).toBe('/');
  });
});

describe('toFsError', () => {
  it('maps errno codes to client-safe messages without the local path', () => {
    const err = Object.assign(new Error("ENOENT: no such file, open '/srv/secret/root/x'"), { code: 'ENOENT' });
    expect(toFsError(err).message).toBe('No such file or directory.');
    expect(toFsError(Object.assign(new Error('x'), { code: 'EWHATEVER' })).message).toBe('Requested action not taken.');
  });
});

describe('VirtualFs', () => {
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  let root: string;
  let outside: string;
  let vfs: VirtualFs;

  beforeAll(async () => {
    tmp = await makeTempDir();
    root = path.join(tmp.dir, 'root');
    outside = path.join(tmp.dir, 'outside');
    await mkdir(path.join(root, 'sub'), { recursive: true });
    await mkdir(outside);
    await writeFile(path.join(root, 'sub', 'file.txt'), 'inside');
    await writeFile(path.join(outside, 'secret.txt'), 'secret');
    await symlink(path.join(outside, 'secret.txt'), path.join(root, 'escape-file'));
    await symlink(outside, path.join(root, 'escape-dir'));
    await symlink(path.join(outside, 'missing.txt'), path.join(root, 'dangling-out'));
    await symlink('sub/file.txt', path.join(root, 'inner-link'));
    // A sibling whose name starts like the root must not pass a naive prefix check.
    await mkdir(`${root}-sibling`);
    await symlink(`${root}-sibling`, path.join(root, 'prefix-trick'));
    vfs = await VirtualFs.open(root);
  });

  afterAll(() => tmp.remove());

  it('resolves paths inside the root', async () => {
    const { real, stats } = await vfs.statExisting('/sub/file.txt');
    expect(stats.isFile()).toBe(true);
    expect(vfs.isInside(real)).toBe(true);
    expect(await vfs.resolveExisting('/inner-link')).toBe(path.join(vfs.realRoot, 'sub', 'file.txt'));
  });

  it.each(['/escape-file', '/escape-dir', '/escape-dir/secret.txt', '/prefix-trick', '/dangling-out'])(
    'refuses %s, which leads outside',
    async (vpath) => {
      await expect(vfs.resolveExisting(vpath)).rejects.toThrow('No such file or directory.');
    },
  );

  it('refuses to write through a symlink leading outside, even a dangling one', async () => {
    await expect(vfs.resolveForWrite('/escape-file')).rejects.toThrow(FsError);
    await expect(vfs.resolveForWrite('/dangling-out')).rejects.toThrow(FsError);
    await expect(vfs.resolveForWrite('/escape-dir/new.txt')).rejects.toThrow(FsError);
    expect(await vfs.resolveForWrite('/sub/new.txt')).toBe(path.join(vfs.realRoot, 'sub', 'new.txt'));
    expect(await vfs.resolveForWrite('/inner-link')).toBe(path.join(vfs.realRoot, 'sub', 'file.txt'));
  });

  it('resolves an entry without following its final symlink', async () => {
    expect(await vfs.resolveEntry('/escape-file')).toBe(path.join(vfs.realRoot, 'escape-file'));
    await expect(vfs.resolveEntry('/')).rejects.toThrow(FsError);
  });
});
