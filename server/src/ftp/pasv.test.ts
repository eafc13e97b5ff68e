import { describe, it, expect } from 'vitest';
import {
  assertDataPort,
  encodeEprt,
  encodeEpsvReply,
  encodePasvReply,
  encodePort,
  parseEprtArgument,
  parseEpsvReply,
  parsePasvReply,
  parsePortArgument,
  passiveHost,
} from './pasv.js';
import { FtpConnectionError, HostRefusedError, UnsafeArgumentError } from './errors.js';
import type { AddressGuard, PasvAddressPolicy } from './types.js';

function expectProtocolError(fn: () => unknown): void {
  expect(fn).toThrow(FtpConnectionError);
  try {
    fn();
  } catch (err) {
    expect((err as FtpConnectionError).code).toBe('protocol');
  }
}

describe('parsePasvReply', () => {
  it.each([
    ['Entering Passive Mode (127,0,0,2,195,80).', '127.0.0.2', 50000],
    ['Entering Passive Mode 127,0,0,2,195,80', '127.0.0.2', 50000],
    ['=127,0,0,2,195,80', '127.0.0.2', 50000],
    ['(127,0,0,2,195,80)', '127.0.0.2', 50000],
    ['127,0,0,2,195,80', '127.0.0.2', 50000],
    ['Entering Passive Mode (192,168,1,10,4,1) and some text 1,2,3', '192.168.1.10', 1025],
    ['Entering Passive Mode (10, 0, 0, 1, 0, 21)', '10.0.0.1', 21],
    ['Passive mode\n(255,255,255,255,255,255)', '255.255.255.255', 65535],
    ['Entering Passive Mode (0,0,0,0,4,1)', '0.0.0.0', 1025],
    ['Entering Passive Mode (001,002,003,004,005,006)', '1.2.3.4', 1286],
    // A logged line keeps its code (the story reads those): vsftpd's own words.
    ['227 Entering Passive Mode (127,0,0,3,195,80).', '127.0.0.3', 50000],
  ])('%j', (text, host, port) => {
    expect(parsePasvReply(text)).toEqual({ host, port });
  });

  it.each([
    '',
    'Entering Passive Mode',
    'Entering Passive Mode (127,0,0,2,195)',
    'Entering Passive Mode (256,0,0,1,4,1)',
    'Entering Passive Mode (127,0,0,1,4,256)',
    'Entering Passive Mode (1270,0,0,1,4,1)',
    'Entering Passive Mode (127,0,0,1,4,1000)',
    'Entering Passive Mode (127;0;0;1;4;1)',
    'Entering Passive Mode (127.0.0.1.4.1)',
    'Mode 2 (127,0,0,2,195,80)', // numbers must start at the first digit
    'Entering Passive Mode (127,0,0,1,0,0)',
    'Entering Passive Mode (127,0,0,1,\r\n4,1)x',
    '\0\0\0',
  ])('rejects %j', (text) => {
    expectProtocolError(() => parsePasvReply(text));
  });

  it('ignores whatever follows the six numbers', () => {
    expect(parsePasvReply('(127,0,0,1,4,1)\r\nPORT 1,2,3,4,5,6')).toEqual({ host: '127.0.0.1', port: 1025 });
    expect(parsePasvReply('127,0,0,1,4,1,9,9')).toEqual({ host: '127.0.0.1', port: 1025 });
  });

  it('takes the numbers after a minus sign as they stand', () => {
    // A sign is not a digit: parsing starts at the first digit, as lftp does.
    expect(parsePasvReply('(-127,0,0,1,4,1)')).toEqual({ host: '127.0.0.1', port: 1025 });
  });

  it('is linear on a long hostile reply', () => {
    const started = performance.now();
    expectProtocolError(() => parsePasvReply(`${'1'.repeat(200_000)},2,3,4,5,6`));
    expectProtocolError(() => parsePasvReply(`(1${' '.repeat(200_000)},2`));
    expectProtocolError(() => parsePasvReply(`(${'x'.repeat(200_000)}`));
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('parseEpsvReply', () => {
  it.each([
    ['Entering Extended Passive Mode (|||6446|)', 6446],
    ['Entering Extended Passive Mode (!!!6446!)', 6446],
    ['Entering Extended Passive Mode (~~~65535~)', 65535],
    ['(|||1|)', 1],
    ['Extended Passive Mode OK |||50000|', 50000],
    ['EPSV ok (|||50000|) now', 50000],
    ['Text with !!! in it (|||2121|)', 2121],
  ])('%j → %i', (text, port) => {
    expect(parseEpsvReply(text)).toBe(port);
  });

  it.each([
    '',
    'Entering Extended Passive Mode',
    'Entering Extended Passive Mode (|||0|)',
    'Entering Extended Passive Mode (|||65536|)',
    'Entering Extended Passive Mode (|||123456|)',
    'Entering Extended Passive Mode (|||-1|)',
    'Entering Extended Passive Mode (||6446|)',
    'Entering Extended Passive Mode (|!|6446|)',
    'Entering Extended Passive Mode (|||6446!)',
    'Entering Extended Passive Mode (|||port|)',
    'Entering Extended Passive Mode (   6446 )', // space (32) is not a valid delimiter
    'Entering Extended Passive Mode (\x7f\x7f\x7f6446\x7f)',
    'Entering Passive Mode (127,0,0,2,195,80).',
  ])('rejects %j', (text) => {
    expectProtocolError(() => parseEpsvReply(text));
  });
});

describe('encodePort / parsePortArgument', () => {
  it.each([
    [{ host: '127.0.0.2', port: 50000 }, '127,0,0,2,195,80'],
    [{ host: '10.0.0.1', port: 1025 }, '10,0,0,1,4,1'],
    [{ host: '255.255.255.255', port: 65535 }, '255,255,255,255,255,255'],
    [{ host: '1.2.3.4', port: 1 }, '1,2,3,4,0,1'],
  ])('%j ⇄ %s', (hp, arg) => {
    expect(encodePort(hp)).toBe(arg);
    expect(parsePortArgument(arg)).toEqual(hp);
  });

  it('unwraps an IPv4-mapped IPv6 address', () => {
    expect(encodePort({ host: '::ffff:127.0.0.2', port: 50000 })).toBe('127,0,0,2,195,80');
  });

  it.each([
    { host: '::1', port: 2121 },
    { host: 'fe80::1', port: 2121 },
    { host: 'example.com', port: 2121 },
    { host: '1.2.3.4\r\nDELE x', port: 2121 },
    { host: '1.2.3', port: 2121 },
    { host: '256.1.1.1', port: 2121 },
    { host: '', port: 2121 },
    { host: '1.2.3.4', port: 0 },
    { host: '1.2.3.4', port: 65536 },
    { host: '1.2.3.4', port: 21.5 },
    { host: '1.2.3.4', port: -1 },
    { host: '1.2.3.4', port: Number.NaN },
  ])('encodePort rejects %j', (hp) => {
    expect(() => encodePort(hp)).toThrow(UnsafeArgumentError);
  });

  it.each([
    '',
    '127,0,0,2,195',
    '127,0,0,2,195,80,1',
    '256,0,0,2,195,80',
    '127,0,0,2,195,256',
    '127,0,0,2,0,0',
    '127.0.0.2,195,80',
    '127,0,0,2,195,80\r\nDELE x',
    '127,0,0,2,-1,80',
    '127,,0,2,195,80',
    'a,b,c,d,e,f',
    '1270,0,0,2,195,80',
  ])('parsePortArgument rejects %j', (arg) => {
    expect(() => parsePortArgument(arg)).toThrow(UnsafeArgumentError);
  });

  it('tolerates surrounding whitespace', () => {
    expect(parsePortArgument(' 127,0,0,2,4,1 ')).toEqual({ host: '127.0.0.2', port: 1025 });
  });
});

describe('encodeEprt / parseEprtArgument', () => {
  it.each([
    [{ host: '132.235.1.2', port: 6275 }, '|1|132.235.1.2|6275|'],
    [{ host: '::1', port: 5282 }, '|2|::1|5282|'],
    [{ host: '1080::8:800:200c:417a', port: 5282 }, '|2|1080::8:800:200c:417a|5282|'],
    [{ host: '127.0.0.3', port: 65535 }, '|1|127.0.0.3|65535|'],
  ])('%j ⇄ %s', (hp, arg) => {
    expect(encodeEprt(hp)).toBe(arg);
    expect(parseEprtArgument(arg)).toEqual(hp);
  });

  it('encodes an IPv4-mapped address as IPv4', () => {
    expect(encodeEprt({ host: '::ffff:127.0.0.2', port: 2121 })).toBe('|1|127.0.0.2|2121|');
  });

  it('accepts other delimiters', () => {
    expect(parseEprtArgument('!1!132.235.1.2!6275!')).toEqual({ host: '132.235.1.2', port: 6275 });
    expect(parseEprtArgument('#2#::1#6275#')).toEqual({ host: '::1', port: 6275 });
  });

  it.each([
    { host: 'fe80::1%eth0', port: 2121 },
    { host: 'fe80::1%a|b', port: 2121 },
    { host: 'localhost', port: 2121 },
    { host: '1.2.3.4|2121|\r\nDELE x', port: 2121 },
    { host: '::1', port: 0 },
    { host: '::1', port: 70000 },
  ])('encodeEprt rejects %j', (hp) => {
    expect(() => encodeEprt(hp)).toThrow(UnsafeArgumentError);
  });

  it.each([
    '',
    '|',
    '||||',
    '|1|132.235.1.2|6275',
    '|1|132.235.1.2|6275|x',
    '|1|132.235.1.2|6275||',
    '|3|132.235.1.2|6275|',
    '|1|::1|6275|', // protocol 1 needs IPv4
    '|2|132.235.1.2|6275|', // protocol 2 needs IPv6
    '|2|fe80::1%eth0|6275|',
    '|1|132.235.1.2|0|',
    '|1|132.235.1.2|65536|',
    '|1|132.235.1.2|+80|',
    '|1|132.235.1.2||',
    '|1|host.example|6275|',
    ' 1 132.235.1.2 6275 ',
    '\x7f1\x7f132.235.1.2\x7f6275\x7f',
    '|1|132.235.1.2|62\r\n75|',
  ])('parseEprtArgument rejects %j', (arg) => {
    expect(() => parseEprtArgument(arg)).toThrow(UnsafeArgumentError);
  });
});

describe('server reply texts', () => {
  it('encodes a 227 text that parsePasvReply reads back', () => {
    const text = encodePasvReply({ host: '127.0.0.2', port: 50000 });
    expect(text).toBe('Entering Passive Mode (127,0,0,2,195,80).');
    expect(parsePasvReply(text)).toEqual({ host: '127.0.0.2', port: 50000 });
  });

  it('encodes a 229 text that parseEpsvReply reads back', () => {
    const text = encodeEpsvReply(6446);
    expect(text).toBe('Entering Extended Passive Mode (|||6446|)');
    expect(parseEpsvReply(text)).toBe(6446);
  });

  it('refuses to encode what it could not parse', () => {
    expect(() => encodePasvReply({ host: '::1', port: 6446 })).toThrow(UnsafeArgumentError);
    expect(() => encodeEpsvReply(0)).toThrow(UnsafeArgumentError);
    expect(() => encodeEpsvReply(65536)).toThrow(UnsafeArgumentError);
  });
});

describe('assertDataPort', () => {
  it.each([1024, 2121, 50000, 65535])('accepts %i', (port) => {
    expect(() => assertDataPort(port)).not.toThrow();
  });

  it.each([0, 1, 20, 21, 22, 25, 80, 1023, 65536, -1, 1024.5, Number.NaN, Infinity])('rejects %d', (port) => {
    expect(() => assertDataPort(port)).toThrow(UnsafeArgumentError);
  });
});

describe('passiveHost', () => {
  const guard = (allow: string[] = [], refused: string[] = []): AddressGuard => ({
    refusal: (address) => (refused.includes(address) ? `${address} is not allowed` : null),
    allowsPasvAddress: (address) => allow.includes(address),
  });

  it.each<[string, string, PasvAddressPolicy, AddressGuard | undefined, string]>([
    ['8.8.8.8', '127.0.0.2', 'control', guard(), '127.0.0.2'],
    ['10.1.2.3', '203.0.113.5', 'control', undefined, '203.0.113.5'],
    ['0.0.0.0', '127.0.0.2', 'reply', guard(), '127.0.0.2'],
    ['127.0.0.3', '127.0.0.2', 'reply', guard(), '127.0.0.3'],
    ['10.0.0.6', '10.0.0.5', 'reply', guard(), '10.0.0.6'],
    ['192.168.1.9', '10.0.0.5', 'reply', undefined, '192.168.1.9'],
    ['198.51.100.7', '203.0.113.5', 'reply', guard(), '198.51.100.7'],
    ['10.1.2.3', '127.0.0.2', 'reply', guard(['10.1.2.3']), '10.1.2.3'],
    ['10.1.2.3', '::ffff:127.0.0.2', 'reply', guard(['10.1.2.3']), '10.1.2.3'],
  ])('%s announced on a control connection to %s with %s → %s', (announced, control, policy, check, expected) => {
    expect(passiveHost(announced, control, policy, check)).toBe(expected);
  });

  it.each<[string, string, AddressGuard | undefined, RegExp]>([
    ['10.1.2.3', '127.0.0.2', guard(), /private address for a loopback control address/],
    ['8.8.8.8', '127.0.0.2', guard(), /public address for a loopback/],
    ['127.0.0.1', '203.0.113.5', guard(), /loopback address for a public/],
    ['169.254.169.254', '10.0.0.5', undefined, /metadata address for a private/],
    ['10.1.2.3', '127.0.0.2', undefined, /not on the PASV allow-list/],
    [
      '169.254.169.254',
      '169.254.1.1',
      guard(['169.254.169.254'], ['169.254.169.254']),
      /169\.254\.169\.254 is not allowed/,
    ],
  ])('refuses %s announced on a control connection to %s', (announced, control, check, why) => {
    const attempt = () => passiveHost(announced, control, 'reply', check);
    expect(attempt).toThrow(HostRefusedError);
    expect(attempt).toThrow(why);
    expect(attempt).toThrow(
      new RegExp(`${control.replace(/\./g, '\\.')} announced ${announced.replace(/\./g, '\\.')}`),
    );
  });
});
