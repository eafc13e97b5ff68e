import type net from 'node:net';
import tls from 'node:tls';
import { maskCommand } from '../../ftp/command.js';
import type { DataChannel, DataSocket } from './data-channel.js';
import { normalizeAddress } from './data-channel.js';
import { fileCommands } from './file-commands.js';
import { fxpCommands } from './fxp-commands.js';
import { FsError } from './fs.js';
import type { VirtualFs } from './fs.js';
import type { PolicySwitches } from './policy.js';
import { sessionCommands } from './session-commands.js';
import type { Transfer, TransferHost } from './transfer.js';
import { transferCommands } from './transfer-commands.js';

/** Which data connections to or from an address other than the client's are allowed. */
export interface FxpPermissions {
  /** PORT/EPRT to another address (vsftpd port_promiscuous). */
  activeToForeign: boolean;
  /** A passive data connection from another address (vsftpd pasv_promiscuous). */
  passiveFromForeign: boolean;
}

/** Everything a connection shares with the server that accepted it. */
export interface ServerContext {
  vfs: VirtualFs;
  users: { user: string; password: string }[];
  fxp: FxpPermissions;
  pasvAddress: string | undefined;
  secureContext: tls.SecureContext | null;
  bytesPerSecond: number | undefined;
  greeting: string;
  log: (line: string) => void;
  dataTimeoutMs: number;
  /** drftpd-like PRET; null: the verb is not understood. */
  pret: 'required' | 'offered' | null;
  /** ProFTPD mod_tls / glFTPd-like SSCN. */
  sscn: boolean;
  /** glFTPd/ioFTPD-like CPSV. */
  cpsv: boolean;
  /** 'client-only': glFTPd-like, a protected data connection fails where this server would be the TLS server. */
  dataTlsRole: 'any' | 'client-only';
  policy: PolicySwitches;
}

export type CommandHandler = (conn: FtpConnection, arg: string) => void | Promise<void>;

export interface CommandSpec {
  handler: CommandHandler;
  /** Allowed before login (USER, PASS, FEAT, AUTH, …). */
  beforeLogin?: boolean;
  /** 501 when the argument is missing. */
  needsArg?: boolean;
  /** A verb behind a server option: when off, '500 <VERB> not understood.' as ProFTPD says. */
  enabled?: (ctx: ServerContext) => boolean;
}

const COMMANDS: Record<string, CommandSpec> = {
  ...sessionCommands,
  ...fileCommands,
  ...transferCommands,
  ...fxpCommands,
};

/** RFC 959 says nothing of a limit; 8 KiB is far above any real path and stops memory abuse. */
export const MAX_LINE_BYTES = 8 * 1024;

export type HashAlgorithm = 'SHA-256' | 'SHA-1' | 'MD5';

let nextId = 1;

/** One control connection: reads command lines, runs them one at a time, writes replies. */
export class FtpConnection implements TransferHost {
  readonly id = nextId++;
  readonly remoteAddress: string;
  readonly localAddress: string;

  // Session state, read and written by the command handlers.
  pendingUser: string | null = null;
  user: string | null = null;
  cwd = '/';
  type: 'A' | 'I' = 'A';
  restOffset = 0;
  renameFrom: string | null = null;
  dataChannel: DataChannel | null = null;
  epsvAll = false;
  secure = false;
  pbszSet = false;
  protectData = false;
  hashAlgorithm: HashAlgorithm = 'SHA-256';
  transfer: Transfer | null = null;
  /** The verb of a PRET not yet used by a passive command. */
  pretVerb: string | null = null;
  /** SSCN ON: this server is the TLS client of protected data connections. */
  sscnClient = false;

  private socket: DataSocket;
  private readonly sockets = new Set<net.Socket>();
  private pending: Buffer = Buffer.alloc(0);
  private readonly queue: string[] = [];
  private pumping = false;
  private wake: (() => void) | null = null;
  private closed = false;
  private readonly onData = (chunk: Buffer) => this.receive(chunk);

  constructor(
    socket: net.Socket,
    readonly ctx: ServerContext,
    private readonly onClose: (conn: FtpConnection) => void,
  ) {
    this.socket = socket;
    this.remoteAddress = normalizeAddress(socket.remoteAddress);
    this.localAddress = normalizeAddress(socket.localAddress);
    this.attach(socket);
    this.reply(220, ctx.greeting);
  }

  get loggedIn(): boolean {
    return this.user !== null;
  }

  get bytesPerSecond(): number | undefined {
    return this.ctx.bytesPerSecond;
  }

  /** Writes one reply; a text with several lines becomes an RFC 959 multi-line reply. */
  reply(code: number, text: string | string[]): void {
    const lines = (Array.isArray(text) ? text : text.split('\n')).map((line) => line.replace(/[\r\n\0]/g, ' '));
    let out: string;
    if (lines.length <= 1) {
      out = `${code} ${lines[0] ?? ''}\r\n`;
    } else {
      const middle = lines.slice(1, -1).map((line) => (/^\d/.test(line) ? ` ${line}` : line));
      out = [`${code}-${lines[0]}`, ...middle, `${code} ${lines[lines.length - 1]}`].join('\r\n') + '\r\n';
    }
    if (this.socket.destroyed || this.socket.writableEnded) return;
    this.ctx.log(`#${this.id} < ${out.trimEnd()}`);
    this.socket.write(out);
  }

  /** Wakes the command loop (a new line arrived, or a transfer changed phase or ended). */
  notify(): void {
    this.wake?.();
  }

  /** The prepared data channel, handed over to one transfer command (it is used only once). */
  takeDataChannel(): DataChannel | null {
    const channel = this.dataChannel;
    this.dataChannel = null;
    return channel;
  }

  setDataChannel(channel: DataChannel | null): void {
    this.dataChannel?.close();
    this.dataChannel = channel;
  }

  startTransfer(transfer: Transfer): void {
    this.transfer = transfer;
    void transfer.done.finally(() => {
      if (this.transfer === transfer) this.transfer = null;
      this.notify();
    });
  }

  /** RFC 4217 AUTH TLS: called right after the 234 reply is written. */
  upgradeToTls(context: tls.SecureContext): void {
    const raw = this.socket as net.Socket;
    raw.removeListener('data', this.onData);
    // Anything sent with the AUTH command in cleartext must not run after the upgrade.
    this.queue.length = 0;
    this.pending = Buffer.alloc(0);
    // Wrapped in the same tick as the 234 write: the ClientHello cannot have been read yet.
    const secure = new tls.TLSSocket(raw, { isServer: true, secureContext: context });
    this.socket = secure;
    this.secure = true;
    this.attach(secure);
  }

  /** QUIT, or the server closing: ends the control connection after pending replies. */
  end(): void {
    // Nothing sent after QUIT (or a fatal line) runs; later replies have nowhere to go.
    this.queue.length = 0;
    this.socket.removeListener('data', this.onData);
    this.socket.end();
    setTimeout(() => this.destroy(), 2000).unref();
  }

  /** Abrupt: every control and data socket of this connection is destroyed. */
  destroy(): void {
    this.transfer?.abort();
    this.setDataChannel(null);
    for (const socket of this.sockets) socket.destroy();
  }

  private attach(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('data', this.onData);
    socket.on('error', (err) => this.ctx.log(`#${this.id} control error: ${err.message}`));
    socket.on('close', () => this.handleClose());
  }

  private handleClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.destroy();
    this.notify();
    this.ctx.policy.logout(this);
    this.ctx.log(`#${this.id} closed`);
    this.onClose(this);
  }

  private receive(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let newline: number;
    while ((newline = this.pending.indexOf(0x0a)) !== -1) {
      const line = this.pending.subarray(0, newline);
      this.pending = this.pending.subarray(newline + 1);
      if (line.length > MAX_LINE_BYTES) return this.lineTooLong();
      this.enqueue(decodeLine(line));
      if (this.closed || this.socket.writableEnded) return;
    }
    if (this.pending.length > MAX_LINE_BYTES) this.lineTooLong();
  }

  private lineTooLong(): void {
    this.pending = Buffer.alloc(0);
    this.queue.length = 0;
    this.reply(500, 'Line too long.');
    this.end();
  }

  private enqueue(line: string): void {
    if (line === '') return;
    // ABOR is urgent (RFC 959 §4.1.3): it must not wait behind commands held for the transfer.
    if (this.transfer && verbOf(line) === 'ABOR') this.queue.unshift(line);
    else this.queue.push(line);
    this.notify();
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.closed) {
        const line = this.queue[0];
        if (line === undefined) break;
        if (this.transfer && !this.transfer.accepts(verbOf(line))) {
          await new Promise<void>((resolve) => (this.wake = resolve));
          this.wake = null;
          continue;
        }
        this.queue.shift();
        await this.execute(line);
      }
    } finally {
      this.pumping = false;
    }
  }

  private async execute(line: string): Promise<void> {
    const space = line.indexOf(' ');
    const verb = verbOf(line);
    const arg = space === -1 ? '' : line.slice(space + 1);
    this.ctx.log(`#${this.id} > ${maskCommand(line)}`);
    const spec = COMMANDS[verb];
    if (!spec) return this.reply(502, 'Command not implemented.');
    if (spec.enabled?.(this.ctx) === false) return this.reply(500, `${verb} not understood.`);
    if (!this.loggedIn && !spec.beforeLogin) return this.reply(530, 'Please login with USER and PASS.');
    if (arg.includes('\0')) return this.reply(501, 'Invalid character in argument.');
    if (spec.needsArg && arg.trim() === '') return this.reply(501, 'Syntax error in parameters or arguments.');
    // RFC 959: RNTO must come right after RNFR.
    if (verb !== 'RNTO') this.renameFrom = null;
    try {
      await spec.handler(this, arg);
    } catch (err) {
      if (err instanceof FsError) return this.reply(err.replyCode, err.message);
      this.ctx.log(`#${this.id} internal error in ${verb}: ${(err as Error).message}`);
      this.reply(451, 'Requested action aborted: local error in processing.');
    }
  }
}

function verbOf(line: string): string {
  const space = line.indexOf(' ');
  return (space === -1 ? line : line.slice(0, space)).toUpperCase();
}

/**
 * One command line as text. Telnet IAC sequences (IAC IP, IAC DM that clients send before
 * ABOR) are dropped, and so is whatever precedes the verb: the urgent byte may be missing.
 */
function decodeLine(bytes: Buffer): string {
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === 0x0d) end--;
  if (end > 0 && isAsciiLetter(bytes[0] as number) && bytes.indexOf(0xff) === -1) {
    return bytes.toString('utf8', 0, end);
  }
  const kept: number[] = [];
  for (let i = 0; i < end; i++) {
    const byte = bytes[i] as number;
    if (byte === 0xff) {
      i++;
      continue;
    }
    kept.push(byte);
  }
  let start = 0;
  while (start < kept.length && !isAsciiLetter(kept[start] as number)) start++;
  return Buffer.from(kept.slice(start)).toString('utf8');
}

function isAsciiLetter(byte: number): boolean {
  return (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a);
}
