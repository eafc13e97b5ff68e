/**
 * Relay: when the servers won't talk to each other, the bytes come through us. Both data
 * connections are passive (we connect to each server), so this works behind NAT and with
 * servers that refuse FXP. The bytes are pumped with backpressure (relay-pipe.ts): memory stays
 * flat whatever the file size.
 */
import { untilAborted } from './cancel.js';
import { connectData, requestPassive, setSscn } from './data.js';
import type { SessionProvider } from './copy.js';
import { FtpConnectionError, SideError } from './errors.js';
import { destinationSize, type TaskPair } from './fxp.js';
import { RelayPipe } from './relay-pipe.js';
import type { Route } from './route.js';
import type { FtpControl } from './session.js';
import { superviseTransfer, type TransferWatch } from './supervise.js';

export interface RelayRequest extends TransferWatch {
  source: FtpControl;
  destination: FtpControl;
  sourcePath: string;
  destinationPath: string;
  offset: number;
  size: number;
  probe?: SessionProvider;
}

export interface RelayResult {
  bytes: number;
  durationMs: number;
  route: Extract<Route, { mode: 'relay' }>;
}

/** Both sessions held for the whole sequence, as in fxpCopy. */
export function relayCopy(request: RelayRequest): Promise<RelayResult> {
  return request.source.task((source) =>
    request.destination.task((destination) => runRelay(request, { source, destination })),
  );
}

async function runRelay(request: RelayRequest, { source, destination }: TaskPair): Promise<RelayResult> {
  const startedAt = Date.now();
  const { signal } = request;
  // Every await honours the signal: a cancel must not wait for a server that went silent.
  const step = <T>(work: Promise<T>) => untilAborted(work, signal);
  await step(Promise.all([source.binary(), destination.binary()]));

  // Both data connections end at pasv, which is their TLS client: neither server may be one too.
  await step(
    Promise.all([
      sideFailure('source', setSscn(source, false)),
      sideFailure('destination', setSscn(destination, false)),
    ]),
  );
  const sourcePassive = await step(
    sideFailure('source', requestPassive(source, { pret: `RETR ${request.sourcePath}` })),
  );
  const destinationPassive = await step(
    sideFailure('destination', requestPassive(destination, { pret: `STOR ${request.destinationPath}` })),
  );
  const [sourceEndpoint, destinationEndpoint] = [sourcePassive.endpoint, destinationPassive.endpoint];
  const pipe = new RelayPipe(request.size - request.offset);
  const connections = await Promise.allSettled([
    sideFailure('source', connectData(source.session, sourceEndpoint, { signal, onread: pipe.onread })),
    sideFailure('destination', connectData(destination.session, destinationEndpoint, { signal })),
  ]);
  const sockets = connections.flatMap((c) => (c.status === 'fulfilled' ? [c.value] : []));
  const closeData = () => sockets.forEach((socket) => socket.destroy());
  const refused = connections.find((c) => c.status === 'rejected');
  if (refused) {
    closeData();
    throw refused.reason;
  }
  const [input, output] = sockets as [(typeof sockets)[0], (typeof sockets)[0]];

  try {
    // The source goes first and must say 1xx before the destination opens the file: a STOR
    // whose data connection then closed empty would truncate what the destination had.
    if (request.offset > 0) await step(sideFailure('source', source.send('REST', String(request.offset))));
    const retrieve = source.transfer('RETR', request.sourcePath);
    await step(sideFailure('source', retrieve.started));
    if (request.offset > 0) await step(sideFailure('destination', destination.send('REST', String(request.offset))));
    const store = destination.transfer('STOR', request.destinationPath);
    try {
      await step(sideFailure('destination', store.started));
      request.onDestinationOpened?.();
    } catch (error) {
      closeData();
      await source.session.abort();
      throw error;
    }

    await superviseTransfer({
      ...request,
      sides: [
        { name: 'source', session: source.session, command: retrieve },
        { name: 'destination', session: destination.session, command: store },
      ],
      poll: () => request.offset + pipe.bytes,
      alongside: pipe.run(input, output),
      onAbort: closeData,
    });
  } catch (error) {
    closeData();
    throw error;
  }

  const finalSize = await step(destinationSize({ ...request, destination }));
  if (finalSize !== request.size) {
    throw new FtpConnectionError(
      'protocol',
      `the relay finished but the destination holds ${finalSize ?? 'no'} bytes of ${request.size}`,
    );
  }
  return {
    bytes: request.size - request.offset,
    durationMs: Date.now() - startedAt,
    route: { mode: 'relay', pret: sourcePassive.pret || destinationPassive.pret },
  };
}

async function sideFailure<T>(side: 'source' | 'destination', promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    throw new SideError(side, error as Error);
  }
}
