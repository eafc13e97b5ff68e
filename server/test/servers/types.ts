export type FtpServerKind = 'vsftpd' | 'proftpd' | 'pure-ftpd' | 'embedded';

/**
 * - none: plain FTP only.
 * - explicit: AUTH TLS on the normal port. Logins must use TLS; whether the data
 *   channel is protected is the client's choice (PROT P or C), so PROT C fallbacks
 *   can be tested.
 * - implicit: TLS from the first byte (vsftpd, ProFTPD; pure-ftpd as built by Debian cannot).
 */
export type TlsMode = 'none' | 'explicit' | 'implicit';

export interface RunningFtpServer {
  kind: FtpServerKind;
  host: string;
  port: number;
  user: string;
  password: string;
  /** Local directory that is the FTP root '/' of `user`. */
  root: string;
  pid?: number;
  /** Where the server writes its log (vsftpd, ProFTPD: every command and reply). */
  logFile?: string;
  tls: TlsMode;
  /** SHA-256 of the server's certificate, colon-hex upper case as `openssl x509 -fingerprint -sha256` prints it. */
  certFingerprint256?: string;
  /** The self-signed certificate (PEM), usable as the only trusted CA. */
  certPem?: string;
  /** The passive port range the server hands out. */
  passivePorts?: { min: number; max: number };
  stop(): Promise<void>;
}

export interface FxpSwitches {
  /** PORT/EPRT naming an address other than the client's. */
  activeToForeign: boolean;
  /** A passive data connection coming from an address other than the client's. */
  passiveFromForeign: boolean;
}

export interface StartFtpServerOptions {
  /** Loopback address to bind, e.g. '127.0.0.2' or '::1'; use a distinct one per server so FXP checks fire. */
  address: string;
  /**
   * Default true: the server accepts PORT to, and passive data connections from, an
   * address other than its client's. The split form is honoured by vsftpd
   * (port_promiscuous / pasv_promiscuous); ProFTPD and pure-ftpd have one switch for both.
   */
  allowFxp?: boolean | FxpSwitches;
  tls?: TlsMode;
  /** Relative path → content, created in the root (parent directories too) before the start. */
  files?: Record<string, Buffer | string>;
  /** Throttle every transfer (vsftpd local_max_rate, embedded); other kinds refuse it. */
  bytesPerSecond?: number;
}
