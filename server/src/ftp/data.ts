/**
 * Passive data connections: asking a server to listen (PASV/EPSV) and, for relay and listings,
 * connecting to it ourselves.
 */
import net from 'node:net';
import tls from 'node:tls';
import { unmapIPv4 } from './address.js';
import { CancelledError } from './cancel.js';
import { FtpConnectionError, FtpReplyError } from './errors.js';
import { assertDataPort, parseEpsvReply, parsePasvReply, passiveHost, type HostPort } from './pasv.js';
import { checkPinnedCertificate, toConnectionError } from './connect.js';
import type { FtpSession, FtpTask } from './session.js';

export interface PassiveOptions {
  /** The transfer command that will use the port ("RETR /a/b"), for PRET. */
  pret?: string;
  /** PRET worked with this server before (route memory): send it even if FEAT doesn't list it. */
  pretKnown?: boolean;
  /** CPSV instead of PASV: the server will be the TLS client of the data connection. */
  cpsv?: boolean;
}

/**
 * Ask the task's server to listen for one data connection and return where it listens, and
 * whether PRET went first. Part of a task: the transfer command that uses the port must follow
 * before any other PASV. EPSV for an IPv6 control connection (PASV cannot express it), PASV (or
 * CPSV) otherwise.
 *
 * PRET (distributed servers such as drftpd pick the data node by the command that follows) by
 * the site's setting: never, always, or auto: where FEAT lists it, where the route memory
 * says it was needed, or once the server refuses the passive command asking for it (`500 You
 * need to use a client supporting PRET`), which the session then remembers.
 */
export async function requestPassive(
  task: FtpTask,
  options: PassiveOptions = {},
): Promise<{ endpoint: HostPort; pret: boolean }> {
  const { session } = task;
  const setting = session.options.pret ?? 'auto';
  const pretCommand = setting === 'never' ? undefined : options.pret;
  let pret =
    pretCommand !== undefined &&
    (setting === 'always' || options.pretKnown === true || session.pretNeeded || session.features.has('PRET'));
  try {
    if (!pret) return { endpoint: await passiveEndpoint(task, options.cpsv === true), pret };
    // The passive command goes out behind its PRET, not a round trip later; a refused PRET
    // still fails the pair (its PASV's answer, whatever it is, comes and goes with it).
    const [, endpoint] = await Promise.all([
      task.send('PRET', pretCommand!),
      passiveEndpoint(task, options.cpsv === true, true),
    ]);
    return { endpoint, pret };
  } catch (error) {
    if (pret || pretCommand === undefined || !asksForPret(error)) throw error;
    session.pretNeeded = true;
    await task.send('PRET', pretCommand);
    pret = true;
    return { endpoint: await passiveEndpoint(task, options.cpsv === true), pret };
  }
}

async function passiveEndpoint(task: FtpTask, cpsv: boolean, pipelined = false): Promise<HostPort> {
  const { session } = task;
  const controlHost = unmapIPv4(session.remoteAddress);
  const send = (verb: string) => (pipelined ? task.sendPipelined(verb) : task.send(verb));
  let endpoint: HostPort;
  if (net.isIPv6(controlHost)) {
    const reply = await send('EPSV');
    endpoint = { host: controlHost, port: parseEpsvReply(reply.text) };
  } else {
    const reply = await send(cpsv ? 'CPSV' : 'PASV');
    const announced = parsePasvReply(reply.text);
    endpoint = {
      host: passiveHost(
        announced.host,
        controlHost,
        session.options.pasvAddress ?? 'control',
        session.options.addressGuard,
      ),
      port: announced.port,
    };
  }
  assertDataPort(endpoint.port);
  return endpoint;
}

function asksForPret(error: unknown): boolean {
  return error instanceof FtpReplyError && /\bPRET\b/i.test(error.text);
}

/**
 * SSCN (secure FXP): ON makes the server the TLS client of its data connections, OFF the TLS
 * server again. Sent only when the session's state must change. Before any data connection
 * whose other end is pasv itself (a listing, a relay), SSCN must be off: we are the TLS client.
 */
export async function setSscn(task: FtpTask, on: boolean): Promise<void> {
  if (task.session.sscn === on) return;
  await task.send('SSCN', on ? 'ON' : 'OFF');
  task.session.sscn = on;
}

/**
 * Connect to a passive data port. Over TLS the handshake reuses the control connection's TLS
 * session: vsftpd (require_ssl_reuse) and ProFTPD refuse a data connection that doesn't.
 * Resolves once TCP is up, not after the TLS handshake: many servers only start their side of
 * the handshake once the transfer command has arrived (basic-ftp notes the same). Writes made
 * before the handshake completes are buffered by the TLS socket.
 *
 * `onread` (plain connections only) reads into the caller's buffer, as net.Socket's option of
 * that name does; such a socket is handed over paused and reads once the caller resumes it.
 */
export function connectData(
  session: FtpSession,
  endpoint: HostPort,
  options: { signal?: AbortSignal; onread?: net.OnReadOpts } = {},
): Promise<net.Socket | tls.TLSSocket> {
  const tlsOptions = session.dataTlsOptions();
  const timeoutMs = session.options.connectTimeoutMs ?? 15_000;
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(new CancelledError());
  // Over TLS the TLS socket reads the raw one itself, so a caller's buffer would go unused.
  const onread = tlsOptions ? undefined : options.onread;
  return new Promise((resolve, reject) => {
    const raw = net.connect({ host: endpoint.host, port: endpoint.port, onread });
    // Paused before it connects, so no read lands in the caller's buffer before it is ready.
    if (onread) raw.pause();
    const giveUp = (error: Error) => {
      settle();
      raw.destroy();
      reject(error);
    };
    const timer = setTimeout(
      () => giveUp(new FtpConnectionError('timeout', `data connection to ${endpoint.host}:${endpoint.port} timed out`)),
      timeoutMs,
    );
    const onAbort = () => giveUp(new CancelledError());
    signal?.addEventListener('abort', onAbort, { once: true });
    const settle = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    raw.once('error', (error) => {
      settle();
      reject(toConnectionError(error));
    });
    raw.once('connect', () => {
      settle();
      raw.removeAllListeners('error');
      if (!tlsOptions) {
        resolve(raw);
        return;
      }
      raw.on('error', () => undefined); // surfaced through the TLS socket
      const secure = tls.connect({ ...tlsOptions, socket: raw });
      secure.on('session', (ticket: Buffer) => session.rememberTlsSession(ticket));
      secure.once('secureConnect', () => {
        // A resumed session carries no certificate: it was authenticated (and pinned) on the
        // control connection it came from.
        const problem = secure.isSessionReused() ? null : checkPinnedCertificate(secure, session.options);
        if (problem) secure.destroy(problem);
      });
      resolve(secure);
    });
  });
}
