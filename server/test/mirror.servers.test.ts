/**
 * The mirror suite on the real servers Debian ships, each with itself, and mixed pairs with
 * the embedded server: vsftpd (LIST only, no MFMT: compared by size after the first sync)
 * as the source, ProFTPD and pure-ftpd (MLSD and MFMT) as the destination.
 */
import { describe } from 'vitest';
import { embedded, harnessKind } from './fixtures.js';
import { mirrorSuite } from './mirror-suite.js';
import { skipWithout, startProftpd, startPureFtpd, startVsftpd } from './servers/index.js';

const vsftpd = harnessKind('vsftpd', startVsftpd, { splitFxp: true, throttles: true, abortsInTransfer: false });
const proftpd = harnessKind('proftpd', startProftpd, { splitFxp: false, throttles: false, abortsInTransfer: true });
const pureFtpd = harnessKind('pure-ftpd', startPureFtpd, { splitFxp: false, throttles: false, abortsInTransfer: false });

describe.skipIf(skipWithout('vsftpd'))('vsftpd', () => {
  mirrorSuite(vsftpd, vsftpd);
  mirrorSuite(vsftpd, embedded);
});

describe.skipIf(skipWithout('proftpd'))('ProFTPD', () => {
  mirrorSuite(proftpd, proftpd);
  mirrorSuite(embedded, proftpd);
});

describe.skipIf(skipWithout('pure-ftpd'))('pure-ftpd', () => {
  mirrorSuite(pureFtpd, pureFtpd);
});

describe.skipIf(skipWithout('vsftpd', 'pure-ftpd'))('vsftpd and pure-ftpd', () => {
  mirrorSuite(pureFtpd, vsftpd);
});
