import net from 'node:net';
import tls from 'node:tls';

export type DataSocket = net.Socket | tls.TLSSocket;

/** A data connection could not be set up; code and text make the reply to the transfer command. */
export class DataChannelError extends Error {
  override readonly name = 'DataChannelError';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * How a data connection is secured under PROT P: by the role this server takes in the handshake.
 * - server: RFC 4217's rule, the FTP server accepts the handshake.
 * - client: SSCN ON or CPSV, this server starts it (the peer of an FXP is then the TLS server).
 * - refused: a TLS-client-only server (dataTlsRole 'client-only') asked to be the TLS server.
 */
export type DataTls = { role: 'server'; context: tls.SecureContext } | { role: 'client' } | { role: 'refused' };

export interface DataChannelOptions {
  /**
   * Set when PROT P is in force; null: a clear data connection. Asked once the data socket is
   * up, as ProFTPD decides SSCN then: an SSCN ON after PASV/PORT still counts.
   */
  tls: (() => DataTls) | null;
  /** false: only the control connection's peer may connect (vsftpd without pasv_promiscuous). */
  acceptForeignPeer: boolean;
  /** The control connection's peer address, normalised. */
  controlPeer: string;
  /** How long to wait for the data connection (accept or connect, and the TLS handshake). */
  timeoutMs: number;
}

export interface DataChannel {
  readonly mode: 'passive' | 'active';
  /** Resolves with the ready data socket (TLS handshake done under PROT P). */
  connect(): Promise<DataSocket>;
  /** Closes the listener and any data socket. */
  close(): void;
}

const FAILED_TO_CONNECT = 'Failed to establish connection.';

/** '::ffff:1.2.3.4' → '1.2.3.4', so IPv4 peers compare equal on dual-stack sockets. */
export function normalizeAddress(address: string | undefined): string {
  if (!address) return '';
  const mapped = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i.exec(address);
  return mapped?.[1] ?? address;
}

/** Never let a stray 'error' on an idle data socket crash the process; pipeline reports its own. */
function ignoreErrors(socket: net.Socket): void {
  socket.on('error', () => {});
}

/** Secures a fresh data connection as `role` says; resolves once the handshake is done. */
function secureDataSocket(raw: net.Socket, role: (() => DataTls) | null): Promise<DataSocket> {
  const how = role?.();
  if (!how) return Promise.resolve(raw);
  if (how.role === 'refused') {
    // glFTPd's answer when it cannot be the TLS server: the connection is dropped, the command fails.
    raw.destroy();
    return Promise.reject(new DataChannelError(435, 'Failed TLS negotiation on data channel'));
  }
  // As ProFTPD with TLSVerifyServer off: the peer of an FXP is another server, its certificate unknown.
  const secure =
    how.role === 'server'
      ? new tls.TLSSocket(raw, { isServer: true, secureContext: how.context })
      : tls.connect({ socket: raw, rejectUnauthorized: false });
  ignoreErrors(secure);
  return new Promise((resolve, reject) => {
    secure.once(how.role === 'server' ? 'secure' : 'secureConnect', () => resolve(secure));
    secure.once('error', () => reject(new DataChannelError(425, 'TLS handshake failed on the data connection.')));
    secure.once('close', () => reject(new DataChannelError(425, FAILED_TO_CONNECT)));
  });
}

/** PASV/EPSV: listens on an ephemeral port and takes the first acceptable connection. */
export class PassiveChannel implements DataChannel {
  readonly mode = 'passive';
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private ready: Promise<DataSocket> | null = null;
  private failure: DataChannelError | null = null;
  private wake: (() => void) | null = null;
  private closed = false;

  private constructor(private readonly options: DataChannelOptions) {
    this.server = net.createServer({ pauseOnConnect: false }, (socket) => this.onConnection(socket));
    this.server.on('error', () => {});
  }

  static async open(host: string, options: DataChannelOptions): Promise<PassiveChannel> {
    const channel = new PassiveChannel(options);
    await new Promise<void>((resolve, reject) => {
      channel.server.once('error', reject);
      channel.server.listen({ host, port: 0 }, () => resolve());
    });
    return channel;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  private onConnection(socket: net.Socket): void {
    ignoreErrors(socket);
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    if (this.closed || this.ready || this.failure) {
      socket.destroy();
      return;
    }
    if (!this.options.acceptForeignPeer && normalizeAddress(socket.remoteAddress) !== this.options.controlPeer) {
      // As vsftpd does: drop it and fail the transfer, rather than wait for a better peer.
      socket.destroy();
      this.fail(new DataChannelError(425, 'Security: Bad IP connecting.'));
      return;
    }
    this.server.close();
    // Wrapped at once, before any byte is read, so the ClientHello cannot be lost.
    this.ready = secureDataSocket(socket, this.options.tls);
    this.ready.catch(() => {});
    this.wake?.();
  }

  private fail(error: DataChannelError): void {
    this.failure = error;
    this.server.close();
    this.wake?.();
  }

  async connect(): Promise<DataSocket> {
    if (!this.ready && !this.failure && !this.closed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.fail(new DataChannelError(425, FAILED_TO_CONNECT));
        }, this.options.timeoutMs);
        this.wake = () => {
          clearTimeout(timer);
          this.wake = null;
          resolve();
        };
      });
    }
    if (this.failure) throw this.failure;
    if (!this.ready) throw new DataChannelError(425, FAILED_TO_CONNECT);
    return withTimeout(this.ready, this.options.timeoutMs);
  }

  close(): void {
    this.closed = true;
    this.server.close();
    for (const socket of this.sockets) socket.destroy();
    this.wake?.();
  }
}

/** PORT/EPRT: connects to the client's (or another server's) listener when a transfer starts. */
export class ActiveChannel implements DataChannel {
  readonly mode = 'active';
  private socket: net.Socket | null = null;
  private closed = false;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly localAddress: string | undefined,
    private readonly options: DataChannelOptions,
  ) {}

  async connect(): Promise<DataSocket> {
    if (this.closed) throw new DataChannelError(425, FAILED_TO_CONNECT);
    const socket = net.connect({ host: this.host, port: this.port, localAddress: this.localAddress });
    ignoreErrors(socket);
    this.socket = socket;
    const connected = new Promise<net.Socket>((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('error', () => reject(new DataChannelError(425, FAILED_TO_CONNECT)));
      socket.once('close', () => reject(new DataChannelError(425, FAILED_TO_CONNECT)));
    });
    const ready = connected.then((raw) => secureDataSocket(raw, this.options.tls));
    try {
      return await withTimeout(ready, this.options.timeoutMs);
    } catch (err) {
      socket.destroy();
      throw err;
    }
  }

  close(): void {
    this.closed = true;
    this.socket?.destroy();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new DataChannelError(425, FAILED_TO_CONNECT)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof DataChannelError ? err : new DataChannelError(425, FAILED_TO_CONNECT));
      },
    );
  });
}
