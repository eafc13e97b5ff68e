/**
 * LIST lines: Unix `ls -l` and DOS/IIS. The canonical `ls -l` line every common server sends
 * (vsftpd, ProFTPD, pure-ftpd, the embedded one) is read by a hand-written scan over the
 * listing's text; every other line goes to basic-ftp's parsers, as all lines once did.
 *
 * Why by hand: through basic-ftp a line costs a split, two format tests and a 21-group regular
 * expression run twice, plus a FileInfo and its permission objects; in a 100 000-entry folder
 * that was most of the time spent serving it. The scan accepts only a strict shape and hands
 * anything else over, so on the lines it takes it gives what basic-ftp would (listing.test.ts
 * checks both on the same lines).
 */
import { FileType, parseList, type FileInfo } from 'basic-ftp';
import { isoUtc, parseDosDate, parseUnixDate, recentIso } from './listing-dates.js';
import { entry, type EntryType, type LineResult, SKIP, unsafe, validateListedName } from './listing-entry.js';

/** What both parsers share for one listing: its "now", and each distinct date parsed once. */
export interface LsContext {
  now: Date;
  /** Big directories repeat the same few timestamps. Keys: numbers from the scan, raw text from basic-ftp. */
  dates: Map<number | string, string | null>;
}

/** The line text[start, end) (no line break), which is not MLSD. */
export function parseLsLine(text: string, start: number, end: number, context: LsContext): LineResult {
  const canonical = scanCanonical(text, start, end, context);
  return canonical === ELSEWHERE ? parseWithBasicFtp(text.slice(start, end), context) : canonical;
}

/** The scan does not take the line: basic-ftp reads it. */
export const ELSEWHERE = Symbol('elsewhere');

const TAB = 0x09;
const SPACE = 0x20;
const PLUS = 0x2b;
const DASH = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const COLON = 0x3a;

/** ls's permission letters by position in each rwx triplet, as basic-ftp's expression allows them. */
function permitted(position: number, c: number): boolean {
  if (c === DASH) return true;
  if (position === 0) return c === 0x72; // r
  if (position === 1) return c === 0x77; // w
  return c === 0x78 || c === 0x73 || c === 0x53 || c === 0x74 || c === 0x54 || c === 0x4c; // x s S t T L
}

function skipBlanks(text: string, at: number, end: number): number {
  let c: number;
  while (at < end && ((c = text.charCodeAt(at)) === SPACE || c === TAB)) at++;
  return at;
}

function skipDigits(text: string, at: number, end: number): number {
  let c: number;
  while (at < end && (c = text.charCodeAt(at)) >= ZERO && c <= NINE) at++;
  return at;
}

/** A field of printable ASCII (owner, group); any other character and basic-ftp decides. */
function skipWord(text: string, at: number, end: number): number {
  let c: number;
  while (at < end && (c = text.charCodeAt(at)) > SPACE && c < 0x7f) at++;
  return at;
}

/** Where the blanks after a field that ends at `to` end; -1 when the field or the blanks are missing. */
function fieldThenBlanks(to: number, from: number, text: string, end: number): number {
  if (to === from) return -1;
  const next = skipBlanks(text, to, end);
  return next === to ? -1 : next;
}

function decimal(text: string, from: number, to: number): number {
  let n = 0;
  for (let at = from; at < to; at++) n = n * 10 + (text.charCodeAt(at) - ZERO);
  return n;
}

/** "jan" … "dec" in any case, as three char codes in one number, to 0–11. */
const MONTH_CODES = new Map(
  ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].map((name, index) => [
    (name.charCodeAt(0) << 16) | (name.charCodeAt(1) << 8) | name.charCodeAt(2),
    index,
  ]),
);

/** An ASCII letter in lower case (the same char code again for anything else, which matches no month). */
const lower = (c: number) => (c >= 0x41 && c <= 0x5a ? c | 0x20 : c);

/**
 * `[inode] tPERMS[+] links owner group size Mon dd (hh:mm|yyyy) name`, fields apart by spaces
 * or tabs, one space before the name; t is -, d or l; owner and group one printable ASCII word
 * each; an English month. The name is the rest of the line ("name -> target" for a link).
 */
export function scanCanonical(
  text: string,
  start: number,
  end: number,
  context: LsContext,
): LineResult | typeof ELSEWHERE {
  let at = start;
  let c: number;
  while (at < end && ((c = text.charCodeAt(at)) === SPACE || c === TAB || (c >= ZERO && c <= NINE))) at++;
  if (end - at < 10) return ELSEWHERE;
  const kind = text.charCodeAt(at);
  let type: EntryType;
  if (kind === DASH) type = 'file';
  else if (kind === 0x64)
    type = 'dir'; // d
  else if (kind === 0x6c)
    type = 'link'; // l
  else return ELSEWHERE;
  for (let p = 0; p < 9; p++) if (!permitted(p % 3, text.charCodeAt(at + 1 + p))) return ELSEWHERE;
  at += 10;
  if (at < end && text.charCodeAt(at) === PLUS) at++;

  // Blanks, then link count, owner and group: a field and blanks each.
  let next = skipBlanks(text, at, end);
  if (next === at) return ELSEWHERE;
  next = fieldThenBlanks(skipDigits(text, next, end), next, text, end);
  if (next !== -1) next = fieldThenBlanks(skipWord(text, next, end), next, text, end);
  if (next !== -1) next = fieldThenBlanks(skipWord(text, next, end), next, text, end);
  if (next === -1) return ELSEWHERE;
  const sizeFrom = next;
  at = skipDigits(text, sizeFrom, end);
  if (at === sizeFrom) return ELSEWHERE;
  const sizeTo = at;
  next = skipBlanks(text, at, end);
  if (next === at || end - next < 3) return ELSEWHERE;

  const month = MONTH_CODES.get(
    (lower(text.charCodeAt(next)) << 16) | (lower(text.charCodeAt(next + 1)) << 8) | lower(text.charCodeAt(next + 2)),
  );
  if (month === undefined) return ELSEWHERE;
  at = skipBlanks(text, next + 3, end);
  if (at === next + 3) return ELSEWHERE;
  const dayTo = skipDigits(text, at, end);
  if (dayTo === at || dayTo - at > 2) return ELSEWHERE;
  const day = decimal(text, at, dayTo);
  next = skipBlanks(text, dayTo, end);
  if (next === dayTo) return ELSEWHERE;

  // hh:mm or yyyy, then exactly one space before the name.
  at = skipDigits(text, next, end);
  let key: number;
  let hour = 0;
  let minute = 0;
  let year = -1;
  if (at - next === 4 && at < end && text.charCodeAt(at) === SPACE) {
    year = decimal(text, next, at);
    key = ((month * 32 + day) * 2 + 1) * 10_000 + year;
  } else if (
    at - next >= 1 &&
    at - next <= 2 &&
    at + 3 < end &&
    text.charCodeAt(at) === COLON &&
    skipDigits(text, at + 1, end) === at + 3 &&
    text.charCodeAt(at + 3) === SPACE
  ) {
    hour = decimal(text, next, at);
    minute = decimal(text, at + 1, at + 3);
    at += 3;
    key = (month * 32 + day) * 2 * 10_000 + hour * 100 + minute;
  } else {
    return ELSEWHERE;
  }
  const rest = text.slice(at + 1, end);
  if (rest === '.' || rest === '..') return SKIP;

  let name = rest;
  let target: string | undefined;
  if (type === 'link') {
    const arrow = rest.indexOf(' -> ');
    if (arrow !== -1) {
      name = rest.slice(0, arrow);
      target = rest.slice(arrow + 4);
      // basic-ftp cuts a target at a line terminator, and such a line is rejected: it decides.
      if (/[\r\u2028\u2029]/.test(target)) return ELSEWHERE;
      if (target === '' || target.includes('\0')) target = undefined;
    }
  }
  // Likewise a name with a line terminator in it; other unsafe names are reported alike either way.
  if (!validateListedName(name)) return ELSEWHERE;

  const size = decimal(text, sizeFrom, sizeTo);
  if (!Number.isSafeInteger(size)) return null;
  let date = context.dates.get(key);
  if (date === undefined) {
    date = year === -1 ? recentIso(month, day, hour, minute, context.now) : isoUtc(year, month, day, 0, 0, 0, 0);
    context.dates.set(key, date);
  }
  return entry(name, type, size, date, target);
}

/** Unix lines the scan leaves, and DOS/IIS lines: basic-ftp; we add dates, device handling and counting. */
export function parseWithBasicFtp(line: string, context: LsContext): LineResult {
  let infos: FileInfo[];
  try {
    infos = parseList(line);
  } catch {
    return null; // no parser recognised the line
  }
  const info = infos[0];
  // basic-ftp returns nothing for its own skips: '.' and '..'.
  if (info === undefined) return /\s\.\.?$/.test(line) ? SKIP : null;
  // basic-ftp's name is `(.*)`, which stops at a CR (or U+2028/9) and so silently
  // shortens the name to one that may belong to another file: insist it is the whole tail.
  const tail = info.link === undefined ? info.name : `${info.name} -> ${info.link}`;
  if (!line.endsWith(tail)) return null;

  // basic-ftp reports block and character devices as files and pipes/sockets as unknown;
  // none of them can be copied, and "major, minor" is not a size.
  if (/^[\s\d]*[bcps][-rwxsStTL]{9}/.test(line)) return SKIP;
  let type: EntryType;
  if (info.type === FileType.File) type = 'file';
  else if (info.type === FileType.Directory) type = 'dir';
  else if (info.type === FileType.SymbolicLink) type = 'link';
  else return null;
  if (!Number.isSafeInteger(info.size) || info.size < 0) return null;
  const target = info.link !== undefined && info.link !== '' && !/\0/.test(info.link) ? info.link : undefined;
  const raw = info.rawModifiedAt;
  let date = context.dates.get(raw);
  if (date === undefined) {
    date = parseDosDate(raw) ?? parseUnixDate(raw, context.now);
    context.dates.set(raw, date);
  }
  return validateListedName(info.name) ? entry(info.name, type, info.size, date, target) : unsafe(info.name);
}
