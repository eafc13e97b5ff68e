/**
 * A pasted `ftp://user:pass@host:port/path` or `ftps://…` (implicit TLS) URL as form values.
 * WHATWG URL does not parse ftps:// as a special scheme, so this reads the parts itself.
 */
import type { TlsMode } from '../../../../../contract/index.js';

export interface ParsedSiteUrl {
  host: string;
  port: string;
  tls: TlsMode;
  user?: string;
  password?: string;
  /** The folder to start in, decoded ("/pub/releases"); absent for "/" or none. */
  path?: string;
}

const URL_PATTERN = /^(ftps?):\/\/(?:([^@/]*)@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?(\/[^?#]*)?$/i;
const CONTROL = /[\r\n\0]/;

function decode(text: string): string | null {
  try {
    const value = decodeURIComponent(text);
    return CONTROL.test(value) ? null : value;
  } catch {
    return null;
  }
}

/** Null when the text is not such a URL, or has a bad escape, a control character or a port out of range. */
export function parseSiteUrl(text: string): ParsedSiteUrl | null {
  const match = URL_PATTERN.exec(text.trim());
  if (!match) return null;
  const [, scheme, credentials, rawHost, rawPort, rawPath] = match;
  const tls: TlsMode = scheme!.toLowerCase() === 'ftps' ? 'implicit' : 'none';
  const port = rawPort ?? (tls === 'implicit' ? '990' : '21');
  if (Number(port) < 1 || Number(port) > 65535) return null;
  const host = rawHost!.startsWith('[') ? rawHost!.slice(1, -1) : rawHost!.toLowerCase();
  const parsed: ParsedSiteUrl = { host, port: String(Number(port)), tls };
  if (credentials !== undefined) {
    const colon = credentials.indexOf(':');
    const user = decode(colon < 0 ? credentials : credentials.slice(0, colon));
    const password = colon < 0 ? undefined : decode(credentials.slice(colon + 1));
    if (user === null || password === null) return null;
    if (user) parsed.user = user;
    if (password !== undefined) parsed.password = password;
  }
  if (rawPath && rawPath !== '/') {
    const path = decode(rawPath.replace(/\/+$/, ''));
    if (path === null) return null;
    parsed.path = path;
  }
  return parsed;
}
