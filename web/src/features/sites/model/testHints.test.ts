import { describe, expect, it } from 'vitest';
import { testHint } from './testHints.js';

const failed = (code: string) => ({ ok: false, features: [], error: { code, message: 'm' } });
const target = { host: 'ftp.example.org', port: '21' };

describe('testHint', () => {
  it.each([
    ['tls_not_offered', /no TLS; choose Plain FTP/],
    ['dns_failed', /No such host: ftp\.example\.org/],
    ['connection_refused', /Nothing is listening on ftp\.example\.org:21/],
    ['timeout', /did not answer in time/],
    ['login_failed', /Wrong user or password/],
    ['tls_error', /fingerprint/],
  ])('explains %s', (code, text) => {
    expect(testHint(failed(code), target)?.text).toMatch(text);
  });

  it('offers plain FTP only when TLS is missing', () => {
    expect(testHint(failed('tls_not_offered'), target)?.action).toEqual({
      kind: 'use-plain-ftp',
      label: 'Use plain FTP',
    });
    expect(testHint(failed('login_failed'), target)?.action).toBeUndefined();
  });

  it('says nothing for a success or an unknown code', () => {
    expect(testHint({ ok: true, features: [] }, target)).toBeNull();
    expect(testHint(failed('ftp_599'), target)).toBeNull();
  });
});
