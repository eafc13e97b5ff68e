/**
 * File operations over one control session. Every path is absolute; none depends on the
 * session's working directory, so pooled sessions can be shared between callers. Each
 * multi-command operation runs as one task (task.ts); handed a running task, it joins it.
 */
import type { Readable } from 'node:stream';
import { connectData, requestPassive } from './data.js';
import { FtpConnectionError, FtpReplyError } from './errors.js';
import { parseListing, type ListEntry } from './listing.js';
import { joinRemote, normalizeRemotePath, parentOf } from './path.js';
import type { FtpControl } from './session.js';

/** A listing larger than this is refused: a hostile server cannot exhaust our memory. */
const MAX_LISTING_BYTES = 64 * 1024 * 1024;

export interface Listing {
  path: string;
  entries: ListEntry[];
  /** Entries dropped because their names were unsafe (CR/LF/NUL, '/', '..'). */
  rejected: number;
}

/** MLSD where the server offers it (exact sizes and UTC times), LIST otherwise. */
export function list(control: FtpControl, path: string): Promise<Listing> {
  const dir = normalizeRemotePath(path);
  return control.task(async (task) => {
    await task.binary();
    const useMlsd = task.session.features.has('MLST');
    if (!useMlsd) {
      // LIST's argument is read as `ls` options by many servers ("-a", names with spaces):
      // enter the directory and list it without one.
      await task.send('CWD', dir);
    }
    const endpoint = await requestPassive(task, useMlsd ? `MLSD ${dir}` : 'LIST');
    const socket = await connectData(task.session, endpoint);
    const command = useMlsd ? task.transfer('MLSD', dir) : task.transfer('LIST');
    try {
      const [text] = await Promise.all([readAll(socket, MAX_LISTING_BYTES), command.done]);
      const { entries, rejected } = parseListing(text);
      return { path: dir, entries, rejected };
    } catch (error) {
      socket.destroy();
      await command.done.catch(() => undefined);
      throw error;
    }
  });
}

/** SIZE in bytes, or null when the file does not exist (550). `quiet` for routine polls. */
export function size(control: FtpControl, path: string, options: { quiet?: boolean } = {}): Promise<number | null> {
  const file = normalizeRemotePath(path);
  return control.task(async (task) => {
    await task.binary();
    try {
      const reply = await task.send('SIZE', file, options);
      const value = Number.parseInt(reply.text.trim(), 10);
      if (!Number.isSafeInteger(value) || value < 0) {
        throw new FtpConnectionError('protocol', `SIZE answered something that is not a size: ${reply.text}`);
      }
      return value;
    } catch (error) {
      if (error instanceof FtpReplyError && error.code === 550) return null;
      throw error;
    }
  });
}

/** MDTM as an ISO date, or null when unknown. */
export async function modifiedAt(control: FtpControl, path: string): Promise<string | null> {
  try {
    const reply = await control.send('MDTM', normalizeRemotePath(path));
    const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})/.exec(reply.text.trim());
    return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z` : null;
  } catch (error) {
    if (error instanceof FtpReplyError) return null;
    throw error;
  }
}

export async function makeDirectory(control: FtpControl, path: string): Promise<void> {
  await control.send('MKD', normalizeRemotePath(path));
}

/**
 * Make sure a directory and its parents exist. Walks up until a CWD succeeds, then creates
 * the missing levels downward; a 550 on MKD of a level that appeared meanwhile is fine.
 */
export function ensureDirectory(control: FtpControl, path: string): Promise<void> {
  const target = normalizeRemotePath(path);
  return control.task(async (task) => {
    const missing: string[] = [];
    let current = target;
    while (current !== '/') {
      try {
        await task.send('CWD', current);
        break;
      } catch (error) {
        if (!(error instanceof FtpReplyError)) throw error;
        missing.unshift(current);
        current = parentOf(current);
      }
    }
    for (const dir of missing) {
      try {
        await task.send('MKD', dir);
      } catch (error) {
        if (!(error instanceof FtpReplyError)) throw error;
        await task.send('CWD', dir); // created by a parallel job? Otherwise this throws the real cause.
      }
    }
  });
}

export async function deleteFile(control: FtpControl, path: string): Promise<void> {
  await control.send('DELE', normalizeRemotePath(path));
}

/**
 * Remove a directory with everything below it. No state carries from one step to the next
 * (paths are absolute), so on a session each listing and each DELE is a task of its own:
 * a large tree does not hold the session from the progress probe for its whole removal.
 * Handed a task, every step runs inside it.
 */
export async function removeTree(control: FtpControl, path: string): Promise<void> {
  const dir = normalizeRemotePath(path);
  const { entries } = await list(control, dir);
  for (const entry of entries) {
    const child = joinRemote(dir, entry.name);
    if (entry.type === 'dir') await removeTree(control, child);
    else await deleteFile(control, child);
  }
  await control.send('RMD', dir);
}

/** RNFR and RNTO as one task: any command between them makes the server forget the RNFR (503). */
export function rename(control: FtpControl, from: string, to: string): Promise<void> {
  const [source, target] = [normalizeRemotePath(from), normalizeRemotePath(to)];
  return control.task(async (task) => {
    await task.send('RNFR', source);
    await task.send('RNTO', target);
  });
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
