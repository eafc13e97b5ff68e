/**
 * What integration tests share: a common shape for every kind of test server, session
 * slots for them, and byte-for-byte checks on the servers' own disks.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SessionSlot } from '../src/ftp/copy.js';
import type { LogLine, SessionOptions } from '../src/ftp/session.js';
import { startEmbedded, type RunningFtpServer, type StartFtpServerOptions } from './servers/index.js';

/**
 * Which foreign data connections a server accepts: `both` allows FXP in either role,
 * `passive-only` refuses PORT to another address but accepts a foreign passive peer,
 * `none` refuses both (vsftpd's default, pure-ftpd without -W).
 */
export type FxpPolicy = 'both' | 'passive-only' | 'none';

export interface TestServerSpec {
  address: string;
  fxp?: FxpPolicy;
  files?: Record<string, Buffer | string>;
  bytesPerSecond?: number;
}

export interface TestServer {
  kind: string;
  host: string;
  port: number;
  user: string;
  password: string;
  /** The local directory that is the server's '/'. */
  root: string;
  stop(): Promise<void>;
}

export interface ServerKind {
  kind: string;
  /** Can refuse FXP in one role only (vsftpd's port_promiscuous vs pasv_promiscuous). */
  splitFxp: boolean;
  /** Can throttle transfers (for cancel tests). */
  throttles: boolean;
  /**
   * Reads ABOR while a transfer runs. vsftpd does only with urgent (OOB) data, which Node
   * cannot send: it finishes the file, and pasv closes the session after its abort timeout.
   */
  abortsInTransfer: boolean;
  start(spec: TestServerSpec): Promise<TestServer>;
}

const FXP_SWITCHES = {
  both: true,
  none: false,
  'passive-only': { activeToForeign: false, passiveFromForeign: true },
} as const;

/** A server kind from the harness in ./servers (vsftpd, ProFTPD, pure-ftpd). */
export function harnessKind(
  kind: string,
  start: (options: StartFtpServerOptions) => Promise<RunningFtpServer>,
  capabilities: { splitFxp: boolean; throttles: boolean; abortsInTransfer: boolean },
): ServerKind {
  return {
    kind,
    ...capabilities,
    start: (spec) =>
      start({ address: spec.address, allowFxp: FXP_SWITCHES[spec.fxp ?? 'both'], files: spec.files, bytesPerSecond: spec.bytesPerSecond }),
  };
}

export function writeFiles(root: string, files: Record<string, Buffer | string> = {}): void {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(root, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
}

export const embedded = harnessKind('embedded', startEmbedded, { splitFxp: true, throttles: true, abortsInTransfer: true });

export function sessionOptions(server: TestServer, extra: Partial<SessionOptions> = {}): SessionOptions {
  return { host: server.host, port: server.port, user: server.user, password: server.password, ...extra };
}

/** A slot whose every session records its control lines into `log`. */
export function recordingSlot(server: TestServer, log: LogLine[] = [], extra: Partial<SessionOptions> = {}): SessionSlot {
  const slot = new SessionSlot(sessionOptions(server, extra));
  const acquire = slot.acquire.bind(slot);
  const seen = new WeakSet<object>();
  slot.acquire = async () => {
    const session = await acquire();
    if (!seen.has(session)) {
      seen.add(session);
      session.on('line', (line) => log.push(line));
    }
    return session;
  };
  return slot;
}

export function sha256(data: Buffer): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

export function fileHash(root: string, name: string): string {
  return sha256(fs.readFileSync(path.join(root, name)));
}

/** Random bytes that are the same for the same seed (so failures reproduce). */
export function seededBytes(size: number, seed = 1): Buffer {
  const out = Buffer.alloc(size);
  let offset = 0;
  let counter = 0;
  while (offset < size) {
    const block = crypto.createHash('sha256').update(`${seed}:${counter++}`).digest();
    offset += block.copy(out, offset);
  }
  return out;
}
