/**
 * File operations over one control session. Every path is absolute; none depends on the
 * session's working directory, so pooled sessions can be shared between callers.
 */
import type { Readable } from 'node:stream';
import { connectData, requestPassive } from './data.js';
import { FtpConnectionError, FtpReplyError } from './errors.js';
import { parseListing, type ListEntry } from './listing.js';
import { joinRemote, normalizeRemotePath, parentOf } from './path.js';
import type { FtpSession } from './session.js';

/** A listing larger than this is refused: a hostile server cannot exhaust our memory. */
const MAX_LISTING_BYTES = 64 * 1024 * 1024;

export interface Listing {
  path: string;
  entries: ListEntry[];
  /** Lines dropped: malformed, or naming an entry unsafely (see validateListedName). */
  rejected: number;
  /** The unsafe names among them, escaped for display (displayName). */
  unsafeNames: string[];
}

/** MLSD where the server offers it (exact sizes and UTC times), LIST otherwise. */
export async function list(session: FtpSession, path: string): Promise<Listing> {
  const dir = normalizeRemotePath(path);
  await session.binary();
  const useMlsd = session.features.has('MLST');
  if (!useMlsd) {
    // LIST's argument is read as `ls` options by many servers ("-a", names with spaces):
    // enter the directory and list it without one.
    await session.send('CWD', dir);
  }
  const endpoint = await requestPassive(session, useMlsd ? `MLSD ${dir}` : 'LIST');
  const socket = await connectData(session, endpoint);
  const command = useMlsd ? session.transfer('MLSD', dir) : session.transfer('LIST');
  try {
    const [text] = await Promise.all([readAll(socket, MAX_LISTING_BYTES), command.done]);
    return { path: dir, ...parseListing(text) };
  } catch (error) {
    socket.destroy();
    await command.done.catch(() => undefined);
    throw error;
  }
}

/** SIZE in bytes, or null when the file does not exist (550). `quiet` for routine polls. */
export async function size(session: FtpSession, path: string, options: { quiet?: boolean } = {}): Promise<number | null> {
  await session.binary();
  try {
    const reply = await session.send('SIZE', normalizeRemotePath(path), options);
    const value = Number.parseInt(reply.text.trim(), 10);
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new FtpConnectionError('protocol', `SIZE answered something that is not a size: ${reply.text}`);
    }
    return value;
  } catch (error) {
    if (error instanceof FtpReplyError && error.code === 550) return null;
    throw error;
  }
}

/** MDTM as an ISO date, or null when unknown. */
export async function modifiedAt(session: FtpSession, path: string): Promise<string | null> {
  try {
    const reply = await session.send('MDTM', normalizeRemotePath(path));
    const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})/.exec(reply.text.trim());
    return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z` : null;
  } catch (error) {
    if (error instanceof FtpReplyError) return null;
    throw error;
  }
}

export async function makeDirectory(session: FtpSession, path: string): Promise<void> {
  await session.send('MKD', normalizeRemotePath(path));
}

/**
 * Make sure a directory and its parents exist. Walks up until a CWD succeeds, then creates
 * the missing levels downward; a 550 on MKD of a level that appeared meanwhile is fine.
 */
export async function ensureDirectory(session: FtpSession, path: string): Promise<void> {
  const target = normalizeRemotePath(path);
  const missing: string[] = [];
  let current = target;
  while (current !== '/') {
    try {
      await session.send('CWD', current);
      break;
    } catch (error) {
      if (!(error instanceof FtpReplyError)) throw error;
      missing.unshift(current);
      current = parentOf(current);
    }
  }
  for (const dir of missing) {
    try {
      await session.send('MKD', dir);
    } catch (error) {
      if (!(error instanceof FtpReplyError)) throw error;
      await session.send('CWD', dir); // created by a parallel job? Otherwise this throws the real cause.
    }
  }
}

export async function deleteFile(session: FtpSession, path: string): Promise<void> {
  await session.send('DELE', normalizeRemotePath(path));
}

/** Remove a directory with everything below it. */
export async function removeTree(session: FtpSession, path: string): Promise<void> {
  const dir = normalizeRemotePath(path);
  const { entries } = await list(session, dir);
  for (const entry of entries) {
    const child = joinRemote(dir, entry.name);
    if (entry.type === 'dir') await removeTree(session, child);
    else await deleteFile(session, child);
  }
  await session.send('RMD', dir);
}

export async function rename(session: FtpSession, from: string, to: string): Promise<void> {
  await session.send('RNFR', normalizeRemotePath(from));
  await session.send('RNTO', normalizeRemotePath(to));
}

async function readAll(stream: Readable, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      stream.destroy();
      throw new FtpConnectionError('protocol', `listing larger than ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
