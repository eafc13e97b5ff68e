/**
 * Features from the text of a 211 FEAT reply (RFC 2389): the lines between the first
 * and the last, e.g. " MLST type*;size*;modify*;" → MLST ⇒ "type*;size*;modify*;".
 * A feature listed twice (AUTH TLS, AUTH SSL) keeps every value, joined with ' '.
 */
export function parseFeatures(text: string): Map<string, string> {
  const features = new Map<string, string>();
  const lines = text.split('\n').slice(1, -1);
  for (const raw of lines) {
    // Some servers repeat "211-" on every line instead of indenting.
    const line = raw.replace(/^\d{3}-/, '').trim();
    if (line === '') continue;
    const space = line.search(/\s/);
    const key = (space === -1 ? line : line.slice(0, space)).toUpperCase();
    const value = space === -1 ? '' : line.slice(space).trim();
    features.set(key, [features.get(key), value].filter((v) => v !== undefined && v !== '').join(' '));
  }
  return features;
}

// Strongest first, so a caller taking the first common entry gets the best one.
const LEGACY_HASH_COMMANDS = ['XSHA256', 'XSHA1', 'XMD5', 'XCRC'];

/**
 * What a server can hash, so two servers' lists can be intersected: the algorithms of
 * HASH (draft-bryan-ftp-hash; '*' marks the current one) in the server's order, then
 * the legacy XSHA256/XSHA1/XMD5/XCRC commands it lists, named by the command.
 */
export function hashAlgorithms(features: Map<string, string>): string[] {
  const found = new Set<string>();
  for (const name of (features.get('HASH') ?? '').split(';')) {
    const algorithm = name.replace(/\*/g, '').trim().toUpperCase();
    if (algorithm !== '') found.add(algorithm);
  }
  for (const command of LEGACY_HASH_COMMANDS) {
    if (features.has(command)) found.add(command);
  }
  return [...found];
}
