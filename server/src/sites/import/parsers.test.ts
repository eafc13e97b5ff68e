import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidFieldError } from '../../errors.js';
import { parseFileZilla } from './filezilla.js';
import { parseLftpBookmarks } from './lftp.js';
import { openPasswords, parsePasvExport, sealPasswords } from './pasv-json.js';

const fixture = fs.readFileSync(new URL('../../../test/fixtures/filezilla/sitemanager.xml', import.meta.url), 'utf8');
const wrap = (servers: string) => `<?xml version="1.0"?><FileZilla3><Servers>${servers}</Servers></FileZilla3>`;

describe('parseFileZilla', () => {
  // A level's servers come before its folders' (the parser groups them).
  it('reads a real sitemanager.xml: folders as prefixes, protocols, base64 passwords, logon and passive modes', () => {
    expect(parseFileZilla(fixture)).toEqual([
      { name: 'Example', host: 'ftp.example.org', port: 21, user: 'alice', password: 's3cret été', tls: 'explicit' },
      { name: 'Old & plain', host: 'old.example.com', port: 21, user: 'dave', password: 'plain-text-old', tls: 'none' },
      {
        name: 'Work/Vault',
        host: '10.1.2.3',
        port: 990,
        user: 'bob',
        password: 'hunter2',
        tls: 'implicit',
        passive: 'active',
      },
      {
        name: 'Work/Mirrors/Public mirror',
        host: 'mirror.example.net',
        port: 2121,
        user: 'anonymous',
        tls: 'explicit',
        passive: 'passive',
      },
      {
        name: 'Work/Mirrors/Shell box',
        host: 'sftp.example.net',
        port: 22,
        user: 'carol',
        tls: 'none',
        unsupported: 'SFTP is not FTP',
      },
    ]);
  });

  it.each([
    ['a DOCTYPE (entity bomb)', '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><FileZilla3/>', /DOCTYPE/],
    ['not XML', '<FileZilla3><Servers><Server>', /not XML|no <FileZilla3>/],
    ['another XML file', '<?xml version="1.0"?><html><body/></html>', /no <FileZilla3>/],
  ])('refuses %s', (_what, xml, message) => {
    expect(() => parseFileZilla(xml)).toThrow(InvalidFieldError);
    expect(() => parseFileZilla(xml)).toThrow(message);
  });

  it('marks rows the site schema would refuse instead of failing the file', () => {
    const rows = parseFileZilla(
      wrap('<Server><Host>bad host</Host><Name>x</Name></Server><Server><Host>h</Host><Port>99999</Port></Server>'),
    );
    expect(rows.map((row) => row.unsupported)).toEqual([
      expect.stringContaining('host'),
      expect.stringContaining('port'),
    ]);
  });

  it('reads a large file (4000 servers) without trouble', () => {
    const many = Array.from(
      { length: 4000 },
      (_, i) => `<Server><Host>h${i}.example.org</Host><Name>s${i}</Name></Server>`,
    );
    expect(parseFileZilla(wrap(many.join('')))).toHaveLength(4000);
  });
});

describe('parseLftpBookmarks', () => {
  it('reads name and URL lines, with percent-decoding, ports, IPv6 and what is not FTP', () => {
    const text = [
      '# lftp bookmarks',
      'local\tftp://demo:p%40ss@127.0.0.1:2121/pub',
      'secure ftps://bob@ftp.example.org',
      'v6\tftp://[::1]:21/',
      'anon ftp.example.org',
      'shell sftp://carol@box.example.org',
      '',
    ].join('\n');
    expect(parseLftpBookmarks(text)).toEqual([
      { name: 'local', host: '127.0.0.1', port: 2121, user: 'demo', password: 'p@ss', tls: 'none' },
      { name: 'secure', host: 'ftp.example.org', port: 990, user: 'bob', tls: 'implicit' },
      { name: 'v6', host: '::1', port: 21, user: 'anonymous', tls: 'none' },
      { name: 'anon', host: '', port: 21, user: '', tls: 'none', unsupported: 'not a URL' },
      {
        name: 'shell',
        host: 'box.example.org',
        port: 21,
        user: 'carol',
        tls: 'none',
        unsupported: 'sftp:// is not FTP',
      },
    ]);
  });

  it('marks a line break smuggled in by percent-encoding', () => {
    expect(parseLftpBookmarks('x ftp://a%0D%0ADELE@host')[0]!.unsupported).toMatch(/line break/);
  });
});

describe('pasv export', () => {
  it('seals passwords with a passphrase and opens them only with it', async () => {
    const sealed = await sealPasswords({ '0': 'hunter2' }, 'correct passphrase');
    expect(sealed).toMatchObject({ cipher: 'aes-256-gcm', kdf: 'scrypt', N: 32768, r: 8, p: 1 });
    expect(JSON.stringify(sealed)).not.toContain('hunter2');
    expect(await openPasswords(sealed, 'correct passphrase')).toEqual({ '0': 'hunter2' });
    await expect(openPasswords(sealed, 'wrong passphrase')).rejects.toThrow(/wrong passphrase/);
    // The parameters are authenticated: a lowered work factor does not open.
    await expect(openPasswords({ ...sealed, N: 16384 }, 'correct passphrase')).rejects.toThrow(/wrong passphrase/);
    await expect(openPasswords({ ...sealed, N: 2 ** 24 }, 'correct passphrase')).rejects.toThrow(/scrypt parameters/);
  });

  it('needs the passphrase when the file has passwords, and refuses what is not an export', async () => {
    const site = {
      name: 'a',
      host: 'h',
      port: 21,
      user: 'u',
      tls: 'none',
      fingerprint256: null,
      maxConnections: 2,
      passive: 'auto',
      relayAllowed: true,
      allowClearData: false,
      pasvAddress: 'control',
      pret: 'auto',
    };
    const document = {
      format: 'pasv-sites',
      version: 1,
      exportedAt: '',
      sites: [site],
      passwords: await sealPasswords({ '0': 'pw' }, 'pass phrase'),
    };
    await expect(parsePasvExport(JSON.stringify(document), undefined)).rejects.toThrow(/passphrase/);
    expect((await parsePasvExport(JSON.stringify(document), 'pass phrase'))[0]).toMatchObject({
      name: 'a',
      password: 'pw',
    });
    await expect(parsePasvExport('{"format":"other"}', undefined)).rejects.toThrow(/not a pasv site export/);
    await expect(parsePasvExport('nope', undefined)).rejects.toThrow(/not JSON/);
  });

  it('carries the egress tag, absent in older files, and marks a row whose tag is not one', async () => {
    const site = (egress?: string | null) => ({
      name: `site-${String(egress)}`,
      host: 'h',
      port: 21,
      user: 'u',
      tls: 'none',
      fingerprint256: null,
      maxConnections: 2,
      passive: 'auto',
      relayAllowed: true,
      allowClearData: false,
      pasvAddress: 'control',
      pret: 'auto',
      ...(egress === undefined ? {} : { egress }),
    });
    const text = JSON.stringify({
      format: 'pasv-sites',
      version: 1,
      exportedAt: '',
      sites: [site('eu-1'), site(null), site(), site('a_b')],
    });
    const [tagged, cleared, old, bad] = await parsePasvExport(text, undefined);
    expect(tagged).toMatchObject({ settings: { egress: 'eu-1' } });
    expect(tagged!.unsupported).toBeUndefined();
    expect(cleared).toMatchObject({ settings: { egress: null } });
    expect(old!.settings).not.toHaveProperty('egress');
    expect(bad!.unsupported).toMatch(/"a_b" is not an egress tag/);
  });
});
