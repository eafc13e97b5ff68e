import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  describeError,
  HttpError,
  httpStatus,
  InvalidFieldError,
  isTransient,
  MirrorRunError,
  NotFoundError,
} from './errors.js';
import { VerificationError } from './ftp/copy.js';
import {
  FenceError,
  FtpConnectionError,
  FtpReplyError,
  HostRefusedError,
  SideError,
  UnsafeArgumentError,
} from './ftp/errors.js';
import { FxpRefusedError } from './ftp/fxp.js';
import { CancelledError } from './ftp/cancel.js';

const reply = (code: number, text: string) => new FtpReplyError(code, text, 'STOR /f.bin');

// [the error, HTTP status, code, message, worth a retry]
const cases: [Error, number, string, string, boolean][] = [
  [new HttpError(401, 'bad_password', 'wrong password'), 401, 'bad_password', 'wrong password', false],
  [new NotFoundError('no site with id x'), 404, 'not_found', 'no site with id x', false],
  [new ConflictError('transfer is already done'), 409, 'conflict', 'transfer is already done', false],
  [new UnsafeArgumentError('CR in a path'), 400, 'unsafe_argument', 'CR in a path', false],
  [new HostRefusedError('169.254.169.254 is link-local'), 400, 'host_refused', '169.254.169.254 is link-local', false],
  [reply(550, 'No such file'), 404, 'not_found', '550 No such file', false],
  [reply(450, 'File busy'), 502, 'file_busy', '450 File busy', true],
  [reply(452, 'Insufficient storage'), 502, 'no_space', '452 Insufficient storage', false],
  [reply(599, 'Odd'), 502, 'ftp_599', '599 Odd', false],
  [new FtpConnectionError('timeout', 'no reply in 30 s'), 504, 'timeout', 'no reply in 30 s', true],
  [new FtpConnectionError('closed', 'connection closed'), 502, 'connection_lost', 'connection closed', true],
  [new FtpConnectionError('tls', 'bad certificate'), 502, 'tls_error', 'bad certificate', false],
  [
    new FtpConnectionError('dns', 'getaddrinfo ENOTFOUND x.invalid'),
    502,
    'dns_failed',
    'getaddrinfo ENOTFOUND x.invalid',
    true,
  ],
  [
    new FtpReplyError(502, 'Command not implemented.', 'AUTH TLS'),
    502,
    'tls_not_offered',
    '502 Command not implemented.',
    false,
  ],
  [
    new SideError('destination', reply(553, 'Not allowed')),
    502,
    'name_not_allowed',
    'destination: 553 Not allowed',
    false,
  ],
  [
    new SideError('source', new FtpConnectionError('refused', 'refused')),
    502,
    'connection_refused',
    'source: refused',
    true,
  ],
  [
    new FxpRefusedError('port', 'source', reply(500, 'Illegal PORT')),
    500,
    'fxp_refused',
    'source refused FXP at port: STOR /f.bin → 500 Illegal PORT',
    false,
  ],
  [new VerificationError('size differs'), 500, 'verification_failed', 'size differs', false],
  [
    new FenceError('STOR /f.bin', { cause: new Error('token 7 is stale') }),
    409,
    'lease_lost',
    'STOR /f.bin not sent: the lease on this work is lost (token 7 is stale)',
    false,
  ],
  [
    new SideError('destination', new FenceError('STOR /f.bin')),
    409,
    'lease_lost',
    'destination: STOR /f.bin not sent: the lease on this work is lost',
    false,
  ],
  [new CancelledError(), 500, 'cancelled', 'cancelled', false],
  [new InvalidFieldError('schedule.cron', 'not 5 fields'), 400, 'invalid_field', 'schedule.cron: not 5 fields', false],
  [new MirrorRunError('too_many_deletes', 'would delete 12'), 409, 'too_many_deletes', 'would delete 12', false],
  // Anything unknown says nothing of itself: a 5xx never leaks internals.
  [new Error('ENOENT /var/lib/pasv/secret'), 500, 'internal_error', 'internal error', false],
];

describe('the errors table', () => {
  it.each(cases)('%s → %i %s', (error, status, code, message, transient) => {
    expect(httpStatus(error)).toBe(status);
    expect(describeError(error)).toEqual({ code, message });
    expect(isTransient(error)).toBe(transient);
  });

  it('describes what is not an Error at all as internal', () => {
    expect(describeError('a string')).toEqual({ code: 'internal_error', message: 'internal error' });
    expect(httpStatus(undefined)).toBe(500);
    expect(isTransient(null)).toBe(false);
  });
});
