import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, rename, rmdir, unlink, utimes } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { CommandSpec, FtpConnection, HashAlgorithm } from './connection.js';
import { FsError, resolveVirtual, toFsError } from './fs.js';
import { formatFacts, formatTimeVal, listPath, parseListArgument } from './listing.js';

const NODE_HASH_NAMES: Record<HashAlgorithm, string> = { 'SHA-256': 'sha256', 'SHA-1': 'sha1', MD5: 'md5' };

/** RFC 959 §7: a 257 path is quoted, with inner quotes doubled. */
function quotePath(vpath: string): string {
  return `"${vpath.replace(/"/g, '""')}"`;
}

function target(conn: FtpConnection, arg: string): string {
  return resolveVirtual(conn.cwd, arg);
}

/** Runs a node:fs call and turns its failure into a client-safe FsError. */
async function fsCall<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (err) {
    throw toFsError(err);
  }
}

async function changeDirectory(conn: FtpConnection, arg: string): Promise<void> {
  const vpath = target(conn, arg);
  const { stats } = await conn.ctx.vfs.statExisting(vpath);
  if (!stats.isDirectory()) throw new FsError('Not a directory.');
  conn.cwd = vpath;
  conn.reply(250, 'Directory successfully changed.');
}

async function printDirectory(conn: FtpConnection): Promise<void> {
  conn.reply(257, `${quotePath(conn.cwd)} is the current directory`);
}

async function makeDirectory(conn: FtpConnection, arg: string): Promise<void> {
  const vpath = target(conn, arg);
  const local = await conn.ctx.vfs.resolveEntry(vpath);
  await fsCall(() => mkdir(local));
  conn.reply(257, `${quotePath(vpath)} created`);
}

async function removeDirectory(conn: FtpConnection, arg: string): Promise<void> {
  const local = await conn.ctx.vfs.resolveEntry(target(conn, arg));
  await fsCall(() => rmdir(local));
  conn.reply(250, 'Remove directory operation successful.');
}

async function hashFile(conn: FtpConnection, arg: string): Promise<void> {
  const { real, stats } = await conn.ctx.vfs.statExisting(target(conn, arg));
  if (!stats.isFile()) throw new FsError('Not a regular file.');
  const algorithm = conn.hashAlgorithm;
  const hash = createHash(NODE_HASH_NAMES[algorithm]);
  // Streamed: a multi-gigabyte file must not be read into memory.
  await fsCall(() => pipeline(createReadStream(real), hash));
  conn.reply(213, `${algorithm} 0-${stats.size} ${hash.digest('hex')} ${arg}`);
}

async function status(conn: FtpConnection, arg: string): Promise<void> {
  if (arg.trim() === '') {
    if (conn.transfer) return conn.reply(213, conn.transfer.statusText());
    return conn.reply(211, [
      'FTP server status:',
      ` Connected to ${conn.remoteAddress}`,
      ` Logged in as ${conn.user ?? '(nobody)'}`,
      ` TYPE: ${conn.type === 'I' ? 'BINARY' : 'ASCII'}`,
      ` Control connection is ${conn.secure ? 'TLS' : 'plain'}; data protection ${conn.protectData ? 'Private' : 'Clear'}`,
      conn.dataChannel ? ` Data channel prepared (${conn.dataChannel.mode})` : ' No data connection',
      'End of status',
    ]);
  }
  const { path, showHidden } = parseListArgument(arg);
  const vpath = target(conn, path || '.');
  const lines = await listPath(conn.ctx.vfs, vpath, 'list', showHidden);
  conn.reply(213, [`Status of ${vpath}:`, ...lines, 'End of status']);
}

export const fileCommands: Record<string, CommandSpec> = {
  PWD: { handler: printDirectory },
  XPWD: { handler: printDirectory },
  CWD: { needsArg: true, handler: changeDirectory },
  XCWD: { needsArg: true, handler: changeDirectory },
  CDUP: { handler: (conn) => changeDirectory(conn, '..') },
  XCUP: { handler: (conn) => changeDirectory(conn, '..') },
  MKD: { needsArg: true, handler: makeDirectory },
  XMKD: { needsArg: true, handler: makeDirectory },
  RMD: { needsArg: true, handler: removeDirectory },
  XRMD: { needsArg: true, handler: removeDirectory },
  DELE: {
    needsArg: true,
    async handler(conn, arg) {
      const local = await conn.ctx.vfs.resolveEntry(target(conn, arg));
      const stats = await fsCall(() => lstat(local));
      if (stats.isDirectory()) throw new FsError('Is a directory.');
      await fsCall(() => unlink(local));
      conn.reply(250, 'Delete operation successful.');
    },
  },
  RNFR: {
    needsArg: true,
    async handler(conn, arg) {
      const vpath = target(conn, arg);
      const local = await conn.ctx.vfs.resolveEntry(vpath);
      await fsCall(() => lstat(local));
      conn.renameFrom = vpath;
      conn.reply(350, 'Ready for RNTO.');
    },
  },
  RNTO: {
    needsArg: true,
    async handler(conn, arg) {
      const from = conn.renameFrom;
      conn.renameFrom = null;
      if (from === null) return conn.reply(503, 'RNFR required first.');
      const source = await conn.ctx.vfs.resolveEntry(from);
      const destination = await conn.ctx.vfs.resolveEntry(target(conn, arg));
      await fsCall(() => rename(source, destination));
      conn.reply(250, 'Rename successful.');
    },
  },
  SIZE: {
    needsArg: true,
    async handler(conn, arg) {
      const { stats } = await conn.ctx.vfs.statExisting(target(conn, arg));
      if (!stats.isFile()) throw new FsError('Could not get file size.');
      conn.reply(213, String(stats.size));
    },
  },
  MDTM: {
    needsArg: true,
    async handler(conn, arg) {
      const { stats } = await conn.ctx.vfs.statExisting(target(conn, arg));
      conn.reply(213, formatTimeVal(stats.mtime));
    },
  },
  /** draft-somers-ftp-mfxx: "MFMT YYYYMMDDHHMMSS path" sets the time (UTC), answered like MDTM. */
  MFMT: {
    needsArg: true,
    async handler(conn, arg) {
      const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2}) (.+)$/.exec(arg);
      const at = m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : null;
      if (!m || !at || Number.isNaN(at.getTime())) {
        conn.reply(501, 'Usage: MFMT YYYYMMDDHHMMSS path');
        return;
      }
      const { real, stats } = await conn.ctx.vfs.statExisting(target(conn, m[7]!));
      if (!stats.isFile()) throw new FsError('Not a plain file.');
      await fsCall(() => utimes(real, at, at));
      conn.reply(213, `Modify=${formatTimeVal(at)}; ${m[7]}`);
    },
  },
  MLST: {
    async handler(conn, arg) {
      const vpath = target(conn, arg.trim() === '' ? '.' : arg);
      const { stats } = await conn.ctx.vfs.statExisting(vpath);
      // RFC 3659 §7.2: the fact line starts with a single space.
      conn.reply(250, [`Listing ${vpath}`, ` ${formatFacts(stats)} ${vpath}`, 'End']);
    },
  },
  HASH: { needsArg: true, handler: hashFile },
  STAT: { handler: status },
};
