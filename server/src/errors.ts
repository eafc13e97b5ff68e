/**
 * Every failure, described the way a person reads it: a stable snake_case code and the
 * server's own words ("550 Permission denied"), never a stack.
 */
import { FtpConnectionError, FtpReplyError, HostRefusedError, UnsafeArgumentError } from './ftp/errors.js';
import { VerificationError } from './ftp/copy.js';
import { FxpRefusedError } from './ftp/fxp.js';
import { CancelledError, SideError } from './ftp/supervise.js';
import { NotFoundError } from './sites/service.js';

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
  tls: 'tls_error',
  protocol: 'protocol_error',
  aborted: 'aborted',
};

export function describeError(error: unknown): ErrorDescription {
  if (error instanceof SideError) {
    const inner = describeError(error.cause);
    return { code: inner.code, message: `${error.side}: ${inner.message}` };
  }
  if (error instanceof FtpReplyError) {
    return { code: REPLY_CODES[error.code] ?? `ftp_${error.code}`, message: `${error.code} ${error.text}` };
  }
  if (error instanceof FtpConnectionError) return { code: CONNECTION_CODES[error.code], message: error.message };
  if (error instanceof FxpRefusedError) return { code: 'fxp_refused', message: error.message };
  if (error instanceof VerificationError) return { code: 'verification_failed', message: error.message };
  if (error instanceof CancelledError) return { code: 'cancelled', message: 'cancelled' };
  if (error instanceof HostRefusedError) return { code: 'host_refused', message: error.message };
  if (error instanceof UnsafeArgumentError) return { code: 'unsafe_argument', message: error.message };
  if (error instanceof NotFoundError) return { code: 'not_found', message: error.message };
  if (error instanceof InvalidFieldError) return { code: 'invalid_field', message: error.message };
  return { code: 'internal_error', message: 'internal error' };
}

/** Worth another try later: the server said "not now", or the connection broke. */
export function isTransient(error: unknown): boolean {
  if (error instanceof SideError) return isTransient(error.cause);
  if (error instanceof FtpReplyError) return error.transient && error.code !== 452;
  if (error instanceof FtpConnectionError) return ['closed', 'timeout', 'refused', 'protocol'].includes(error.code);
  return false;
}
