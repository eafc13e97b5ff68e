import { describe, expect, it } from 'vitest';
import { UnsafeName } from './listing-entry.js';
import { ELSEWHERE, parseWithBasicFtp, scanCanonical, type LsContext } from './listing-ls.js';

const NOW = new Date('2026-03-10T12:00:00Z');
const context = (): LsContext => ({ now: NOW, dates: new Map() });
const scan = (line: string) => scanCanonical(line, 0, line.length, context());

describe('the canonical ls scan', () => {
  // Each line the scan takes must come out as basic-ftp (with our dates and checks) reads it.
  it.each([
    'drwxr-xr-x    2 1000     1000         4096 Mar 03 10:15 docs',
    '-rw-r--r--    1 1000     1000      1048576 Jan 15  2023 archive.tar.gz',
    '-rw-r--r--    1 1000     1000           12 Mar 03 10:14 hello world.txt',
    'lrwxrwxrwx    1 1000     1000           15 Mar 03 10:16 link -> hello world.txt',
    'lrwxrwxrwx    1 1000     1000           15 Mar 03 10:16 dangling -> ',
    'lrwxrwxrwx    1 1000     1000           15 Mar 03 10:16 no arrow',
    '-rw-r-----   1 ftpuser  ftpgroup 5368709120 Nov 30  2025 big.iso',
    '-rw-r--r--   1 u g 1 Mar  3 10:14   three leading',
    '-rw-r--r--   1 u g 2 Mar  3 10:14 trailing  ',
    '-rw-r--r--   1 u g 3 Mar  3 10:14 Ünïcødé 日本語 🚀.txt',
    'drwxr-xr-x   2 u g 4 Mar  3 10:14 a -> b (not a link)',
    '  1234 -rw-r--r--+  1 u g 9 Mar  3 10:14 acl',
    '-rwsr-sr-t   1 u g 10 Mar  3 10:14 setuid',
    '-rwSr-Sr-T   1 u g 10 Mar  3 10:14 setuid off',
    '-rw-r--r--\t1\tu\tg\t10\tMar\t3\t10:14 tabs between fields',
    '-rw-r--r-- 1 u g 1 JAN 15  2023 upper-case month',
    '-rw-r--r-- 1 u g 1 Feb 29 10:00 leap day without a year',
    '-rw-r--r-- 1 u g 1 Feb 29  2024 leap day',
    '-rw-r--r-- 1 u g 1 Feb 29  2023 no such day',
    '-rw-r--r-- 1 u g 1 Feb 30 10:00 no such day either',
    '-rw-r--r-- 1 u g 1 Mar 11 13:00 beyond the day of slack',
    '-rw-r--r-- 1 u g 1 Mar  3 25:00 no such hour',
    '-rw-r--r-- 1 u g 1 Mar  3 0999 three-digit year',
    '-rw-r--r-- 1 u g 99999999999999999999 Mar  3 10:14 absurd size',
    '-rw-r--r-- 1 u g 9007199254740993 Mar  3 10:14 just unsafe',
    '-rw-r--r-- 1 u g 9007199254740991 Mar  3 10:14 just safe',
    'drwxr-xr-x 2 u g 4096 Mar  3 10:14 .',
    'drwxr-xr-x 2 u g 4096 Mar  3 10:14 ..',
    'lrwxrwxrwx 1 u g 1 Mar  3 10:14 .. -> /',
    '-rw-r--r-- 1 u g 1 Mar  3 10:14 back\\slash',
    '-rw-r--r-- 1 u g 1 Mar  3 10:14 invoice\u202efdp.exe',
    '-rw-r--r-- 1 u g 1 Mar  3 10:14 cr\rname',
    '-rw-r--r-- 1 u g 3 Mar  3 10:14 line\u2028separator',
    'lrwxrwxrwx 1 u g 3 Mar  3 10:14 l -> a\rb',
    'lrwxrwxrwx 1 u g 3 Mar  3 10:14 l -> a\0b',
    '-rw-r--r-- 1 u g 3 Mar  3 10:14 ',
  ])('%j', (line) => {
    const scanned = scan(line);
    const general = parseWithBasicFtp(line, context());
    // It hands back only lines that end up dropped: a name basic-ftp cuts at a line break
    // (the line is malformed) and other unsafe names (reported alike).
    if (scanned === ELSEWHERE) expect(general === null || general instanceof UnsafeName).toBe(true);
    else expect(scanned).toEqual(general);
  });

  it.each([
    ['owner names with spaces', '-rw-r--r-- 1 Domain Users staff 77 Feb  2 08:30 spaced owner'],
    ['no group column', '-rw-r--r-- 1 owner 1234 Jan  1 12:00 no group.txt'],
    ['a device', 'crw-rw-rw-   1 root root 1,   3 Mar  3 10:14 null'],
    ['a pipe', 'prw-r--r--   1 u    g         0 Mar  3 10:14 fifo'],
    ['a month not in English', '-rw-r--r-- 1 u g 1 Dez 24 10:00 f'],
    ['day before month', '-rw-r--r-- 1 u g 1 15 Jan 10:00 f'],
    ['a numeric date', '-rw-r--r-- 1 u g 1 2024-02-29 13:45 f'],
    ['a Japanese date', '-rw-r--r-- 1 u g 1 3月 3日 10:14 f'],
    ['a non-ASCII owner', '-rw-r--r-- 1 jörg g 1 Mar  3 10:14 f'],
    ['a tab before the name', '-rw-r--r-- 1 u g 1 Mar  3 10:14\tf'],
    ['a DOS line', '11-24-25  09:47AM       <DIR>          aspnet_client'],
  ])('leaves %s to basic-ftp', (_label, line) => {
    expect(scan(line)).toBe(ELSEWHERE);
  });
});
