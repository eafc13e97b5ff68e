import type { Stats } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  formatFacts,
  formatListDate,
  formatListLine,
  formatMlsdLine,
  formatTimeVal,
  joinListing,
  parseListArgument,
} from './listing.js';

function fakeStats(kind: 'file' | 'dir', size: number, mtime: Date, mode: number): Stats {
  return {
    size,
    mtime,
    mode,
    nlink: kind === 'dir' ? 3 : 1,
    isDirectory: () => kind === 'dir',
    isFile: () => kind === 'file',
  } as Stats;
}

const now = new Date('2026-03-15T12:00:00Z');

describe('LIST lines', () => {
  it('formats a recent file like ls -l, in UTC', () => {
    const stats = fakeStats('file', 1234, new Date('2026-03-01T09:05:00Z'), 0o100644);
    expect(formatListLine({ name: 'report 2026.txt', stats }, now)).toBe(
      '-rw-r--r--    1 ftp      ftp              1234 Mar  1 09:05 report 2026.txt',
    );
  });

  it('formats an old directory with the year', () => {
    const stats = fakeStats('dir', 4096, new Date('2024-11-24T20:00:00Z'), 0o40755);
    expect(formatListLine({ name: 'pub', stats }, now)).toBe(
      'drwxr-xr-x    3 ftp      ftp              4096 Nov 24  2024 pub',
    );
  });

  it('uses the year for dates more than a day in the future', () => {
    expect(formatListDate(new Date('2026-03-15T20:00:00Z'), now)).toBe('Mar 15 20:00');
    expect(formatListDate(new Date('2026-05-01T00:00:00Z'), now)).toBe('May  1  2026');
  });

  it('joins with CRLF', () => {
    expect(joinListing(['a', 'b'])).toBe('a\r\nb\r\n');
    expect(joinListing([])).toBe('');
  });
});

describe('MLSD facts', () => {
  it('gives type, size and modify for a file', () => {
    const stats = fakeStats('file', 42, new Date('2026-01-02T03:04:05.678Z'), 0o100600);
    expect(formatMlsdLine({ name: 'a b.bin', stats })).toBe('type=file;size=42;modify=20260102030405; a b.bin');
  });

  it('leaves size out for a directory', () => {
    const stats = fakeStats('dir', 4096, new Date('2026-01-02T03:04:05Z'), 0o40700);
    expect(formatFacts(stats)).toBe('type=dir;modify=20260102030405;');
  });

  it('time-val is 14 digits', () => {
    expect(formatTimeVal(new Date('1999-12-31T23:59:59Z'))).toBe('19991231235959');
  });
});

describe('parseListArgument', () => {
  it.each([
    ['', '', false],
    ['-a', '', true],
    ['-la /pub', '/pub', true],
    ['-l pub dir', 'pub dir', false],
    ['some file', 'some file', false],
  ])('%j', (arg, path, showHidden) => {
    expect(parseListArgument(arg)).toEqual({ path, showHidden });
  });
});
