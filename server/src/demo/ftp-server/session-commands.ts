import { createHash, timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CommandSpec, FtpConnection, HashAlgorithm } from './connection.js';
import { fxpFeatureLines } from './fxp-commands.js';

/** Slows down password guessing a little without making tests slow. */
export const LOGIN_FAILURE_DELAY_MS = 300;

export const HASH_ALGORITHMS: HashAlgorithm[] = ['SHA-256', 'SHA-1', 'MD5'];

function sameSecret(a: string, b: string): boolean {
  // Hashing first gives equal lengths, so the comparison time says nothing about the password.
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

function featureLines(conn: FtpConnection): string[] {
  const hash = HASH_ALGORITHMS.map((algo) => (algo === conn.hashAlgorithm ? `${algo}*` : algo)).join(';');
  const lines = [
    'Features:',
    ' EPRT',
    ' EPSV',
    ' MDTM',
    ' MFMT',
    ' MLST type*;size*;modify*;',
    ' PASV',
    ' REST STREAM',
    ' SIZE',
    ' TVFS',
    ' UTF8',
    ` HASH ${hash}`,
  ];
  if (conn.ctx.secureContext) lines.push(' AUTH TLS', ' PBSZ', ' PROT');
  lines.push(...fxpFeatureLines(conn), 'End');
  return lines;
}

function handleOpts(conn: FtpConnection, arg: string): void {
  const [name = '', ...rest] = arg.trim().split(/\s+/);
  const value = rest.join(' ');
  switch (name.toUpperCase()) {
    case 'UTF8':
    case 'UTF-8':
      return conn.reply(200, 'Always in UTF8 mode.');
    case 'HASH': {
      if (value === '') return conn.reply(200, conn.hashAlgorithm);
      const algo = HASH_ALGORITHMS.find((known) => known === value.toUpperCase());
      if (!algo) return conn.reply(501, 'Unknown algorithm, current selection not changed.');
      conn.hashAlgorithm = algo;
      return conn.reply(200, algo);
    }
    case 'MLST': {
      // The three facts are always sent; the answer names those of the request we support.
      const wanted = value
        .toLowerCase()
        .split(';')
        .filter((fact) => ['type', 'size', 'modify'].includes(fact));
      return conn.reply(200, `MLST OPTS ${wanted.map((fact) => `${fact};`).join('')}`);
    }
    default:
      return conn.reply(501, 'Option not understood.');
  }
}

export const sessionCommands: Record<string, CommandSpec> = {
  USER: {
    beforeLogin: true,
    needsArg: true,
    handler(conn, arg) {
      if (conn.loggedIn) return conn.reply(530, "Can't change to another user.");
      conn.pendingUser = arg;
      conn.reply(331, 'Please specify the password.');
    },
  },
  PASS: {
    beforeLogin: true,
    async handler(conn, arg) {
      if (conn.loggedIn) return conn.reply(230, 'Already logged in.');
      const user = conn.pendingUser;
      if (user === null) return conn.reply(503, 'Login with USER first.');
      conn.pendingUser = null;
      // Every configured user is compared, so the time taken does not tell which names exist.
      const matches = conn.ctx.users.filter((u) => sameSecret(u.user, user) && sameSecret(u.password, arg));
      if (matches.length === 0) {
        await sleep(LOGIN_FAILURE_DELAY_MS);
        return conn.reply(530, 'Login incorrect.');
      }
      const refusal = conn.ctx.policy.login(conn);
      if (refusal) {
        conn.reply(530, refusal);
        return conn.end();
      }
      conn.user = user;
      conn.cwd = '/';
      conn.reply(230, 'Login successful.');
    },
  },
  SYST: { beforeLogin: true, handler: (conn) => conn.reply(215, 'UNIX Type: L8') },
  FEAT: { beforeLogin: true, handler: (conn) => conn.reply(211, featureLines(conn)) },
  NOOP: { beforeLogin: true, handler: (conn) => conn.reply(200, 'NOOP ok.') },
  QUIT: {
    beforeLogin: true,
    handler(conn) {
      conn.reply(221, 'Goodbye.');
      conn.end();
    },
  },
  OPTS: { needsArg: true, handler: handleOpts },
  AUTH: {
    beforeLogin: true,
    needsArg: true,
    handler(conn, arg) {
      const context = conn.ctx.secureContext;
      if (!context) return conn.reply(502, 'Command not implemented.');
      if (!['TLS', 'TLS-C', 'SSL'].includes(arg.trim().toUpperCase())) {
        return conn.reply(504, 'Unknown AUTH mechanism.');
      }
      if (conn.secure) return conn.reply(503, 'Already using TLS.');
      conn.reply(234, 'Proceed with negotiation.');
      conn.upgradeToTls(context);
    },
  },
  // RFC 4217 lets PBSZ and PROT come before USER, so they are allowed before login too.
  PBSZ: {
    beforeLogin: true,
    needsArg: true,
    handler(conn) {
      if (!conn.ctx.secureContext) return conn.reply(502, 'Command not implemented.');
      if (!conn.secure) return conn.reply(503, 'PBSZ needs a secure connection: AUTH TLS first.');
      conn.pbszSet = true;
      conn.reply(200, 'PBSZ=0');
    },
  },
  PROT: {
    beforeLogin: true,
    needsArg: true,
    handler(conn, arg) {
      if (!conn.ctx.secureContext) return conn.reply(502, 'Command not implemented.');
      if (!conn.secure || !conn.pbszSet) return conn.reply(503, 'PROT needs AUTH TLS and PBSZ first.');
      const level = arg.trim().toUpperCase();
      if (level === 'P') {
        conn.protectData = true;
        return conn.reply(200, 'PROT now Private.');
      }
      if (level === 'C') {
        conn.protectData = false;
        return conn.reply(200, 'PROT now Clear.');
      }
      if (level === 'S' || level === 'E') return conn.reply(536, 'PROT level not supported.');
      conn.reply(504, 'Unknown PROT level.');
    },
  },
  TYPE: {
    needsArg: true,
    handler(conn, arg) {
      const type = arg.trim().toUpperCase().replace(/\s+/g, ' ');
      if (type === 'I' || type === 'L 8') {
        conn.type = 'I';
        return conn.reply(200, 'Switching to Binary mode.');
      }
      // ASCII is accepted but the bytes are sent unchanged, as vsftpd does by default:
      // converting line ends would make SIZE and REST offsets disagree with the file.
      if (type === 'A' || type === 'A N') {
        conn.type = 'A';
        return conn.reply(200, 'Switching to ASCII mode.');
      }
      conn.reply(504, 'Unsupported TYPE.');
    },
  },
  // RFC 959 storage allocation: nothing to reserve on a Unix file system.
  ALLO: { handler: (conn) => conn.reply(202, 'ALLO command ignored.') },
  MODE: {
    needsArg: true,
    handler: (conn, arg) =>
      arg.trim().toUpperCase() === 'S' ? conn.reply(200, 'Mode set to S.') : conn.reply(504, 'Bad MODE command.'),
  },
  STRU: {
    needsArg: true,
    handler: (conn, arg) =>
      arg.trim().toUpperCase() === 'F' ? conn.reply(200, 'Structure set to F.') : conn.reply(504, 'Bad STRU command.'),
  },
};
