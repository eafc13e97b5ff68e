/**
 * FileZilla's Site Manager export (sitemanager.xml): <Servers> with <Server> and nested
 * <Folder>s, whose names become a "Folder/Sub/" prefix. fast-xml-parser (maintained, no
 * native code) reads it with entity expansion off, so an entity bomb stays literal text;
 * a DOCTYPE is refused outright since FileZilla never writes one.
 */
import { XMLParser } from 'fast-xml-parser';
import type { PassivePreference, TlsMode } from '../../../../contract/index.js';
import { InvalidFieldError } from '../../errors.js';
import { checked, type ImportCandidate } from './candidate.js';

type Node = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  processEntities: false,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => name === 'Server' || name === 'Folder',
});

/** FileZilla's Protocol: 0 FTP with TLS if available, 1 SFTP, 3 implicit FTPS, 4 explicit FTPS, 6 plain FTP. */
function protocol(value: string): { tls: TlsMode } | { unsupported: string } {
  switch (value) {
    case '':
    case '0':
    case '4':
      return { tls: 'explicit' };
    case '3':
      return { tls: 'implicit' };
    case '6':
      return { tls: 'none' };
    case '1':
      return { unsupported: 'SFTP is not FTP' };
    default:
      return { unsupported: `FileZilla protocol ${value} is not supported` };
  }
}

const PASV_MODES: Record<string, PassivePreference> = { MODE_ACTIVE: 'active', MODE_PASSIVE: 'passive' };

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** XML's own five entities and character references, decoded once: nothing can expand into more markup. */
function unescape(value: string): string {
  return value.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|amp|lt|gt|quot|apos);/gi, (whole, ref: string) => {
    if (ref[0] !== '#') return ENTITIES[ref.toLowerCase()] ?? whole;
    const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

const text = (node: Node, key: string): string => {
  const value = node[key];
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return unescape(String((value as Node)['#text'] ?? ''));
  return unescape(String(value));
};

function password(server: Node): string | undefined {
  const pass = server.Pass;
  if (pass === undefined || pass === '') return undefined;
  if (typeof pass === 'object') {
    const node = pass as Node;
    const raw = String(node['#text'] ?? '');
    return node['@encoding'] === 'base64' ? Buffer.from(raw, 'base64').toString('utf8') : unescape(raw);
  }
  return unescape(String(pass));
}

function server(node: Node, prefix: string): ImportCandidate {
  const how = protocol(text(node, 'Protocol'));
  const tls = 'tls' in how ? how.tls : 'none';
  // Logontype 0 is anonymous; 2 (ask) and 3 (interactive) keep no password.
  const logon = text(node, 'Logontype');
  const anonymous = logon === '0';
  const secret = anonymous || logon === '2' || logon === '3' ? undefined : password(node);
  const port = text(node, 'Port');
  const passive = PASV_MODES[text(node, 'PasvMode')];
  return checked({
    name: `${prefix}${text(node, 'Name') || text(node, 'Host')}`.slice(0, 100),
    host: text(node, 'Host'),
    port: port ? Number(port) : tls === 'implicit' ? 990 : 21,
    user: anonymous ? 'anonymous' : text(node, 'User') || 'anonymous',
    ...(secret ? { password: secret } : {}),
    tls,
    ...(passive ? { passive } : {}),
    ...('unsupported' in how ? { unsupported: how.unsupported } : {}),
  });
}

function walk(node: Node, prefix: string, out: ImportCandidate[], depth: number): void {
  if (depth > 32) throw new InvalidFieldError('text', 'folders nested deeper than 32 levels');
  for (const child of (node.Server as Node[] | undefined) ?? [])
    out.push(server(typeof child === 'object' ? child : {}, prefix));
  for (const folder of (node.Folder as Node[] | undefined) ?? []) {
    if (typeof folder !== 'object') continue;
    // The folder's name is its own text, next to its child elements.
    const name = unescape(String(folder['#text'] ?? '').trim());
    walk(folder, name ? `${prefix}${name}/` : prefix, out, depth + 1);
  }
}

export function parseFileZilla(xml: string): ImportCandidate[] {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml))
    throw new InvalidFieldError('text', 'a DOCTYPE or entity declaration is not allowed');
  let document: Node;
  try {
    document = parser.parse(xml, true) as Node;
  } catch (error) {
    throw new InvalidFieldError('text', `not XML: ${(error as Error).message.split('\n')[0]}`);
  }
  const servers = (document.FileZilla3 as Node | undefined)?.Servers;
  if (!servers || typeof servers !== 'object')
    throw new InvalidFieldError('text', 'no <FileZilla3><Servers> in this file');
  const out: ImportCandidate[] = [];
  walk(servers as Node, '', out, 0);
  return out;
}
