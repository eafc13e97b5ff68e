/**
 * What integration tests share: a common shape for every kind of test server, session
 * slots for them, and byte-for-byte checks on the servers' own disks.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFtpServer } from '../src/demo/ftp-server/server.js';
import { SessionSlot } from '../src/ftp/copy.js';
import type { LogLine, SessionOptions } from '../src/ftp/session.js';

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
  start(spec: TestServerSpec): Promise<TestServer>;
}

export function writeFiles(root: string, files: Record<string, Buffer | string> = {}): void {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(root, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
}

export const embedded: ServerKind = {
  kind: 'embedded',
  async start(spec) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-embedded-'));
    writeFiles(root, spec.files);
    const fxp = spec.fxp ?? 'both';
    const server = await startFtpServer({
      host: spec.address,
      root,
      users: [{ user: 'tester', password: 'secret' }],
      allowFxp: fxp === 'both' ? true : fxp === 'none' ? false : { activeToForeign: false, passiveFromForeign: true },
      bytesPerSecond: spec.bytesPerSecond,
      dataTimeoutMs: 5_000,
    });
    return {
      kind: 'embedded',
      host: server.host,
      port: server.port,
      user: 'tester',
      password: 'secret',
      root,
      async stop() {
        await server.close();
        fs.rmSync(root, { recursive: true, force: true });
      },
    };
  },
};

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
