import { describe, expect, it } from 'vitest';
import { readConfig } from './config.js';

describe('readConfig', () => {
  it('reads the PASV allow-list from the environment or the flag', () => {
    const fromEnv = readConfig([], { PASV_PASV_ALLOW: '10.0.0.0/8, 192.0.2.7' }).hostPolicy.pasvAllow!;
    expect(fromEnv.check('10.1.2.3', 'ipv4')).toBe(true);
    expect(fromEnv.check('192.0.2.7', 'ipv4')).toBe(true);
    expect(fromEnv.check('192.0.2.8', 'ipv4')).toBe(false);
    expect(readConfig(['--pasv-allow', 'fd00::/8'], {}).hostPolicy.pasvAllow!.check('fd00::1', 'ipv6')).toBe(true);
    expect(readConfig([], {}).hostPolicy.pasvAllow!.check('10.1.2.3', 'ipv4')).toBe(false);
  });

  it('refuses a malformed allow-list at start, naming the variable', () => {
    expect(() => readConfig([], { PASV_PASV_ALLOW: '10.0.0.0/8,ftp.example.org' })).toThrow(/PASV_PASV_ALLOW.*ftp\.example\.org/);
  });
});
