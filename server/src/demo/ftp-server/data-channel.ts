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

export interface DataChannelOptions {
  /** Set when PROT P is in force: the server is the TLS server on the data connection (RFC 4217). */
  secureContext: tls.SecureContext | null;
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

/** Server side of the data-connection TLS handshake; resolves once it is done. */
function secureServerSide(raw: net.Socket, context: tls.SecureContext): Promise<tls.TLSSocket> {
  const secure = new tls.TLSSocket(raw, { isServer: true, secureContext: context });
  ignoreErrors(secure);
  return new Promise((resolve, reject) => {
    secure.once('secure', () => resolve(secure));
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
    const context = this.options.secureContext;
    this.ready = context ? secureServerSide(socket, context) : Promise.resolve(socket);
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
    const context = this.options.secureContext;
    const ready = connected.then((raw): DataSocket | Promise<DataSocket> =>
      context ? secureServerSide(raw, context) : raw,
    );
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
