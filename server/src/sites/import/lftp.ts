/**
 * lftp bookmarks (~/.local/share/lftp/bookmarks): one `name<TAB or spaces>url` a line. The URL
 * carries user and password only when lftp was told `set bmk:save-passwords yes`.
 */
import { checked, type ImportCandidate } from './candidate.js';

const URL_PATTERN =
  /^([a-z][a-z0-9+.-]*):\/\/(?:([^@/]*)@)?(\[[0-9A-Fa-f:.]+\]|[^:/?#[\]@]+)(?::(\d{1,5}))?(\/[^?#]*)?$/i;

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function parseLftpBookmarks(text: string): ImportCandidate[] {
  const candidates: ImportCandidate[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const split = /^(\S+)\s+(\S+)$/.exec(line);
    if (!split) continue;
    const [, name, url] = split as unknown as [string, string, string];
    const match = URL_PATTERN.exec(url);
    if (!match) {
      candidates.push({ name: decode(name), host: '', port: 21, user: '', tls: 'none', unsupported: 'not a URL' });
      continue;
    }
    const [, scheme, credentials, rawHost, rawPort] = match;
    const protocol = scheme!.toLowerCase();
    const tls = protocol === 'ftps' ? 'implicit' : 'none';
    const colon = credentials?.indexOf(':') ?? -1;
    const user =
      credentials === undefined ? 'anonymous' : decode(colon < 0 ? credentials : credentials.slice(0, colon));
    const password = credentials !== undefined && colon >= 0 ? decode(credentials.slice(colon + 1)) : undefined;
    candidates.push(
      checked({
        name: decode(name),
        host: rawHost!.startsWith('[') ? rawHost!.slice(1, -1) : rawHost!,
        port: rawPort ? Number(rawPort) : tls === 'implicit' ? 990 : 21,
        user: user || 'anonymous',
        ...(password ? { password } : {}),
        tls,
        ...(protocol === 'ftp' || protocol === 'ftps' ? {} : { unsupported: `${protocol}:// is not FTP` }),
      }),
    );
  }
  return candidates;
}
