import { isIPv4, isIPv6 } from 'node:net';
import { classifyAddress, unmapIPv4 } from './address.js';
import { FtpConnectionError, HostRefusedError, UnsafeArgumentError } from './errors.js';
import type { AddressGuard, PasvAddressPolicy } from './types.js';

export interface HostPort {
  host: string;
  port: number;
}

// Six numbers from the first digit on: some servers drop the parentheses or put text
// such as '=' before the numbers (ftp-notes.md). Sticky, so it only tries that position.
const PASV_NUMBERS = /(\d{1,3}) *, *(\d{1,3}) *, *(\d{1,3}) *, *(\d{1,3}) *, *(\d{1,3}) *, *(\d{1,3})(?!\d)/y;

/** Host and port from the text of a 227 reply, with or without its code (a logged line has it). */
export function parsePasvReply(reply: string): HostPort {
  const text = /^227[ -]/.test(reply) ? reply.slice(4) : reply;
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
  const hostOk = (protocol === '1' && isIPv4(host)) || (protocol === '2' && isIPv6(host) && !host.includes('%'));
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

/**
 * The host to open a passive data connection to, or to send the other server in PORT, after
 * a 227 announced `announced` on a session whose control connection reached `control`.
 * With `reply`, the announced address must pass the host policy and be of the control
 * address's class (a LAN server announcing a LAN address) or on the operator's allow-list:
 * otherwise a server could aim us, or its FXP partner, at any third host (FTP bounce).
 */
export function passiveHost(
  announced: string,
  control: string,
  policy: PasvAddressPolicy,
  guard?: AddressGuard,
): string {
  const announcedClass = classifyAddress(announced);
  // 0.0.0.0: a server reporting its listening socket rather than its address.
  if (policy === 'control' || announcedClass === 'this-host') return control;
  const refusal = guard?.refusal(announced);
  if (!refusal && (announcedClass === classifyAddress(control) || guard?.allowsPasvAddress(announced)))
    return announced;
  const why =
    refusal ??
    `a ${announcedClass} address for a ${classifyAddress(control)} control address, and not on the PASV allow-list`;
  throw new HostRefusedError(
    `the server at ${control} announced ${announced} for its data connection (227): ${why}; not connecting there or sending it in a PORT`,
  );
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
