import { embeddedAvailable, startEmbedded } from './embedded.js';
import { proftpdAvailable, startProftpd } from './proftpd.js';
import { pureFtpdAvailable, startPureFtpd } from './pure-ftpd.js';
import type { FtpServerKind, RunningFtpServer, StartFtpServerOptions } from './types.js';
import { startVsftpd, vsftpdAvailable } from './vsftpd.js';

export type { FtpServerKind, RunningFtpServer, StartFtpServerOptions, TlsMode } from './types.js';
export { allocatePassiveRange, freePort, PASSIVE_RANGE_SIZE, type PassiveRange } from './ports.js';
export { FTP_PASSWORD, FTP_USER, serversDir } from './harness.js';
export { startVsftpd, vsftpdAvailable, vsftpdBinary } from './vsftpd.js';
export { proftpdAvailable, startProftpd } from './proftpd.js';
export { pureFtpdAvailable, startPureFtpd } from './pure-ftpd.js';
export { embeddedAvailable, startEmbedded } from './embedded.js';

export const serverKinds: readonly FtpServerKind[] = ['vsftpd', 'proftpd', 'pure-ftpd', 'embedded'];

const isRoot = (): boolean => process.getuid?.() === 0;

/**
 * Whether `kind` can be started here: the system servers need root (they log in a
 * system account and switch to it) and their binaries; the embedded one needs nothing.
 */
export function serverAvailable(kind: FtpServerKind): boolean {
  switch (kind) {
    case 'vsftpd':
      return isRoot() && vsftpdAvailable();
    case 'proftpd':
      return isRoot() && proftpdAvailable();
    case 'pure-ftpd':
      return isRoot() && pureFtpdAvailable();
    case 'embedded':
      return embeddedAvailable();
  }
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
