import { FileType, parseList, type FileInfo } from 'basic-ftp';

export type EntryType = 'file' | 'dir' | 'link';

export interface ListEntry {
  name: string;
  type: EntryType;
  size: number;
  /** ISO-8601 UTC, or null when the listing has no usable date. */
  modifiedAt: string | null;
  target?: string;
}

/**
 * Characters a listed name may not hold. `/` and `\` are separators (`\` on Windows servers
 * and on some others), so `a\..\..\x` climbs out of the folder there. C0 and C1 controls
 * (CR, LF, NUL, ESC, CSI, NEL …) would break a command line or a terminal. Bidi marks,
 * embeddings, overrides and isolates and the line/paragraph separators let a name show as
 * another (`invoice\u202Efdp.exe` reads "invoiceexe.pdf").
 */
const HIDDEN = '\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';
const UNSAFE_IN_NAME = new RegExp(`[/\\\\${HIDDEN}]`);
const HIDDEN_CHARACTER = new RegExp(`[${HIDDEN}]`, 'g');

/**
 * A name from a server's listing is untrusted: it later becomes an argument on this or
 * the other server's control connection, so it must not hold a path or a line break.
 */
export function validateListedName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !UNSAFE_IN_NAME.test(name);
}

/** A name as it can be shown safely: JSON-quoted, controls and bidi characters as escapes (seen, not obeyed). */
export function displayName(name: string): string {
  // JSON.stringify already escapes C0 and lone surrogates; the rest of HIDDEN it leaves raw.
  return JSON.stringify(name).replace(HIDDEN_CHARACTER, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export interface ParsedListing {
  entries: ListEntry[];
  /** Lines dropped: malformed, or with an unsafe name. */
  rejected: number;
  /** The unsafe names among them, through displayName, so callers can say which. */
  unsafeNames: string[];
}

/** An entry that is dropped on purpose and not counted as rejected. */
const SKIP = Symbol('skip');
type LineResult = ListEntry | typeof SKIP | null;

// "fact=value;" at the start of a line: an MLSD/MLST entry (RFC 3659 §7).
const MLSD_LINE = /^[^\s=;]+=[^;\s]*;/;

/**
 * Parses the body of an MLSD, LIST (Unix `ls -l`) or DOS/IIS listing. Each line is parsed
 * on its own, so one odd line neither hides the others nor decides the format of the rest.
 * Entries that are not transferable (., .., cdir, pdir, devices, pipes, sockets) are
 * dropped; lines that are malformed or carry an unsafe name are dropped and counted, and
 * unsafe names are reported.
 */
export function parseListing(text: string, now = new Date()): ParsedListing {
  const entries: ListEntry[] = [];
  const unsafeNames: string[] = [];
  let rejected = 0;
  // Big directories repeat the same few timestamps: each distinct one is parsed once.
  const dates = new Map<string, string | null>();
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '' || /^total\s+\d+\s*$/i.test(line)) continue;
    const result = MLSD_LINE.test(line) ? parseMlsdLine(line) : parseLsLine(line, now, dates);
    if (result === SKIP) continue;
    if (result === null || !validateListedName(result.name)) {
      rejected++;
      if (result !== null) unsafeNames.push(displayName(result.name));
      continue;
    }
    entries.push(result);
  }
  return { entries, rejected, unsafeNames };
}

/**
 * MLSD is parsed here rather than by basic-ftp, whose parser throws a RangeError on a
 * malformed `modify` fact, compares the `type` value case-sensitively (RFC 3659 §7.5.1
 * makes it case-insensitive) and silently drops names holding '/' where we count them.
 */
function parseMlsdLine(line: string): LineResult {
  const space = line.indexOf(' ');
  if (space === -1) return null;
  const facts = new Map<string, string>();
  for (const fact of line.slice(0, space).split(';')) {
    const eq = fact.indexOf('=');
    if (eq > 0) facts.set(fact.slice(0, eq).toLowerCase(), fact.slice(eq + 1));
  }
  const name = line.slice(space + 1);
  const typeFact = facts.get('type') ?? '';
  const type = typeFact.toLowerCase();
  if (type === 'cdir' || type === 'pdir' || name === '.' || name === '..') return SKIP;

  let entryType: EntryType;
  let target: string | undefined;
  if (type === 'file') entryType = 'file';
  else if (type === 'dir') entryType = 'dir';
  else if (type === 'os.unix=symlink') entryType = 'link';
  else if (type.startsWith('os.unix=slink')) {
    entryType = 'link';
    const colon = typeFact.indexOf(':');
    if (colon !== -1 && typeFact.length > colon + 1) target = typeFact.slice(colon + 1);
  } else if (type.startsWith('os.')) return SKIP; // OS.unix=chr-…, blk, fifo, socket …
  else return null;

  const sizeFact = facts.get('size');
  if (sizeFact !== undefined && !/^\d{1,15}$/.test(sizeFact)) return null;
  return entry(name, entryType, Number(sizeFact ?? 0), parseMlsdTime(facts.get('modify')), target);
}

/** YYYYMMDDHHMMSS(.sss), always UTC (RFC 3659 §2.3). */
function parseMlsdTime(value: string | undefined): string | null {
  const m = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(?:\.(\d{1,3}))?$/.exec(value ?? '');
  if (m === null) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as Fields;
  return utcIso(y, mo - 1, d, h, mi, s, Number((m[7] ?? '0').padEnd(3, '0')));
}

type Fields = [number, number, number, number, number, number];

/** Unix and DOS lines go through basic-ftp; we add dates, device handling and counting. */
function parseLsLine(line: string, now: Date, dates: Map<string, string | null>): LineResult {
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
  let date = dates.get(raw);
  if (date === undefined) {
    date = parseDosDate(raw) ?? parseUnixDate(raw, now);
    dates.set(raw, date);
  }
  return entry(info.name, type, info.size, date, target);
}

function entry(name: string, type: EntryType, size: number, modifiedAt: string | null, target?: string): ListEntry {
  // A directory's own size (4096, sizd) says nothing about what it holds.
  const result: ListEntry = { name, type, size: type === 'dir' ? 0 : size, modifiedAt };
  if (target !== undefined) result.target = target;
  return result;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * `ls -l` dates as basic-ftp hands them over: "Apr 19 06:57", "Apr 19  2019",
 * "19 Apr 06:57", "2019-04-19 06:57", "4月 19日 06:57". The server's time zone is
 * unknown, so the wall-clock time is taken as UTC. English month names only.
 */
function parseUnixDate(raw: string, now: Date): string | null {
  const iso = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})\s+(\d{1,2}):(\d{2})$/.exec(raw);
  if (iso !== null) {
    const [y, mo, d, h, mi] = iso.slice(1).map(Number) as Fields;
    return utcIso(y, mo - 1, d, h, mi, 0, 0);
  }
  const parts =
    /^([^\s\d]{3})\s+(\d{1,2})\s+(\S+)$/.exec(raw) ?? // MMM d
    /^(\d{1,2})\s+([^\s\d]{3})\s+(\S+)$/.exec(raw); // d MMM
  const japanese = /^(\d{1,2})月\s+(\d{1,2})日\s+(\S+)$/.exec(raw);
  let month: number;
  let day: number;
  let yearOrTime: string;
  if (japanese !== null) {
    month = Number(japanese[1]) - 1;
    day = Number(japanese[2]);
    yearOrTime = japanese[3] ?? '';
  } else if (parts !== null) {
    const monthFirst = /^\D/.test(parts[1] ?? '');
    month = MONTHS.indexOf((monthFirst ? parts[1] : parts[2])?.toLowerCase() ?? '');
    day = Number(monthFirst ? parts[2] : parts[1]);
    yearOrTime = parts[3] ?? '';
  } else {
    return null;
  }
  if (month < 0) return null;

  const year = /^(\d{4})年?$/.exec(yearOrTime);
  if (year !== null) return utcIso(Number(year[1]), month, day, 0, 0, 0, 0);
  const time = /^(\d{1,2}):(\d{2})$/.exec(yearOrTime);
  if (time === null) return null;
  // No year: `ls` shows the time only for recent dates, so take the most recent year
  // that does not put the date in the future (a day of slack for clock and zone skew).
  const limit = now.getTime() + DAY_MS;
  for (let y = now.getUTCFullYear() + 1; y >= now.getUTCFullYear() - 8; y--) {
    const candidate = utcIso(y, month, day, Number(time[1]), Number(time[2]), 0, 0);
    if (candidate !== null && Date.parse(candidate) <= limit) return candidate;
  }
  return null;
}

/** IIS/DOS: "11-24-26 09:47AM", "11-24-2026 21:47" (MM-DD-YY[YY]), local time taken as UTC. */
function parseDosDate(raw: string): string | null {
  const m = /^(\d{1,2})[-/](\d{1,2})[-/](\d{2}|\d{4})\s+(\d{1,2}):(\d{2})\s*([AaPp][Mm])?$/.exec(raw);
  if (m === null) return null;
  const [mo, d, y, h, mi] = m.slice(1, 6).map(Number) as Fields;
  const meridiem = m[6]?.toUpperCase();
  let hour = h;
  if (meridiem !== undefined) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (meridiem === 'PM' ? 12 : 0);
  }
  // Two-digit years pivot at 1970, as most FTP clients do.
  const year = (m[3] ?? '').length === 2 ? (y < 70 ? 2000 + y : 1900 + y) : y;
  return utcIso(year, mo - 1, d, hour, mi, 0, 0);
}

/** The ISO string of a UTC date, or null when a field is out of range (Feb 30, 25:00 …). */
function utcIso(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): string | null {
  if (y < 1000 || y > 9999 || h > 23 || mi > 59 || s > 60) return null;
  const date = new Date(Date.UTC(y, mo, d, h, mi, Math.min(s, 59), ms));
  if (date.getUTCMonth() !== mo || date.getUTCDate() !== d) return null;
  return date.toISOString();
}
