/**
 * Reading a server's directory listing: the body of an MLSD, LIST (Unix `ls -l`) or DOS/IIS
 * reply, parsed as it arrives, into entries whose names are safe to send back to a server.
 * MLSD lines are read here, LIST lines in listing-ls.ts, dates in listing-dates.ts.
 */
import { mlsdIso } from './listing-dates.js';
import {
  entry,
  type EntryType,
  type LineResult,
  type ListEntry,
  SKIP,
  UnsafeName,
  unsafe,
  displayName,
  validateListedName,
} from './listing-entry.js';
import { parseLsLine, type LsContext } from './listing-ls.js';

export { displayName, validateListedName, type EntryType, type ListEntry } from './listing-entry.js';

export interface ParsedListing {
  entries: ListEntry[];
  /** Lines dropped: malformed, or with an unsafe name. */
  rejected: number;
  /** The unsafe names among them, through displayName, so callers can say which. */
  unsafeNames: string[];
}

const CR = 0x0d;
const SPACE = 0x20;
const SEMICOLON = 0x3b;
const EQUALS = 0x3d;
const TOTAL = /^total\s+\d+\s*$/i;

/**
 * Parses a listing from pieces of its text cut anywhere (the decoded chunks of the data
 * connection), so the work is done while the rest is still arriving and no copy of the whole
 * text is made. Each line is parsed on its own, so one odd line neither hides the others nor
 * decides the format of the rest. Entries that are not transferable (., .., cdir, pdir,
 * devices, pipes, sockets) are dropped; lines that are malformed or carry an unsafe name are
 * dropped and counted, and unsafe names are reported.
 */
export class ListingParser {
  private readonly entries: ListEntry[] = [];
  private readonly unsafeNames: string[] = [];
  private rejected = 0;
  /** The start of a line whose end has not arrived yet, in pieces (joined once: a huge line costs no more than its length). */
  private pending: string[] = [];
  private readonly context: LsContext;

  constructor(now = new Date()) {
    this.context = { now, dates: new Map() };
  }

  push(text: string): void {
    const lastBreak = text.lastIndexOf('\n');
    if (lastBreak === -1) {
      if (text !== '') this.pending.push(text);
      return;
    }
    let from = 0;
    if (this.pending.length > 0) {
      from = text.indexOf('\n') + 1;
      this.pending.push(text.slice(0, from));
      const line = this.pending.join('');
      this.pending = [];
      this.lines(line, 0, line.length);
    }
    this.lines(text, from, lastBreak + 1);
    if (lastBreak + 1 < text.length) this.pending.push(text.slice(lastBreak + 1));
  }

  /** The listing, once all of its text was pushed. */
  end(): ParsedListing {
    const last = this.pending.join('');
    this.pending = [];
    this.lines(last, 0, last.length);
    return { entries: this.entries, rejected: this.rejected, unsafeNames: this.unsafeNames };
  }

  /** The lines of text[from, to): each ends with LF (CR LF) but perhaps the last, which is taken whole. */
  private lines(text: string, from: number, to: number): void {
    let start = from;
    while (start < to) {
      let lineBreak = text.indexOf('\n', start);
      if (lineBreak === -1 || lineBreak >= to) lineBreak = to;
      let end = lineBreak;
      if (end < to && end > start && text.charCodeAt(end - 1) === CR) end--;
      this.line(text, start, end);
      start = lineBreak + 1;
    }
  }

  private line(text: string, start: number, end: number): void {
    if (start === end) return;
    // Blank lines and ls's "total 12": a slice only for lines that may be one of them.
    const first = text.charCodeAt(start);
    if ((first <= SPACE || first >= 0x80) && text.slice(start, end).trim() === '') return;
    if ((first | 0x20) === 0x74 && TOTAL.test(text.slice(start, end))) return;
    const result: LineResult = isMlsdLine(text, start, end)
      ? parseMlsdLine(text, start, end)
      : parseLsLine(text, start, end, this.context);
    if (result === SKIP) return;
    if (result === null || result instanceof UnsafeName) {
      this.rejected++;
      if (result !== null) this.unsafeNames.push(displayName(result.name));
      return;
    }
    this.entries.push(result);
  }
}

/** A whole listing's text at once: see ListingParser. */
export function parseListing(text: string, now = new Date()): ParsedListing {
  const parser = new ListingParser(now);
  parser.push(text);
  return parser.end();
}

/** JavaScript's `\s`. */
function isSpace(c: number): boolean {
  if (c < 0x80) return c === SPACE || (c >= 0x09 && c <= CR); // \t \n \v \f \r
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** "fact=value;" at the start of the line, /^[^\s=;]+=[^;\s]*;/: an MLSD/MLST entry (RFC 3659 §7). */
function isMlsdLine(text: string, start: number, end: number): boolean {
  let at = start;
  let c = 0;
  while (at < end && (c = text.charCodeAt(at)) !== EQUALS && c !== SEMICOLON && !isSpace(c)) at++;
  if (at === start || at === end || c !== EQUALS) return false;
  for (at++; at < end; at++) {
    c = text.charCodeAt(at);
    if (c === SEMICOLON) return true;
    if (isSpace(c)) return false;
  }
  return false;
}

/** line[from, from + name.length) is the fact name `name` (lower case) in any case, followed by '='. */
function isFact(line: string, from: number, to: number, name: string): boolean {
  if (from + name.length >= to || line.charCodeAt(from + name.length) !== EQUALS) return false;
  for (let i = 0; i < name.length; i++) {
    const c = line.charCodeAt(from + i);
    if ((c >= 0x41 && c <= 0x5a ? c | 0x20 : c) !== name.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * MLSD is parsed here rather than by basic-ftp, whose parser throws a RangeError on a
 * malformed `modify` fact, compares the `type` value case-sensitively (RFC 3659 §7.5.1
 * makes it case-insensitive) and silently drops names holding '/' where we count them.
 * Facts run up to the first space, the name after it; of a fact given twice the last counts.
 */
function parseMlsdLine(text: string, start: number, end: number): LineResult {
  // The line alone, so that every search stops at its end.
  const line = text.slice(start, end);
  const space = line.indexOf(' ');
  if (space === -1) return null;
  let typeFact = '';
  let sizeFact: string | undefined;
  let modifyFact = '';
  // Only three facts matter, and their names hold no '=': no need to look for it in the others.
  for (let from = 0; from < space;) {
    let to = line.indexOf(';', from);
    if (to === -1 || to > space) to = space;
    if (isFact(line, from, to, 'type')) typeFact = line.slice(from + 5, to);
    else if (isFact(line, from, to, 'size')) sizeFact = line.slice(from + 5, to);
    else if (isFact(line, from, to, 'modify')) modifyFact = line.slice(from + 7, to);
    from = to + 1;
  }
  const name = line.slice(space + 1);
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
  } else if (type.startsWith('os.'))
    return SKIP; // OS.unix=chr-…, blk, fifo, socket …
  else return null;

  let size = 0;
  if (sizeFact !== undefined) {
    if (sizeFact.length < 1 || sizeFact.length > 15) return null;
    for (let i = 0; i < sizeFact.length; i++) {
      const digit = sizeFact.charCodeAt(i) - 0x30;
      if (digit < 0 || digit > 9) return null;
      size = size * 10 + digit;
    }
  }
  if (!validateListedName(name)) return unsafe(name);
  return entry(name, entryType, size, mlsdIso(modifyFact), target);
}
