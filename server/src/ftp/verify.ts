/**
 * Verification by a hash both servers compute: HASH (draft-bryan-ftp-hash) or the older
 * XSHA256/XSHA1/XMD5/XCRC commands. SIZE is always compared by the copy itself.
 */
import { FtpConnectionError } from './errors.js';
import { hashAlgorithms } from './features.js';
import { normalizeRemotePath } from './path.js';
import type { FtpControl, FtpSession } from './session.js';

/** Strongest first. Names as HASH spells them; the X-commands map onto them. */
const PREFERENCE = ['SHA-512', 'SHA-256', 'SHA-1', 'MD5', 'CRC32'] as const;
const LEGACY_COMMAND: Record<string, string> = { 'SHA-256': 'XSHA256', 'SHA-1': 'XSHA1', MD5: 'XMD5', CRC32: 'XCRC' };

interface HashMethod {
  algorithm: string;
  /** 'HASH' (with OPTS HASH) or the legacy command. */
  command: string;
}

function methodsOf(session: FtpSession): HashMethod[] {
  const algorithms = hashAlgorithms(session.features);
  const viaHash = session.features.has('HASH');
  const methods: HashMethod[] = [];
  for (const algorithm of PREFERENCE) {
    if (viaHash && algorithms.includes(algorithm)) methods.push({ algorithm, command: 'HASH' });
    else if (LEGACY_COMMAND[algorithm] && algorithms.includes(LEGACY_COMMAND[algorithm])) {
      methods.push({ algorithm, command: LEGACY_COMMAND[algorithm] });
    }
  }
  return methods;
}

/** The strongest algorithm both servers offer, with how to ask each for it. */
export function commonHash(a: FtpSession, b: FtpSession): { algorithm: string; a: HashMethod; b: HashMethod } | null {
  const ofB = methodsOf(b);
  for (const method of methodsOf(a)) {
    const match = ofB.find((m) => m.algorithm === method.algorithm);
    if (match) return { algorithm: method.algorithm, a: method, b: match };
  }
  return null;
}

/** Ask the server for a file's hash; lower-case hex. OPTS HASH and HASH are one task: the choice is session state. */
export async function remoteHash(control: FtpControl, path: string, method: HashMethod): Promise<string> {
  const file = normalizeRemotePath(path);
  if (method.command === 'HASH') {
    const reply = await control.task(async (task) => {
      await task.send('OPTS', `HASH ${method.algorithm}`);
      return task.send('HASH', file);
    });
    // "213 SHA-256 0-49 <hex> <name>"
    const hex = /^\S+\s+\d+-\d+\s+([0-9a-fA-F]+)/.exec(reply.text.trim())?.[1];
    if (!hex) throw new FtpConnectionError('protocol', `unreadable HASH reply: ${reply.text}`);
    return hex.toLowerCase();
  }
  const reply = await control.send(method.command, file);
  const hex = /\b([0-9a-fA-F]{8,128})\b/.exec(reply.text)?.[1];
  if (!hex) throw new FtpConnectionError('protocol', `unreadable ${method.command} reply: ${reply.text}`);
  return hex.toLowerCase();
}
