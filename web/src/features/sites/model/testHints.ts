/**
 * What a failed connection test means, in words, from the error code the server classified
 * (server/src/errors.ts): the verdict line shows the server's own words, this says what to do.
 */
import type { SiteTestResult } from '../../../../../contract/index.js';

export type HintAction = 'use-plain-ftp';

export interface TestHint {
  text: string;
  /** A one-click fix the form can apply. */
  action?: { kind: HintAction; label: string };
}

export function testHint(result: SiteTestResult, target: { host: string; port: string }): TestHint | null {
  if (result.ok || !result.error) return null;
  const where = `${target.host}:${target.port}`;
  switch (result.error.code) {
    case 'tls_not_offered':
      return {
        text: 'This server has no TLS; choose Plain FTP.',
        action: { kind: 'use-plain-ftp', label: 'Use plain FTP' },
      };
    case 'dns_failed':
      return { text: `No such host: ${target.host} does not resolve. Check the spelling.` };
    case 'connection_refused':
      return { text: `Nothing is listening on ${where}. Check the host and the port, or whether the server runs.` };
    case 'timeout':
      return {
        text: `${where} did not answer in time. A firewall may drop the connection, or the port is wrong (implicit TLS is usually 990).`,
      };
    case 'login_failed':
      return { text: 'Wrong user or password.' };
    case 'tls_error':
      return {
        text: 'The TLS certificate was not accepted. For a self-signed certificate, paste its SHA-256 fingerprint into "Pinned fingerprint".',
      };
    case 'host_refused':
      return { text: 'pasv is not allowed to connect to this address (host policy).' };
    default:
      return null;
  }
}
