import { describe, expect, it } from 'vitest';
import { FtpConnectionError, FtpReplyError, SideError } from './errors.js';
import { classifyReply, policyOf, replyWords } from './policy.js';

/** [server, code, text, command, expected kind] */
type Case = [string, number, string, string, ReturnType<typeof classifyReply>];

const cases: Case[] = [
  // dupes
  [
    'glFTPd',
    553,
    'X-DUPE: Some.Release-GRP.r00\nSome.Release-GRP.r00: This file looks like a dupe!',
    'STOR Some.Release-GRP.r00',
    'dupe',
  ],
  ['glFTPd', 553, 'X-DUPE: a.bin already exists', 'STOR a.bin', 'dupe'],
  ['ioFTPD', 550, 'a.bin: File is a dupe.', 'STOR a.bin', 'dupe'],
  ['vsftpd', 553, 'Could not create file.', 'STOR a.bin', null],
  ['ProFTPD', 550, 'a.bin: Permission denied', 'STOR a.bin', null],
  // disk full, quota, credits
  ['ProFTPD', 452, 'Transfer aborted.  No space left on device', 'STOR a.bin', 'disk-full'],
  ['pure-ftpd', 452, 'Error writing file: No space left on device.', 'STOR a.bin', 'disk-full'],
  ['pure-ftpd', 552, "Quota exceeded: [a.bin] won't be saved", 'STOR a.bin', 'disk-full'],
  ['ProFTPD mod_quotatab', 552, 'Transfer aborted. Disk quota exceeded', 'STOR a.bin', 'disk-full'],
  ['ioFTPD', 452, 'Insufficient storage space in system.', 'STOR a.bin', 'disk-full'],
  ['RFC 959', 552, 'Requested file action aborted. Exceeded storage allocation.', 'STOR a.bin', 'disk-full'],
  ['glFTPd', 553, 'Not enough credits.', 'STOR a.bin', 'disk-full'],
  ['drftpd', 452, 'Disk full', 'STOR a.bin', 'disk-full'],
  ['vsftpd', 451, 'Failure writing to local file.', 'STOR a.bin', null],
  ['vsftpd', 452, 'Transfer done (but failed to close file).', 'STOR a.bin', null],
  // too many logins
  ['vsftpd', 421, 'There are too many connected users, please try later.', 'connect', 'too-many-logins'],
  ['vsftpd', 421, 'There are too many connections from your internet address.', 'connect', 'too-many-logins'],
  [
    'ProFTPD',
    530,
    'Sorry, the maximum number of clients (3) for this user are already connected.',
    'PASS ****',
    'too-many-logins',
  ],
  ['pure-ftpd', 421, '10 users (the maximum) are already logged in, sorry', 'connect', 'too-many-logins'],
  ['pure-ftpd', 421, 'Too many connections (2) from this IP', 'USER tester', 'too-many-logins'],
  ['glFTPd', 530, 'Sorry, your account is restricted to 2 simultaneous logins.', 'PASS ****', 'too-many-logins'],
  ['ioFTPD', 530, 'Maximum number of users reached.', 'USER tester', 'too-many-logins'],
  ['vsftpd', 530, 'Login incorrect.', 'PASS ****', null],
  ['ProFTPD', 421, 'Login timeout (300 seconds): closing control connection', 'NOOP', null],
  // the same words after login are not about logins
  ['any', 530, 'Too many users', 'STOR a.bin', null],
  // slow
  ['glFTPd', 426, 'Slow transfer, you were too slow.', 'RETR a.bin', 'slow'],
  ['drftpd', 426, 'Transfer was too slow', 'STOR a.bin', 'slow'],
  ['vsftpd', 426, 'Failure writing network stream.', 'RETR a.bin', null],
  // no transfer slave (drftpd)
  ['drftpd', 450, 'No transfer-slave(s) available', 'STOR a.bin', 'no-slaves'],
  ['drftpd', 530, 'No transfer-slave(s) available', 'PASV', 'no-slaves'],
  // unknown codes keep today's behaviour
  ['any', 500, 'X-DUPE', 'STOR a.bin', null],
  ['any', 425, "Can't open data connection: too many connections", 'STOR a.bin', null],
];

describe('classifyReply', () => {
  it.each(cases)('%s %i %s (after %s) → %s', (_server, code, text, command, kind) => {
    expect(classifyReply(code, text, command)).toBe(kind);
  });
});

describe('policyOf', () => {
  it('reads a reply error, and says which side of a copy answered', () => {
    const reply = new FtpReplyError(553, 'X-DUPE: a.bin already exists', 'STOR /a.bin');
    expect(policyOf(reply)).toEqual({ kind: 'dupe', code: 553, text: 'X-DUPE: a.bin already exists' });
    expect(policyOf(new SideError('destination', reply))).toMatchObject({ kind: 'dupe', side: 'destination' });
  });

  it('reads the reply a server closed the connection with, as a login refusal', () => {
    const closed = new FtpConnectionError('protocol', '421 There are too many connected users, please try later.');
    expect(policyOf(closed)).toMatchObject({ kind: 'too-many-logins', code: 421 });
    expect(policyOf(new FtpConnectionError('closed', 'the server closed the connection'))).toBeNull();
  });

  it('knows nothing of other errors', () => {
    expect(policyOf(new Error('426 Slow transfer'))).toBeNull();
    expect(policyOf(new FtpReplyError(426, 'Connection closed; transfer aborted.', 'RETR /a'))).toBeNull();
  });

  it('words a multi-line reply on one line', () => {
    const reply = policyOf(new FtpReplyError(553, 'X-DUPE: a.r00\na.r00: This file looks like a dupe!', 'STOR a.r00'));
    expect(replyWords(reply!)).toBe('553 X-DUPE: a.r00 a.r00: This file looks like a dupe!');
  });
});
