/**
 * The copy suite on the real servers Debian ships, alone and paired with the embedded
 * server (which must work as an FXP source and as a destination for any of them).
 */
import { describe } from 'vitest';
import { copySuite } from './copy-suite.js';
import { embedded, harnessKind } from './fixtures.js';
import { skipWithout, startProftpd, startPureFtpd, startVsftpd } from './servers/index.js';

const vsftpd = harnessKind('vsftpd', startVsftpd, { splitFxp: true, throttles: true, abortsInTransfer: false });
const proftpd = harnessKind('proftpd', startProftpd, { splitFxp: false, throttles: false, abortsInTransfer: true });
const pureFtpd = harnessKind('pure-ftpd', startPureFtpd, { splitFxp: false, throttles: false, abortsInTransfer: false });

describe.skipIf(skipWithout('vsftpd'))('vsftpd', () => {
  copySuite(vsftpd);
  copySuite(vsftpd, embedded);
  copySuite(embedded, vsftpd);
});

describe.skipIf(skipWithout('proftpd'))('ProFTPD', () => {
  copySuite(proftpd);
});

describe.skipIf(skipWithout('pure-ftpd'))('pure-ftpd', () => {
  copySuite(pureFtpd);
});
