/**
 * Who may use pasv: one admin password (scrypt hash in the store) gives an HttpOnly,
 * SameSite=Strict session cookie; scripts use a bearer token. Every /api route but
 * /api/health needs one or the other. Cookie-authenticated writes must also carry
 * `X-Requested-With: pasv`, which a cross-site form cannot send (CSRF).
 */
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../errors.js';
import type { Db } from '../store/db.js';
import { getMeta, metaOnce, setMeta } from '../store/db.js';
import { RevokedSessions } from '../store/revoked-sessions.js';

const scrypt = promisify(crypto.scrypt) as (password: string, salt: Buffer, keylen: number, options: crypto.ScryptOptions) => Promise<Buffer>;

export const SESSION_COOKIE = 'pasv_session';
export const CSRF_HEADER = 'x-requested-with';
const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export class Auth {
  private readonly sessionKey: Buffer;
  /** Set once at start (PASV_PASSWORD or the generated one); read on every request. */
  private readonly passwordHash: string;
  private readonly revoked: RevokedSessions;

  /** generatedPassword is set when this start created the password: print it once. */
  readonly generatedPassword: string | undefined;

  constructor(
    db: Db,
    password: string | undefined,
    private readonly apiToken: string | undefined,
  ) {
    if (password) {
      // The same PASV_PASSWORD at every start keeps its hash, so a restart signs nobody out.
      const stored = getMeta(db, 'password.hash');
      if (!stored || !matchesPasswordSync(password, stored)) setMeta(db, 'password.hash', hashPassword(password));
    } else if (!getMeta(db, 'password.hash')) {
      const generated = crypto.randomBytes(12).toString('base64url');
      if (metaOnce(db, 'password.hash', () => hashPassword(generated)).created) this.generatedPassword = generated;
    }
    this.passwordHash = getMeta(db, 'password.hash')!;
    // One key for every web node of a cluster: a browser moved to another node stays signed in.
    const key = metaOnce(db, 'session.key', () => crypto.randomBytes(32).toString('base64')).value;
    this.sessionKey = Buffer.from(key, 'base64');
    this.revoked = new RevokedSessions(db);
  }

  checkPassword(password: string): Promise<boolean> {
    return verifyPassword(password, this.passwordHash);
  }

  /** A signed, expiring session id; the password hash is in the MAC so a new password ends old sessions. */
  issueSession(): string {
    const id = crypto.randomBytes(16).toString('base64url');
    const expires = Date.now() + SESSION_TTL_MS;
    return `${id}.${expires}.${this.mac(`${id}.${expires}`)}`;
  }

  revokeSession(token: string): void {
    if (!this.validSession(token)) return;
    const [id, expires] = token.split('.') as [string, string];
    this.revoked.revoke(id, Number(expires));
  }

  validSession(token: string | undefined): boolean {
    if (!token) return false;
    const [id, expires, mac] = token.split('.');
    if (!id || !expires || !mac) return false;
    if (!safeEqual(mac, this.mac(`${id}.${expires}`))) return false;
    return Number(expires) > Date.now() && !this.revoked.has(id);
  }

  validToken(header: string | undefined): boolean {
    if (!this.apiToken || !header?.startsWith('Bearer ')) return false;
    return safeEqual(header.slice(7), this.apiToken);
  }

  /** The onRequest hook of every protected route: before body parsing and validation. */
  readonly guard = async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    if (this.validToken(request.headers.authorization)) return;
    if (!this.validSession(request.cookies[SESSION_COOKIE])) throw new HttpError(401, 'unauthorized', 'sign in first');
    const writes = request.method !== 'GET' && request.method !== 'HEAD';
    if (writes && request.headers[CSRF_HEADER] !== 'pasv') {
      throw new HttpError(403, 'csrf', `requests that change something need the header "X-Requested-With: pasv"`);
    }
  };

  private mac(value: string): string {
    return crypto.createHmac('sha256', this.sessionKey).update(`${this.passwordHash}|${value}`).digest('base64url');
  }
}

/** Once at start, before the app listens: nothing else waits on the event loop yet. */
function hashPassword(password: string): string {
  const salt = crypto.randomBytes(16);
  const hash = crypto.scryptSync(password, salt, 32, { N: 16384, r: 8, p: 1 });
  return `scrypt$16384$8$1$${salt.toString('base64')}$${hash.toString('base64')}`;
}

interface StoredHash {
  salt: Buffer;
  expected: Buffer;
  options: crypto.ScryptOptions;
}

function parseHash(stored: string): StoredHash | null {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return null;
  return { salt: Buffer.from(salt, 'base64'), expected: Buffer.from(hash, 'base64'), options: { N: Number(n), r: Number(r), p: Number(p) } };
}

/** Once at start, like hashPassword. */
function matchesPasswordSync(password: string, stored: string): boolean {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  return crypto.timingSafeEqual(crypto.scryptSync(password, parsed.salt, parsed.expected.length, parsed.options), parsed.expected);
}

/** On the thread pool: a sign-in (or a flood of them) must not stall transfers and the feed. */
async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const actual = await scrypt(password, parsed.salt, parsed.expected.length, parsed.options);
  return crypto.timingSafeEqual(actual, parsed.expected);
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && crypto.timingSafeEqual(left, right);
}
