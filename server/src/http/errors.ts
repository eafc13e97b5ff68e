/**
 * One error handler: every failure becomes `{ error: { code, message } }` with the status
 * the table in ../errors.ts gives. A 5xx never carries internals; the log keeps them.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { describeError, HttpError, httpStatus } from '../errors.js';

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (error.validation) {
    void reply.code(400).send({ error: { code: 'invalid_request', message: `${error.validationContext ?? 'request'} ${error.message}` } });
    return;
  }
  if (error.statusCode && error.statusCode < 500 && !(error instanceof HttpError)) {
    // Fastify's own 4xx (bad JSON, unsupported media type, body too large).
    const code = (error.code ?? 'bad_request').replace(/^FST_ERR_/, '').toLowerCase();
    void reply.code(error.statusCode).send({ error: { code, message: error.message } });
    return;
  }
  const status = httpStatus(error);
  // 502 and 504 are the FTP server's failures, not ours: the body already names them.
  if (status >= 500 && status !== 502 && status !== 504) request.log.error({ err: error }, 'request failed');
  void reply.code(status).send({ error: describeError(error) });
}
