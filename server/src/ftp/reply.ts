import { FtpConnectionError } from './errors.js';

/** One complete server reply (RFC 959 §4.2). */
export interface Reply {
  code: number;
  /** The raw lines, without their CRLF. */
  lines: string[];
  /** The message: the code stripped from the first and the last line, lines joined with '\n'. */
  text: string;
}

// First digit 1–5 keeps the code within 100–599.
const REPLY_START = /^([1-5]\d\d)([ -]|$)/;
// What the first four characters of a reply can look like while it is still arriving.
const REPLY_PREFIX = /^[1-5](?:\d(?:\d[ \-\r]?)?)?$/;

/**
 * Consumes every complete reply in `buffer`; `rest` is what is left for the caller to
 * prepend to the next chunk. Throws a 'protocol' FtpConnectionError on a line that cannot
 * start a reply, and on a reply (or a pending remainder) larger than `maxReplyBytes`, so a
 * hostile server can neither inject garbage nor make the caller buffer without limit.
 */
export function parseReplies(buffer: string, maxReplyBytes = 64 * 1024): { replies: Reply[]; rest: string } {
  const replies: Reply[] = [];
  let pos = 0;
  while (pos < buffer.length) {
    const firstEnd = buffer.indexOf('\n', pos);
    if (firstEnd === -1) break;
    const first = stripCr(buffer.slice(pos, firstEnd));
    const start = REPLY_START.exec(first);
    if (start === null) {
      throw new FtpConnectionError('protocol', `Malformed FTP reply line: ${preview(first)}`);
    }
    const code = start[1] as string;
    const end = start[2] === '-' ? findMultilineEnd(buffer, firstEnd, code) : firstEnd + 1;
    if (end === -1) break;
    assertWithinLimit(buffer, pos, end, maxReplyBytes);
    const lines = end === firstEnd + 1 ? [first] : splitLines(buffer.slice(pos, end));
    replies.push({ code: Number(code), lines, text: replyText(lines) });
    pos = end;
  }

  const rest = buffer.slice(pos);
  assertWithinLimit(rest, 0, rest.length, maxReplyBytes);
  // Reject a garbage start before its line is complete: a server that sends junk
  // without a newline would otherwise only be caught by a timeout.
  if (rest.length > 0 && !REPLY_PREFIX.test(rest.slice(0, 4))) {
    throw new FtpConnectionError('protocol', `Malformed FTP reply line: ${preview(rest)}`);
  }
  return { replies, rest };
}

/**
 * Index just past the line that ends the multi-line reply opened with `code`, or -1 if
 * it has not arrived yet. One regular-expression search per call keeps a rescan of a long
 * pending reply native, even when every line inside it starts with "NNN-".
 */
function findMultilineEnd(buffer: string, firstEnd: number, code: string): number {
  let terminator = TERMINATORS.get(code);
  if (terminator === undefined) {
    terminator = new RegExp(`\\n${code}(?: [^\\n]*|\\r)?\\n`, 'g');
    TERMINATORS.set(code, terminator);
  }
  terminator.lastIndex = firstEnd;
  const found = terminator.exec(buffer);
  return found === null ? -1 : found.index + found[0].length;
}

// One search pattern per reply code (at most 500 of them).
const TERMINATORS = new Map<string, RegExp>();

function assertWithinLimit(text: string, from: number, to: number, maxBytes: number): void {
  const units = to - from;
  // A UTF-16 code unit is at most 3 UTF-8 bytes: only count bytes when it could matter.
  if (units * 3 <= maxBytes) return;
  if (units > maxBytes || Buffer.byteLength(text.slice(from, to), 'utf8') > maxBytes) {
    throw new FtpConnectionError('protocol', `FTP reply exceeds ${maxBytes} bytes`);
  }
}

function splitLines(raw: string): string[] {
  const lines = raw.split('\n');
  lines.pop(); // the empty string after the final newline
  return lines.map(stripCr);
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

function replyText(lines: string[]): string {
  const text = lines.map((line, i) => (i === 0 || i === lines.length - 1 ? line.slice(4) : line));
  return text.join('\n');
}

function preview(line: string): string {
  return JSON.stringify(line.length > 80 ? `${line.slice(0, 80)}…` : line);
}

/** 1xx: the command started; another reply follows. */
export function isPositivePreliminary(code: number): boolean {
  return code >= 100 && code < 200;
}

/** 2xx: the command completed. */
export function isPositiveCompletion(code: number): boolean {
  return code >= 200 && code < 300;
}

/** 3xx: the command was accepted and waits for another (e.g. PASS after USER, STOR after REST). */
export function isPositiveIntermediate(code: number): boolean {
  return code >= 300 && code < 400;
}

/** 4xx: refused for now; the same command may succeed later. */
export function isTransientNegative(code: number): boolean {
  return code >= 400 && code < 500;
}

/** 5xx: refused; repeating the command will not help. */
export function isPermanentNegative(code: number): boolean {
  return code >= 500 && code < 600;
}
