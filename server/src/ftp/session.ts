/**
 * One FTP control connection.
 *
 * Why our own layer instead of basic-ftp's Client: an FXP controller must issue RETR on one
 * session and STOR on another without either opening a data connection, send ABOR while a
 * transfer command is still in flight, and match every reply to its command strictly. basic-ftp
 * owns the data connection of every transfer and its tasks cannot be interrupted, so it blocks
 * all three. We keep its rule of one task at a time per connection (task.ts), with ABOR cutting
 * in, and still use its listing parser (listing.ts).
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { formatCommand, maskCommand } from './command.js';
import { checkPinnedCertificate, openSocket, tlsOptionsFor, toConnectionError, withTimeout } from './connect.js';
import { Alarm } from './alarm.js';
import { FtpConnectionError, FtpReplyError, ignoreReplyError } from './errors.js';
import { logIn } from './login.js';
import { FenceGate, type Fence } from './fence.js';
import { abortResync, greetingCommand, type PendingCommand } from './pending.js';
import { parseReplies, type Reply } from './reply.js';
import { TaskQueue, type FtpControl, type FtpTask } from './task.js';
import type { LogLine, SessionOptions } from './types.js';

export type { FtpControl, FtpTask } from './task.js';
export type { LogLine, PasvAddressPolicy, SessionOptions, TlsMode, TransferCommand } from './types.js';

const DEFAULTS = {
  port: 21,
  connectTimeoutMs: 15_000,
  replyTimeoutMs: 30_000,
  keepaliveMs: 30_000,
  maxReplyBytes: 64 * 1024,
};

/**
 * 1xx replies accepted per command: a server sends one (150), rarely two (110 restart
 * marker, 120). A stream of them is a hostile or broken server, not progress.
 */
const MAX_PRELIMINARY_REPLIES = 5;

export class FtpSession extends EventEmitter<{ line: [LogLine]; close: [FtpConnectionError] }> implements FtpControl {
  readonly label: string;
  features = new Map<string, string>();
  /** The text of the greeting (220). */
  greeting = '';
  /** Set once the connection is unusable; every later command fails with this. */
  closedError: FtpConnectionError | null = null;
  /** Whether data connections are TLS-protected (PROT P). */
  dataProtected = false;
  /** SSCN ON is in force: the server is the TLS client of its data connections (data.ts setSscn). */
  sscn = false;
  /** The server refused a passive command without PRET (data.ts requestPassive). */
  pretNeeded = false;

  private socket: net.Socket | tls.TLSSocket;
  private rest = '';
  /** The running task's commands, in order: only the running task adds to it. */
  private readonly queue: PendingCommand[] = [];
  private inFlight: PendingCommand | null = null;
  private readonly tasks = new TaskQueue(this, {
    enqueue: (command) => this.enqueue(command),
    ready: () =>
      (this.inFlight === null || this.inFlight.releases === true) &&
      this.queue.length === 0 &&
      this.closedError === null,
    onIdle: () => this.armKeepalive(),
    onTaskStart: () => this.keepalive.clear(),
  });
  /** The deadline of the command in flight (or of the greeting). */
  private readonly replyDeadline = new Alarm();
  /** A NOOP once the session has been idle this long. */
  private readonly keepalive = new Alarm(true);
  private tlsSession: Buffer | undefined;
  private readonly fence = new FenceGate();
  /** Lines written this tick wait for one write (see write). */
  private corked = false;

  private constructor(
    readonly options: SessionOptions,
    socket: net.Socket | tls.TLSSocket,
  ) {
    super();
    this.label = options.label ?? `${options.host}:${options.port ?? DEFAULTS.port}`;
    if (options.onLine) this.on('line', options.onLine);
    this.socket = socket;
    this.attach(socket);
  }

  /** Connect, read the greeting, secure the connection, log in, read FEAT. */
  static async connect(options: SessionOptions): Promise<FtpSession> {
    const mode = options.tls ?? 'none';
    const socket = await openSocket(options, mode === 'implicit');
    const session = new FtpSession(options, socket);
    try {
      await session.readGreeting();
      await logIn(session, options);
      return session;
    } catch (error) {
      session.destroy();
      throw error;
    }
  }

  get remoteAddress(): string {
    return this.socket.remoteAddress ?? this.options.host;
  }

  get isSecure(): boolean {
    return this.socket instanceof tls.TLSSocket;
  }

  /** How long a command may wait for its reply (SessionOptions.replyTimeoutMs or the default). */
  get replyTimeoutMs(): number {
    return this.options.replyTimeoutMs ?? DEFAULTS.replyTimeoutMs;
  }

  get idle(): boolean {
    return this.inFlight === null && this.queue.length === 0 && this.tasks.empty;
  }

  /** The command now waiting for its reply (PASS masked), for live session views; quiet polls don't count. */
  get currentCommand(): string | null {
    return this.inFlight && !this.inFlight.quiet ? maskCommand(this.inFlight.line) : null;
  }

  /**
   * Send one command as a task of its own and wait for its final reply. 1xx replies are
   * skipped, 2xx and 3xx resolve, 4xx and 5xx reject with FtpReplyError (the session stays
   * usable). An unsafe argument throws here, before anything is queued.
   */
  send(verb: string, arg?: string, options: { quiet?: boolean } = {}): Promise<Reply> {
    return this.tasks.sendAlone(formatCommand(verb, arg), options.quiet);
  }

  /**
   * Run a whole command sequence with the session to itself (task.ts): tasks run one at a
   * time, FIFO, and one ends when `work` has settled and its last command has its reply.
   * Only abort() cuts in. Keepalive NOOPs and lone commands are tasks too.
   */
  task<T>(work: (task: FtpTask) => Promise<T>): Promise<T> {
    return this.tasks.run(work);
  }

  /**
   * Abort the transfer in flight: ABOR goes out at once (not queued behind the running task,
   * whose transfer it is), then a NOOP behind it
   * marks where the answers to the abort end. We discard every reply until the NOOP's 200, so
   * whichever of 426+226, 226+225 or 225 the server sends, the session is back in step.
   * If the server stays silent (pure-ftpd, vsftpd without async ABOR), the session is closed.
   */
  async abort(timeoutMs = 5_000): Promise<void> {
    if (this.closedError) return;
    const transferInFlight = this.inFlight;
    if (!transferInFlight) return;
    const abortError = new FtpConnectionError('aborted', 'transfer aborted');
    this.inFlight = null;
    this.replyDeadline.clear();
    transferInFlight.onError(abortError);
    // Pipelined commands already written are answered before the NOOP too: theirs go with the rest.
    while (this.queue[0]?.written) this.queue.shift()!.onError(abortError);
    const { command, synced } = abortResync();
    this.inFlight = command;
    this.write('ABOR\r\n');
    this.write('NOOP\r\n');
    this.armReplyTimer(timeoutMs);
    try {
      await synced;
    } catch {
      // The session was closed by the timeout or the peer: nothing more to do with it.
    }
  }

  /** Send QUIT and close; never throws. */
  async close(): Promise<void> {
    if (this.closedError) return;
    try {
      if (this.idle) await withTimeout(this.send('QUIT'), 2_000);
    } catch {
      // QUIT is a courtesy.
    }
    this.fail(new FtpConnectionError('aborted', 'session closed'));
  }

  /** Close the connection at once, failing whatever is queued. */
  destroy(): void {
    this.fail(new FtpConnectionError('aborted', 'session closed'));
  }

  /** The TLS options a data connection of this session must use (session reuse). */
  dataTlsOptions(): tls.ConnectionOptions | null {
    if (!(this.socket instanceof tls.TLSSocket) || !this.dataProtected) return null;
    return {
      ...tlsOptionsFor(this.options),
      session: this.tlsSession ?? this.socket.getSession(),
    };
  }

  /**
   * Pass every command that can't be undone to `fence` right before writing it (fence.ts); null:
   * none. A refused one fails with FenceError, unwritten; the session stays usable.
   */
  setFence(fence: Fence | null): void {
    this.fence.set(fence);
  }

  /** AUTH TLS, then TLS on this connection (login.ts, before the login). */
  async startTls(): Promise<void> {
    await this.send('AUTH', 'TLS');
    await this.upgradeToTls();
  }

  /** Remember the newest TLS session ticket (TLS 1.3 tickets are single-use). */
  rememberTlsSession(session: Buffer): void {
    this.tlsSession = session;
  }

  // ---- internals --------------------------------------------------------------------------

  private attach(socket: net.Socket): void {
    socket.setEncoding('utf8');
    socket.setKeepAlive(true, 30_000);
    socket.setNoDelay(true);
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', (error) => this.fail(toConnectionError(error)));
    socket.on('close', () => this.fail(new FtpConnectionError('closed', `${this.label} closed the connection`)));
    if (socket instanceof tls.TLSSocket) socket.on('session', (s: Buffer) => (this.tlsSession = s));
  }

  private async readGreeting(): Promise<void> {
    const { command, reply } = greetingCommand();
    this.inFlight = command;
    this.armReplyTimer(this.options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs);
    this.drain();
    this.greeting = (await reply).text;
  }

  private upgradeToTls(): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('error');
    plain.removeAllListeners('close');
    plain.on('error', () => undefined); // surfaced through the TLS socket wrapping it
    return new Promise<void>((resolve, reject) => {
      const secure = tls.connect({ ...tlsOptionsFor(this.options), socket: plain });
      this.socket = secure;
      const onError = (error: Error) => reject(toConnectionError(error));
      secure.once('error', onError);
      secure.once('secureConnect', () => {
        secure.off('error', onError);
        const problem = checkPinnedCertificate(secure, this.options);
        if (problem) {
          this.fail(problem);
          reject(problem);
          return;
        }
        this.attach(secure);
        resolve();
      });
    });
  }

  private enqueue(command: PendingCommand): void {
    if (this.closedError) {
      command.onError(this.closedError);
      return;
    }
    // Pipelined behind a command in flight when everything queued before it has gone out too;
    // behind a task's last command (sendLast), every command of the next task is.
    const pipelined = command.pipelined || this.inFlight?.releases;
    if (pipelined && this.inFlight && this.queue.every((queued) => queued.written)) {
      if (this.fence.refuse(command, (reset) => this.queue.push(reset))) return;
      this.write(command.line, command.quiet);
      command.written = true;
    }
    this.queue.push(command);
    this.next();
  }

  private next(): void {
    if (this.inFlight || this.closedError) return;
    const command = this.queue.shift();
    if (!command) {
      this.tasks.next();
      return;
    }
    if (!command.written && this.fence.refuse(command, (reset) => this.queue.unshift(reset))) {
      this.next();
      return;
    }
    this.keepalive.clear();
    this.inFlight = command;
    if (!command.written) this.write(command.line, command.quiet);
    this.armReplyTimer(this.replyTimeoutMs);
  }

  /**
   * Lines written in one turn of the event loop leave in one segment (a pipelined PORT and
   * RETR, ABOR and its NOOP): one system call, and one wake-up of the server, not one each.
   */
  private write(line: string, quiet?: boolean): void {
    this.fence.wrote(line);
    this.emitLine('sent', maskCommand(line), quiet === true);
    const socket = this.socket;
    if (!this.corked) {
      this.corked = true;
      socket.cork();
      process.nextTick(() => {
        this.corked = false;
        socket.uncork();
      });
    }
    socket.write(line);
  }

  private emitLine(direction: LogLine['direction'], line: string, quiet: boolean): void {
    const event: LogLine = { direction, line, at: Date.now() };
    if (quiet) event.quiet = true;
    this.emit('line', event);
  }

  private onData(chunk: string): void {
    this.rest += chunk;
    this.drain();
  }

  private drain(): void {
    let parsed: { replies: Reply[]; rest: string };
    try {
      parsed = parseReplies(this.rest, this.options.maxReplyBytes ?? DEFAULTS.maxReplyBytes);
    } catch (error) {
      this.fail(error instanceof FtpConnectionError ? error : toConnectionError(error as Error));
      return;
    }
    this.rest = parsed.rest;
    for (const reply of parsed.replies) {
      const quiet = this.inFlight?.quiet === true;
      for (const line of reply.lines) this.emitLine('received', line, quiet);
      this.dispatch(reply);
      if (this.closedError) return;
    }
  }

  private dispatch(reply: Reply): void {
    const command = this.inFlight;
    if (reply.code === 421) {
      // "Service not available, closing control connection" may come at any time.
      const error = new FtpConnectionError('protocol', `${reply.code} ${reply.text}`);
      if (command) command.onError(new FtpReplyError(reply.code, reply.text, maskCommand(command.line) || 'connect'));
      this.inFlight = null;
      this.fail(error);
      return;
    }
    if (!command) {
      // A reply nobody asked for would be read as the answer to the next command
      // (FluentFTP #1285): the session can no longer be trusted.
      this.fail(new FtpConnectionError('protocol', `unexpected reply ${reply.code} ${reply.text}`));
      return;
    }
    if (reply.code < 200) {
      command.preliminaryReplies = (command.preliminaryReplies ?? 0) + 1;
      if (command.preliminaryReplies > MAX_PRELIMINARY_REPLIES) {
        const what = `${MAX_PRELIMINARY_REPLIES} preliminary replies to ${maskCommand(command.line) || 'greeting'}`;
        this.fail(new FtpConnectionError('protocol', `${this.label}: more than ${what}`));
        return;
      }
    }
    const finished = command.onReply(reply);
    if (finished) {
      this.inFlight = null;
      this.replyDeadline.clear();
      this.next();
    } else if (command.unlimitedAfterPreliminary) {
      this.replyDeadline.clear(); // the transfer is under way: the caller watches progress now
    }
    // Otherwise the deadline set when the command went out stands: a server that answers
    // "110 still working" forever must not keep a plain command waiting forever.
  }

  private armReplyTimer(ms: number): void {
    this.replyDeadline.arm(ms, () => {
      const what = this.inFlight?.line ? maskCommand(this.inFlight.line) : 'greeting';
      this.fail(new FtpConnectionError('timeout', `${this.label}: no reply to ${what} within ${ms} ms`));
    });
  }

  private armKeepalive(): void {
    const ms = this.options.keepaliveMs ?? DEFAULTS.keepaliveMs;
    if (ms <= 0 || this.keepalive.set) return;
    this.keepalive.arm(ms, () => this.send('NOOP').catch(ignoreReplyError));
  }

  private fail(error: FtpConnectionError): void {
    if (this.closedError) return;
    this.closedError = error;
    this.replyDeadline.clear();
    this.keepalive.clear();
    const pending = [...(this.inFlight ? [this.inFlight] : []), ...this.queue.splice(0)];
    this.inFlight = null;
    for (const command of pending) command.onError(error);
    this.tasks.rejectWaiting(error);
    this.socket.destroy();
    this.emit('close', error);
  }
}
