/**
 * Response schemas for the OpenAPI document: each carries a description, so /api/docs names
 * what a status means instead of printing "Default Response", and every error is ErrorBody.
 */
import { Type, type TSchema } from 'typebox';
import { ErrorBody } from '../../../contract/index.js';

/** The schema with a description; the JSON Schema is otherwise unchanged, so serialization is too. */
export const described = <T extends TSchema>(schema: T, description: string): T => ({ ...schema, description }) as T;

/** A 204: `type: 'null'` is how @fastify/swagger writes "no body". */
export const noContent = (description: string) => Type.Unsafe<void>(Type.Null({ description }));

const errorMeanings = {
  400: 'The request is malformed or carries an unsafe argument (CR, LF, NUL)',
  401: 'Not signed in, or the password is wrong',
  403: 'A request that changes something lacks "X-Requested-With: pasv", or a foreign origin',
  404: 'No such item, or the FTP server answered 550',
  409: 'The item is in a state that does not allow this',
  429: 'Too many wrong passwords from this address',
  500: 'The server failed; the body carries no internals',
  502: 'The FTP server refused or the connection to it failed',
  504: 'The FTP server did not answer in time',
} as const;
type ErrorStatus = keyof typeof errorMeanings;

/** ErrorBody responses for exactly these statuses. */
export function errors<S extends ErrorStatus>(...statuses: S[]): { [K in S]: typeof ErrorBody } {
  const entries = statuses.map((status) => [status, described(ErrorBody, errorMeanings[status])]);
  return Object.fromEntries(entries) as { [K in S]: typeof ErrorBody };
}

/** An authed route can always answer 400 (validation), 401 (no session), 403 (CSRF) and 500, plus these. */
export const authedErrors = <S extends ErrorStatus>(...statuses: S[]) =>
  errors<S | 400 | 401 | 403 | 500>(400, 401, 403, 500, ...statuses);
