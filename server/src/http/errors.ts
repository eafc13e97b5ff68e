/**
 * One error handler: every failure becomes `{ error: { code, message } }` with the status
 * api.md fixes. A 5xx never carries internals; the log keeps them.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { describeError, InvalidFieldError } from '../errors.js';
import { FtpConnectionError, FtpReplyError, HostRefusedError, UnsafeArgumentError } from '../ftp/errors.js';
import { NotFoundError } from '../sites/service.js';
import { ConflictError } from '../transfers/transitions.js';
import { HttpError } from './auth.js';

function statusOf(error: unknown): number {
  if (error instanceof HttpError) return error.statusCode;
  if (error instanceof NotFoundError) return 404;
  if (error instanceof ConflictError) return 409;
  if (error instanceof UnsafeArgumentError || error instanceof HostRefusedError || error instanceof InvalidFieldError) return 400;
  // The FTP server said no (550 → not found, others → it refused): the request reached it.
  if (error instanceof FtpReplyError) return error.code === 550 ? 404 : 502;
  if (error instanceof FtpConnectionError) return error.code === 'timeout' ? 504 : 502;
  return 500;
}

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (error.validation) {
    void reply.code(400).send({ error: { code: 'invalid_request', message: `${error.validationContext ?? 'request'} ${error.message}` } });
    return;
  }
  if (error.statusCode && error.statusCode < 500 && !(error instanceof HttpError)) {
    // Fastify's own 4xx (bad JSON, unsupported media type, body too large, rate limit).
    const code = error.statusCode === 429 ? 'rate_limited' : (error.code ?? 'bad_request').replace(/^FST_ERR_/, '').toLowerCase();
    void reply.code(error.statusCode).send({ error: { code, message: error.message } });
    return;
  }
  const status = statusOf(error);
  if (status >= 500 && status !== 502 && status !== 504) request.log.error({ err: error }, 'request failed');
  const described = error instanceof HttpError ? { code: error.code, message: error.message } : describeError(error);
  void reply.code(status).send({ error: described });
}
