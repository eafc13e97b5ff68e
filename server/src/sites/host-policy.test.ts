import { BlockList } from 'node:net';
import { describe, expect, it } from 'vitest';
import { HostRefusedError } from '../ftp/errors.js';
import { addressGuard, checkHost, parseAllowList, type HostPolicy } from './host-policy.js';

/** The shipped default: self-hosting on a LAN works, link-local and metadata do not. */
const selfHosted: HostPolicy = { allowPrivate: true, allowLinkLocal: false };
/** PASV_ALLOW_PRIVATE_HOSTS=false: a shared deployment. */
const shared: HostPolicy = { allowPrivate: false, allowLinkLocal: false };
/** PASV_ALLOW_LINK_LOCAL=true as well. */
const permissive: HostPolicy = { allowPrivate: true, allowLinkLocal: true };

const ok = null;

describe('checkHost', () => {
  it.each<[string, HostPolicy, RegExp | null]>([
    // Ordinary hosts.
    ['8.8.8.8', shared, ok],
    ['2001:4860:4860::8888', shared, ok],
    ['[2001:4860:4860::8888]', shared, ok],
    ['10.1.2.3', selfHosted, ok],
    ['10.1.2.3', shared, /private/],
    ['172.16.0.1', shared, /private/],
    ['192.168.1.1', shared, /private/],
    ['100.64.0.1', shared, /private/],
    ['fd12:3456::1', selfHosted, ok],
    ['fd12:3456::1', shared, /private/],
    ['127.0.0.1', selfHosted, ok],
    ['127.0.0.1', shared, /loopback/],
    ['::1', shared, /loopback/],
    ['[::1]', shared, /loopback/],
    ['localhost', selfHosted, ok],
    ['localhost', shared, /loopback/],
    // IPv4 inside IPv6: mapped (dotted and hex), NAT64, IPv4-compatible.
    ['::ffff:127.0.0.1', shared, /loopback/],
    ['::ffff:7f00:1', shared, /loopback/],
    ['::FFFF:7F00:0001', shared, /loopback/],
    ['[::ffff:7f00:1]', shared, /loopback/],
    ['::ffff:a9fe:a9fe', selfHosted, /metadata|link-local/],
    ['::ffff:0:7f00:1', shared, /loopback/],
    ['64:ff9b::7f00:1', shared, /loopback/],
    ['64:ff9b::10.0.0.1', shared, /private/],
    ['64:ff9b::a9fe:a9fe', selfHosted, /metadata|link-local/],
    ['::7f00:1', shared, /loopback/],
    ['::ffff:8.8.8.8', shared, ok],
    // The unspecified address and 0/8 reach this machine: refused whatever the policy.
    ['0.0.0.0', permissive, /this machine/],
    ['0', permissive, /this machine/],
    ['0.1.2.3', permissive, /this machine/],
    ['::', permissive, /this machine/],
    ['0:0:0:0:0:0:0:0', permissive, /this machine/],
    ['::ffff:0.0.0.0', permissive, /this machine/],
    // Other spellings of loopback that the resolver accepts.
    ['2130706433', shared, /loopback/],
    ['0x7f.1', shared, /loopback/],
    ['127.1', shared, /loopback/],
    // Link-local and cloud metadata, IPv4 and IPv6.
    ['169.254.169.254', selfHosted, /metadata|link-local/],
    ['169.254.1.1', selfHosted, /link-local/],
    ['fe80::1', selfHosted, /link-local/],
    ['FE80::1%eth0', selfHosted, /link-local/],
    ['fd00:ec2::254', selfHosted, /metadata/],
    ['100.100.100.200', selfHosted, /metadata/],
    ['169.254.169.254', permissive, ok],
    ['fd00:ec2::254', permissive, ok],
    // A name that does not resolve is refused, not waved through.
    ['no-such-host.invalid', permissive, /does not resolve/],
  ])('%s under %o → %s', async (host, policy, refusal) => {
    const outcome = await checkHost(host, policy).then(
      () => null,
      (error: unknown) => error,
    );
    if (refusal === null) {
      expect(outcome).toBeNull();
    } else {
      expect(outcome).toBeInstanceOf(HostRefusedError);
      expect((outcome as Error).message).toMatch(refusal);
    }
  });
});

describe('addressGuard', () => {
  it('applies the policy to a connected peer address, in any spelling', () => {
    const guard = addressGuard(shared);
    expect(guard.refusal('::ffff:127.0.0.1')).toMatch(/loopback/);
    expect(guard.refusal('::ffff:7f00:1')).toMatch(/loopback/);
    expect(guard.refusal('192.0.2.10')).toBeNull();
    expect(addressGuard(selfHosted).refusal('127.0.0.2')).toBeNull();
  });

  it('reads the PASV allow-list as CIDRs and single addresses, IPv4 inside IPv6 included', () => {
    const guard = addressGuard({ ...selfHosted, pasvAllow: parseAllowList('10.0.0.0/8, 192.168.7.9,fd00::/8') });
    expect(guard.allowsPasvAddress('10.1.2.3')).toBe(true);
    expect(guard.allowsPasvAddress('::ffff:10.1.2.3')).toBe(true);
    expect(guard.allowsPasvAddress('192.168.7.9')).toBe(true);
    expect(guard.allowsPasvAddress('192.168.7.10')).toBe(false);
    expect(guard.allowsPasvAddress('fd00::5')).toBe(true);
    expect(addressGuard(selfHosted).allowsPasvAddress('10.1.2.3')).toBe(false);
    expect(parseAllowList('')).toBeInstanceOf(BlockList);
  });

  it.each(['10.0.0.0/33', 'example.org', '10.0.0.0/', '::/129'])('refuses the malformed allow-list entry %j', (entry) => {
    expect(() => parseAllowList(entry)).toThrow(/PASV_PASV_ALLOW/);
  });
});
