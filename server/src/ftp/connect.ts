/**
 * Opening control and data sockets: TCP or TLS with certificate verification or a pinned
 * fingerprint, and turning socket errors into the session's connection errors.
 */
import net from 'node:net';
import tls from 'node:tls';
import { FtpConnectionError, HostRefusedError, type ConnectionErrorCode } from './errors.js';
import type { SessionOptions } from './types.js';

const DEFAULT_PORT = 21;

export function tlsOptionsFor(options: SessionOptions): tls.ConnectionOptions {
  const pinned = Boolean(options.fingerprint256);
  return {
    host: options.host,
    servername: net.isIP(options.host) ? undefined : options.host,
    rejectUnauthorized: options.rejectUnauthorized ?? !pinned,
    minVersion: 'TLSv1.2',
  };
}

/** With a pinned fingerprint, the certificate must match it exactly (checked before any command). */
export function checkPinnedCertificate(socket: tls.TLSSocket, options: SessionOptions): FtpConnectionError | null {
  if (!options.fingerprint256) return null;
  const actual = socket.getPeerCertificate()?.fingerprint256 ?? '';
  if (normalizeFingerprint(actual) === normalizeFingerprint(options.fingerprint256)) return null;
  return new FtpConnectionError('tls', `certificate fingerprint ${actual || '(none)'} does not match the pinned one`);
}

function normalizeFingerprint(value: string): string {
  return value.replace(/[^0-9a-f]/gi, '').toUpperCase();
}

export async function openSocket(options: SessionOptions, implicitTls: boolean): Promise<net.Socket | tls.TLSSocket> {
  const port = options.port ?? (implicitTls ? 990 : DEFAULT_PORT);
  const timeoutMs = options.connectTimeoutMs ?? 15_000;
  return new Promise((resolve, reject) => {
    const socket = implicitTls
      ? tls.connect({ ...tlsOptionsFor(options), port })
      : net.connect({ host: options.host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new FtpConnectionError('timeout', `could not connect to ${options.host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(toConnectionError(error));
    });
    // TCP is up (for implicit TLS, before the handshake): judge where the name really led.
    socket.once('connect', () => {
      const refusal = peerRefusal(socket, options);
      if (!refusal) return;
      clearTimeout(timer);
      socket.destroy();
      reject(refusal);
    });
    socket.once(implicitTls ? 'secureConnect' : 'connect', () => {
      if (socket.destroyed) return;
      clearTimeout(timer);
      socket.removeAllListeners('error');
      if (socket instanceof tls.TLSSocket) {
        const problem = checkPinnedCertificate(socket, options);
        if (problem) {
          socket.destroy();
          reject(problem);
          return;
        }
      }
      resolve(socket);
    });
  });
}

function peerRefusal(socket: net.Socket, options: SessionOptions): HostRefusedError | null {
  if (!options.addressGuard) return null;
  const address = socket.remoteAddress;
  const reason = address ? options.addressGuard.refusal(address) : 'the connection has no peer address';
  return reason ? new HostRefusedError(`${options.host} connected to ${address ?? '?'}: ${reason}`) : null;
}

export function toConnectionError(error: Error & { code?: string }): FtpConnectionError {
  if (error instanceof FtpConnectionError) return error;
  // A name that does not resolve never reached a server: saying "refused" sends people to the wrong firewall.
  const code: ConnectionErrorCode = /^(ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL)$/.test(error.code ?? '')
    ? 'dns'
    : /^(ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL)$/.test(error.code ?? '')
      ? 'refused'
      : /CERT|SSL|TLS|self.signed|altnames/i.test(`${error.code ?? ''} ${error.message}`)
        ? 'tls'
        : 'closed';
  return new FtpConnectionError(code, error.message, { cause: error });
}

export function withTimeout<T>(promise: Promise<T>, ms: number, message = `timed out after ${ms} ms`): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new FtpConnectionError('timeout', message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
