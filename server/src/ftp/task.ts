/**
 * Tasks: a session runs one whole command sequence (CWD…PASV…LIST, RNFR…RNTO,
 * PASV…PORT…REST…STOR) at a time, the rule basic-ftp keeps. Per-command FIFO alone is not
 * enough: a listing's PASV and a second listing's PASV interleaved leave the first LIST on a
 * dead port, and a SIZE between RNFR and RNTO makes the server forget the RNFR.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { formatCommand, maskCommand } from './command.js';
import { replyCommand, transferCommand, type PendingCommand } from './pending.js';
import type { Reply } from './reply.js';
import type { FtpSession } from './session.js';
import type { TransferCommand } from './types.js';

/**
 * What file operations run on: a session (each call queues as its own task) or a task already
 * running (the call joins it). So an operation nested in another (removeTree's listings, a
 * copy's SIZE) runs inside the caller's task when handed the task, instead of waiting behind it.
 */
export interface FtpControl {
  /** Run `work` as one task: no other caller's command goes out on the session until it settles. */
  task<T>(work: (task: FtpTask) => Promise<T>): Promise<T>;
  /** One command; on a session, a task of its own. */
  send(verb: string, arg?: string, options?: { quiet?: boolean }): Promise<Reply>;
}

/** The session for the length of one task. Commands that only make sense in a sequence exist only here. */
export interface FtpTask extends FtpControl {
  readonly session: FtpSession;
  /**
   * Start a command that moves data (RETR, STOR, APPE, LIST, MLSD): resolves `started` on its
   * 1xx and `done` on its final reply. No reply timeout applies after the 1xx: a copy can take
   * hours, so the caller watches progress instead.
   */
  transfer(verb: string, arg?: string, options?: { pipelined?: boolean }): TransferCommand;
  /** TYPE I once per session; later calls are free. SIZE and REST depend on it (ftp-notes.md). */
  binary(): Promise<void>;
  /**
   * The task's last command, whose reply nothing else in the task waits for: once it is
   * written the session may begin its next task, whose commands go out behind it without
   * waiting for this reply (replies come in order). Return its promise from the task unawaited.
   */
  sendLast(verb: string, arg?: string, options?: { quiet?: boolean }): Promise<Reply>;
  /**
   * A command that may go out before the reply to the one ahead of it (RFC 959 allows it;
   * servers read commands in order): a PASV behind its PRET.
   */
  sendPipelined(verb: string, arg?: string): Promise<Reply>;
}

interface TaskHandle extends FtpTask {
  readonly ended: boolean;
  /** `how`: the flags of a pipelined command or of a task's last one (pending.ts). */
  sendLine(line: string, quiet?: boolean, how?: Pick<PendingCommand, 'pipelined' | 'releases'>): Promise<Reply>;
}

interface WaitingTask {
  /** Runs the work; calls `ended` before it settles the caller's promise. */
  start(handle: TaskHandle, ended: () => void): void;
  reject(error: Error): void;
}

/** What the queue needs from its session's command layer. */
export interface CommandLine {
  enqueue(command: PendingCommand): void;
  /** No command of the last task is queued or awaiting its reply, and the session is open. */
  ready(): boolean;
  /** No task waits: the session is idle. */
  onIdle(): void;
  onTaskStart(): void;
}

/**
 * The tasks the current async flow runs inside: a session used directly from its own task
 * would wait forever, and this names the mistake instead. A check for development only: on
 * Node 20 an AsyncLocalStorage turns on promise hooks for the whole process, which made every
 * await 2.5 times dearer (a fifth of the controller's CPU on a tree of small files), so it
 * runs where the tests run (vitest sets NODE_ENV=test) and not in production.
 */
const runningTasks = process.env.NODE_ENV === 'test' ? new AsyncLocalStorage<readonly TaskHandle[]>() : null;

export class TaskQueue {
  private readonly waiting: WaitingTask[] = [];
  private running: TaskHandle | null = null;
  /** TYPE is connection state, and only tasks send it. */
  private binaryType = false;

  constructor(
    private readonly session: FtpSession,
    private readonly commands: CommandLine,
  ) {}

  get empty(): boolean {
    return this.running === null && this.waiting.length === 0;
  }

  run<T>(work: (task: FtpTask) => Promise<T>): Promise<T> {
    if (this.session.closedError) return Promise.reject(this.session.closedError);
    const outer = runningTasks?.getStore() ?? [];
    if (outer.some((task) => task.session === this.session && !task.ended)) {
      return Promise.reject(
        new Error(
          `${this.session.label}: the session was used directly inside one of its own tasks; use the task handle`,
        ),
      );
    }
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({
        reject,
        start: (handle, ended) => {
          // The task is over before its caller resumes: by then the session reads idle, and
          // a pool may hand it out at once.
          const started = () => Promise.resolve().then(() => work(handle));
          (runningTasks ? runningTasks.run([...outer, handle], started) : started()).then(
            (value) => {
              ended();
              resolve(value);
            },
            (error: unknown) => {
              ended();
              reject(error);
            },
          );
        },
      });
      this.next();
    });
  }

  /** One command as a task of its own, its line already checked. */
  sendAlone(line: string, quiet?: boolean): Promise<Reply> {
    return this.run((task) => (task as TaskHandle).sendLine(line, quiet));
  }

  /** Start the next waiting task once the last one has ended and its every command has its reply. */
  next(): void {
    if (this.running || !this.commands.ready()) return;
    const waiting = this.waiting.shift();
    if (!waiting) {
      this.commands.onIdle();
      return;
    }
    this.commands.onTaskStart();
    const handle = this.newHandle();
    this.running = handle;
    waiting.start(handle, () => {
      handle.end();
      this.running = null;
      this.next();
    });
  }

  /** The session closed: tasks that never started fail with its first cause, unrun. */
  rejectWaiting(error: Error): void {
    for (const waiting of this.waiting.splice(0)) waiting.reject(error);
  }

  /** The running task's view of the session; it refuses commands once the task has ended. */
  private newHandle(): TaskHandle & { end(): void } {
    let ended = false;
    const issue = (command: PendingCommand) => {
      if (ended)
        command.onError(
          new Error(`${this.session.label}: ${maskCommand(command.line).trim()} sent after its task ended`),
        );
      else this.commands.enqueue(command);
    };
    const handle: TaskHandle & { end(): void } = {
      session: this.session,
      get ended() {
        return ended;
      },
      end: () => (ended = true),
      sendLine: (line, quiet, how) => {
        const { command, reply } = replyCommand(line, quiet);
        if (how) Object.assign(command, how);
        issue(command);
        return reply;
      },
      send: (verb, arg, options = {}) => handle.sendLine(formatCommand(verb, arg), options.quiet),
      sendLast: (verb, arg, options = {}) =>
        handle.sendLine(formatCommand(verb, arg), options.quiet, { releases: true }),
      sendPipelined: (verb, arg) => handle.sendLine(formatCommand(verb, arg), false, { pipelined: true }),
      transfer: (verb, arg, options = {}) => {
        const { command, handle: transfer } = transferCommand(formatCommand(verb, arg));
        command.pipelined = options.pipelined;
        issue(command);
        return transfer;
      },
      binary: async () => {
        if (this.binaryType) return;
        await handle.send('TYPE', 'I');
        this.binaryType = true;
      },
      task: (work) => work(handle),
    };
    return handle;
  }
}
