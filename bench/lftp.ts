/**
 * The peer: lftp 4.9 run as a child under /usr/bin/time, so its CPU time and peak RSS are
 * the process's own (getrusage of the child), comparable with what pasv reports of itself.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nowMs } from './measure.js';

export interface FtpEndpoint {
  host: string;
  port: number;
  user: string;
  password: string;
}

export function ftpUrl(server: FtpEndpoint, remotePath = ''): string {
  const user = encodeURIComponent(server.user);
  const password = encodeURIComponent(server.password);
  return `ftp://${user}:${password}@${server.host}:${server.port}${remotePath}`;
}

/**
 * Settings every lftp run gets. ftp:use-stat is off because lftp sends STAT (prefixed with
 * Telnet IAC) for progress during a long copy and vsftpd answers it with "500 Unknown
 * command" after the transfer, which lftp treats as fatal; STAT does not change throughput.
 * No retries, short timeouts: a failure must show, not be hidden by a reconnect loop.
 */
export const LFTP_PREAMBLE = [
  'set ftp:use-stat no',
  'set net:max-retries 1',
  'set net:timeout 30',
  'set cmd:fail-exit yes',
  'set xfer:clobber yes',
];

export interface LftpResult {
  wallMs: number;
  userMs: number;
  sysMs: number;
  maxRssKiB: number;
  exitCode: number;
  /** What lftp printed (mirror --verbose names every file it transfers). */
  stdout: string;
  stderr: string;
}

/** Run `lftp -c` with the preamble and the given commands; rejects when lftp fails. */
export async function runLftp(commands: string[], options: { onSpawn?: () => void } = {}): Promise<LftpResult> {
  const timeFile = path.join(os.tmpdir(), `pasv-bench-time-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const script = [...LFTP_PREAMBLE, ...commands].join('; ');
  const startedAt = nowMs();
  const child = spawn('/usr/bin/time', ['-o', timeFile, '-f', '%e %U %S %M', 'lftp', '-c', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  options.onSpawn?.();
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr += chunk));
  const exitCode = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code ?? -1));
  });
  const wallMs = nowMs() - startedAt;
  let fields: number[];
  try {
    // With a failing command, time writes "Command exited with non-zero status" first.
    const lines = fs.readFileSync(timeFile, 'utf8').trim().split('\n');
    fields = lines[lines.length - 1]!.trim().split(/\s+/).map(Number);
  } finally {
    fs.rmSync(timeFile, { force: true });
  }
  const [, user = Number.NaN, sys = Number.NaN, maxRss = Number.NaN] = fields;
  const result = {
    wallMs,
    userMs: user * 1000,
    sysMs: sys * 1000,
    maxRssKiB: maxRss,
    exitCode,
    stdout,
    stderr: stderr.trim(),
  };
  if (exitCode !== 0) throw new Error(`lftp exited with ${exitCode}: ${result.stderr.slice(0, 500)}`);
  return result;
}
