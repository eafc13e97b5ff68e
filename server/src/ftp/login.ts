/**
 * What follows a server's greeting: the control connection secured as the options ask
 * (RFC 4217: AUTH TLS, PBSZ, PROT), the login (RFC 959 §4.1.1), the features (RFC 2389).
 */
import { FtpReplyError, ignoreReplyError } from './errors.js';
import { parseFeatures } from './features.js';
import type { FtpSession } from './session.js';
import type { SessionOptions } from './types.js';

export async function logIn(session: FtpSession, options: SessionOptions): Promise<void> {
  const mode = options.tls ?? 'none';
  if (mode === 'explicit') await session.startTls();
  if (mode !== 'none') {
    await session.send('PBSZ', '0');
    if (options.protectData !== false) {
      await session.send('PROT', 'P');
      session.dataProtected = true;
    }
  }
  const reply = await session.send('USER', options.user ?? 'anonymous');
  if (reply.code === 331 || reply.code === 332) await session.send('PASS', options.password ?? 'anonymous@');
  session.features = await readFeatures(session);
  if (session.features.has('UTF8')) await session.send('OPTS', 'UTF8 ON').catch(ignoreReplyError);
}

async function readFeatures(session: FtpSession): Promise<Map<string, string>> {
  try {
    return parseFeatures((await session.send('FEAT')).text);
  } catch (error) {
    if (error instanceof FtpReplyError) return new Map(); // FEAT is optional (RFC 2389)
    throw error;
  }
}
