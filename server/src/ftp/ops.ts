/**
 * File operations over one control session. Every path is absolute; none depends on the
 * session's working directory, so pooled sessions can be shared between callers. Each
 * multi-command operation runs as one task (task.ts); handed a running task, it joins it.
 */
import type { Readable } from 'node:stream';
import { CancelledError, untilAborted } from './cancel.js';
import { withTimeout } from './connect.js';
import { connectData, requestPassive, setSscn } from './data.js';
import { FtpConnectionError, FtpReplyError } from './errors.js';
import { ListingParser, type ListEntry, type ParsedListing } from './listing.js';
import { joinRemote, normalizeRemotePath, parentOf } from './path.js';
import type { FtpControl } from './session.js';

/** A listing larger than this is refused: a hostile server cannot exhaust our memory. */
const MAX_LISTING_BYTES = 64 * 1024 * 1024;
/** Defaults of SessionOptions.dataIdleTimeoutMs and listingTimeoutMs. */
const LISTING_IDLE_MS = 30_000;
const LISTING_TOTAL_MS = 10 * 60_000;

export interface Listing {
  path: string;
  entries: ListEntry[];
  /** Lines dropped: malformed, or naming an entry unsafely (see validateListedName). */
  rejected: number;
  /** The unsafe names among them, escaped for display (displayName). */
  unsafeNames: string[];
}

export interface ListOptions {
  /** Ends the listing at once, whatever the server is doing (CancelledError). */
  signal?: AbortSignal;
}

/**
 * MLSD where the server offers it (exact sizes and UTC times), LIST otherwise. Bounded in
 * time whatever the server does: its data connection by the session's idle and total limits,
 * its final reply by the reply timeout once the data has ended.
 */
export function list(control: FtpControl, path: string, { signal }: ListOptions = {}): Promise<Listing> {
  const dir = normalizeRemotePath(path);
  const step = <T>(work: Promise<T>) => untilAborted(work, signal);
  return control.task(async (task) => {
    const session = task.session;
    await step(task.binary());
    const useMlsd = session.features.has('MLST');
    const verb = useMlsd ? 'MLSD' : 'LIST';
    if (!useMlsd) {
      // LIST's argument is read as `ls` options by many servers ("-a", names with spaces):
      // enter the directory and list it without one.
      await step(task.send('CWD', dir));
    }
    await step(setSscn(task, false)); // we are the TLS client of this data connection
    const { endpoint } = await step(requestPassive(task, { pret: useMlsd ? `MLSD ${dir}` : 'LIST' }));
    const socket = await connectData(session, endpoint, { signal });
    const command = useMlsd ? task.transfer('MLSD', dir) : task.transfer('LIST');
    let answered = false;
    command.done.then(
      () => (answered = true),
      (error: Error) => {
        answered = true;
        socket.destroy(error); // a refusal (550) ends the read with the server's own words
      },
    );
    try {
      const parsed = await readListing(socket, verb, {
        idleMs: session.options.dataIdleTimeoutMs ?? LISTING_IDLE_MS,
        totalMs: session.options.listingTimeoutMs ?? LISTING_TOTAL_MS,
        signal,
      });
      const replyMs = session.replyTimeoutMs;
      const late = `${session.label}: no final reply to ${verb} within ${replyMs} ms after its data`;
      await step(withTimeout(command.done, replyMs, late));
      return { path: dir, ...parsed };
    } catch (error) {
      socket.destroy();
      // Mid-listing the server may still be sending, or may never speak again, and ABOR would
      // wait on the very server that went silent: a fresh session is cheap, one out of step is not.
      if (!answered) session.destroy();
      throw error;
    }
  });
}

/**
 * SIZE in bytes, or null when the file does not exist (550). `quiet` for routine polls.
 * `release`: the session may serve its next task as soon as the SIZE is written (sendLast) —
 * a lane's next file, whose PASV then goes out behind it instead of a round trip later.
 */
export async function size(
  control: FtpControl,
  path: string,
  options: { quiet?: boolean; release?: boolean } = {},
): Promise<number | null> {
  const file = normalizeRemotePath(path);
  const { reply } = await control.task(async (task) => {
    await task.binary();
    const quiet = { quiet: options.quiet };
    const sent = options.release ? task.sendLast('SIZE', file, quiet) : task.send('SIZE', file, quiet);
    // With `release` the reply is awaited once the task has ended; without, the task holds the
    // session until it comes, as any task does.
    if (options.release) sent.catch(() => undefined);
    else await sent.catch(() => undefined);
    return { reply: sent };
  });
  try {
    const answer = await reply;
    const value = Number.parseInt(answer.text.trim(), 10);
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new FtpConnectionError('protocol', `SIZE answered something that is not a size: ${answer.text}`);
    }
    return value;
  } catch (error) {
    if (error instanceof FtpReplyError && error.code === 550) return null;
    throw error;
  }
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

/**
 * The listing, parsed chunk by chunk as it arrives (while the server is still sending the
 * rest): at most MAX_LISTING_BYTES, no silence past idleMs, all within totalMs.
 */
async function readListing(
  socket: Readable,
  verb: string,
  limits: { idleMs: number; totalMs: number; signal?: AbortSignal },
): Promise<ParsedListing> {
  const stop = (error: Error) => socket.destroy(error);
  const idle = setTimeout(
    () => stop(new FtpConnectionError('timeout', `no data on the ${verb} data connection for ${limits.idleMs} ms`)),
    limits.idleMs,
  );
  const total = setTimeout(
    () => stop(new FtpConnectionError('timeout', `${verb} not complete within ${limits.totalMs} ms`)),
    limits.totalMs,
  );
  const onAbort = () => stop(new CancelledError());
  if (limits.signal?.aborted) onAbort();
  limits.signal?.addEventListener('abort', onAbort, { once: true });
  // A character cut between two chunks is completed by the next; a BOM is kept, as a name's first character.
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  const parser = new ListingParser();
  let bytes = 0;
  try {
    for await (const chunk of socket as AsyncIterable<Buffer>) {
      idle.refresh();
      bytes += chunk.length;
      if (bytes > MAX_LISTING_BYTES) {
        throw new FtpConnectionError('protocol', `listing larger than ${MAX_LISTING_BYTES} bytes`);
      }
      parser.push(decoder.decode(chunk, { stream: true }));
    }
    parser.push(decoder.decode());
  } finally {
    clearTimeout(idle);
    clearTimeout(total);
    limits.signal?.removeEventListener('abort', onAbort);
  }
  return parser.end();
}
