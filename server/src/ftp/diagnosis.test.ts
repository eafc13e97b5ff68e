import { describe, expect, it } from 'vitest';
import { DIAGNOSES, diagnoseRefusal, diagnosisMarkdown, identifyServer, refusalOf, type Refusal } from './diagnosis.js';
import { FtpConnectionError, FtpReplyError } from './errors.js';
import { FxpRefusedError } from './fxp.js';

describe('identifyServer', () => {
  it.each([
    ['(vsFTPd 3.0.3)', undefined, 'vsftpd'],
    ['ProFTPD Server (pasv test ProFTPD) [127.0.0.2]', undefined, 'proftpd'],
    ['--------- Welcome to Pure-FTPd [privsep] [TLS] ----------\nYou are user number 1', undefined, 'pure-ftpd'],
    ['siteName (glFTPd 2.12 Linux+TLS) ready.', undefined, 'glftpd'],
    ['DrFTPD 4.0.12-git https://github.com/drftpd-ng/drftpd', undefined, 'drftpd'],
    ['ioFTPD [www: ioftpd.com] - [version: 7.7.3]', undefined, 'ioftpd'],
    ['FileZilla Server 1.8.0', undefined, 'filezilla'],
    ['Welcome', 'UNIX emulated by FileZilla', 'filezilla'],
    ['Serv-U FTP Server v15.4 ready...', undefined, 'serv-u'],
    ['pasv embedded FTP server ready.', undefined, 'pasv-embedded'],
    ['Welcome to my server', 'UNIX Type: L8', null],
    ['', undefined, null],
  ] as const)('%j (SYST %j) is %s', (greeting, syst, kind) => {
    expect(identifyServer(greeting, syst)).toBe(kind);
  });
});

const refusal = (
  phase: Refusal['phase'],
  code: number | undefined,
  text: string,
  extra: Partial<Refusal> = {},
): Refusal => ({
  phase,
  side: 'source',
  ...(code === undefined ? {} : { code }),
  text,
  ...extra,
});

describe('diagnoseRefusal', () => {
  // One case per row of DIAGNOSES, in its order; the texts are the servers' own where we could collect them.
  const cases: Array<[string, Refusal, Parameters<typeof diagnoseRefusal>[1], RegExp]> = [
    ['vsftpd PORT', refusal('port', 500, 'Illegal PORT command.'), 'vsftpd', /port_promiscuous=YES/],
    ['vsftpd passive', refusal('transfer', 425, 'Security: Bad IP connecting.'), 'vsftpd', /pasv_promiscuous=YES/],
    ['vsftpd TLS', refusal('tls', 426, 'Failure reading network stream.'), 'vsftpd', /require_ssl_reuse=NO/],
    ['ProFTPD PORT', refusal('port', 500, 'Illegal PORT command'), 'proftpd', /AllowForeignAddress on/],
    [
      'ProFTPD passive',
      refusal('transfer', 425, 'Unable to build data connection: Permission denied'),
      'proftpd',
      /AllowForeignAddress on/,
    ],
    [
      'ProFTPD TLS',
      refusal('tls', 426, 'Transfer aborted. Data connection closed'),
      'proftpd',
      /TLSOptions NoSessionReuseRequired/,
    ],
    [
      'pure-ftpd PORT',
      refusal('port', 500, "I won't open a connection to 127.0.0.3 (only to 127.0.0.1)"),
      'pure-ftpd',
      /-w \(--allowuserfxp/,
    ],
    [
      'pure-ftpd passive',
      refusal('transfer', undefined, 'no final reply within 4000 ms'),
      'pure-ftpd',
      /drops it.*-w \(--allowuserfxp/,
    ],
    ['glFTPd', refusal('port', 500, 'FXP not allowed'), 'glftpd', /allow_fxp yes yes yes \*/],
    ['drftpd', refusal('transfer', 425, "Can't open data connection"), 'drftpd', /deny_upfxp .*deny_dnfxp/],
    ['embedded', refusal('port', 500, 'Illegal PORT command.'), 'pasv-embedded', /allowFxp: true/],
    ['ioFTPD', refusal('port', 500, 'Illegal PORT'), 'ioftpd', /^ioFTPD refused .*allow FXP/],
    [
      'FileZilla',
      refusal('transfer', 425, "Can't open data connection"),
      'filezilla',
      /^FileZilla Server refused .*allow FXP/,
    ],
    [
      'Serv-U',
      refusal('port', 504, 'Command not implemented for that parameter'),
      'serv-u',
      /only between the FTP client and the server/,
    ],
    ['secure FXP only', refusal('transfer', 427, 'Use SSL FXP'), null, /allows only secure FXP/],
    ['any PORT', refusal('port', 501, 'Invalid port'), null, /PORT to other hosts/],
    ['any PASV', refusal('pasv', 500, 'PASV not allowed'), null, /PASV refused/],
    [
      'any passive side',
      refusal('transfer', 425, 'Cannot open data connection'),
      null,
      /data connections from other hosts/,
    ],
    ['any TLS', refusal('tls', 522, 'SSL connection failed'), null, /TLS client \(SSCN or CPSV\)/],
  ];

  it('has a case for every row', () => {
    expect(cases).toHaveLength(DIAGNOSES.length);
  });

  it.each(cases)('%s', (_name, input, kind, hint) => {
    expect(diagnoseRefusal(input, kind)).toMatch(hint);
  });

  it('falls back to the general hint when a known server answers something else', () => {
    expect(diagnoseRefusal(refusal('port', 501, 'Syntax error'), 'vsftpd')).toMatch(/PORT to other hosts/);
    expect(diagnoseRefusal(refusal('transfer', 425, 'Security: Bad IP connecting.'), null)).toMatch(
      /data connections from other hosts/,
    );
    // pure-ftpd's silent passive side is told apart from one that answered.
    expect(diagnoseRefusal(refusal('transfer', 425, 'No data connection'), 'pure-ftpd')).toMatch(/^the server/);
  });

  it('names TLSVerifyServer for ProFTPD as the SSCN client, and only session reuse as the TLS server', () => {
    const tls = (tlsClient?: boolean) =>
      diagnoseRefusal(refusal('tls', 426, 'Data connection closed', { tlsClient }), 'proftpd');
    expect(tls(true)).toMatch(/^ProFTPD, as the SSCN client .*TLSVerifyServer off.*NoSessionReuseRequired/);
    expect(tls(false)).not.toMatch(/TLSVerifyServer/);
    expect(tls(undefined)).toMatch(/NoSessionReuseRequired.*TLSVerifyServer off/);
  });

  it('says nothing about a PRET demand: the ladder answers it, not the admin', () => {
    expect(
      diagnoseRefusal(refusal('pasv', 500, 'You need to use a client supporting PRET (PRE Transfer)'), 'drftpd'),
    ).toBeNull();
  });
});

describe('refusalOf', () => {
  it('takes the code and text of a reply, and only the message of a silent side', () => {
    const replied = new FxpRefusedError(
      'port',
      'source',
      new FtpReplyError(500, 'Illegal PORT command.', 'PORT 127,0,0,3,1,2'),
    );
    expect(refusalOf(replied)).toEqual({ phase: 'port', side: 'source', code: 500, text: 'Illegal PORT command.' });
    const silent = new FxpRefusedError('transfer', 'destination', new FtpConnectionError('timeout', 'no reply'));
    expect(refusalOf(silent, false)).toEqual({
      phase: 'transfer',
      side: 'destination',
      text: 'no reply',
      tlsClient: false,
    });
  });
});

describe('diagnosisMarkdown', () => {
  it('is a table with a row per named server row', () => {
    const lines = diagnosisMarkdown().split('\n');
    expect(lines[0]).toBe('| server | when | what the refusal looks like | what to tell its admin |');
    expect(lines).toHaveLength(2 + DIAGNOSES.filter((row) => row.server !== null).length);
    expect(lines.find((line) => line.startsWith('| vsftpd | port |'))).toContain('port_promiscuous=YES');
  });
});
