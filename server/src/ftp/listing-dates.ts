/**
 * The dates of a listing as ISO-8601 UTC strings: `ls -l` ("Apr 19 06:57", "Apr 19  2019" and
 * the rarer forms basic-ftp passes on), DOS/IIS and MLSD. A listing of 100 000 entries calls
 * these once per line (or per distinct date), so the string is built by hand from the fields:
 * no Date object and no regular expression on the common paths.
 */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const DAY_MS = 24 * 60 * 60 * 1000;
const ZERO = 0x30;
const DASH = 0x2d;
const COLON = 0x3a;

const isLeapYear = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** 0–11 for an English month abbreviation in any case ("Jan", "JAN"), else -1. */
export function monthIndex(name: string): number {
  return MONTHS.indexOf(name.toLowerCase());
}

/**
 * The ISO string of a UTC date and time, or null when a field is out of range (Feb 30, 25:00,
 * a year without four digits …). A leap second (:60) reads as :59. Fields are non-negative
 * integers; `mo` counts from 0.
 */
export function isoUtc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): string | null {
  if (y < 1000 || y > 9999 || mo < 0 || mo > 11 || d < 1 || h > 23 || mi > 59 || s > 60 || ms > 999) return null;
  if (d > (mo === 1 && isLeapYear(y) ? 29 : DAYS_IN_MONTH[mo]!)) return null;
  const second = s > 59 ? 59 : s;
  // One flat string from its 24 characters: a template literal would build a tree of ~10
  // partial strings per date, all kept alive by the entry and flattened again by JSON.stringify.
  return String.fromCharCode(
    ZERO + Math.floor(y / 1000),
    ZERO + (Math.floor(y / 100) % 10),
    ZERO + (Math.floor(y / 10) % 10),
    ZERO + (y % 10),
    DASH,
    ZERO + Math.floor((mo + 1) / 10),
    ZERO + ((mo + 1) % 10),
    DASH,
    ZERO + Math.floor(d / 10),
    ZERO + (d % 10),
    0x54, // T
    ZERO + Math.floor(h / 10),
    ZERO + (h % 10),
    COLON,
    ZERO + Math.floor(mi / 10),
    ZERO + (mi % 10),
    COLON,
    ZERO + Math.floor(second / 10),
    ZERO + (second % 10),
    0x2e, // .
    ZERO + Math.floor(ms / 100),
    ZERO + (Math.floor(ms / 10) % 10),
    ZERO + (ms % 10),
    0x5a, // Z
  );
}

/**
 * A date `ls` showed without a year (it does so for recent ones): the most recent year that
 * does not put it in the future, with a day of slack for clock and zone skew. Feb 29 lands
 * in the last leap year.
 */
export function recentIso(mo: number, d: number, h: number, mi: number, now: Date): string | null {
  const limit = now.getTime() + DAY_MS;
  const year = now.getUTCFullYear();
  for (let y = year + 1; y >= year - 8; y--) {
    if (Date.UTC(y, mo, d, h, mi) > limit) continue;
    const iso = isoUtc(y, mo, d, h, mi, 0, 0);
    if (iso !== null) return iso;
  }
  return null;
}

/**
 * MLSD's `modify` fact: YYYYMMDDHHMMSS with up to three fractional digits, always UTC
 * (RFC 3659 §2.3). Anything else is no date.
 */
export function mlsdIso(value: string): string | null {
  const length = value.length;
  if (length !== 14 && (length < 16 || length > 18 || value.charCodeAt(14) !== 0x2e)) return null;
  // Fractions are of a second: ".5" is 500 ms.
  const fraction = length === 14 ? 0 : digitsAt(value, 15, length);
  const ms = fraction * (length === 16 ? 100 : length === 17 ? 10 : 1);
  const y = digitsAt(value, 0, 4);
  const mo = digitsAt(value, 4, 6) - 1;
  const d = digitsAt(value, 6, 8);
  const h = digitsAt(value, 8, 10);
  const mi = digitsAt(value, 10, 12);
  const s = digitsAt(value, 12, 14);
  if (fraction < 0 || y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0) return null;
  return isoUtc(y, mo, d, h, mi, s, ms);
}

/** The number written by the decimal digits value[from, to), or -1 when one is not a digit. */
function digitsAt(value: string, from: number, to: number): number {
  let n = 0;
  for (let at = from; at < to; at++) {
    const digit = value.charCodeAt(at) - ZERO;
    if (digit < 0 || digit > 9) return -1;
    n = n * 10 + digit;
  }
  return n;
}

/**
 * `ls -l` dates in the forms basic-ftp hands over for lines the canonical parser
 * (listing-ls.ts) leaves to it: "Apr 19 06:57", "Apr 19  2019", "19 Apr 06:57",
 * "2019-04-19 06:57", "4月 19日 06:57". The server's time zone is unknown, so the
 * wall-clock time is taken as UTC. English month names only.
 */
export function parseUnixDate(raw: string, now: Date): string | null {
  const iso = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})\s+(\d{1,2}):(\d{2})$/.exec(raw);
  if (iso !== null) {
    const [y, mo, d, h, mi] = iso.slice(1).map(Number) as [number, number, number, number, number];
    return mo < 1 ? null : isoUtc(y, mo - 1, d, h, mi, 0, 0);
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
    month = monthIndex((monthFirst ? parts[1] : parts[2]) ?? '');
    day = Number(monthFirst ? parts[2] : parts[1]);
    yearOrTime = parts[3] ?? '';
  } else {
    return null;
  }
  if (month < 0) return null;

  const year = /^(\d{4})年?$/.exec(yearOrTime);
  if (year !== null) return isoUtc(Number(year[1]), month, day, 0, 0, 0, 0);
  const time = /^(\d{1,2}):(\d{2})$/.exec(yearOrTime);
  return time === null ? null : recentIso(month, day, Number(time[1]), Number(time[2]), now);
}

/** IIS/DOS: "11-24-26 09:47AM", "11-24-2026 21:47" (MM-DD-YY[YY]), local time taken as UTC. */
export function parseDosDate(raw: string): string | null {
  const m = /^(\d{1,2})[-/](\d{1,2})[-/](\d{2}|\d{4})\s+(\d{1,2}):(\d{2})\s*([AaPp][Mm])?$/.exec(raw);
  if (m === null) return null;
  const [mo, d, y, h, mi] = m.slice(1, 6).map(Number) as [number, number, number, number, number];
  const meridiem = m[6]?.toUpperCase();
  let hour = h;
  if (meridiem !== undefined) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (meridiem === 'PM' ? 12 : 0);
  }
  // Two-digit years pivot at 1970, as most FTP clients do.
  const year = (m[3] ?? '').length === 2 ? (y < 70 ? 2000 + y : 1900 + y) : y;
  return mo < 1 ? null : isoUtc(year, mo - 1, d, hour, mi, 0, 0);
}
