/**
 * What to tell a server's admin when FXP is refused: which server it is (from its greeting,
 * and SYST where that helps) and the switch that server has for it, named as its own
 * documentation names it. Setting names are only those confirmed in the servers' docs or
 * sources; a server whose switch could not be confirmed gets a hint in general words.
 * The table is exported so the README can show it (diagnosisMarkdown).
 */
import { FtpReplyError, type Side } from './errors.js';
import type { FxpRefusedError } from './fxp.js';

export type ServerKind =
  'vsftpd' | 'proftpd' | 'pure-ftpd' | 'glftpd' | 'drftpd' | 'ioftpd' | 'filezilla' | 'serv-u' | 'pasv-embedded';

/** One refusal, as FxpRefusedError reports it: `code` is absent when the server went silent or closed. */
export interface Refusal {
  phase: FxpRefusedError['phase'];
  side: Side;
  code?: number;
  text: string;
  /** The refusing server was the TLS client of the data connection (it got SSCN ON). */
  tlsClient?: boolean;
}

export function refusalOf(error: FxpRefusedError, tlsClient?: boolean): Refusal {
  const { reason } = error;
  const reply = reason instanceof FtpReplyError ? { code: reason.code, text: reason.text } : { text: reason.message };
  return { phase: error.phase, side: error.side, ...reply, ...(tlsClient === undefined ? {} : { tlsClient }) };
}

/** Greeting (and SYST) patterns, most specific first: a greeting may quote another product's name. */
const IDENTITIES: readonly { kind: ServerKind; greeting: RegExp; syst?: RegExp }[] = [
  { kind: 'pasv-embedded', greeting: /\bpasv embedded FTP server\b/i },
  { kind: 'vsftpd', greeting: /\bvsftpd\b/i },
  { kind: 'proftpd', greeting: /\bProFTPD\b/i },
  { kind: 'pure-ftpd', greeting: /\bPure-FTPd\b/i },
  { kind: 'glftpd', greeting: /\bglFTPd\b/i },
  { kind: 'drftpd', greeting: /\bDrFTPD\b/i },
  { kind: 'ioftpd', greeting: /\bioFTPD\b/i },
  { kind: 'filezilla', greeting: /\bFileZilla Server\b/i, syst: /\bemulated by FileZilla\b/i },
  { kind: 'serv-u', greeting: /\bServ-U\b/i },
];

/** Which server software this is, or null when its greeting (and SYST answer) do not say. */
export function identifyServer(greeting: string, syst?: string): ServerKind | null {
  const byGreeting = IDENTITIES.find((identity) => identity.greeting.test(greeting));
  if (byGreeting) return byGreeting.kind;
  return IDENTITIES.find((identity) => identity.syst && syst !== undefined && identity.syst.test(syst))?.kind ?? null;
}

type Phase = Refusal['phase'];
const DATA: readonly Phase[] = ['pasv', 'port', 'transfer'];

export interface Diagnosis {
  /** The server's name as admins know it; null for rows that hold for any server. */
  server: string | null;
  kind: ServerKind | null;
  phases: readonly Phase[];
  /** Matched against "code text" of the refusal; absent matches any refusal of these phases. */
  pattern?: RegExp;
  /** Only a server that went silent or closed the connection (no reply code). */
  silent?: boolean;
  /** What the refusal looks like, for the table in the README. */
  looksLike: string;
  hint: string | ((refusal: Refusal) => string);
}

const FOREIGN_PORT = 'refuses to connect to an address other than its client’s (PORT)';
const FOREIGN_PASV = 'refuses a passive data connection from an address other than its client’s';
const PURE_FTPD_FXP =
  'start pure-ftpd with -w (--allowuserfxp; AllowUserFXP yes in pure-ftpd.conf, on Debian /etc/pure-ftpd/conf/AllowUserFXP), or -W (--allowanonymousfxp) to allow anonymous users too';
const NO_SESSION_REUSE = 'TLSOptions NoSessionReuseRequired';
const unconfirmed = (server: string) =>
  `${server} refused a data connection with the other server: its admin must allow FXP (data connections to and from other hosts) for this account`;

/** First match wins: a server's specific rows, then its general one, then the rows for any server. */
export const DIAGNOSES: readonly Diagnosis[] = [
  {
    server: 'vsftpd',
    kind: 'vsftpd',
    phases: ['port'],
    pattern: /^500 Illegal (PORT|EPRT) command/i,
    looksLike: '`500 Illegal PORT command.`',
    hint: `vsftpd ${FOREIGN_PORT}: set port_promiscuous=YES in vsftpd.conf`,
  },
  {
    server: 'vsftpd',
    kind: 'vsftpd',
    phases: ['pasv', 'transfer'],
    pattern: /Security: Bad IP connecting/i,
    looksLike: '`425 Security: Bad IP connecting.` (passive side)',
    hint: `vsftpd ${FOREIGN_PASV}: set pasv_promiscuous=YES in vsftpd.conf`,
  },
  {
    server: 'vsftpd',
    kind: 'vsftpd',
    phases: ['tls'],
    looksLike: 'data connection closed, `522` (TLS on the data connection)',
    hint: 'vsftpd demands TLS session reuse on data connections, which the other server cannot offer: set require_ssl_reuse=NO in vsftpd.conf',
  },
  {
    server: 'ProFTPD',
    kind: 'proftpd',
    phases: ['port'],
    pattern: /^500 Illegal (PORT|EPRT) command/i,
    looksLike: '`500 Illegal PORT command`',
    hint: `ProFTPD ${FOREIGN_PORT}: set AllowForeignAddress on`,
  },
  {
    server: 'ProFTPD',
    kind: 'proftpd',
    phases: ['pasv', 'transfer'],
    pattern: /Unable to build data connection: (Permission denied|Operation not permitted)/i,
    looksLike: '`425 Unable to build data connection: Permission denied` (passive side)',
    hint: `ProFTPD ${FOREIGN_PASV}: set AllowForeignAddress on`,
  },
  {
    server: 'ProFTPD',
    kind: 'proftpd',
    phases: ['tls'],
    looksLike: '`426 … Data connection closed`, `522`, `435` with PROT P',
    hint: (refusal) => {
      const reuse = `ProFTPD (mod_tls) requires TLS session reuse on data connections: set ${NO_SESSION_REUSE}`;
      const verify =
        'as the SSCN client it checks the other server’s certificate: set TLSVerifyServer off (or trust that certificate)';
      if (refusal.tlsClient === true) return `ProFTPD, ${verify}; and set ${NO_SESSION_REUSE}`;
      if (refusal.tlsClient === false) return reuse;
      return `${reuse}; ${verify}`;
    },
  },
  {
    server: 'pure-ftpd',
    kind: 'pure-ftpd',
    phases: ['port'],
    pattern: /I won't open a connection to/i,
    looksLike: "`500 I won't open a connection to 127.0.0.3 (only to 127.0.0.1)`",
    hint: `pure-ftpd ${FOREIGN_PORT}: ${PURE_FTPD_FXP}`,
  },
  {
    server: 'pure-ftpd',
    kind: 'pure-ftpd',
    phases: ['transfer'],
    silent: true,
    looksLike: 'no reply at all (passive side: it drops the foreign connection and goes silent)',
    hint: `pure-ftpd ${FOREIGN_PASV} (it drops it and then answers nothing): ${PURE_FTPD_FXP}`,
  },
  {
    server: 'glFTPd',
    kind: 'glftpd',
    phases: DATA,
    looksLike: 'a refused PORT or data connection',
    hint: 'glFTPd allows FXP with the allow_fxp line of glftpd.conf (allow_fxp <downloads> <uploads> <log> <who>, e.g. allow_fxp yes yes yes *)',
  },
  {
    server: 'drftpd',
    kind: 'drftpd',
    phases: DATA,
    looksLike: 'a refused data connection (the slave accepts only the client’s address)',
    hint: 'drftpd forbids FXP where a deny_upfxp (uploads) or deny_dnfxp (downloads) line of perms.conf matches the path and user: remove or narrow it',
  },
  {
    server: 'pasv’s embedded server',
    kind: 'pasv-embedded',
    phases: ['port', 'pasv', 'transfer'],
    looksLike: '`500 Illegal PORT command.`, `425 Security: Bad IP connecting.`',
    hint: 'pasv’s embedded server allows FXP with allowFxp: true (or { activeToForeign, passiveFromForeign })',
  },
  {
    server: 'ioFTPD',
    kind: 'ioftpd',
    phases: DATA,
    looksLike: 'a refused PORT or data connection',
    hint: unconfirmed('ioFTPD'),
  },
  {
    server: 'FileZilla Server',
    kind: 'filezilla',
    phases: DATA,
    looksLike: 'a refused PORT or data connection',
    hint: unconfirmed('FileZilla Server'),
  },
  {
    server: 'Serv-U',
    kind: 'serv-u',
    phases: DATA,
    looksLike: 'a refused PORT or data connection',
    hint: 'Serv-U refused a data connection with the other server: its setting that allows transfers only between the FTP client and the server (FXP / FTP bounce protection) must be off for this account',
  },
  {
    server: null,
    kind: null,
    phases: DATA,
    pattern: /Use SSL FXP|secure data connection/i,
    looksLike: '`427 Use SSL FXP`, `522 You have to turn on secure data connection`',
    hint: 'this server allows only secure FXP: give both sites TLS so the data connection is protected',
  },
  {
    server: null,
    kind: null,
    phases: ['port'],
    looksLike: '`500`/`501` to PORT or EPRT',
    hint: `the server ${FOREIGN_PORT}: its admin must allow FXP (PORT to other hosts)`,
  },
  {
    server: null,
    kind: null,
    phases: ['pasv'],
    looksLike: 'a refused PASV or EPSV',
    hint: 'the server will not listen for the other server (PASV refused): its admin must allow passive mode for FXP',
  },
  {
    server: null,
    kind: null,
    phases: ['transfer'],
    looksLike: '`425`, or no reply, on the passive side',
    hint: `the server ${FOREIGN_PASV}: its admin must allow FXP (data connections from other hosts)`,
  },
  {
    server: null,
    kind: null,
    phases: ['tls'],
    looksLike: 'a closed data connection, `522` or `435` under PROT P',
    hint: 'secure FXP needs one server to be the TLS client (SSCN or CPSV) and the other to accept data connections without TLS session reuse',
  },
];

/** A PRET demand is the ladder's business (it sends PRET), not a switch for the admin. */
const NOT_A_REFUSAL = /\bPRET\b/;

/** The hint for the admin of the server that refused, or null when the reply is no FXP refusal. */
export function diagnoseRefusal(refusal: Refusal, kind: ServerKind | null): string | null {
  const reply = refusal.code === undefined ? refusal.text : `${refusal.code} ${refusal.text}`;
  if (NOT_A_REFUSAL.test(reply)) return null;
  const row = DIAGNOSES.find(
    (candidate) =>
      (candidate.kind === null || candidate.kind === kind) &&
      candidate.phases.includes(refusal.phase) &&
      (candidate.pattern === undefined || candidate.pattern.test(reply)) &&
      (candidate.silent === undefined || refusal.code === undefined),
  );
  if (!row) return null;
  return typeof row.hint === 'string' ? row.hint : row.hint(refusal);
}

/** The table for the README: server, what its refusal looks like, the switch. */
export function diagnosisMarkdown(): string {
  const rows = DIAGNOSES.filter((row) => row.server !== null).map((row) => {
    const hint = typeof row.hint === 'string' ? row.hint : row.hint({ phase: 'tls', side: 'source', text: '' });
    return `| ${row.server} | ${row.phases.join(', ')} | ${row.looksLike} | ${hint} |`;
  });
  return [
    '| server | when | what the refusal looks like | what to tell its admin |',
    '| --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
