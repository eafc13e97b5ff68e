/**
 * pasv's own export, version 1: the sites' settings in clear and, only when asked, their
 * passwords sealed together with a passphrase — AES-256-GCM under a key from scrypt
 * (N 2^15, r 8, p 1, 16-byte salt, 12-byte IV). The header fields are the GCM additional
 * data, so a file whose parameters were edited does not open.
 */
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import { Value } from 'typebox/value';
import { SiteExport, type SealedPasswords } from '../../../../contract/index.js';
import { InvalidFieldError } from '../../errors.js';
import { checked, type ImportCandidate } from './candidate.js';

const scrypt = promisify(crypto.scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: crypto.ScryptOptions,
) => Promise<Buffer>;

const PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
/** A file may ask for more work than we make, not for unbounded memory. */
const MAX_N = 2 ** 17;

const key = (passphrase: string, salt: Buffer, params: { N: number; r: number; p: number }) =>
  scrypt(passphrase, salt, 32, { ...params, maxmem: 256 * params.N * params.r + 1024 * 1024 });

const header = (sealed: Omit<SealedPasswords, 'tag' | 'data'>) =>
  Buffer.from(JSON.stringify([sealed.cipher, sealed.kdf, sealed.N, sealed.r, sealed.p, sealed.salt, sealed.iv]));

export async function sealPasswords(passwords: Record<string, string>, passphrase: string): Promise<SealedPasswords> {
  const salt = crypto.randomBytes(16);
  const iv = crypto.randomBytes(12);
  const head = {
    cipher: 'aes-256-gcm',
    kdf: 'scrypt',
    ...PARAMS,
    salt: salt.toString('base64'),
    iv: iv.toString('base64'),
  } as const;
  const cipher = crypto.createCipheriv('aes-256-gcm', await key(passphrase, salt, PARAMS), iv);
  cipher.setAAD(header(head));
  const data = Buffer.concat([cipher.update(JSON.stringify(passwords), 'utf8'), cipher.final()]);
  return { ...head, tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

export async function openPasswords(sealed: SealedPasswords, passphrase: string): Promise<Record<string, string>> {
  if (sealed.N > MAX_N || sealed.r > 16 || sealed.p > 4 || sealed.N < 2 ** 14 || (sealed.N & (sealed.N - 1)) !== 0)
    throw new InvalidFieldError('text', 'the sealed passwords ask for scrypt parameters pasv does not accept');
  try {
    const decipher = crypto.createDecipheriv(
      'aes-256-gcm',
      await key(passphrase, Buffer.from(sealed.salt, 'base64'), sealed),
      Buffer.from(sealed.iv, 'base64'),
    );
    decipher.setAAD(header(sealed));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    const plain = Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString(
      'utf8',
    );
    const passwords = JSON.parse(plain) as unknown;
    if (!passwords || typeof passwords !== 'object') throw new Error('not a map');
    return passwords as Record<string, string>;
  } catch {
    throw new InvalidFieldError('passphrase', 'wrong passphrase, or the file was changed');
  }
}

export async function parsePasvExport(text: string, passphrase: string | undefined): Promise<ImportCandidate[]> {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new InvalidFieldError('text', 'not JSON');
  }
  if (!Value.Check(SiteExport, document))
    throw new InvalidFieldError('text', 'not a pasv site export (format pasv-sites, version 1)');
  let passwords: Record<string, string> = {};
  if (document.passwords) {
    if (!passphrase) throw new InvalidFieldError('passphrase', 'this file has sealed passwords: give its passphrase');
    passwords = await openPasswords(document.passwords, passphrase);
  }
  return document.sites.map((site, index) => {
    const password = passwords[String(index)];
    const { name, host, port, user, tls, passive, ...settings } = site;
    return checked({
      name,
      host,
      port,
      user,
      tls,
      passive,
      settings,
      ...(typeof password === 'string' && password ? { password } : {}),
    });
  });
}
