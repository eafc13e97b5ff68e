/**
 * FXP: one server sends a file straight to another (RFC 959 §2.3, RFC 478). We steer both
 * control connections; the bytes never pass through us.
 */
import net from 'node:net';
import { untilAborted } from './cancel.js';
import { requestPassive, setSscn } from './data.js';
import { FtpConnectionError, FtpReplyError, SideError, type Side } from './errors.js';
import { other } from './ladder.js';
import { classifyReply } from './policy.js';
import { size } from './ops.js';
import { encodeEprt, encodePort } from './pasv.js';
import type { DataSecurity, Route } from './route.js';
import { superviseTransfer, type TransferWatch } from './supervise.js';
import type { SessionProvider } from './copy.js';
import type { FtpControl, FtpTask, TransferCommand } from './session.js';

export interface FxpRequest extends TransferWatch {
  source: FtpControl;
  destination: FtpControl;
  sourcePath: string;
  destinationPath: string;
  /** Which server listens, how the data connection is secured, whether PRET is known to be needed. */
  route: FxpRoute;
  /** Resume from this byte (REST on both sides); 0 for a full copy. */
  offset: number;
  /** The source file's size, known beforehand (SIZE); checked against the result. */
  size: number;
  /**
   * A third session on the destination that polls SIZE for progress (FluentFTP's way),
   * connected on its first poll so that it never delays the start.
   */
  probe?: SessionProvider;
  /** Both final replies are in and the sessions are free; the size check is still to come. */
  onTransferred?: () => void;
  /**
   * These two sessions just copied by FXP on this route: send the active side's transfer
   * command with its PORT (see runFxp). Never on a first try, which may be refused.
   */
  pipeline?: boolean;
}

export type FxpRoute = Extract<Route, { mode: 'fxp' }>;

export interface FxpResult {
  bytes: number;
  durationMs: number;
  /** The route as it went: whether PRET was sent, EPSV/EPRT or PASV/PORT. */
  route: FxpRoute;
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
  const { route, secureData } = await request.source.task((source) =>
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
    route,
    secureData,
  };
}

/** The exchange itself, both sessions held: PASV, PORT, REST, RETR and STOR, both final replies. */
async function runFxp(request: FxpRequest, pair: TaskPair): Promise<{ route: FxpRoute; secureData: boolean }> {
  const { source, destination } = pair;
  const { route } = request;
  const passiveSide = route.passive;
  const passive = passiveSide === 'source' ? source : destination;
  const active = passiveSide === 'source' ? destination : source;
  const activeSide: Side = passiveSide === 'source' ? 'destination' : 'source';
  const cpsv = route.security === 'cpsv';

  // Every await honours the signal: a cancel must not wait for a server that went silent.
  const step = <T>(work: Promise<T>) => untilAborted(work, request.signal);
  await step(Promise.all([source.binary(), destination.binary()]));
  const secure = await step(secureData(pair, route.security));

  if (cpsv && net.isIPv6(passive.session.remoteAddress)) {
    throw new FxpRefusedError('tls', passiveSide, new Error('CPSV has no IPv6 form'));
  }
  const pretCommand = passiveSide === 'source' ? `RETR ${request.sourcePath}` : `STOR ${request.destinationPath}`;
  // A refused CPSV says nothing about addresses: it is the way of securing the data that failed.
  const passiveReply = await step(
    refusalAs(
      cpsv ? 'tls' : 'pasv',
      passiveSide,
      requestPassive(passive, { pret: pretCommand, pretKnown: route.pret, cpsv }),
    ),
  );
  const { endpoint } = passiveReply;
  const portCommand = net.isIPv6(endpoint.host) ? 'EPRT' : 'PORT';
  const portArgument = portCommand === 'EPRT' ? encodeEprt(endpoint) : encodePort(endpoint);
  const issue: Record<Side, (options?: { pipelined: boolean }) => TransferCommand> = {
    source: (options) => source.transfer('RETR', request.sourcePath, options),
    destination: (options) => destination.transfer('STOR', request.destinationPath, options),
  };
  // RFC 478 note 1: once PASV is acknowledged the two commands may go in either order. When
  // this pair just worked (request.pipeline), with clear data and no resume, both go out with
  // the PORT, not after its reply: the active side's in the same write as its PORT, the passive
  // side's (listening since its 227) beside it, as the bench's floor does. That saves the PORT's
  // round trip per file, and a write. Otherwise (a first try, which may be refused; TLS on the
  // data channel; REST) both go once the PORT is acknowledged, the passive side's first, so it
  // is accepting when the other connects: the order secure FXP has been tested with.
  const pipelined = request.pipeline === true && request.offset === 0 && !secure.protectedData;
  const port = refusalAs('port', activeSide, active.send(portCommand, portArgument));
  let early: Record<Side, TransferCommand> | null = null;
  if (pipelined) {
    const activeCommand = issue[activeSide]({ pipelined: true });
    early = { [activeSide]: activeCommand, [passiveSide]: issue[passiveSide]() } as Record<Side, TransferCommand>;
  }
  try {
    await step(port);
  } catch (error) {
    if (early) await step(settleEarly(early, pair, activeSide));
    throw error;
  }

  if (request.offset > 0) {
    await step(
      Promise.all([source.send('REST', String(request.offset)), destination.send('REST', String(request.offset))]),
    );
  }

  const commands =
    early ??
    ({ [passiveSide]: issue[passiveSide](), [activeSide]: issue[activeSide]() } as Record<Side, TransferCommand>);

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
      // With TLS on the data connection, a connection that never carried a byte is most often
      // the TLS handshake between the servers failing (435, a closed connection): the way of
      // securing it, not the addresses, is what to change.
      throw new FxpRefusedError('tls', failure.side, failure.reason);
    }
    throw failure;
  } finally {
    if (secure.restoreProtection) await step(restoreProtection(pair)).catch(() => undefined);
  }
  return {
    route: { ...route, pret: passiveReply.pret, extended: portCommand === 'EPRT' },
    secureData: secure.protectedData,
  };
}

/**
 * Two TLS-protected data channels need one server to act as the TLS client (without it both
 * wait as TLS servers: 522, 435): SSCN ON on that side and OFF on the other, or CPSV on the
 * passive side. Clear data turns PROT C on for this copy and back to P after it.
 */
async function secureData(
  { source, destination }: TaskPair,
  security: DataSecurity,
): Promise<{ protectedData: boolean; restoreProtection: boolean }> {
  switch (security) {
    case 'none':
      return { protectedData: false, restoreProtection: false };
    case 'sscn-destination':
    case 'sscn-source': {
      const [client, server] = security === 'sscn-destination' ? [destination, source] : [source, destination];
      const clientSide: Side = client === source ? 'source' : 'destination';
      await refusalAs('tls', other(clientSide), setSscn(server, false));
      await refusalAs('tls', clientSide, setSscn(client, true));
      return { protectedData: true, restoreProtection: false };
    }
    case 'cpsv':
      await Promise.all([setSscn(source, false), setSscn(destination, false)]);
      return { protectedData: true, restoreProtection: false };
    case 'clear':
      for (const task of [source, destination]) if (task.session.dataProtected) await task.send('PROT', 'C');
      return { protectedData: false, restoreProtection: true };
  }
}

async function restoreProtection({ source, destination }: TaskPair): Promise<void> {
  for (const task of [source, destination]) {
    if (task.session.dataProtected && !task.session.closedError) await task.send('PROT', 'P');
  }
}

/**
 * The PORT was refused but both transfer commands had already gone out. The active server
 * answers its own with a refusal (vsftpd 425 "Use PORT or PASV first"), which ends it; one that
 * starts it anyway (1xx) is aborted, and one that stays silent is closed. The passive server
 * waits for a connection that will not come: it is aborted, and closed if it does not answer
 * the ABOR at once. Either way the next attempt finds the sessions in step or reconnects.
 */
async function settleEarly(early: Record<Side, TransferCommand>, pair: TaskPair, activeSide: Side): Promise<void> {
  const passiveSide = other(activeSide);
  for (const command of Object.values(early)) command.done.catch(() => undefined);
  const waiting = pair[passiveSide].session.abort(PASSIVE_ABORT_MS);
  const answer = await Promise.race([
    early[activeSide].started.then(
      () => 'started' as const,
      () => 'refused' as const,
    ),
    new Promise<'silent'>((resolve) => setTimeout(() => resolve('silent'), EARLY_ANSWER_MS).unref()),
  ]);
  const session = pair[activeSide].session;
  if (answer === 'started') await session.abort();
  // Some servers try the default data port first (RFC 959 §3.2) and take long to give up.
  else if (answer === 'silent') session.destroy();
  await waiting;
}

/** How long a transfer command sent with a refused PORT may take to be refused in turn. */
const EARLY_ANSWER_MS = 3_000;
/** How long the passive server of a refused PORT may take to answer its ABOR before it is closed. */
const PASSIVE_ABORT_MS = 1_000;

async function refusalAs<T>(phase: FxpRefusedError['phase'], side: Side, promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof FtpReplyError) throw new FxpRefusedError(phase, side, error);
    throw error;
  }
}

/**
 * Replies to a transfer command that say the data connection between the servers could not be
 * made: 425 (no connection), 435 (glFTPd: TLS negotiation on it failed), 522 (it must be TLS).
 */
const REFUSAL_CODES = new Set([425, 435, 522]);

/**
 * A failed transfer is an FXP refusal when the data connection between the servers never
 * carried a byte: a 425, 435 or 522 on either side, or a side that went silent (pure-ftpd drops a foreign
 * data connection and answers nothing). A 550 or a failure after data moved is a real error.
 */
function classifyTransferFailure(error: unknown, dataMoved: boolean): unknown {
  if (!(error instanceof SideError)) return error;
  const { side, cause } = error;
  if (cause instanceof FtpReplyError) {
    // A policy reply (426 Slow transfer, a dupe, a full disk) is the server's answer, not a refusal of FXP.
    if (classifyReply(cause.code, cause.text, cause.command) !== null) return error;
    if (REFUSAL_CODES.has(cause.code) || (cause.code === 426 && !dataMoved)) {
      return new FxpRefusedError('transfer', side, cause);
    }
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
  // On the copy's own session, the lane's next file goes out behind the SIZE.
  return probe
    ? size(probe, request.destinationPath)
    : size(request.destination, request.destinationPath, { release: true });
}
