import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { isIPv4, isIPv6 } from 'node:net';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import type { Writable } from 'node:stream';
import type { HostPort } from '../../ftp/pasv.js';
import {
  assertDataPort,
  encodeEpsvReply,
  encodePasvReply,
  parseEprtArgument,
  parsePortArgument,
} from '../../ftp/pasv.js';
import type { CommandSpec, FtpConnection } from './connection.js';
import type { DataChannel, DataChannelOptions, DataTls } from './data-channel.js';
import { ActiveChannel, normalizeAddress, PassiveChannel } from './data-channel.js';
import { FsError, resolveVirtual, toFsError } from './fs.js';
import { takePret } from './fxp-commands.js';
import type { ListingFormat } from './listing.js';
import { joinListing, listPath, parseListArgument } from './listing.js';
import type { TransferPlan } from './transfer.js';
import { Transfer } from './transfer.js';

const ONLY_EPSV = 'Only EPSV is allowed after EPSV ALL.';

/**
 * Under PROT P, the role this server takes in the data connection's handshake: the TLS client
 * after SSCN ON or for a CPSV channel, else the RFC 4217 server, which a client-only
 * (glFTPd-like) server refuses to be.
 */
function dataTls(conn: FtpConnection, asClient: boolean): (() => DataTls) | null {
  const context = conn.ctx.secureContext;
  if (!conn.protectData || !context) return null;
  return () => {
    if (asClient || conn.sscnClient) return { role: 'client' };
    return conn.ctx.dataTlsRole === 'client-only' ? { role: 'refused' } : { role: 'server', context };
  };
}

function channelOptions(conn: FtpConnection, asClient = false): DataChannelOptions {
  return {
    tls: dataTls(conn, asClient),
    acceptForeignPeer: conn.ctx.fxp.passiveFromForeign,
    controlPeer: conn.remoteAddress,
    timeoutMs: conn.ctx.dataTimeoutMs,
  };
}

/** Passive data ports are ephemeral, on the address the client reached us at. */
async function openPassive(conn: FtpConnection, asClient = false): Promise<PassiveChannel> {
  conn.setDataChannel(null);
  const channel = await PassiveChannel.open(conn.localAddress, channelOptions(conn, asClient));
  conn.setDataChannel(channel);
  return channel;
}

/** PORT/EPRT: refuses what vsftpd refuses (a foreign address without FXP) and bounce ports. */
function prepareActive(conn: FtpConnection, parse: (arg: string) => HostPort, arg: string, okText: string): void {
  if (conn.epsvAll) return conn.reply(500, ONLY_EPSV);
  let hostPort: HostPort;
  try {
    hostPort = parse(arg);
  } catch {
    return conn.reply(500, 'Illegal PORT command.');
  }
  const host = normalizeAddress(hostPort.host);
  if (!conn.ctx.fxp.activeToForeign && host !== conn.remoteAddress) return conn.reply(500, 'Illegal PORT command.');
  try {
    assertDataPort(hostPort.port);
  } catch {
    return conn.reply(501, 'Illegal PORT command: port below 1024.');
  }
  // Connect from the control connection's own address, as the peer expects of this server.
  const sameFamily = isIPv4(host) === isIPv4(conn.localAddress);
  const localAddress = sameFamily ? conn.localAddress : undefined;
  conn.setDataChannel(new ActiveChannel(host, hostPort.port, localAddress, channelOptions(conn)));
  conn.reply(200, okText);
}

/**
 * The common start of every transfer command: a data channel must be prepared; the plan
 * (file opened, listing built) is made before waiting for the connection, so a missing file
 * is a plain 550 and the channel is discarded, as vsftpd does.
 */
async function beginTransfer(conn: FtpConnection, makePlan: () => Promise<TransferPlan>): Promise<void> {
  const channel: DataChannel | null = conn.takeDataChannel();
  conn.restOffset = 0;
  if (!channel) return conn.reply(425, 'Use PORT or PASV first.');
  let plan: TransferPlan;
  try {
    plan = await makePlan();
  } catch (err) {
    channel.close();
    throw err;
  }
  conn.startTransfer(new Transfer(conn, channel, plan));
}

async function exists(real: string): Promise<boolean> {
  return stat(real).then(
    () => true,
    () => false,
  );
}

async function openFile(path: string, flags: number): Promise<FileHandle> {
  try {
    return await open(path, flags, 0o644);
  } catch (err) {
    throw toFsError(err);
  }
}

/**
 * Closes a file opened for a transfer. A stream made from a FileHandle holds a reference that
 * keeps FileHandle.close() waiting, so the stream (autoClose) closes it when there is one.
 */
function fileOwner(file: FileHandle) {
  let stream: Readable | Writable | null = null;
  return {
    own<T extends Readable | Writable>(created: T): T {
      stream = created;
      return created;
    },
    async close(): Promise<void> {
      if (!stream) return file.close();
      if (!stream.closed) {
        const closed = once(stream, 'close').catch(() => {});
        stream.destroy();
        await closed;
      }
    },
  };
}

async function retrieve(conn: FtpConnection, arg: string): Promise<void> {
  const offset = conn.restOffset;
  await beginTransfer(conn, async () => {
    const vpath = resolveVirtual(conn.cwd, arg);
    const { real, stats } = await conn.ctx.vfs.statExisting(vpath);
    if (!stats.isFile()) throw new FsError('Not a regular file.');
    const file = await openFile(real, constants.O_RDONLY);
    const owner = fileOwner(file);
    const mode = conn.type === 'I' ? 'BINARY' : 'ASCII';
    return {
      direction: 'send',
      total: Math.max(0, stats.size - offset),
      openingText: `Opening ${mode} mode data connection for ${vpath.slice(vpath.lastIndexOf('/') + 1)} (${stats.size} bytes).`,
      successText: 'Transfer complete.',
      begin: async () => owner.own(file.createReadStream({ start: offset })),
      cleanup: () => owner.close(),
      policy: conn.ctx.policy.cut('send'),
    };
  });
}

/** STOR writes at the REST offset and drops what lay beyond it; APPE appends. */
async function store(conn: FtpConnection, arg: string, append: boolean): Promise<void> {
  const offset = append ? 0 : conn.restOffset;
  await beginTransfer(conn, async () => {
    const vpath = resolveVirtual(conn.cwd, arg);
    const real = await conn.ctx.vfs.resolveForWrite(vpath);
    // glFTPd refuses a dupe but lets an upload resume (REST) its own partial file.
    if (conn.ctx.policy.dupes && (append || offset === 0) && (await exists(real))) {
      throw new FsError(`X-DUPE: ${vpath.slice(vpath.lastIndexOf('/') + 1)} already exists`, 553);
    }
    const flags = constants.O_WRONLY | constants.O_CREAT | (append ? constants.O_APPEND : 0);
    const file = await openFile(real, flags);
    const owner = fileOwner(file);
    if ((await file.stat()).isDirectory()) {
      await file.close();
      throw new FsError('Is a directory.');
    }
    return {
      direction: 'receive',
      total: null,
      openingText: 'Ok to send data.',
      successText: 'Transfer complete.',
      async begin() {
        // Truncated only once the peer is connected, so a failed connection leaves the file
        // as it was; and before any byte, so SIZE polled during the transfer shows progress.
        if (!append) await file.truncate(offset);
        return owner.own(file.createWriteStream(append ? {} : { start: offset }));
      },
      cleanup: () => owner.close(),
      policy: conn.ctx.policy.cut('receive'),
    };
  });
}

async function list(conn: FtpConnection, arg: string, format: ListingFormat): Promise<void> {
  const { path, showHidden } = format === 'mlsd' ? { path: arg.trim(), showHidden: true } : parseListArgument(arg);
  await beginTransfer(conn, async () => {
    const vpath = resolveVirtual(conn.cwd, path || '.');
    const text = joinListing(await listPath(conn.ctx.vfs, vpath, format, showHidden));
    return {
      direction: 'send',
      total: Buffer.byteLength(text),
      openingText: 'Here comes the directory listing.',
      successText: 'Directory send OK.',
      begin: async () => Readable.from([Buffer.from(text, 'utf8')]),
      cleanup: async () => {},
    };
  });
}

/** PASV, and CPSV (glFTPd): the same 227, but this server is the TLS client of the data connection. */
async function passive(conn: FtpConnection, verb: 'PASV' | 'CPSV'): Promise<void> {
  if (conn.epsvAll) return conn.reply(500, ONLY_EPSV);
  if (!takePret(conn, verb)) return;
  const advertised = conn.ctx.pasvAddress ?? conn.localAddress;
  if (!isIPv4(advertised)) return conn.reply(522, `${verb} is IPv4 only; use EPSV.`);
  const channel = await openPassive(conn, verb === 'CPSV');
  conn.reply(227, encodePasvReply({ host: advertised, port: channel.port }));
}

export const transferCommands: Record<string, CommandSpec> = {
  PASV: { handler: (conn) => passive(conn, 'PASV') },
  CPSV: { enabled: (ctx) => ctx.cpsv, handler: (conn) => passive(conn, 'CPSV') },
  EPSV: {
    async handler(conn, arg) {
      const protocol = arg.trim().toUpperCase();
      if (protocol === 'ALL') {
        conn.epsvAll = true;
        return conn.reply(200, 'EPSV ALL ok.');
      }
      const family = isIPv6(conn.localAddress) ? '2' : '1';
      if (protocol !== '' && protocol !== family) {
        return conn.reply(522, `Network protocol not supported, use (${family})`);
      }
      if (!takePret(conn, 'EPSV')) return;
      const channel = await openPassive(conn);
      conn.reply(229, encodeEpsvReply(channel.port));
    },
  },
  PORT: {
    needsArg: true,
    handler: (conn, arg) =>
      prepareActive(conn, parsePortArgument, arg, 'PORT command successful. Consider using PASV.'),
  },
  EPRT: {
    needsArg: true,
    handler: (conn, arg) =>
      prepareActive(conn, parseEprtArgument, arg, 'EPRT command successful. Consider using EPSV.'),
  },
  REST: {
    needsArg: true,
    handler(conn, arg) {
      const text = arg.trim();
      const offset = /^\d{1,15}$/.test(text) ? Number(text) : NaN;
      if (!Number.isSafeInteger(offset)) return conn.reply(501, 'Bad restart position.');
      conn.restOffset = offset;
      conn.reply(350, `Restart position accepted (${offset}).`);
    },
  },
  RETR: { needsArg: true, handler: retrieve },
  STOR: { needsArg: true, handler: (conn, arg) => store(conn, arg, false) },
  APPE: { needsArg: true, handler: (conn, arg) => store(conn, arg, true) },
  LIST: { handler: (conn, arg) => list(conn, arg, 'list') },
  NLST: { handler: (conn, arg) => list(conn, arg, 'nlst') },
  MLSD: { handler: (conn, arg) => list(conn, arg, 'mlsd') },
  ABOR: {
    async handler(conn) {
      const transfer = conn.transfer;
      if (!transfer) {
        conn.setDataChannel(null);
        return conn.reply(225, 'No transfer to abort.');
      }
      transfer.abort();
      await transfer.done;
      conn.reply(226, 'Abort successful');
    },
  },
};
