/**
 * Copy one file between two servers the way FXP users expect (FlashFXP, lftp): FXP with the
 * preferred passive side, the other side once if refused, then a relay through us (in auto
 * mode); resume with REST; verified by size and, where both servers offer one, a hash.
 */
import { untilAborted } from './cancel.js';
import { FtpReplyError } from './errors.js';
import { FxpRefusedError, fxpCopy } from './fxp.js';
import { size } from './ops.js';
import { relayCopy } from './relay.js';
import type { FtpSession, SessionOptions } from './session.js';
import { FtpSession as Session } from './session.js';
import type { Side, TransferWatch } from './supervise.js';
import { commonHash, remoteHash } from './verify.js';

export type CopyMode = 'auto' | 'fxp' | 'relay';
export type IfExists = 'overwrite' | 'skip' | 'resume';

/** Hands out a live session, reconnecting when the last one died (a pool lease, or a slot). */
export interface SessionProvider {
  acquire(): Promise<FtpSession>;
}

export interface CopyRequest extends TransferWatch {
  source: SessionProvider;
  destination: SessionProvider;
  /** A third session on the destination for FXP progress; without it FXP shows none. */
  probe?: SessionProvider;
  sourcePath: string;
  /** The source's size when already known (from a listing): saves a SIZE. Checked after the copy. */
  sourceSize?: number;
  destinationPath: string;
  mode?: CopyMode;
  /** Which server listens first (default: the destination, as lftp does). */
  passive?: Side;
  /** In auto mode, may the bytes pass through us when FXP is refused? (default true) */
  relayAllowed?: boolean;
  ifExists?: IfExists;
  /** Compare a hash when both servers offer a common one (default true). */
  verifyHash?: boolean;
  allowClearData?: boolean;
  /** What pasv did about a refusal, in words a person reads ("flipped passive side"). */
  onNote?: (note: string) => void;
  /** Called when the mode of the attempt under way is known. */
  onAttempt?: (mode: 'fxp' | 'relay') => void;
  /**
   * Called once when the bytes have moved and both sessions are free for other work; the
   * checks (size, hash) come after. A caller with more files may start the next one then.
   */
  onTransferred?: () => void;
  /** The sessions just copied by FXP with the preferred passive side: pipeline PORT (fxp.ts). */
  pipeline?: boolean;
}

export interface CopyResult {
  outcome: 'copied' | 'skipped';
  mode: 'fxp' | 'relay' | null;
  passive?: Side;
  /** Bytes moved by this copy (size − offset). */
  bytes: number;
  offset: number;
  size: number;
  durationMs: number;
  hash: { algorithm: string; value: string } | null;
  notes: string[];
}

export class VerificationError extends Error {
  override readonly name = 'VerificationError';
}

type Attempt = { mode: 'fxp'; passive: Side } | { mode: 'relay' };

export async function copyFile(request: CopyRequest): Promise<CopyResult> {
  const startedAt = Date.now();
  const notes: string[] = [];
  const note = (text: string) => {
    notes.push(text);
    request.onNote?.(text);
  };
  const mode = request.mode ?? 'auto';
  const preferred = request.passive ?? 'destination';
  const attempts: Attempt[] =
    mode === 'relay'
      ? [{ mode: 'relay' }]
      : [
          { mode: 'fxp', passive: preferred },
          { mode: 'fxp', passive: other(preferred) },
          ...(mode === 'auto' && request.relayAllowed !== false ? [{ mode: 'relay' } as const] : []),
        ];

  // Every await honours the signal: a cancel must not wait for a server that went silent.
  const step = <T>(work: Promise<T>) => untilAborted(work, request.signal);
  const sourceSize: number | null =
    request.sourceSize ?? (await step(request.source.acquire().then((session) => size(session, request.sourcePath))));
  if (sourceSize === null) {
    throw new FtpReplyError(550, `${request.sourcePath}: no such file on the source`, `SIZE ${request.sourcePath}`);
  }

  let toldTransferred = false;
  const transferred = () => {
    if (toldTransferred) return;
    toldTransferred = true;
    request.onTransferred?.();
  };
  let lastRefusal: FxpRefusedError | null = null;
  for (const [index, attempt] of attempts.entries()) {
    // Both logins at once: a cold copy should not pay them one after the other.
    const [source, destination] = await step(Promise.all([request.source.acquire(), request.destination.acquire()]));
    const offset = await step(startOffset(request, source, destination, sourceSize, note));
    if (offset === 'skip') {
      return {
        outcome: 'skipped',
        mode: null,
        bytes: 0,
        offset: 0,
        size: sourceSize,
        durationMs: 0,
        hash: null,
        notes,
      };
    }
    if (index > 0) {
      const refusal = lastRefusal!.message;
      note(attempt.mode === 'fxp' ? `flipped passive side (${refusal})` : `fell back to relay (${refusal})`);
    }
    request.onAttempt?.(attempt.mode);
    try {
      const common = { ...request, source, destination, offset, size: sourceSize, onTransferred: transferred };
      const result =
        attempt.mode === 'fxp'
          ? await fxpCopy({ ...common, passive: attempt.passive, pipeline: index === 0 && request.pipeline })
          : await relayCopy(common);
      transferred();
      request.onProgress?.(sourceSize);
      const hash = request.verifyHash === false ? null : await step(verifyHash(source, destination, request));
      return {
        outcome: 'copied',
        mode: attempt.mode,
        passive: attempt.mode === 'fxp' ? attempt.passive : undefined,
        bytes: result.bytes,
        offset,
        size: sourceSize,
        durationMs: Date.now() - startedAt,
        hash,
        notes,
      };
    } catch (error) {
      if (!(error instanceof FxpRefusedError)) throw error;
      lastRefusal = error;
    }
  }
  throw lastRefusal!;
}

function other(side: Side): Side {
  return side === 'source' ? 'destination' : 'source';
}

/** Where to start, by the if-exists policy and what the destination already holds. */
async function startOffset(
  request: CopyRequest,
  source: FtpSession,
  destination: FtpSession,
  sourceSize: number,
  note: (text: string) => void,
): Promise<number | 'skip'> {
  const policy = request.ifExists ?? 'overwrite';
  if (policy === 'overwrite') return 0;
  const existing = await size(destination, request.destinationPath);
  if (existing === null) return 0;
  if (policy === 'skip') return 'skip';
  if (existing > sourceSize) {
    note(`destination is larger than the source (${existing} > ${sourceSize} bytes): copying it again`);
    return 0;
  }
  if (existing > 0 && !(supportsRest(source) && supportsRest(destination))) {
    note('a server does not offer REST STREAM: copying the whole file again');
    return 0;
  }
  return existing;
}

function supportsRest(session: FtpSession): boolean {
  return /STREAM/i.test(session.features.get('REST') ?? '');
}

async function verifyHash(
  source: FtpSession,
  destination: FtpSession,
  request: CopyRequest,
): Promise<CopyResult['hash']> {
  const common = commonHash(source, destination);
  if (!common) return null;
  const [a, b] = await Promise.all([
    remoteHash(source, request.sourcePath, common.a),
    remoteHash(destination, request.destinationPath, common.b),
  ]);
  if (a !== b) {
    throw new VerificationError(`${common.algorithm} differs: source ${a}, destination ${b}`);
  }
  return { algorithm: common.algorithm, value: a };
}

/**
 * The simplest SessionProvider: one session to one server, reconnected when it has died.
 * The transfer service uses pool leases instead; tests and scripts use this.
 */
export class SessionSlot implements SessionProvider {
  private current: Promise<FtpSession> | null = null;

  constructor(readonly options: SessionOptions) {}

  async acquire(): Promise<FtpSession> {
    const pending = this.current;
    const existing = pending && (await pending.catch(() => null));
    if (existing && !existing.closedError) return existing;
    // Another caller may have started the reconnection while we waited.
    if (this.current === pending) this.current = Session.connect(this.options);
    return this.current!;
  }

  async close(): Promise<void> {
    const session = this.current && (await this.current.catch(() => null));
    this.current = null;
    await session?.close();
  }
}
