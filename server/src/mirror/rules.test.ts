import { describe, expect, it } from 'vitest';
import type { MirrorRulesInput } from '../../../contract/index.js';
import { InvalidFieldError } from '../errors.js';
import { entryFilter, resolveRules } from './rules.js';

describe('entryFilter', () => {
  const cases: [string, MirrorRulesInput, 'file' | 'folder', string, number, boolean][] = [
    ['no lists take everything', {}, 'file', 'a/b.txt', 1, true],
    ['skip by name', { skip: { fileNames: { patterns: ['*.tmp'] } } }, 'file', 'a/b.tmp', 1, false],
    ['skip dotfiles', { skip: { fileNames: { patterns: ['.*'] } } }, 'file', 'a/.hidden', 1, false],
    ['skip names are case-insensitive by default', { skip: { fileNames: { patterns: ['*.TMP'] } } }, 'file', 'b.tmp', 1, false],
    ['case-sensitive list', { skip: { fileNames: { patterns: ['*.TMP'], caseSensitive: true } } }, 'file', 'b.tmp', 1, true],
    ['character class', { skip: { fileNames: { patterns: ['*[Ss]ample*'], caseSensitive: true } } }, 'file', 'x.Sample.mkv', 1, false],
    ['skip by path', { skip: { filePaths: { patterns: ['**/sample/**'] } } }, 'file', 'a/sample/b.mkv', 1, false],
    ['path list does not match a bare name', { skip: { filePaths: { patterns: ['b.mkv'] } } }, 'file', 'a/b.mkv', 1, true],
    ['folder lists leave files alone', { skip: { folderNames: { patterns: ['b.txt'] } } }, 'file', 'b.txt', 1, true],
    ['skip folder by name', { skip: { folderNames: { patterns: ['sample'] } } }, 'folder', 'a/sample', 0, false],
    ['pass list: only these', { pass: { fileNames: { patterns: ['*.mkv'] } } }, 'file', 'a.txt', 1, false],
    ['pass beats skip', { pass: { fileNames: { patterns: ['*.mkv'] } }, skip: { fileNames: { patterns: ['*'] } } }, 'file', 'a.mkv', 1, true],
    ['file pass list leaves folders alone', { pass: { fileNames: { patterns: ['*.mkv'] } } }, 'folder', 'a', 0, true],
    ['below min size', { minSize: 10 }, 'file', 'a', 9, false],
    ['above max size', { maxSize: 10 }, 'file', 'a', 11, false],
    ['within limits', { minSize: 1, maxSize: 10 }, 'file', 'a', 10, true],
  ];
  it.each(cases)('%s', (_name, input, kind, path, size, admitted) => {
    const filter = entryFilter(resolveRules(input));
    const name = path.split('/').pop()!;
    const result = kind === 'file' ? filter.file(name, path, size) : filter.folder(name, path);
    expect(result.admitted).toBe(admitted);
  });
});

describe('resolveRules', () => {
  it('fills defaults', () => {
    expect(resolveRules({ newerOnly: true })).toMatchObject({ compareBy: 'size+time', newerOnly: true, deleteExtras: false });
  });
  it.each([
    [{ skip: { fileNames: { patterns: ['ok', '*[Ss'] } } }, 'rules.skip.fileNames.patterns[1]'],
    [{ pass: { folderPaths: { patterns: ['a[b'] } } }, 'rules.pass.folderPaths.patterns[0]'],
    [{ minSize: 5, maxSize: 1 }, 'rules.minSize'],
  ] as [MirrorRulesInput, string][])('names the bad field %#', (input, field) => {
    expect(() => resolveRules(input)).toThrow(InvalidFieldError);
    try {
      resolveRules(input);
    } catch (error) {
      expect((error as InvalidFieldError).field).toBe(field);
    }
  });
});
