/** The shapes of the control-session layer, shared by the session, sockets and copies. */
import type { Reply } from './reply.js';

export type TlsMode = 'none' | 'explicit' | 'implicit';

/**
 * Which address to use for a server's passive data port.
 * - `control` (default): the address we reached its control connection at. Safe behind NAT
 *   (a PASV reply often names an internal address) and never points anyone elsewhere
 *   (RFC 2577 bounce protection: PORT only ever carries the other server's own address).
 * - `reply`: the address in the 227 reply, for servers that really listen on another
 *   interface (two servers on one LAN, lftp's ftp:fix-pasv-address off). Used only when it
 *   passes the address guard and is of the control address's class or on the guard's
 *   allow-list (pasv.ts passiveHost): else any server could bounce us to a third host.
 */
export type PasvAddressPolicy = 'control' | 'reply';

/**
 * Where a session may connect, supplied by whoever owns the host policy (sites/). The name a
 * site was saved with can resolve elsewhere by the time we connect (DNS rebinding), and a
 * server can announce any address in its 227 reply: both are judged as the address itself.
 */
export interface AddressGuard {
  /** Why the backend must not talk to this IP address, or null when it may. */
  refusal(address: string): string | null;
  /** The operator's allow-list: an announced PASV address here may differ in class from the control address. */
  allowsPasvAddress(address: string): boolean;
}

export interface SessionOptions {
  host: string;
  port?: number;
  user?: string;
  password?: string;
  tls?: TlsMode;
  /** Accept a self-signed certificate whose SHA-256 fingerprint ("AB:CD:…") is this. */
  fingerprint256?: string;
  /** Verify the certificate chain and host name (default true unless a fingerprint is pinned). */
  rejectUnauthorized?: boolean;
  /** Protect data connections (PROT P) when the control connection is TLS; default true. */
  protectData?: boolean;
  connectTimeoutMs?: number;
  /**
   * How long a command may wait for its reply (transfer commands: for their 1xx; a listing:
   * also for its final reply once its data has ended). 1xx replies do not extend it.
   */
  replyTimeoutMs?: number;
  /** A listing's data connection that carries no byte for this long is given up (default 30 s). */
  dataIdleTimeoutMs?: number;
  /**
   * A listing must be complete within this (default 10 min), however it trickles. Copies have
   * no such limit: they may take hours and are watched by their progress instead.
   */
  listingTimeoutMs?: number;
  /** Send NOOP after this long idle (0 = never). */
  keepaliveMs?: number;
  /** Cap on one reply's size: a hostile server cannot make us buffer without bound. */
  maxReplyBytes?: number;
  /** A name shown in logs and events. */
  label?: string;
  pasvAddress?: PasvAddressPolicy;
  /**
   * Checked on the address the control connection reached, right after TCP connect and before
   * the greeting is read, and on an announced PASV address before it is used.
   */
  addressGuard?: AddressGuard;
  /** Receives every control line from the greeting on (the 'line' event starts after connect). */
  onLine?: (line: LogLine) => void;
  /**
   * PRET before each PASV/EPSV/CPSV: 'auto' (default) when the server lists it in FEAT or
   * answers a passive command with a 500 naming PRET; 'always'; 'never'.
   */
  pret?: 'auto' | 'always' | 'never';
}

export interface LogLine {
  direction: 'sent' | 'received';
  line: string;
  at: number;
  /** A routine poll (the progress probe's SIZE): live logs leave these out. */
  quiet?: boolean;
}

export interface TransferCommand {
  /** Resolves on the 1xx (the data connection is being opened); rejects on a refusal. */
  readonly started: Promise<Reply>;
  /** Resolves on the final 2xx; rejects on 4xx/5xx or a lost connection. */
  readonly done: Promise<Reply>;
}
