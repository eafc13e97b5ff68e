/**
 * The copy suite on the real servers Debian ships, alone and paired with the embedded
 * server (which must work as an FXP source and as a destination for any of them).
 */
import { describe } from 'vitest';
import { copySuite } from './copy-suite.js';
import { embedded, harnessKind } from './fixtures.js';
import { proftpdAvailable, pureFtpdAvailable, startProftpd, startPureFtpd, startVsftpd, vsftpdAvailable } from './servers/index.js';

const vsftpd = harnessKind('vsftpd', startVsftpd, { splitFxp: true, throttles: true, abortsInTransfer: false });
const proftpd = harnessKind('proftpd', startProftpd, { splitFxp: false, throttles: false, abortsInTransfer: true });
const pureFtpd = harnessKind('pure-ftpd', startPureFtpd, { splitFxp: false, throttles: false, abortsInTransfer: false });

describe.runIf(vsftpdAvailable() || process.env.CI)('vsftpd', () => {
  copySuite(vsftpd);
  copySuite(vsftpd, embedded);
  copySuite(embedded, vsftpd);
});

describe.runIf(proftpdAvailable() || process.env.CI)('ProFTPD', () => {
  copySuite(proftpd);
});

describe.runIf(pureFtpdAvailable() || process.env.CI)('pure-ftpd', () => {
  copySuite(pureFtpd);
});
