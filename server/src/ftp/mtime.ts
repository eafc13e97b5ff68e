/**
 * Setting a file's modification time, so that a mirror's next compare by size and time sees
 * a copied file as equal: MFMT (draft-somers-ftp-mfxx) where FEAT offers it, else
 * `SITE UTIME <time> <path>` (ProFTPD's mod_site_misc form). Servers with neither say so
 * with a false, never by throwing: the caller notes it and compares by size.
 */
import { FtpReplyError } from './errors.js';
import { normalizeRemotePath } from './path.js';
import type { FtpSession } from './session.js';

/** YYYYMMDDHHMMSS in UTC, as MDTM, MFMT and SITE UTIME spell a time. */
export function timeVal(iso: string): string {
  return new Date(iso).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

export async function setModifiedAt(session: FtpSession, path: string, iso: string): Promise<boolean> {
  const file = normalizeRemotePath(path);
  const time = timeVal(iso);
  try {
    if (session.features.has('MFMT')) await session.send('MFMT', `${time} ${file}`);
    else await session.send('SITE', `UTIME ${time} ${file}`);
    return true;
  } catch (error) {
    if (error instanceof FtpReplyError && error.code >= 500) return false;
    throw error;
  }
}
