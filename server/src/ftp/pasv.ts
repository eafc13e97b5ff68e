import { BlockList, isIP, isIPv4, isIPv6 } from 'node:net';
import { FtpConnectionError, UnsafeArgumentError } from './errors.js';

export interface HostPort {
  host: string;
  port: number;
}

// Six numbers from the first digit on: some servers drop the parentheses or put text
// such as '=' before the numbers (ftp-notes.md). Sticky, so it only tries that position.
const PASV_NUMBERS =
  /(\d{1,3}) *, *(\d{1,3}) *, *(\d{1,3}) *, *(\d{1,3}) *, *(\d{1,3}) *, *(\d{1,3})(?!\d)/y;

/** Host and port from the text of a 227 reply. */
export function parsePasvReply(text: string): HostPort {
  const firstDigit = text.search(/\d/);
  PASV_NUMBERS.lastIndex = firstDigit;
  const match = firstDigit === -1 ? null : PASV_NUMBERS.exec(text);
  const bytes = match?.slice(1).map(Number);
  if (bytes === undefined || bytes.some((b) => b > 255)) {
    throw new FtpConnectionError('protocol', `Malformed PASV reply: ${preview(text)}`);
  }
  const [h1, h2, h3, h4, p1, p2] = bytes as [number, number, number, number, number, number];
  const port = p1 * 256 + p2;
  if (port === 0) throw new FtpConnectionError('protocol', `PASV reply with port 0: ${preview(text)}`);
  return { host: `${h1}.${h2}.${h3}.${h4}`, port };
}

// RFC 2428 §3: (<d><d><d><port><d>) where <d> is one character 33–126. A digit as
// delimiter could not be told apart from the port, so digits are left out.
const EPSV_IN_PARENS = /\(([\x21-\x2f\x3a-\x7e])\1\1(\d{1,5})\1\)/;
const EPSV_BARE = /([\x21-\x2f\x3a-\x7e])\1\1(\d{1,5})\1/;

/** The port from the text of a 229 reply; the host is the control connection's peer. */
export function parseEpsvReply(text: string): number {
  const match = EPSV_IN_PARENS.exec(text) ?? EPSV_BARE.exec(text);
  const port = match ? Number(match[2]) : NaN;
  if (!isPort(port)) {
    throw new FtpConnectionError('protocol', `Malformed EPSV reply: ${preview(text)}`);
  }
  return port;
}

/** The argument of PORT: "h1,h2,h3,h4,p1,p2". IPv4 only. */
export function encodePort(hp: HostPort): string {
  const host = unmapIPv4(hp.host);
  if (!isIPv4(host)) throw new UnsafeArgumentError(`PORT needs an IPv4 address, got ${preview(hp.host)}`);
  assertPort(hp.port);
  return `${host.split('.').join(',')},${Math.floor(hp.port / 256)},${hp.port % 256}`;
}

/** The argument of EPRT (RFC 2428 §2): "|1|1.2.3.4|port|" or "|2|::1|port|". */
export function encodeEprt(hp: HostPort): string {
  const host = unmapIPv4(hp.host);
  assertPort(hp.port);
  // A zone id ("%eth0") means nothing to the other server and may hold any character.
  if (isIPv4(host)) return `|1|${host}|${hp.port}|`;
  if (isIPv6(host) && !host.includes('%')) return `|2|${host}|${hp.port}|`;
  throw new UnsafeArgumentError(`Not an IP address: ${preview(hp.host)}`);
}

/** Server side: the address a client sent with PORT. */
export function parsePortArgument(arg: string): HostPort {
  const match = /^(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3})$/.exec(arg.trim());
  const bytes = match?.slice(1).map(Number);
  if (bytes === undefined || bytes.some((b) => b > 255)) {
    throw new UnsafeArgumentError(`Malformed PORT argument: ${preview(arg)}`);
  }
  const [h1, h2, h3, h4, p1, p2] = bytes as [number, number, number, number, number, number];
  const port = p1 * 256 + p2;
  if (port === 0) throw new UnsafeArgumentError(`PORT argument with port 0: ${preview(arg)}`);
  return { host: `${h1}.${h2}.${h3}.${h4}`, port };
}

/** Server side: the address a client sent with EPRT. */
export function parseEprtArgument(arg: string): HostPort {
  const trimmed = arg.trim();
  const delimiter = trimmed[0] ?? '';
  const code = delimiter.charCodeAt(0);
  const parts = trimmed.split(delimiter);
  // "|1|addr|port|" splits into ['', '1', 'addr', 'port', ''].
  if (!(code >= 33 && code <= 126) || parts.length !== 5) {
    throw new UnsafeArgumentError(`Malformed EPRT argument: ${preview(arg)}`);
  }
  const [, protocol, host = '', portText = '', tail] = parts;
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  const hostOk =
    (protocol === '1' && isIPv4(host)) || (protocol === '2' && isIPv6(host) && !host.includes('%'));
  if (!hostOk || !isPort(port) || tail !== '') {
    throw new UnsafeArgumentError(`Malformed EPRT argument: ${preview(arg)}`);
  }
  return { host, port };
}

/** Server side: the text of a 227 reply. */
export function encodePasvReply(hp: HostPort): string {
  return `Entering Passive Mode (${encodePort(hp)}).`;
}

/** Server side: the text of a 229 reply. */
export function encodeEpsvReply(port: number): string {
  assertPort(port);
  return `Entering Extended Passive Mode (|||${port}|)`;
}

/** RFC 2577: never open a data connection to a privileged port (FTP bounce attack). */
export function assertDataPort(port: number): void {
  if (!Number.isInteger(port) || port < 1024 || port > 65535) {
    throw new UnsafeArgumentError(`Refusing data port ${port}: it must be within 1024–65535`);
  }
}

const PRIVATE = new BlockList();
PRIVATE.addSubnet('10.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('172.16.0.0', 12, 'ipv4');
PRIVATE.addSubnet('192.168.0.0', 16, 'ipv4');
PRIVATE.addSubnet('127.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('100.64.0.0', 10, 'ipv4');
PRIVATE.addSubnet('fc00::', 7, 'ipv6');
PRIVATE.addSubnet('fe80::', 10, 'ipv6');
PRIVATE.addAddress('::1', 'ipv6');

const UNSPECIFIED = new BlockList();
UNSPECIFIED.addAddress('0.0.0.0', 'ipv4');
UNSPECIFIED.addAddress('::', 'ipv6');

/**
 * Loopback, RFC 1918, CGNAT, unique-local and link-local addresses (IPv4-mapped IPv6
 * included): a PASV answer with one of these usually means a server behind NAT.
 */
export function isPrivateAddress(ip: string): boolean {
  return checkAddress(PRIVATE, ip);
}

/** 0.0.0.0 or :: — a server that reports its listening socket instead of its address. */
export function isUnspecifiedAddress(ip: string): boolean {
  return checkAddress(UNSPECIFIED, ip);
}

function checkAddress(list: BlockList, ip: string): boolean {
  const host = unmapIPv4(ip);
  const family = isIP(host);
  if (family === 4) return list.check(host, 'ipv4');
  if (family === 6) return list.check(host.replace(/%.*$/, ''), 'ipv6');
  return false;
}

/** "::ffff:1.2.3.4", as a dual-stack socket reports an IPv4 peer, → "1.2.3.4". */
function unmapIPv4(host: string): string {
  const mapped = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i.exec(host);
  return mapped?.[1] ?? host;
}

function isPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}

function assertPort(port: number): void {
  if (!isPort(port)) throw new UnsafeArgumentError(`Not a TCP port: ${port}`);
}

function preview(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}
