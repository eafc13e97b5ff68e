import { describe, it, expect } from 'vitest';
import { ListingParser, parseListing, validateListedName, type ListEntry } from './listing.js';

const NOW = new Date('2026-03-10T12:00:00Z');
const crlf = (lines: string[]) => lines.map((line) => `${line}\r\n`).join('');
const parse = (lines: string[], now = NOW) => parseListing(crlf(lines), now);

describe('parseListing: Unix ls -l', () => {
  it('reads vsftpd (numeric owner, zero-padded day, year column)', () => {
    const { entries, rejected } = parse([
      'drwxr-xr-x    2 1000     1000         4096 Mar 03 10:15 docs',
      '-rw-r--r--    1 1000     1000      1048576 Jan 15  2023 archive.tar.gz',
      '-rw-r--r--    1 1000     1000           12 Mar 03 10:14 hello world.txt',
      'lrwxrwxrwx    1 1000     1000           15 Mar 03 10:16 link -> hello world.txt',
    ]);
    expect(rejected).toBe(0);
    expect(entries).toEqual<ListEntry[]>([
      { name: 'docs', type: 'dir', size: 0, modifiedAt: '2026-03-03T10:15:00.000Z' },
      { name: 'archive.tar.gz', type: 'file', size: 1048576, modifiedAt: '2023-01-15T00:00:00.000Z' },
      { name: 'hello world.txt', type: 'file', size: 12, modifiedAt: '2026-03-03T10:14:00.000Z' },
      { name: 'link', type: 'link', size: 15, modifiedAt: '2026-03-03T10:16:00.000Z', target: 'hello world.txt' },
    ]);
  });

  it('reads ProFTPD (names, space-padded day, . and .. with ListOptions -a)', () => {
    const { entries, rejected } = parse([
      'total 12',
      'drwxr-xr-x   3 ftpuser  ftpgroup     4096 Mar  3 10:15 .',
      'drwxr-xr-x   5 root     root         4096 Feb 28 09:00 ..',
      'drwxr-xr-x   2 ftpuser  ftpgroup     4096 Mar  3 10:15 docs',
      '-rw-r--r--   1 ftpuser  ftpgroup       12 Mar  3 10:14 hello world.txt',
      '-rw-r-----   1 ftpuser  ftpgroup 5368709120 Nov 30  2025 big.iso',
    ]);
    expect(rejected).toBe(0);
    expect(entries.map((e) => [e.name, e.type, e.size, e.modifiedAt])).toEqual([
      ['docs', 'dir', 0, '2026-03-03T10:15:00.000Z'],
      ['hello world.txt', 'file', 12, '2026-03-03T10:14:00.000Z'],
      ['big.iso', 'file', 5368709120, '2025-11-30T00:00:00.000Z'],
    ]);
  });

  it('reads pure-ftpd', () => {
    const { entries, rejected } = parse([
      'drwxr-xr-x    2 1000       1000             4096 Mar  3 10:15 .',
      'drwxr-xr-x    3 0          0                4096 Mar  3 10:00 ..',
      '-rw-r--r--    1 1000       1000               12 Mar  3 10:14 hello.txt',
      '-rw-------    1 1000       1000                0 Dec 24  2024 empty',
    ]);
    expect(rejected).toBe(0);
    expect(entries).toEqual<ListEntry[]>([
      { name: 'hello.txt', type: 'file', size: 12, modifiedAt: '2026-03-03T10:14:00.000Z' },
      { name: 'empty', type: 'file', size: 0, modifiedAt: '2024-12-24T00:00:00.000Z' },
    ]);
  });

  it('reads the embedded server', () => {
    const { entries } = parse([
      'drwxr-xr-x    2 ftp      ftp              4096 Mar  3 10:15 sample',
      '-rw-r--r--    1 ftp      ftp           1048576 Sep 12  2025 one-mb.bin',
    ]);
    expect(entries.map((e) => [e.name, e.type, e.size, e.modifiedAt])).toEqual([
      ['sample', 'dir', 0, '2026-03-03T10:15:00.000Z'],
      ['one-mb.bin', 'file', 1048576, '2025-09-12T00:00:00.000Z'],
    ]);
  });

  it('reads lines without a group column and with spaces in owner names', () => {
    const { entries, rejected } = parse([
      '-rw-r--r-- 1 owner 1234 Jan  1 12:00 no group.txt',
      '-rw-r--r-- 1 Domain Users staff 77 Feb  2 08:30 spaced owner',
    ]);
    expect(rejected).toBe(0);
    expect(entries.map((e) => [e.name, e.size])).toEqual([
      ['no group.txt', 1234],
      ['spaced owner', 77],
    ]);
  });

  it('keeps leading and inner spaces and unicode in names', () => {
    const { entries } = parse([
      '-rw-r--r--   1 u g 1 Mar  3 10:14   three leading',
      '-rw-r--r--   1 u g 2 Mar  3 10:14 trailing  ',
      '-rw-r--r--   1 u g 3 Mar  3 10:14 Ünïcødé 日本語 🚀.txt',
      'drwxr-xr-x   2 u g 4 Mar  3 10:14 a -> b (not a link)',
    ]);
    expect(entries.map((e) => e.name)).toEqual([
      '  three leading',
      'trailing  ',
      'Ünïcødé 日本語 🚀.txt',
      'a -> b (not a link)',
    ]);
    expect(entries[3]?.target).toBeUndefined();
  });

  it('drops device files, pipes and sockets without counting them', () => {
    const { entries, rejected } = parse([
      'crw-rw-rw-   1 root root 1,   3 Mar  3 10:14 null',
      'brw-rw----   1 root disk 8,   0 Mar  3 10:14 sda',
      'prw-r--r--   1 u    g         0 Mar  3 10:14 fifo',
      'srwxr-xr-x   1 u    g         0 Mar  3 10:14 socket',
      '-rw-r--r--   1 u    g         5 Mar  3 10:14 regular',
    ]);
    expect(rejected).toBe(0);
    expect(entries.map((e) => e.name)).toEqual(['regular']);
  });

  it('reads inode and block-count prefixes, ACL marks and setuid bits', () => {
    const { entries, rejected } = parse([
      '  1234 -rw-r--r--+  1 u g 9 Mar  3 10:14 acl',
      '-rwsr-sr-t   1 u g 10 Mar  3 10:14 setuid',
    ]);
    expect(rejected).toBe(0);
    expect(entries.map((e) => [e.name, e.size])).toEqual([
      ['acl', 9],
      ['setuid', 10],
    ]);
  });

  describe('dates', () => {
    const dateOf = (date: string, now = NOW) =>
      parse([`-rw-r--r-- 1 u g 1 ${date} f`], now).entries[0]?.modifiedAt ?? null;

    it.each([
      ['Mar  3 10:14', '2026-03-03T10:14:00.000Z'], // this year
      ['Mar 10 23:59', '2026-03-10T23:59:00.000Z'], // later today: within a day of now
      ['Mar 11 11:00', '2026-03-11T11:00:00.000Z'], // within the day of slack
      ['Mar 11 13:00', '2025-03-11T13:00:00.000Z'], // beyond it: last year
      ['Dec 31 23:00', '2025-12-31T23:00:00.000Z'],
      ['Sep  1 00:00', '2025-09-01T00:00:00.000Z'],
      ['Jan 15  2023', '2023-01-15T00:00:00.000Z'],
      ['jan 15  2023', '2023-01-15T00:00:00.000Z'],
      ['15 Jan 10:00', '2026-01-15T10:00:00.000Z'],
      ['2024-02-29 13:45', '2024-02-29T13:45:00.000Z'],
      ['3月 3日 10:14', '2026-03-03T10:14:00.000Z'],
      ['3月 3日 2020年', '2020-03-03T00:00:00.000Z'],
      ['Dez 24 10:00', null], // not English
      ['Feb 30 10:00', null],
      ['Feb 30  2024', null],
      ['Mar  3 25:00', null],
      ['Mar  3 10:60', null],
      ['Mar  3 0999', null],
      ['2024-13-01 10:00', null],
      ['2024-00-01 10:00', null],
      ['Feb 29  2024', '2024-02-29T00:00:00.000Z'], // older than six months: the year, no time
      ['Feb 29  2023', null],
      ['Feb 29  2000', '2000-02-29T00:00:00.000Z'], // divisible by 400
      ['Feb 29  1900', null], // by 100
      ['Dec 31  9999', '9999-12-31T00:00:00.000Z'],
      ['Mar  3 1:05', '2026-03-03T01:05:00.000Z'],
      ['Mar 10 00:00', '2026-03-10T00:00:00.000Z'],
    ])('%j → %j', (date, expected) => {
      expect(dateOf(date)).toBe(expected);
    });

    it('puts Feb 29 without a year in the most recent leap year', () => {
      expect(dateOf('Feb 29 10:00')).toBe('2024-02-29T10:00:00.000Z');
      expect(dateOf('Feb 29 10:00', new Date('2028-03-01T00:00:00Z'))).toBe('2028-02-29T10:00:00.000Z');
    });

    it('takes the most recent year back over a year boundary, and several back for Feb 29', () => {
      const january = new Date('2026-01-05T08:00:00Z');
      expect(dateOf('Dec 20 09:00', january)).toBe('2025-12-20T09:00:00.000Z');
      expect(dateOf('Jan  6 07:59', january)).toBe('2026-01-06T07:59:00.000Z'); // within the day of slack
      expect(dateOf('Jan  7 00:00', january)).toBe('2025-01-07T00:00:00.000Z');
      expect(dateOf('Feb 29 10:00', january)).toBe('2024-02-29T10:00:00.000Z');
    });

    it('rolls into the next year on New Year’s Eve', () => {
      expect(dateOf('Jan  1 06:00', new Date('2026-12-31T12:00:00Z'))).toBe('2027-01-01T06:00:00.000Z');
      expect(dateOf('Dec 31 23:00', new Date('2027-01-01T00:30:00Z'))).toBe('2026-12-31T23:00:00.000Z');
    });
  });
});

describe('parseListing: DOS / IIS', () => {
  it('reads IIS output', () => {
    const { entries, rejected } = parse([
      '11-24-25  09:47AM       <DIR>          aspnet_client',
      '11-24-25  09:47PM                  689 iisstart.htm',
      '02-05-2026  12:00AM              184946 welcome.png',
      '02-05-26  12:30PM                   1 noon.txt',
      '12-31-99  23:59                     7 y2k name with spaces.txt',
      '01-02-26  07:08              <DIR>     24h dir',
    ]);
    expect(rejected).toBe(0);
    expect(entries).toEqual<ListEntry[]>([
      { name: 'aspnet_client', type: 'dir', size: 0, modifiedAt: '2025-11-24T09:47:00.000Z' },
      { name: 'iisstart.htm', type: 'file', size: 689, modifiedAt: '2025-11-24T21:47:00.000Z' },
      { name: 'welcome.png', type: 'file', size: 184946, modifiedAt: '2026-02-05T00:00:00.000Z' },
      { name: 'noon.txt', type: 'file', size: 1, modifiedAt: '2026-02-05T12:30:00.000Z' },
      { name: 'y2k name with spaces.txt', type: 'file', size: 7, modifiedAt: '1999-12-31T23:59:00.000Z' },
      { name: '24h dir', type: 'dir', size: 0, modifiedAt: '2026-01-02T07:08:00.000Z' },
    ]);
  });

  it('gives no date for an impossible one', () => {
    const { entries } = parse(['13-45-26  09:47AM  1 a', '01-01-26  13:00PM  1 b', '01-01-26  00:00AM  1 c']);
    expect(entries.map((e) => [e.name, e.modifiedAt])).toEqual([
      ['a', null],
      ['b', null],
      ['c', null],
    ]);
  });
});

describe('parseListing: MLSD', () => {
  it('reads ProFTPD', () => {
    const { entries, rejected } = parse([
      'modify=20260303101500;perm=flcdmpe;type=cdir;unique=FD00U1E0AB5;UNIX.group=1000;UNIX.groupname=ftpgroup;UNIX.mode=0755;UNIX.owner=1000;UNIX.ownername=ftpuser; /srv/ftp',
      'modify=20260303100000;perm=flcdmpe;type=pdir;unique=FD00U1E0AB4;UNIX.group=0;UNIX.groupname=root;UNIX.mode=0755;UNIX.owner=0;UNIX.ownername=root; ..',
      'modify=20260303101500;perm=flcdmpe;type=dir;unique=FD00U1E0AB6;UNIX.group=1000;UNIX.groupname=ftpgroup;UNIX.mode=0755;UNIX.owner=1000;UNIX.ownername=ftpuser; docs',
      'modify=20260303101400;perm=adfrw;size=12;type=file;unique=FD00U1E0AB7;UNIX.group=1000;UNIX.groupname=ftpgroup;UNIX.mode=0644;UNIX.owner=1000;UNIX.ownername=ftpuser; hello world.txt',
      'modify=20260303101600;perm=adfrw;size=9;type=OS.unix=slink:/srv/ftp/docs;unique=FD00U1E0AB8;UNIX.mode=0777; old-link',
      'modify=20260303101600;perm=adfrw;size=9;type=OS.unix=symlink;unique=FD00U1E0AB9;UNIX.mode=0777; new-link',
    ]);
    expect(rejected).toBe(0);
    expect(entries).toEqual<ListEntry[]>([
      { name: 'docs', type: 'dir', size: 0, modifiedAt: '2026-03-03T10:15:00.000Z' },
      { name: 'hello world.txt', type: 'file', size: 12, modifiedAt: '2026-03-03T10:14:00.000Z' },
      { name: 'old-link', type: 'link', size: 9, modifiedAt: '2026-03-03T10:16:00.000Z', target: '/srv/ftp/docs' },
      { name: 'new-link', type: 'link', size: 9, modifiedAt: '2026-03-03T10:16:00.000Z' },
    ]);
  });

  it('reads the embedded Node server (no size on directories)', () => {
    const { entries, rejected } = parse([
      'type=dir;modify=20260303101500; sample',
      'type=file;size=1048576;modify=20250912000000; one-mb.bin',
      'type=file;size=0;modify=20260101000000;  leading space',
      'type=file;size=3;modify=20260101000000; Ünïcødé 日本語',
    ]);
    expect(rejected).toBe(0);
    expect(entries).toEqual<ListEntry[]>([
      { name: 'sample', type: 'dir', size: 0, modifiedAt: '2026-03-03T10:15:00.000Z' },
      { name: 'one-mb.bin', type: 'file', size: 1048576, modifiedAt: '2025-09-12T00:00:00.000Z' },
      { name: ' leading space', type: 'file', size: 0, modifiedAt: '2026-01-01T00:00:00.000Z' },
      { name: 'Ünïcødé 日本語', type: 'file', size: 3, modifiedAt: '2026-01-01T00:00:00.000Z' },
    ]);
  });

  it.each<[string, string, Partial<ListEntry> | 'skip' | 'reject']>([
    ['fractional seconds', 'type=file;size=1;modify=19980615100045.014; f', { modifiedAt: '1998-06-15T10:00:45.014Z' }],
    [
      'two fractional digits',
      'type=file;size=1;modify=19980615100045.01; f',
      { modifiedAt: '1998-06-15T10:00:45.010Z' },
    ],
    ['a leap second', 'type=file;size=1;modify=20161231235960; f', { modifiedAt: '2016-12-31T23:59:59.000Z' }],
    ['Feb 29 of a leap year', 'type=file;size=1;modify=20240229120000; f', { modifiedAt: '2024-02-29T12:00:00.000Z' }],
    ['Feb 29 of another year', 'type=file;size=1;modify=20230229120000; f', { modifiedAt: null }],
    ['month 00', 'type=file;size=1;modify=20240001120000; f', { modifiedAt: null }],
    ['a dot without fraction', 'type=file;size=1;modify=20240101120000.; f', { modifiedAt: null }],
    ['four fractional digits', 'type=file;size=1;modify=20240101120000.1234; f', { modifiedAt: null }],
    ['a letter in the time', 'type=file;size=1;modify=2024010112000x; f', { modifiedAt: null }],
    ['a fact given twice: the last', 'type=dir;type=file;size=1;size=2; f', { type: 'file', size: 2 }],
    ['an empty fact', 'type=file;;size=3;=x; f', { type: 'file', size: 3 }],
    ['facts that only begin like ours', 'types=dir;sizes=9;type=file;size=4; f', { type: 'file', size: 4 }],
    ['one fractional digit', 'type=file;size=1;modify=19980615100045.5; f', { modifiedAt: '1998-06-15T10:00:45.500Z' }],
    ['upper-case facts and values', 'Type=File;Size=5;Modify=20260101000000; f', { type: 'file', size: 5 }],
    ['facts in any order', 'modify=20260101000000;size=5;type=file; f', { size: 5 }],
    ['no modify', 'type=file;size=5; f', { modifiedAt: null }],
    ['malformed modify', 'type=file;size=5;modify=garbage; f', { modifiedAt: null }],
    ['impossible modify', 'type=file;size=5;modify=20261332000000; f', { modifiedAt: null }],
    ['no size on a file', 'type=file;modify=20260101000000; f', { size: 0 }],
    ['sizd on a directory', 'type=dir;sizd=4096; d', { type: 'dir', size: 0 }],
    ['cdir', 'type=cdir; .', 'skip'],
    ['pdir with a path', 'type=pdir; /srv', 'skip'],
    ['a dir named ..', 'type=dir; ..', 'skip'],
    ['a character device', 'type=OS.unix=chr-13/29; tty', 'skip'],
    ['a block device', 'type=OS.unix=blk-8/0; sda', 'skip'],
    ['no type', 'size=5;modify=20260101000000; f', 'reject'],
    ['an unknown type', 'type=wat;size=5; f', 'reject'],
    ['a negative size', 'type=file;size=-5; f', 'reject'],
    ['a non-numeric size', 'type=file;size=5k; f', 'reject'],
    ['facts without a name', 'type=file;size=5;', 'reject'],
    ['an empty name', 'type=file;size=5; ', 'reject'],
  ])('%s', (_name, line, expected) => {
    const { entries, rejected } = parseListing(`${line}\r\n`, NOW);
    if (expected === 'skip') {
      expect([entries, rejected]).toEqual([[], 0]);
    } else if (expected === 'reject') {
      expect([entries, rejected]).toEqual([[], 1]);
    } else {
      expect(rejected).toBe(0);
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject(expected);
    }
  });
});

describe('parseListing: hostile input', () => {
  it('rejects names that would inject commands or escape the directory', () => {
    const { entries, rejected } = parseListing(
      'type=file;size=1; evil\rDELE important\r\n' +
        'type=file;size=1; ../x\r\n' +
        'type=file;size=1; a/b\r\n' +
        'type=file;size=1; /etc/passwd\r\n' +
        'type=file;size=1; nul\0byte\r\n' +
        '-rw-r--r-- 1 u g 1 Mar  3 10:14 ../../etc/passwd\r\n' +
        '-rw-r--r-- 1 u g 1 Mar  3 10:14 sub/dir\r\n' +
        '-rw-r--r-- 1 u g 1 Mar  3 10:14 cr\rname\r\n' +
        '11-24-25  09:47AM  1 dos\\..\\..\\ok-on-unix\r\n' +
        '11-24-25  09:47AM  1 dos/slash\r\n' +
        'type=file;size=1; fine\r\n',
      NOW,
    );
    // A backslash is a separator on Windows servers (and some others): `dos\..\..\x` climbs.
    expect(entries.map((e) => e.name)).toEqual(['fine']);
    expect(rejected).toBe(10);
  });

  it('turns a line break inside a name into a rejected garbage line, never into a name with CR/LF', () => {
    const { entries, rejected } = parseListing(
      'type=file;size=1; evil\nDELE important\r\ntype=file;size=2; ok\r\n',
      NOW,
    );
    expect(entries.map((e) => e.name)).toEqual(['evil', 'ok']);
    expect(rejected).toBe(1);
    for (const entry of entries) expect(validateListedName(entry.name)).toBe(true);
  });

  it('counts garbage lines and keeps the good ones around them', () => {
    const { entries, rejected } = parse([
      '-rw-r--r-- 1 u g 1 Mar  3 10:14 first',
      'this is not a listing line',
      'HTTP/1.1 200 OK',
      ' starts with a space',
      '-rw-r--r-- 1 u g 99999999999999999999 Mar  3 10:14 absurd size',
      'type=file;size=1; mlsd in the middle',
      '-rw-r--r-- 1 u g 2 Mar  3 10:14 last',
    ]);
    expect(entries.map((e) => e.name)).toEqual(['first', 'mlsd in the middle', 'last']);
    expect(rejected).toBe(4);
  });

  it('rejects a line whose name or link target basic-ftp would cut short', () => {
    const { entries, rejected } = parse([
      'lrwxrwxrwx 1 u g 3 Mar  3 10:14 l -> a\rb',
      '-rw-r--r-- 1 u g 3 Mar  3 10:14 line\u2028separator',
      '11-24-25  09:47AM  1 dos\rcr',
    ]);
    expect(entries).toEqual([]);
    expect(rejected).toBe(3);
  });

  it('stays fast on long hostile lines', () => {
    const started = performance.now();
    const long = 'x'.repeat(100_000);
    const result = parseListing(
      [
        `-rw-r--r-- 1 ${'a '.repeat(20_000)}1 Mar  3 10:14 f`,
        `${'='.repeat(100_000)}`,
        `type=file;${'a=b;'.repeat(20_000)} ${long}`,
        `11-24-25 ${' '.repeat(100_000)}x`,
        long,
      ].join('\r\n'),
      NOW,
    );
    expect(performance.now() - started).toBeLessThan(2000);
    expect(result.entries.map((e) => e.name.length)).toEqual([100_000]);
  });

  it('parses a large listing quickly', () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `-rw-r--r-- 1 u g ${i} Mar  3 10:14 file-${i}.bin`);
    const started = performance.now();
    const { entries, rejected } = parse(lines);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(rejected).toBe(0);
    expect(entries).toHaveLength(20_000);
    expect(entries[19_999]).toMatchObject({ name: 'file-19999.bin', size: 19_999 });
  });
});

describe('ListingParser: a listing in pieces', () => {
  const text = crlf([
    '-rw-r--r--    1 1000     1000           12 Mar 03 10:14 hello wörld.txt',
    'type=file;size=5;modify=20260101000000; Ünïcødé 日本語',
    'garbage',
    '11-24-25  09:47PM                  689 iisstart.htm',
    'lrwxrwxrwx    1 1000     1000           15 Mar 03 10:16 link -> hello wörld.txt',
  ]);

  it('reads the same whatever the cuts, even inside CR LF', () => {
    const whole = parseListing(text, NOW);
    expect(whole.entries).toHaveLength(4);
    for (let cut = 0; cut <= text.length; cut++) {
      for (const second of [cut, Math.min(text.length, cut + 1), Math.min(text.length, cut + 37)]) {
        const parser = new ListingParser(NOW);
        parser.push(text.slice(0, cut));
        parser.push(text.slice(cut, second));
        parser.push(text.slice(second));
        expect(parser.end(), `cut at ${cut} and ${second}`).toEqual(whole);
      }
    }
  });

  it('keeps a CR that ends the text without a LF (a name that holds it, so rejected)', () => {
    for (const pieces of [['type=file;size=1; evil\r'], ['type=file;size=1; evil', '\r']]) {
      const parser = new ListingParser(NOW);
      for (const piece of pieces) parser.push(piece);
      expect(parser.end()).toMatchObject({ entries: [], rejected: 1 });
    }
  });

  it('joins a huge line once, not once per piece', () => {
    const parser = new ListingParser(NOW);
    const piece = 'x'.repeat(64 * 1024);
    const started = performance.now();
    for (let i = 0; i < 500; i++) parser.push(piece); // 32 MiB without a line break
    parser.push(' tail\r\ntype=file;size=1; after\r\n');
    const { entries, rejected } = parser.end();
    expect(performance.now() - started).toBeLessThan(5000);
    expect([entries.map((e) => e.name), rejected]).toEqual([['after'], 1]);
  });
});

describe('parseListing: empty', () => {
  it.each(['', '\r\n', '\r\n\r\n', 'total 0\r\n', '   \n', 'total 12'])('%j', (text) => {
    expect(parseListing(text, NOW)).toEqual({ entries: [], rejected: 0, unsafeNames: [] });
  });
});

describe('parseListing: unsafe names are skipped and named', () => {
  it.each([
    ['a backslash', 'a\\b', '"a\\\\b"'],
    ['a backslash climb', '\\..\\x', '"\\\\..\\\\x"'],
    ['a C0 control', 'bell\x01', '"bell\\u0001"'],
    ['a tab', 'tab\tname', '"tab\\tname"'],
    ['DEL', 'del\x7f', '"del\\u007f"'],
    ['a C1 control (NEL)', 'next\x85line', '"next\\u0085line"'],
    ['a C1 CSI', 'csi\x9b31m', '"csi\\u009b31m"'],
    ['a right-to-left override', 'invoice\u202efdp.exe', '"invoice\\u202efdp.exe"'],
    ['a left-to-right isolate', 'x\u2066y', '"x\\u2066y"'],
    ['a right-to-left isolate', 'x\u2067y', '"x\\u2067y"'],
    ['a first-strong isolate', 'x\u2068y', '"x\\u2068y"'],
    ['a pop directional isolate', 'x\u2069y', '"x\\u2069y"'],
  ])('%s', (_label, name, shown) => {
    for (const line of [`type=file;size=1; ${name}`, `-rw-r--r-- 1 u g 1 Mar  3 10:14 ${name}`]) {
      const result = parseListing(`${line}\r\ntype=file;size=2; kept\r\n`, NOW);
      expect(
        result.entries.map((e) => e.name),
        line,
      ).toEqual(['kept']);
      expect(result.unsafeNames, line).toEqual([shown]);
      expect(result.rejected, line).toBe(1);
      // eslint-disable-next-line no-control-regex -- what is checked: no control character is left raw
      expect(shown).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    }
  });

  it('names nothing for a line it cannot parse', () => {
    expect(parseListing('garbage\r\n', NOW)).toEqual({ entries: [], rejected: 1, unsafeNames: [] });
  });
});

describe('validateListedName', () => {
  it.each([
    ['file.txt', true],
    [' leading', true],
    ['trailing ', true],
    ['...', true],
    ['.hidden', true],
    ['..x', true],
    ['日本語', true],
    ['a\\b', false],
    ['\\..\\x', false],
    ['tab\there', false],
    ['del\x7f', false],
    ['c1\x85', false],
    ['c1\x9b[31m', false],
    ['rlo\u202etxt.exe', false],
    ['lri\u2066x', false],
    ['pdi\u2069x', false],
    ['rlm\u200fx', false],
    ['é\u00a0nbsp', true],
    ['zwj 👩\u200d💻', true],
    ['', false],
    ['.', false],
    ['..', false],
    ['a/b', false],
    ['../x', false],
    ['/', false],
    ['x\r', false],
    ['x\ny', false],
    ['x\0', false],
    ['PASS x\r\nDELE y', false],
  ])('%j → %s', (name, expected) => {
    expect(validateListedName(name)).toBe(expected);
  });
});
