/**
 * Every failure pasv reports, in one table: the HTTP status it answers with, and how a
 * person reads it — a stable snake_case code and the server's own words
 * ("550 Permission denied"), never a stack. The runner, the sites service and the HTTP
 * error handler all read this table, so a new error class gets its status and code here
 * once. This module imports only error classes from leaf modules; anyone may import it.
 */
import { VerificationError } from './ftp/copy.js';
import { CancelledError } from './ftp/cancel.js';
import {
  FenceError,
  FtpConnectionError,
  FtpReplyError,
  HostRefusedError,
  SideError,
  UnsafeArgumentError,
} from './ftp/errors.js';
import { FxpRefusedError } from './ftp/fxp.js';
import { CommandRefusedError } from './ftp/raw-command.js';

/** No site, transfer or file with that id. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** The request is valid but the thing is not in a state that allows it (cancel a finished transfer). */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
}

/** A refusal decided at the HTTP edge (sign-in, CSRF, origin), carrying its own status and code. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Another site already has this name (compared without case). */
export class DuplicateNameError extends Error {
  override readonly name = 'DuplicateNameError';
}

/** A tree beyond a walk limit (depth or entries): permanent, so the transfer fails instead of retrying. */
export class WalkLimitError extends Error {
  override readonly name = 'WalkLimitError';
  constructor(
    readonly code: 'tree_too_deep' | 'tree_too_large',
    message: string,
  ) {
    super(message);
  }
}

/** A request field that passed the schema but not a closer check (a glob, a cron, a URL); the API answers 400. */
export class InvalidFieldError extends Error {
  override readonly name = 'InvalidFieldError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** A mirror run stopped by its own rules or by what its copies or deletes did (never an HTTP answer). */
export class MirrorRunError extends Error {
  override readonly name = 'MirrorRunError';
  constructor(
    readonly code: 'too_many_deletes' | 'copy_failed' | 'delete_failed' | 'transfer_gone' | 'interrupted',
    message: string,
  ) {
    super(message);
  }
}

export interface ErrorDescription {
  code: string;
  message: string;
}

const REPLY_CODES: Record<number, string> = {
  421: 'service_unavailable',
  425: 'data_connection_failed',
  426: 'transfer_aborted',
  450: 'file_busy',
  451: 'server_error',
  452: 'no_space',
  530: 'login_failed',
  550: 'not_found',
  552: 'no_space',
  553: 'name_not_allowed',
};

const CONNECTION_CODES: Record<FtpConnectionError['code'], string> = {
  closed: 'connection_lost',
  timeout: 'timeout',
  refused: 'connection_refused',
  dns: 'dns_failed',
  tls: 'tls_error',
  protocol: 'protocol_error',
  aborted: 'aborted',
};

const TRANSIENT_CONNECTION_CODES: ReadonlySet<FtpConnectionError['code']> = new Set([
  'closed',
  'timeout',
  'refused',
  'dns',
  'protocol',
]);

/** A plain-FTP server answering AUTH TLS with "not implemented" / "unknown mechanism" has no TLS at all. */
function replyCode(error: FtpReplyError): string {
  if (/^AUTH\b/i.test(error.command) && [500, 502, 504].includes(error.code)) return 'tls_not_offered';
  return REPLY_CODES[error.code] ?? `ftp_${error.code}`;
}

interface ErrorKind<E extends Error> {
  type: abstract new (...args: never[]) => E;
  status: (error: E) => number;
  describe: (error: E) => ErrorDescription;
  /** Worth another try later; absent means never. */
  transient?: (error: E) => boolean;
}

/** Keeps each row's callbacks typed by its own class. */
const kind = <E extends Error>(row: ErrorKind<E>): ErrorKind<Error> => row as unknown as ErrorKind<Error>;
const fixed = (status: number, code: string) => ({
  status: () => status,
  describe: (error: Error) => ({ code, message: error.message }),
});

const ERROR_KINDS: readonly ErrorKind<Error>[] = [
  kind({ type: HttpError, status: (e) => e.statusCode, describe: (e) => ({ code: e.code, message: e.message }) }),
  kind({ type: NotFoundError, ...fixed(404, 'not_found') }),
  kind({ type: ConflictError, ...fixed(409, 'conflict') }),
  kind({ type: DuplicateNameError, ...fixed(409, 'duplicate_name') }),
  kind({ type: UnsafeArgumentError, ...fixed(400, 'unsafe_argument') }),
  kind({ type: InvalidFieldError, ...fixed(400, 'invalid_field') }),
  kind({ type: HostRefusedError, ...fixed(400, 'host_refused') }),
  kind({ type: CommandRefusedError, ...fixed(400, 'command_refused') }),
  // The FTP server said no (550 → not found, others → it refused): the request reached it.
  kind({
    type: FtpReplyError,
    status: (e) => (e.code === 550 ? 404 : 502),
    describe: (e) => ({ code: replyCode(e), message: `${e.code} ${e.text}` }),
    // 452 (no space) will not heal by itself within a retry's wait.
    transient: (e) => e.transient && e.code !== 452,
  }),
  kind({
    type: FtpConnectionError,
    status: (e) => (e.code === 'timeout' ? 504 : 502),
    describe: (e) => ({ code: CONNECTION_CODES[e.code], message: e.message }),
    transient: (e) => TRANSIENT_CONNECTION_CODES.has(e.code),
  }),
  // One side of a copy failed: the cause decides, the message says which side.
  kind({
    type: SideError,
    status: (e) => httpStatus(e.cause),
    describe: (e) => {
      const inner = describeError(e.cause);
      return { code: inner.code, message: `${e.side}: ${inner.message}` };
    },
    transient: (e) => isTransient(e.cause),
  }),
  kind({ type: FxpRefusedError, ...fixed(500, 'fxp_refused') }),
  // Another worker owns the work now: never retried here, and the file's row is the new owner's.
  kind({ type: FenceError, ...fixed(409, 'lease_lost') }),
  kind({ type: VerificationError, ...fixed(500, 'verification_failed') }),
  kind({ type: WalkLimitError, status: () => 500, describe: (e) => ({ code: e.code, message: e.message }) }),
  kind({ type: MirrorRunError, status: () => 409, describe: (e) => ({ code: e.code, message: e.message }) }),
  kind({ type: CancelledError, status: () => 500, describe: () => ({ code: 'cancelled', message: 'cancelled' }) }),
];

const INTERNAL: ErrorDescription = { code: 'internal_error', message: 'internal error' };

const kindOf = (error: unknown) => ERROR_KINDS.find((row) => error instanceof row.type);

export function describeError(error: unknown): ErrorDescription {
  return kindOf(error)?.describe(error as Error) ?? INTERNAL;
}

/** The HTTP status a route answers with when this error reaches it; unknown errors are 500. */
export function httpStatus(error: unknown): number {
  return kindOf(error)?.status(error as Error) ?? 500;
}

/** Worth another try later: the server said "not now", or the connection broke. */
export function isTransient(error: unknown): boolean {
  return kindOf(error)?.transient?.(error as Error) ?? false;
}
