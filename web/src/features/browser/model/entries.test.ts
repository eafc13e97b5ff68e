import { describe, it, expect } from 'vitest';
import type { Entry } from '../../../../../contract/index.js';
import {
  filterEntries,
  joinPath,
  normalizeTypedPath,
  parentPath,
  pathCrumbs,
  sortEntries,
  validateName,
} from './entries.js';

const e = (name: string, type: Entry['type'], size: number, modifiedAt: string | null): Entry => ({
  name,
  type,
  size,
  modifiedAt,
});
const entries = [
  e('file10.txt', 'file', 50, '2026-01-03T00:00:00Z'),
  e('docs', 'dir', 0, '2026-01-01T00:00:00Z'),
  e('File2.txt', 'file', 300, '2026-01-02T00:00:00Z'),
  e('big.iso', 'file', 4_200_000_000, null),
  e('alpha', 'dir', 0, '2026-01-05T00:00:00Z'),
  e('current', 'link', 7, '2026-01-04T00:00:00Z'),
];
const names = (list: readonly Entry[]) => list.map((x) => x.name);

describe('sortEntries', () => {
  it('puts folders first and sorts names naturally, case-insensitively', () => {
    expect(names(sortEntries(entries, { key: 'name', dir: 'asc' }))).toEqual([
      'alpha',
      'docs',
      'big.iso',
      'current',
      'File2.txt',
      'file10.txt',
    ]);
    expect(names(sortEntries(entries, { key: 'name', dir: 'desc' }))).toEqual([
      'docs',
      'alpha',
      'file10.txt',
      'File2.txt',
      'current',
      'big.iso',
    ]);
  });

  it('sorts by size and by date, folders still first', () => {
    expect(names(sortEntries(entries, { key: 'size', dir: 'desc' }))).toEqual([
      'alpha',
      'docs',
      'big.iso',
      'File2.txt',
      'file10.txt',
      'current',
    ]);
    expect(names(sortEntries(entries, { key: 'modified', dir: 'asc' }))).toEqual([
      'docs',
      'alpha',
      'big.iso',
      'File2.txt',
      'file10.txt',
      'current',
    ]);
  });

  it('does not mutate its input', () => {
    const copy = [...entries];
    sortEntries(entries, { key: 'size', dir: 'asc' });
    expect(entries).toEqual(copy);
  });
});

describe('filterEntries', () => {
  it('matches substrings case-insensitively', () => {
    expect(names(filterEntries(entries, 'FILE'))).toEqual(['file10.txt', 'File2.txt']);
    expect(filterEntries(entries, '  ')).toBe(entries);
  });

  it('treats * and ? as wildcards and other characters literally', () => {
    expect(names(filterEntries(entries, '*.iso'))).toEqual(['big.iso']);
    expect(names(filterEntries(entries, 'file?.txt'))).toEqual(['File2.txt']);
    expect(names(filterEntries(entries, '(*'))).toEqual([]);
  });
});

describe('paths', () => {
  it('joins and goes up', () => {
    expect(joinPath('/', 'a')).toBe('/a');
    expect(joinPath('/pub/', 'a b')).toBe('/pub/a b');
    expect(parentPath('/pub/releases')).toBe('/pub');
    expect(parentPath('/pub')).toBe('/');
    expect(parentPath('/')).toBe('/');
  });

  it('makes breadcrumbs', () => {
    expect(pathCrumbs('/pub//releases/')).toEqual([
      { name: '/', path: '/' },
      { name: 'pub', path: '/pub' },
      { name: 'releases', path: '/pub/releases' },
    ]);
  });

  it('validates names', () => {
    expect(validateName('new folder')).toBeNull();
    expect(validateName('a/b')).not.toBeNull();
    expect(validateName('..')).not.toBeNull();
    expect(validateName('x\r\nDELE y')).not.toBeNull();
    expect(validateName(' ')).not.toBeNull();
  });
});

describe('normalizeTypedPath', () => {
  it('makes a typed path absolute and tidy', () => {
    expect(normalizeTypedPath('pub//releases/')).toBe('/pub/releases');
    expect(normalizeTypedPath('  /a/./b/../c ')).toBe('/a/c');
    expect(normalizeTypedPath('')).toBe('/');
    expect(normalizeTypedPath('/../..')).toBe('/');
  });
  it('refuses line breaks and NUL', () => {
    expect(normalizeTypedPath('/a\r\nDELE x')).toBeNull();
    expect(normalizeTypedPath('/a\0')).toBeNull();
  });
});
