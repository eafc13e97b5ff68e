import { startEmbedded } from './embedded.js';
import { proftpdAvailable, proftpdBinary, startProftpd } from './proftpd.js';
import { pureFtpdAvailable, pureFtpdBinary, startPureFtpd } from './pure-ftpd.js';
import type { FtpServerKind, RunningFtpServer, StartFtpServerOptions } from './types.js';
import { startVsftpd, vsftpdAvailable } from './vsftpd.js';

export type { FtpServerKind, RunningFtpServer, StartFtpServerOptions, TlsMode } from './types.js';
export { allocatePassiveRange, freePort, PASSIVE_RANGE_SIZE, type PassiveRange } from './ports.js';
export { FTP_PASSWORD, FTP_USER, serversDir } from './harness.js';
export { startVsftpd, vsftpdBinary } from './vsftpd.js';
export { startProftpd } from './proftpd.js';
export { startPureFtpd } from './pure-ftpd.js';
export { startEmbedded } from './embedded.js';

export const serverKinds: readonly FtpServerKind[] = ['vsftpd', 'proftpd', 'pure-ftpd', 'embedded'];

const isRoot = (): boolean => process.getuid?.() === 0;

const systemServers = {
  vsftpd: { installed: vsftpdAvailable, binary: () => '/usr/sbin/vsftpd' },
  proftpd: { installed: proftpdAvailable, binary: proftpdBinary },
  'pure-ftpd': { installed: pureFtpdAvailable, binary: pureFtpdBinary },
} as const;

const INSTALL_HINT = 'run scripts/install-test-servers.sh as root';

/**
 * Why `kind` cannot be started here, or null when it can: the system servers need root
 * (they log in a system account and switch to it) and their binaries; the embedded one
 * needs nothing.
 */
export function missingServer(kind: FtpServerKind): string | null {
  if (kind === 'embedded') return null;
  const server = systemServers[kind];
  if (!isRoot()) return `${kind} needs root to log in its system account`;
  return server.installed() ? null : `${kind} is not installed (no ${server.binary()}): ${INSTALL_HINT}`;
}

const serverAvailable = (kind: FtpServerKind): boolean => missingServer(kind) === null;

/**
 * For `describe.skipIf`/`it.skipIf`: whether tests that need these servers are skipped.
 * A developer's machine without one skips them; CI (process.env.CI) never does, so there a
 * missing server fails its tests (the start names what is missing) instead of passing
 * green with nothing run.
 */
export function skipWithout(...kinds: FtpServerKind[]): boolean {
  return !process.env.CI && !kinds.every(serverAvailable);
}

/** Which TLS modes each kind supports. */
export function supportsTls(kind: FtpServerKind, tls: 'explicit' | 'implicit'): boolean {
  return tls === 'explicit' || kind === 'vsftpd' || kind === 'proftpd';
}

export function startServer(kind: FtpServerKind, opts: StartFtpServerOptions): Promise<RunningFtpServer> {
  switch (kind) {
    case 'vsftpd':
      return startVsftpd(opts);
    case 'proftpd':
      return startProftpd(opts);
    case 'pure-ftpd':
      return startPureFtpd(opts);
    case 'embedded':
      return startEmbedded(opts);
  }
}
