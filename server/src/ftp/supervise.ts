/**
 * Watching a two-sided transfer (FXP or relay) until both servers have given their final reply.
 * A copy may take hours, so no command timeout applies; instead a stall watchdog (no progress
 * for a while) and a final-reply watchdog (one side done, the other silent) end it.
 */
import { CancelledError } from './cancel.js';
import { FtpConnectionError } from './errors.js';
import type { FtpSession, TransferCommand } from './session.js';

export type Side = 'source' | 'destination';

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

/** A failure on one side of the copy, saying which. */
export class SideError extends Error {
  override readonly name = 'SideError';
  constructor(
    readonly side: Side,
    override readonly cause: Error,
  ) {
    super(`${side}: ${cause.message}`, { cause });
  }
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

export async function superviseTransfer(supervision: Supervision): Promise<void> {
  const stallMs = supervision.stallTimeoutMs ?? 60_000;
  const finalMs = supervision.finalReplyTimeoutMs ?? 30_000;
  const pollMs = supervision.pollIntervalMs ?? 1_000;
  const settled = new Set<Side>();
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
    try {
      await side.command.done;
    } catch (error) {
      throw new SideError(side.name, error as Error);
    } finally {
      settled.add(side.name);
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

  try {
    await Promise.race([Promise.all([...supervision.sides.map(watchSide), supervision.alongside]), failure]);
  } catch (error) {
    await abortAll();
    throw error;
  } finally {
    for (const timer of timers) clearTimeout(timer);
    supervision.signal?.removeEventListener('abort', onSignal);
  }
}
