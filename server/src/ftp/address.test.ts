import { describe, expect, it } from 'vitest';
import { blockList, classifyAddress, normalizeAddress, type AddressClass } from './address.js';

describe('classifyAddress', () => {
  it.each<[string, AddressClass | null]>([
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.15.255.255', 'public'],
    ['172.32.0.0', 'public'],
    ['192.168.1.1', 'private'],
    ['192.169.0.1', 'public'],
    ['100.64.0.1', 'private'],
    ['100.127.255.255', 'private'],
    ['100.128.0.0', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.0.0.3', 'loopback'],
    ['8.8.8.8', 'public'],
    ['0.0.0.0', 'this-host'],
    ['0.255.255.255', 'this-host'],
    ['1.0.0.0', 'public'],
    ['169.254.0.1', 'link-local'],
    ['169.254.169.254', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['::', 'this-host'],
    ['::0', 'this-host'],
    ['0:0:0:0:0:0:0:0', 'this-host'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['FD12:3456::1', 'private'],
    ['fd00:ec2::254', 'metadata'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['fec0::1', 'public'],
    ['2001:db8::1', 'public'],
    ['[::1]', 'loopback'],
    // IPv4 carried in IPv6 is judged as the IPv4 address.
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:8.8.8.8', 'public'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:0.0.0.0', 'this-host'],
    ['::ffff:a9fe:a9fe', 'metadata'],
    ['::ffff:0:7f00:1', 'loopback'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['64:ff9b::8.8.8.8', 'public'],
    ['::7f00:1', 'loopback'],
    ['', null],
    ['localhost', null],
    ['10.0.0.1\r\n', null],
    ['999.0.0.1', null],
    ['0', null],
  ])('%j → %s', (ip, expected) => {
    expect(classifyAddress(ip)).toBe(expected);
  });

  it('answers the same again, and past its memory of a bounded few', () => {
    expect([classifyAddress('127.0.0.2'), classifyAddress('127.0.0.2')]).toEqual(['loopback', 'loopback']);
    for (let i = 0; i < 1500; i++) expect(classifyAddress(`10.${i >> 8}.${i & 255}.1`)).toBe('private');
    expect([classifyAddress('8.8.8.8'), classifyAddress('169.254.169.254')]).toEqual(['public', 'metadata']);
  });
});

describe('normalizeAddress', () => {
  it.each([
    ['::ffff:7F00:1', '127.0.0.1'],
    ['[::FFFF:127.0.0.1]', '127.0.0.1'],
    ['64:ff9b::a9fe:a9fe', '169.254.169.254'],
    ['FE80::1%eth0', 'fe80::1'],
    ['2001:DB8::1', '2001:db8::1'],
    ['192.0.2.1', '192.0.2.1'],
  ])('%s → %s', (ip, expected) => {
    expect(normalizeAddress(ip)).toBe(expected);
  });
});

describe('blockList', () => {
  it('takes CIDRs and single addresses of both families', () => {
    const list = blockList(['10.0.0.0/8', '192.0.2.7', 'fd00::/8', '2001:db8::1']);
    expect(list.check('10.9.9.9', 'ipv4')).toBe(true);
    expect(list.check('192.0.2.7', 'ipv4')).toBe(true);
    expect(list.check('192.0.2.8', 'ipv4')).toBe(false);
    expect(list.check('fd00::5', 'ipv6')).toBe(true);
    expect(list.check('2001:db8::1', 'ipv6')).toBe(true);
  });

  it.each(['10.0.0.0/33', '10.0.0.0/', '10.0.0.0/8/1', 'example.org', '::/129', '10.0.0.0/x'])(
    'refuses %j',
    (entry) => {
      expect(() => blockList([entry])).toThrow(/not an address or CIDR/);
    },
  );
});
