import net from 'node:net';
import tls from 'node:tls';
import { FtpConnection } from './connection.js';
import type { FxpPermissions, ServerContext } from './connection.js';
import { VirtualFs } from './fs.js';
import { PolicySwitches, type PolicyOptions } from './policy.js';

export interface FtpServerOptions extends PolicyOptions {
  /** Default '127.0.0.1' (also '::1'). */
  host?: string;
  /** Default 0: an ephemeral port. */
  port?: number;
  /** Local directory served as '/'. */
  root: string;
  users: { user: string; password: string }[];
  /**
   * Default true. false behaves like vsftpd without *_promiscuous: a PORT/EPRT to another
   * address than the client's gets '500 Illegal PORT command.', and a passive data
   * connection from another address is dropped with '425 Security: Bad IP connecting.'
   * The object form sets the two sides apart (pure-ftpd-like servers allow only one).
   */
  allowFxp?: boolean | FxpPermissions;
  /** Address advertised in 227 (default: the control socket's local address). */
  pasvAddress?: string;
  /** Enables AUTH TLS, PBSZ, PROT P/C. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Throttles every data transfer (demo progress, cancel tests). */
  bytesPerSecond?: number;
  greeting?: string;
  log?: (line: string) => void;
  /** How long a transfer waits for its data connection (default 30 s). */
  dataTimeoutMs?: number;
  /**
   * drftpd-like PRET (PRE Transfer): listed in FEAT after login, `PRET <verb> [path]` announces
   * the next transfer. 'required' refuses PASV/EPSV/CPSV without one: '500 You need to use a
   * client supporting PRET (PRE Transfer) to use PASV'. Default: no PRET (500 not understood).
   */
  pret?: 'required' | 'offered';
  /**
   * ProFTPD mod_tls / glFTPd-like SSCN: `SSCN ON` makes this server the TLS client of every
   * protected data connection that opens from then on (passive or active), as a secure FXP
   * between two servers needs. Default: 500 SSCN not understood.
   */
  sscn?: boolean;
  /**
   * glFTPd/ioFTPD-like CPSV: PASV (same 227) whose data connection this server secures as the TLS
   * client under PROT P (under PROT C it is plain PASV). Default: 500 CPSV not understood.
   */
  cpsv?: boolean;
  /**
   * 'client-only' behaves like glFTPd failing as the data connection's TLS server: under PROT P,
   * without SSCN ON or CPSV, the transfer gets '435 Failed TLS negotiation on data channel'.
   */
  dataTlsRole?: 'client-only';
}

export type { FxpPermissions };

export interface EmbeddedFtpServer {
  host: string;
  port: number;
  url: string;
  connectionCount(): number;
  /** Stops listening and ends every connection. */
  close(): Promise<void>;
  /** Abruptly destroys every control and data socket (fault tests). */
  destroyConnections(): void;
  /** Policy switches (policy.ts): change the quota; count logins. */
  setQuota(bytes: number | undefined): void;
  logins(): { now: number; peak: number; refused: number };
}

/** How long close() lets clients read the 421 before their sockets are destroyed. */
const CLOSE_GRACE_MS = 1000;

/** Starts an FTP server that serves `root` to the configured users. */
export async function startFtpServer(options: FtpServerOptions): Promise<EmbeddedFtpServer> {
  const host = options.host ?? '127.0.0.1';
  const ctx: ServerContext = {
    vfs: await VirtualFs.open(options.root),
    users: options.users.map((u) => ({ user: u.user, password: u.password })),
    fxp: fxpPermissions(options.allowFxp),
    pasvAddress: options.pasvAddress,
    secureContext: options.tls ? tls.createSecureContext({ key: options.tls.key, cert: options.tls.cert }) : null,
    bytesPerSecond: options.bytesPerSecond,
    greeting: sanitizeGreeting(options.greeting ?? 'pasv embedded FTP server ready.'),
    log: options.log ?? (() => {}),
    dataTimeoutMs: options.dataTimeoutMs ?? 30_000,
    pret: options.pret ?? null,
    sscn: options.sscn ?? false,
    cpsv: options.cpsv ?? false,
    dataTlsRole: options.dataTlsRole ?? 'any',
    policy: new PolicySwitches(options, options.root),
  };

  const connections = new Set<FtpConnection>();
  let drainWaiters: (() => void)[] = [];
  const server = net.createServer((socket) => {
    connections.add(
      new FtpConnection(socket, ctx, (conn) => {
        connections.delete(conn);
        if (connections.size > 0) return;
        for (const resolve of drainWaiters) resolve();
        drainWaiters = [];
      }),
    );
  });
  // The server's own 'close' can come before the connections' 'close' handlers have run.
  const drained = () =>
    connections.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => drainWaiters.push(resolve));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: options.port ?? 0 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => ctx.log(`server error: ${err.message}`));

  const port = (server.address() as net.AddressInfo).port;
  const urlHost = net.isIPv6(host) ? `[${host}]` : host;
  let closing: Promise<void> | null = null;

  return {
    host,
    port,
    url: `ftp://${urlHost}:${port}`,
    connectionCount: () => connections.size,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => void drained().then(resolve));
        for (const conn of connections) {
          conn.reply(421, 'Server shutting down.');
          conn.end();
        }
        setTimeout(() => {
          for (const conn of connections) conn.destroy();
        }, CLOSE_GRACE_MS).unref();
      });
      return closing;
    },
    destroyConnections() {
      for (const conn of connections) conn.destroy();
    },
    setQuota: (bytes) => ctx.policy.setQuota(bytes),
    logins: () => ctx.policy.logins(),
  };
}

function fxpPermissions(allow: boolean | FxpPermissions = true): FxpPermissions {
  return typeof allow === 'boolean' ? { activeToForeign: allow, passiveFromForeign: allow } : { ...allow };
}

function sanitizeGreeting(text: string): string {
  return text.replace(/[\r\n\0]+/g, ' ');
}
