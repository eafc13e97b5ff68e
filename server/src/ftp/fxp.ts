/**
 * FXP: one server sends a file straight to another (RFC 959 §2.3, RFC 478). We steer both
 * control connections; the bytes never pass through us.
 */
import net from 'node:net';
import { untilAborted } from './cancel.js';
import { requestPassive } from './data.js';
import { FtpConnectionError, FtpReplyError } from './errors.js';
import { size } from './ops.js';
import { encodeEprt, encodePort } from './pasv.js';
import { SideError, superviseTransfer, type Side, type TransferWatch } from './supervise.js';
import type { SessionProvider } from './copy.js';
import type { FtpControl, FtpSession, FtpTask, TransferCommand } from './session.js';

export interface FxpRequest extends TransferWatch {
  source: FtpControl;
  destination: FtpControl;
  sourcePath: string;
  destinationPath: string;
  /** Which server listens (PASV); the other connects to it (PORT). */
  passive: Side;
  /** Resume from this byte (REST on both sides); 0 for a full copy. */
  offset: number;
  /** The source file's size, known beforehand (SIZE); checked against the result. */
  size: number;
  /**
   * A third session on the destination that polls SIZE for progress (FluentFTP's way),
   * connected on its first poll so that it never delays the start.
   */
  probe?: SessionProvider;
  /** With TLS on both data channels and no SSCN/CPSV, allow PROT C for this copy. */
  allowClearData?: boolean;
  /** Both final replies are in and the sessions are free; the size check is still to come. */
  onTransferred?: () => void;
  /**
   * These two sessions just copied by FXP with this passive side: send the active side's
   * transfer command with its PORT (see runFxp). Never on a first try, which may be refused.
   */
  pipeline?: boolean;
}

export interface FxpResult {
  bytes: number;
  durationMs: number;
  passive: Side;
  secureData: boolean;
}

/**
 * The servers would not make the data connection between them: a refused PASV/PORT, a 425,
 * or a side that never got its data connection. Flipping the passive side or relaying may work.
 */
export class FxpRefusedError extends Error {
  override readonly name = 'FxpRefusedError';
  constructor(
    readonly phase: 'pasv' | 'port' | 'tls' | 'transfer',
    readonly side: Side,
    readonly reason: Error,
  ) {
    super(`${side} refused FXP at ${phase}: ${reason.message}`, { cause: reason });
  }
}

/** The two sides of a copy, each for the length of its task. */
export interface TaskPair {
  source: FtpTask;
  destination: FtpTask;
}

/**
 * Both sessions are held for the whole sequence: a keepalive NOOP between PASV and the
 * transfer command, or a SIZE between REST and STOR, would break it.
 */
export async function fxpCopy(request: FxpRequest): Promise<FxpResult> {
  const startedAt = Date.now();
  const secureData = await request.source.task((source) =>
    request.destination.task((destination) => runFxp(request, { source, destination })),
  );
  // The sessions are free: the next file's PASV may go out while this one's size is checked.
  request.onTransferred?.();
  const finalSize = await untilAborted(destinationSize(request), request.signal);
  if (finalSize !== request.size) {
    throw new FtpConnectionError(
      'protocol',
      `both servers reported success but the destination holds ${finalSize ?? 'no'} bytes of ${request.size}`,
    );
  }
  return {
    bytes: request.size - request.offset,
    durationMs: Date.now() - startedAt,
    passive: request.passive,
    secureData,
  };
}

/** The exchange itself, both sessions held: PASV, PORT, REST, RETR and STOR, both final replies. */
async function runFxp(request: FxpRequest, pair: TaskPair): Promise<boolean> {
  const { source, destination } = pair;
  const passive = request.passive === 'source' ? source : destination;
  const active = request.passive === 'source' ? destination : source;
  const activeSide: Side = request.passive === 'source' ? 'destination' : 'source';

  // Every await honours the signal: a cancel must not wait for a server that went silent.
  const step = <T>(work: Promise<T>) => untilAborted(work, request.signal);
  await step(Promise.all([source.binary(), destination.binary()]));
  const secure = await step(negotiateDataSecurity(pair, request.allowClearData));

  const pret = request.passive === 'source' ? `RETR ${request.sourcePath}` : `STOR ${request.destinationPath}`;
  const endpoint = await step(refusalAs('pasv', request.passive, requestPassive(passive, pret)));
  const portCommand = net.isIPv6(endpoint.host) ? 'EPRT' : 'PORT';
  const portArgument = portCommand === 'EPRT' ? encodeEprt(endpoint) : encodePort(endpoint);
  const issue: Record<Side, (options?: { pipelined: boolean }) => TransferCommand> = {
    source: (options) => source.transfer('RETR', request.sourcePath, options),
    destination: (options) => destination.transfer('STOR', request.destinationPath, options),
  };
  // RFC 478 note 1: once PASV is acknowledged the two commands may go in either order. When
  // this pair just worked (request.pipeline), with clear data and no resume, the active side's goes out in the same write as its PORT
  // (pipelined: a round trip saved per file, which on a tree of small files is a third of
  // the exchange); the passive side, listening since its 227, gets its own once the PORT is
  // acknowledged and accepts the connection already waiting. Otherwise (TLS on the data
  // channel, REST) the passive side's command goes first, so it is accepting when the other
  // connects: the order secure FXP has been tested with.
  const pipelined = request.pipeline === true && request.offset === 0 && !secure.protectedData;
  const port = refusalAs('port', activeSide, active.send(portCommand, portArgument));
  const early = pipelined ? issue[activeSide]({ pipelined: true }) : null;
  try {
    await step(port);
  } catch (error) {
    if (early) await step(settleEarly(early, active.session));
    throw error;
  }

  if (request.offset > 0) {
    await step(
      Promise.all([source.send('REST', String(request.offset)), destination.send('REST', String(request.offset))]),
    );
  }

  const commands = (
    early
      ? { [activeSide]: early, [request.passive]: issue[request.passive]() }
      : { [request.passive]: issue[request.passive](), [activeSide]: issue[activeSide]() }
  ) as Record<Side, TransferCommand>;

  commands.destination.started.then(
    () => request.onDestinationOpened?.(),
    () => undefined,
  );
  let lastSize = request.offset;
  try {
    await superviseTransfer({
      ...request,
      sides: [
        { name: 'source', session: source.session, command: commands.source },
        { name: 'destination', session: destination.session, command: commands.destination },
      ],
      poll: request.probe
        ? async () => {
            const now = await size(await request.probe!.acquire(), request.destinationPath, { quiet: true });
            if (now !== null) lastSize = now;
            return lastSize;
          }
        : undefined,
    });
  } catch (error) {
    // The probe polls once a second: ask once more before deciding whether data moved.
    const now = request.probe
      ? await step(request.probe.acquire().then((probe) => size(probe, request.destinationPath))).catch(() => null)
      : null;
    const failure = classifyTransferFailure(error, Math.max(lastSize, now ?? 0) > request.offset);
    if (failure instanceof FxpRefusedError && secure.protectedData) {
      // The usual cause: the TLS server side insists on reusing its own control session's TLS
      // session, which the other server cannot have (ProFTPD: TLSOptions NoSessionReuseRequired).
      throw new FxpRefusedError(
        'tls',
        failure.side,
        new Error(
          `${failure.reason.message} (secure FXP needs both servers to accept data connections without TLS session reuse)`,
        ),
      );
    }
    throw failure;
  } finally {
    if (secure.restoreProtection) await step(restoreProtection(pair)).catch(() => undefined);
  }
  return secure.protectedData;
}

/**
 * Two TLS-protected data channels need one server to act as the TLS client: SSCN ON on a side
 * that offers it. Without it, both would wait as TLS servers (522); fall back to PROT C only
 * when the user allowed clear data.
 */
async function negotiateDataSecurity(
  { source, destination }: TaskPair,
  allowClearData: boolean | undefined,
): Promise<{ protectedData: boolean; restoreProtection: boolean }> {
  const [sourceProtected, destinationProtected] = [source.session.dataProtected, destination.session.dataProtected];
  if (!sourceProtected && !destinationProtected) return { protectedData: false, restoreProtection: false };
  if (sourceProtected && destinationProtected) {
    const sscnSide = [source, destination].find((s) => s.session.features.has('SSCN'));
    if (sscnSide) {
      const side: Side = sscnSide === source ? 'source' : 'destination';
      await refusalAs('tls', side, sscnSide.send('SSCN', 'ON'));
      return { protectedData: true, restoreProtection: false };
    }
  }
  if (!allowClearData) {
    throw new FxpRefusedError(
      'tls',
      sourceProtected ? 'source' : 'destination',
      new Error(
        'secure FXP needs SSCN on one server (neither offers it); allow clear data (PROT C) to copy unencrypted',
      ),
    );
  }
  for (const task of [source, destination]) if (task.session.dataProtected) await task.send('PROT', 'C');
  return { protectedData: false, restoreProtection: true };
}

async function restoreProtection({ source, destination }: TaskPair): Promise<void> {
  for (const task of [source, destination]) {
    if (task.session.dataProtected && !task.session.closedError) await task.send('PROT', 'P');
  }
}

/**
 * The PORT was refused but its transfer command had already gone out: the server answers it
 * with a refusal of its own (vsftpd 425 "Use PORT or PASV first"), which ends it. A server that
 * starts it anyway (1xx) is aborted, and one that stays silent is closed, so the next attempt
 * finds the session in step or reconnects.
 */
async function settleEarly(early: TransferCommand, session: FtpSession): Promise<void> {
  early.done.catch(() => undefined);
  const answer = await Promise.race([
    early.started.then(
      () => 'started' as const,
      () => 'refused' as const,
    ),
    new Promise<'silent'>((resolve) => setTimeout(() => resolve('silent'), EARLY_ANSWER_MS).unref()),
  ]);
  if (answer === 'started') await session.abort();
  // Some servers try the default data port first (RFC 959 §3.2) and take long to give up.
  else if (answer === 'silent') session.destroy();
}

/** How long a transfer command sent with a refused PORT may take to be refused in turn. */
const EARLY_ANSWER_MS = 3_000;

async function refusalAs<T>(phase: FxpRefusedError['phase'], side: Side, promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof FtpReplyError) throw new FxpRefusedError(phase, side, error);
    throw error;
  }
}

/**
 * A failed transfer is an FXP refusal when the data connection between the servers never
 * carried a byte: a 425 on either side, or a side that went silent (pure-ftpd drops a foreign
 * data connection and answers nothing). A 550 or a failure after data moved is a real error.
 */
function classifyTransferFailure(error: unknown, dataMoved: boolean): unknown {
  if (!(error instanceof SideError)) return error;
  const { side, cause } = error;
  if (cause instanceof FtpReplyError) {
    if (cause.code === 425 || (cause.code === 426 && !dataMoved)) return new FxpRefusedError('transfer', side, cause);
    return error;
  }
  if (!dataMoved && cause instanceof FtpConnectionError && (cause.code === 'timeout' || cause.code === 'closed')) {
    return new FxpRefusedError('transfer', side, cause);
  }
  return error;
}

/** From this size on, the size check after a copy goes to the probe (see destinationSize). */
const PROBE_CHECK_BYTES = 1024 * 1024;

/**
 * The destination's size once both sides said 226. A large file's is asked on the probe where
 * there is one: vsftpd sends 226 before close() returns, and that close can block for hundreds
 * of ms after a large upload; another session of the server answers from the inode at once.
 * A small file's goes on the copy's own session: the probe is one session for the whole site,
 * and with a SIZE per small file from every lane it became the queue's bottleneck (a
 * median 2 ms, p90 6 ms a SIZE under load, one at a time, for 4 lanes' worth of files).
 */
export async function destinationSize(request: {
  destination: FtpControl;
  destinationPath: string;
  size: number;
  probe?: SessionProvider;
}): Promise<number | null> {
  const useProbe = request.probe && request.size >= PROBE_CHECK_BYTES;
  const probe = useProbe ? await request.probe!.acquire().catch(() => null) : null;
  return size(probe ?? request.destination, request.destinationPath);
}
