/**
 * What each kind of command waits for: the reply rules the session applies to the command in
 * flight. The session owns the queue, the socket and the timers; these only decide which
 * reply ends a command and how it settles.
 */
import { maskCommand } from './command.js';
import { FtpReplyError } from './errors.js';
import type { Reply } from './reply.js';
import type { TransferCommand } from './types.js';

export interface PendingCommand {
  line: string;
  /** Called with each reply; returns true when the reply is the command's final one. */
  onReply(reply: Reply): boolean;
  onError(error: Error): void;
  /** Transfer commands wait without a timeout once the server said 1xx. */
  unlimitedAfterPreliminary: boolean;
  quiet?: boolean;
  /** 1xx replies seen so far: the session caps them. */
  preliminaryReplies?: number;
  /**
   * May go out before the command ahead of it has its reply (RFC 959 allows it; servers read
   * commands in order): the PORT and RETR of an FXP leg in one write, a round trip saved.
   */
  pipelined?: boolean;
  /** Written already (pipelined); the session only waits for its reply. */
  written?: boolean;
  /**
   * The last command of its task, whose reply does not hold the session: the next task may
   * begin once it is written, and that task's commands go out behind it (FtpTask.sendLast).
   */
  releases?: boolean;
}

/** 1xx skipped, 2xx/3xx resolve, 4xx/5xx reject with FtpReplyError. */
export function replyCommand(line: string, quiet?: boolean): { command: PendingCommand; reply: Promise<Reply> } {
  let command!: PendingCommand;
  const reply = new Promise<Reply>((resolve, reject) => {
    command = {
      line,
      quiet,
      unlimitedAfterPreliminary: false,
      onReply: (r) => {
        if (r.code < 200) return false;
        if (r.code >= 400) reject(new FtpReplyError(r.code, r.text, maskCommand(line)));
        else resolve(r);
        return true;
      },
      onError: reject,
    };
  });
  return { command, reply };
}

/** `started` settles on the 1xx, `done` on the final reply. */
export function transferCommand(line: string): { command: PendingCommand; handle: TransferCommand } {
  const started = deferred<Reply>();
  const done = deferred<Reply>();
  const fail = (error: Error) => {
    started.reject(error);
    done.reject(error);
  };
  const command: PendingCommand = {
    line,
    unlimitedAfterPreliminary: true,
    onReply: (reply) => {
      if (reply.code < 200) {
        started.resolve(reply);
        return false;
      }
      if (reply.code >= 400) fail(new FtpReplyError(reply.code, reply.text, maskCommand(line)));
      else {
        started.resolve(reply); // some servers skip the 1xx on an empty transfer
        done.resolve(reply);
      }
      return true;
    },
    onError: fail,
  };
  return { command, handle: { started: started.promise, done: done.promise } };
}

/** The greeting: 120 ("ready in n minutes") waits, 220 resolves, anything else rejects. */
export function greetingCommand(): { command: PendingCommand; reply: Promise<Reply> } {
  let command!: PendingCommand;
  const reply = new Promise<Reply>((resolve, reject) => {
    command = {
      line: '',
      unlimitedAfterPreliminary: false,
      onReply: (r) => {
        if (r.code < 200) return false;
        if (r.code !== 220) reject(new FtpReplyError(r.code, r.text, 'connect'));
        else resolve(r);
        return true;
      },
      onError: reject,
    };
  });
  return { command, reply };
}

/**
 * After ABOR and a NOOP written behind it: every reply up to the NOOP's 200 belongs to the
 * abort, whichever of 426+226, 226+225 or 225 the server sends.
 */
export function abortResync(): { command: PendingCommand; synced: Promise<void> } {
  let command!: PendingCommand;
  const synced = new Promise<void>((resolve, reject) => {
    command = {
      line: 'ABOR\r\n',
      unlimitedAfterPreliminary: false,
      onReply: (reply) => {
        if (reply.code !== 200) return false;
        resolve();
        return true;
      },
      onError: reject,
    };
  });
  return { command, synced };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A caller may await only one of a transfer's two promises: never an unhandled rejection.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
