import { describe, it, expect } from 'vitest';
import { hashAlgorithms, parseFeatures } from './features.js';
import { parseReplies } from './reply.js';

/** The text of the reply, as the session hands it over. */
function featText(raw: string): string {
  const { replies, rest } = parseReplies(raw);
  expect(rest).toBe('');
  expect(replies).toHaveLength(1);
  return replies[0]?.text ?? '';
}

const PROFTPD =
  '211-Features:\r\n' +
  ' AUTH TLS\r\n' +
  ' CCC\r\n' +
  ' CLNT\r\n' +
  ' EPRT\r\n' +
  ' EPSV\r\n' +
  ' HOST\r\n' +
  ' LANG en-US.UTF-8*;en-US\r\n' +
  ' MDTM\r\n' +
  ' MFF modify;UNIX.group;UNIX.mode;\r\n' +
  ' MFMT\r\n' +
  ' MLST modify*;perm*;size*;type*;unique*;UNIX.group*;UNIX.groupname*;UNIX.mode*;UNIX.owner*;UNIX.ownername*;\r\n' +
  ' PBSZ\r\n' +
  ' PROT\r\n' +
  ' REST STREAM\r\n' +
  ' SIZE\r\n' +
  ' SSCN\r\n' +
  ' TVFS\r\n' +
  ' UTF8\r\n' +
  '211 End\r\n';

const VSFTPD = '211-Features:\r\n EPRT\r\n EPSV\r\n MDTM\r\n PASV\r\n REST STREAM\r\n SIZE\r\n TVFS\r\n211 End\r\n';

const PURE_FTPD =
  '211-Extensions supported:\r\n' +
  ' UTF8\r\n' +
  ' EPRT\r\n' +
  ' IDLE\r\n' +
  ' MDTM\r\n' +
  ' SIZE\r\n' +
  ' MFMT\r\n' +
  ' REST STREAM\r\n' +
  ' MLST type*;size*;sizd*;modify*;UNIX.mode*;UNIX.uid*;UNIX.gid*;unique*;\r\n' +
  ' MLSD\r\n' +
  ' PRET\r\n' +
  ' AUTH TLS\r\n' +
  ' PBSZ\r\n' +
  ' PROT\r\n' +
  ' TVFS\r\n' +
  ' ESTA\r\n' +
  ' PASV\r\n' +
  ' EPSV\r\n' +
  ' ESTP\r\n' +
  '211 End.\r\n';

const HASHING =
  '211-Features:\r\n' +
  ' HASH SHA-256*;SHA-1;MD5\r\n' +
  ' AUTH TLS\r\n' +
  ' AUTH SSL\r\n' +
  ' XCRC\r\n' +
  ' XMD5 filename;start;end\r\n' +
  ' XSHA1\r\n' +
  ' XSHA256\r\n' +
  ' utf8\r\n' +
  '211 End\r\n';

describe('parseFeatures', () => {
  it('reads ProFTPD', () => {
    const features = parseFeatures(featText(PROFTPD));
    expect(features.get('MLST')).toBe(
      'modify*;perm*;size*;type*;unique*;UNIX.group*;UNIX.groupname*;UNIX.mode*;UNIX.owner*;UNIX.ownername*;',
    );
    expect(features.get('REST')).toBe('STREAM');
    expect(features.get('AUTH')).toBe('TLS');
    expect(features.get('UTF8')).toBe('');
    expect(features.get('LANG')).toBe('en-US.UTF-8*;en-US');
    expect(features.has('SSCN')).toBe(true);
    expect(features.has('FEATURES:')).toBe(false);
    expect(features.has('END')).toBe(false);
    expect(features.size).toBe(18);
  });

  it('reads vsftpd', () => {
    expect([...parseFeatures(featText(VSFTPD)).keys()]).toEqual([
      'EPRT',
      'EPSV',
      'MDTM',
      'PASV',
      'REST',
      'SIZE',
      'TVFS',
    ]);
  });

  it('reads pure-ftpd', () => {
    const features = parseFeatures(featText(PURE_FTPD));
    expect(features.get('MLST')).toBe('type*;size*;sizd*;modify*;UNIX.mode*;UNIX.uid*;UNIX.gid*;unique*;');
    expect(features.has('PRET')).toBe(true);
    expect(features.has('MLSD')).toBe(true);
    expect(features.has('EXTENSIONS')).toBe(false);
  });

  it('joins repeated features and upper-cases names', () => {
    const features = parseFeatures(featText(HASHING));
    expect(features.get('AUTH')).toBe('TLS SSL');
    expect(features.get('HASH')).toBe('SHA-256*;SHA-1;MD5');
    expect(features.get('XMD5')).toBe('filename;start;end');
    expect(features.get('UTF8')).toBe('');
  });

  it.each<[string, string, [string, string][]]>([
    ['single-line reply', 'No features', []],
    ['no feature lines', 'Features:\nEnd', []],
    [
      'bare LF and tabs',
      'Features:\n\tMDTM\n  SIZE  \nEnd',
      [
        ['MDTM', ''],
        ['SIZE', ''],
      ],
    ],
    [
      '211- prefixed lines',
      'Extensions supported:\n211-MDTM\n211-REST STREAM\nEnd',
      [
        ['MDTM', ''],
        ['REST', 'STREAM'],
      ],
    ],
    ['blank lines', 'Features:\n\n \nMDTM\nEnd', [['MDTM', '']]],
    ['a value with inner spaces', 'Features:\n SITE  CHMOD  UTIME\nEnd', [['SITE', 'CHMOD  UTIME']]],
    ['an empty value then a value', 'Features:\n AUTH\n AUTH TLS\nEnd', [['AUTH', 'TLS']]],
    [
      'hostile names',
      'F:\n __proto__ x\n constructor\nEnd',
      [
        ['__PROTO__', 'x'],
        ['CONSTRUCTOR', ''],
      ],
    ],
  ])('%s', (_name, text, expected) => {
    expect([...parseFeatures(text)]).toEqual(expected);
  });
});

describe('hashAlgorithms', () => {
  it.each<[string, string, string[]]>([
    [
      'HASH and the legacy commands',
      featText(HASHING),
      ['SHA-256', 'SHA-1', 'MD5', 'XSHA256', 'XSHA1', 'XMD5', 'XCRC'],
    ],
    ['none (ProFTPD)', featText(PROFTPD), []],
    ['none (vsftpd)', featText(VSFTPD), []],
    ['HASH alone, lower case', 'F:\n HASH sha-512;sha-256*;crc32;\nEnd', ['SHA-512', 'SHA-256', 'CRC32']],
    ['duplicates and empty items', 'F:\n HASH ;MD5;;md5*;\nEnd', ['MD5']],
    ['legacy only', 'F:\n XCRC\n XMD5\nEnd', ['XMD5', 'XCRC']],
    ['empty HASH', 'F:\n HASH\nEnd', []],
  ])('%s', (_name, text, expected) => {
    expect(hashAlgorithms(parseFeatures(text))).toEqual(expected);
  });

  it('lets two servers pick a common algorithm', () => {
    const a = hashAlgorithms(parseFeatures('F:\n HASH SHA-256*;SHA-1;MD5\n XMD5\nEnd'));
    const b = hashAlgorithms(parseFeatures('F:\n HASH MD5*;SHA-1\nEnd'));
    expect(a.find((x) => b.includes(x))).toBe('SHA-1');
  });
});
