/**
 * Watching a two-sided transfer (FXP or relay) until both servers have given their final reply.
 * A copy may take hours, so no command timeout applies; instead a stall watchdog (no progress
 * for a while) and a final-reply watchdog (one side done, the other silent) end it.
 *
 * When one side fails, the failure reported is the one that says why. A server whose data
 * connection the other closed says only that (426 "Connection closed; transfer aborted"), and
 * often says it first: ProFTPD, out of space, closes the connection and then sends its 452. So a
 * failure that says nothing but that waits a moment for the other side's final reply.
 */
import { CancelledError } from './cancel.js';
import { FtpConnectionError, FtpReplyError, SideError, type Side } from './errors.js';
import { classifyReply } from './policy.js';
import type { FtpSession, TransferCommand } from './session.js';

export interface TransferWatch {
  /** Called with the destination's position (bytes of the file present) as it grows. */
  onProgress?: (position: number) => void;
  signal?: AbortSignal;
  /** No progress for this long ends the copy (default 60 s). Needs a progress source. */
  stallTimeoutMs?: number;
  /** Once one side has its final reply, the other must answer within this (default 30 s). */
  finalReplyTimeoutMs?: number;
  /** How often progress is read (default 1 s). */
  pollIntervalMs?: number;
  /** The destination accepted STOR: from now on its file holds bytes of this copy. */
  onDestinationOpened?: () => void;
}

interface SupervisedSide {
  name: Side;
  session: FtpSession;
  command: TransferCommand;
}

export interface Supervision extends TransferWatch {
  sides: [SupervisedSide, SupervisedSide];
  /** Reads the current position; its failures are ignored (progress is best effort). */
  poll?: () => Promise<number> | number;
  /** Work that must also finish (the relay's pipe); its failure fails the copy. */
  alongside?: Promise<unknown>;
  /** Called once before the sessions are aborted (the relay closes its data sockets). */
  onAbort?: () => void;
}

/** How long a failure that says only "the data connection closed" waits for the other side's reply. */
const CAUSE_WAIT_MS = 2_000;

export async function superviseTransfer(supervision: Supervision): Promise<void> {
  const stallMs = supervision.stallTimeoutMs ?? 60_000;
  const finalMs = supervision.finalReplyTimeoutMs ?? 30_000;
  const pollMs = supervision.pollIntervalMs ?? 1_000;
  const settled = new Set<Side>();
  const started = new Set<Side>();
  const failures: SideError[] = [];
  let onSettled = () => {};
  const timers: NodeJS.Timeout[] = [];
  let aborted = false;

  let fail!: (error: Error) => void;
  const failure = new Promise<never>((_, reject) => (fail = reject));
  failure.catch(() => undefined);

  const abortAll = async () => {
    if (aborted) return;
    aborted = true;
    supervision.onAbort?.();
    await Promise.all(
      supervision.sides.filter((s) => !settled.has(s.name)).map((s) => s.session.abort().catch(() => undefined)),
    );
  };

  const watchSide = async (side: SupervisedSide) => {
    side.command.started.then(
      () => started.add(side.name),
      () => undefined,
    );
    try {
      await side.command.done;
    } catch (error) {
      const sideFailure = new SideError(side.name, error as Error);
      failures.push(sideFailure);
      throw sideFailure;
    } finally {
      settled.add(side.name);
      onSettled();
    }
    // One final reply is in: the other side must follow soon (ftp-notes: a stuck side).
    if (settled.size === 1) {
      const other = supervision.sides.find((s) => s.name !== side.name)!;
      timers.push(
        setTimeout(() => {
          fail(
            new SideError(
              other.name,
              new FtpConnectionError('timeout', `no final reply within ${finalMs} ms after the ${side.name} finished`),
            ),
          );
        }, finalMs),
      );
    }
  };

  if (supervision.poll) {
    const poll = supervision.poll;
    let position = -1;
    let lastProgressAt = Date.now();
    let polling = false;
    const tick = async () => {
      if (polling) return;
      polling = true;
      try {
        const now = await poll();
        if (now !== position) {
          position = now;
          lastProgressAt = Date.now();
          supervision.onProgress?.(now);
        }
      } catch {
        // The probe is best effort; the stall check below still runs.
      } finally {
        polling = false;
      }
      if (Date.now() - lastProgressAt > stallMs) {
        fail(new FtpConnectionError('timeout', `no progress for ${Math.round(stallMs / 1000)} s`));
      }
    };
    const interval = setInterval(() => void tick(), pollMs);
    timers.push(interval);
  }

  const onSignal = () => fail(new CancelledError());
  if (supervision.signal?.aborted) onSignal();
  supervision.signal?.addEventListener('abort', onSignal, { once: true });

  // The relay's pipe fails when a data connection breaks, which says nothing of why.
  let pipeFailure: unknown;
  const alongside = supervision.alongside?.catch((error: unknown) => {
    pipeFailure = error;
    throw error;
  });
  const saysWhy = (error: unknown) => error !== pipeFailure && !isDataClosed(error);

  /** The failure to report: the first, or if it says nothing, the other side's that follows soon. */
  const explained = async (first: unknown): Promise<unknown> => {
    if (saysWhy(first)) return first;
    // Only a side whose data was moving (its 1xx in) answers at once when the connection breaks.
    const moving = supervision.sides.filter((s) => started.has(s.name) && !settled.has(s.name));
    const heard = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, CAUSE_WAIT_MS);
      onSettled = () => {
        if (!failures.some(saysWhy) && moving.some((s) => !settled.has(s.name))) return;
        clearTimeout(timer);
        resolve();
      };
      onSettled();
    });
    // A cancel or a watchdog meanwhile ends the wait.
    await Promise.race([heard, failure.catch(() => undefined)]);
    return failures.find(saysWhy) ?? first;
  };

  try {
    await Promise.race([Promise.all([...supervision.sides.map(watchSide), alongside]), failure]);
  } catch (error) {
    const reported = await explained(error);
    await abortAll();
    throw reported;
  } finally {
    for (const timer of timers) clearTimeout(timer);
    supervision.signal?.removeEventListener('abort', onSignal);
  }
}

/** A plain 426: this side's data connection closed under it (not a policy's 426, "Slow transfer"). */
function isDataClosed(error: unknown): boolean {
  if (!(error instanceof SideError) || !(error.cause instanceof FtpReplyError)) return false;
  const { code, text, command } = error.cause;
  return code === 426 && classifyReply(code, text, command) === null;
}
