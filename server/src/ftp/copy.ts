/**
 * Copy one file between two servers the way FXP users expect (FlashFXP, lftp): FXP with the
 * preferred passive side, the other side once if refused, then a relay through us (in auto
 * mode); resume with REST; verified by size and, where both servers offer one, a hash.
 */
import { untilAborted } from './cancel.js';
import { diagnoseRefusal, identifyServer, refusalOf } from './diagnosis.js';
import { FtpReplyError, type Side } from './errors.js';
import { FxpRefusedError, fxpCopy } from './fxp.js';
import { Ladder, other, type CopyMode } from './ladder.js';
import { describeRoute, type Route } from './route.js';
import { size } from './ops.js';
import { relayCopy } from './relay.js';
import type { FtpSession, SessionOptions } from './session.js';
import { FtpSession as Session } from './session.js';
import type { TransferWatch } from './supervise.js';
import { commonHash, remoteHash } from './verify.js';

export type { CopyMode };
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
  /** Both sites allow PROT C for a copy when secure FXP cannot be arranged. */
  allowClearData?: boolean;
  /** What worked last for this pair of sites (or on these sessions): tried first (ladder.ts). */
  route?: Route | null;
  /** The sessions just copied on `route`: pipeline PORT with the transfer command (fxp.ts). */
  pipeline?: boolean;
  /** What pasv did about a refusal, in words a person reads ("flipped passive side"). */
  onNote?: (note: string) => void;
  /** Called when the route of the attempt under way is known. */
  onAttempt?: (route: Route) => void;
  /** A route was refused; the ladder goes on to the next (a note says which). */
  onRefusal?: (route: Route, refusal: FxpRefusedError) => void;
  /**
   * Called once when the bytes have moved and both sessions are free for other work; the
   * checks (size, hash) come after. A caller with more files may start the next one then.
   */
  onTransferred?: () => void;
}

export interface CopyResult {
  outcome: 'copied' | 'skipped';
  mode: 'fxp' | 'relay' | null;
  passive?: Side;
  /** The route the bytes took, as it went (null when skipped). */
  route: Route | null;
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

export async function copyFile(request: CopyRequest): Promise<CopyResult> {
  const startedAt = Date.now();
  const notes: string[] = [];
  const note = (text: string) => {
    notes.push(text);
    request.onNote?.(text);
  };

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
  let ladder: Ladder | null = null;
  let route: Route | null = null;
  let refusal: FxpRefusedError | null = null;
  let hint: string | null = null;
  for (;;) {
    // Both logins at once: a cold copy should not pay them one after the other.
    const [source, destination] = await step(Promise.all([request.source.acquire(), request.destination.acquire()]));
    const offset = await step(startOffset(request, source, destination, sourceSize, note));
    if (offset === 'skip') {
      return {
        outcome: 'skipped',
        mode: null,
        route: null,
        bytes: 0,
        offset: 0,
        size: sourceSize,
        durationMs: 0,
        hash: null,
        notes,
      };
    }
    ladder ??= new Ladder({
      mode: request.mode ?? 'auto',
      preferredPassive: request.passive ?? 'destination',
      relayAllowed: request.relayAllowed !== false,
      allowClearData: request.allowClearData === true,
      protectedData: { source: source.dataProtected, destination: destination.dataProtected },
      sscnOffered: { source: source.features.has('SSCN'), destination: destination.features.has('SSCN') },
      start: request.route,
    });
    const firstTry: boolean = route === null;
    route = firstTry ? ladder.first() : ladder.next(refusal!.phase === 'tls' ? 'tls' : 'address');
    if (!route) {
      if (hint) note(`FXP refused: ${hint}`);
      throw refusal ?? noFxpRoute(source);
    }
    if (refusal) note(stepNote(route, refusal, hint));
    else if (route.mode === 'relay' && ladder.securities.length === 0 && request.mode !== 'relay') {
      note(`relayed: ${noFxpRoute(source).reason.message}`);
    }
    request.onAttempt?.(route);
    // A resume's progress starts where the destination's part ends, not at 0.
    request.onProgress?.(offset);
    try {
      const common = { ...request, source, destination, offset, size: sourceSize, onTransferred: transferred };
      const pipeline = firstTry && request.pipeline === true && route === request.route;
      const result = route.mode === 'fxp' ? await fxpCopy({ ...common, route, pipeline }) : await relayCopy(common);
      transferred();
      request.onProgress?.(sourceSize);
      const hash = request.verifyHash === false ? null : await step(verifyHash(source, destination, request));
      return {
        outcome: 'copied',
        mode: result.route.mode,
        passive: result.route.mode === 'fxp' ? result.route.passive : undefined,
        route: result.route,
        bytes: result.bytes,
        offset,
        size: sourceSize,
        durationMs: Date.now() - startedAt,
        hash,
        notes,
      };
    } catch (error) {
      if (!(error instanceof FxpRefusedError)) throw error;
      request.onRefusal?.(route, error);
      refusal = error;
      hint = adminHint(error, route, error.side === 'source' ? source : destination);
    }
  }
}

/** What the next rung is, and why: the note a person reads on the transfer. */
function stepNote(next: Route, refusal: FxpRefusedError, hint: string | null): string {
  const why = hint ? `${refusal.message}; ${hint}` : refusal.message;
  if (next.mode === 'relay') return `fell back to relay (${why})`;
  if (refusal.phase !== 'tls') return `flipped passive side (${why})`;
  return `trying ${describeRoute(next)} (${why})`;
}

/** What the refusing server's admin could change (diagnosis.ts), or null. */
function adminHint(refusal: FxpRefusedError, route: Route, refusing: FtpSession): string | null {
  const tlsClient =
    route.mode === 'fxp' &&
    (route.security === `sscn-${refusal.side}` || (route.security === 'cpsv' && route.passive === refusal.side));
  return diagnoseRefusal(refusalOf(refusal, tlsClient), identifyServer(refusing.greeting));
}

/** FXP cannot be arranged at all: one side protects its data and clear data isn't allowed. */
function noFxpRoute(source: FtpSession): FxpRefusedError {
  const side: Side = source.dataProtected ? 'source' : 'destination';
  return new FxpRefusedError(
    'tls',
    side,
    new Error(
      `only the ${side}'s data connections are TLS-protected; FXP needs the ${other(side)}'s to be too, or clear data (PROT C) allowed on both sites`,
    ),
  );
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
