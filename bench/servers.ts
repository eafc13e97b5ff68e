/**
 * The servers a case runs against: a fresh vsftpd pair on 127.0.0.2 / 127.0.0.3 (FXP
 * allowed, every command logged), and the content the cases need, written straight into
 * their roots and owned by the FTP user so both tools may overwrite and delete it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startVsftpd, type RunningFtpServer } from '../server/test/servers/index.js';
import type { FtpEndpoint } from './lftp.js';
import { MiB } from './measure.js';

export interface ServerPair {
  source: RunningFtpServer;
  destination: RunningFtpServer;
  /** Empties the destination's root (between runs). */
  wipeDestination(): void;
  stop(): Promise<void>;
}

export async function startVsftpdPair(): Promise<ServerPair> {
  const source = await startVsftpd({ address: '127.0.0.2' });
  let destination: RunningFtpServer;
  try {
    destination = await startVsftpd({ address: '127.0.0.3' });
  } catch (error) {
    await source.stop();
    throw error;
  }
  return {
    source,
    destination,
    wipeDestination: () => emptyDirectory(destination.root),
    async stop() {
      await Promise.all([source.stop(), destination.stop()]);
    },
  };
}

/** What a controller needs of a server to log in (a child gets it as JSON: no root, no stop()). */
export function endpoint(server: RunningFtpServer): FtpEndpoint {
  return { host: server.host, port: server.port, user: server.user, password: server.password };
}

export function emptyDirectory(dir: string): void {
  for (const entry of fs.readdirSync(dir)) fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
}

/** Owner of the server's root: files we write must belong to the FTP user, as uploads would. */
function ownerOf(server: RunningFtpServer): { uid: number; gid: number } {
  const stat = fs.statSync(server.root);
  return { uid: stat.uid, gid: stat.gid };
}

export function makeDirectory(server: RunningFtpServer, relative: string): string {
  const { uid, gid } = ownerOf(server);
  const dir = path.join(server.root, relative);
  fs.mkdirSync(dir, { recursive: true });
  fs.chownSync(dir, uid, gid);
  return dir;
}

export const smallFileName = (i: number): string => `f${String(i).padStart(5, '0')}.bin`;

/** `count` files of `size` random bytes each, named f00000.bin… (smallFileName) in `relative`. */
export function writeSmallFiles(server: RunningFtpServer, relative: string, count: number, size: number): void {
  const dir = makeDirectory(server, relative);
  const { uid, gid } = ownerOf(server);
  const block = crypto.randomBytes(count * size);
  for (let i = 0; i < count; i++) {
    const file = path.join(dir, smallFileName(i));
    fs.writeFileSync(file, block.subarray(i * size, (i + 1) * size));
    fs.chownSync(file, uid, gid);
  }
}

/** `count` empty files (a listing benchmark needs names, not bytes). */
export function writeEmptyFiles(server: RunningFtpServer, relative: string, count: number): void {
  const dir = makeDirectory(server, relative);
  for (let i = 0; i < count; i++)
    fs.closeSync(fs.openSync(path.join(dir, `entry-${String(i).padStart(6, '0')}.dat`), 'w'));
}

/**
 * A file of pseudo-random bytes, every block written (no holes): AES-CTR over zeros
 * is several GB/s, far faster than the disk, and not compressible or dedupable.
 */
export function writeRandomFile(server: RunningFtpServer, relative: string, size: number): string {
  const file = path.join(server.root, relative);
  const cipher = crypto.createCipheriv('aes-128-ctr', crypto.randomBytes(16), crypto.randomBytes(16));
  const zeros = Buffer.alloc(8 * MiB);
  const fd = fs.openSync(file, 'w');
  try {
    for (let written = 0; written < size;) {
      const length = Math.min(zeros.length, size - written);
      const block = cipher.update(zeros.subarray(0, length));
      fs.writeSync(fd, block);
      written += block.length;
    }
  } finally {
    fs.closeSync(fd);
  }
  const { uid, gid } = ownerOf(server);
  fs.chownSync(file, uid, gid);
  return file;
}

export function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return -1;
  }
}

/** First 1 MiB and last 1 MiB equal: a cheap check that a 1 GiB copy is the right file. */
export function sameEnds(a: string, b: string): boolean {
  const read = (file: string, position: number) => {
    const buffer = Buffer.alloc(MiB);
    const fd = fs.openSync(file, 'r');
    try {
      const n = fs.readSync(fd, buffer, 0, MiB, position);
      return buffer.subarray(0, n);
    } finally {
      fs.closeSync(fd);
    }
  };
  const size = fileSize(a);
  if (size !== fileSize(b)) return false;
  const tail = Math.max(0, size - MiB);
  return read(a, 0).equals(read(b, 0)) && read(a, tail).equals(read(b, tail));
}

/**
 * Counts the commands a vsftpd received from the moment mark() was called, by verb, from its
 * protocol log: round trips per file are what decide small-file throughput.
 */
export function commandLog(server: RunningFtpServer): { mark(): void; counts(): Record<string, number> } {
  let offset = 0;
  const logFile = server.logFile;
  return {
    mark() {
      offset = logFile ? fileSize(logFile) : 0;
    },
    counts() {
      if (!logFile) return {};
      const fd = fs.openSync(logFile, 'r');
      let text: string;
      try {
        const length = Math.max(0, fileSize(logFile) - offset);
        const buffer = Buffer.alloc(length);
        fs.readSync(fd, buffer, 0, length, offset);
        text = buffer.toString('utf8');
      } finally {
        fs.closeSync(fd);
      }
      const counts: Record<string, number> = {};
      for (const match of text.matchAll(/FTP command: Client "[^"]*", "([A-Z]+)/g)) {
        counts[match[1]!] = (counts[match[1]!] ?? 0) + 1;
      }
      return counts;
    },
  };
}
