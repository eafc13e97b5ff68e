import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import type { VirtualFs } from './fs.js';
import { FsError, toFsError } from './fs.js';

export interface ListedEntry {
  name: string;
  stats: Stats;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const SIX_MONTHS_MS = 182 * 24 * 3600 * 1000;

/** A name we can put on one line of a listing without breaking its framing. */
function isListableName(name: string): boolean {
  return !/[\r\n\0]/.test(name);
}

/**
 * The entries of a local directory (inside the root), sorted by name. Symlinks are shown as
 * what they point to (like `ls -L`): a target outside the root, or a dangling link, is left out,
 * so a listing never reveals a local path.
 */
export async function readDirectory(vfs: VirtualFs, realDir: string, showHidden: boolean): Promise<ListedEntry[]> {
  let names: string[];
  try {
    names = await readdir(realDir);
  } catch (err) {
    throw toFsError(err);
  }
  const entries: ListedEntry[] = [];
  for (const name of names.sort()) {
    if (!isListableName(name) || (!showHidden && name.startsWith('.'))) continue;
    const stats = await statEntry(vfs, path.join(realDir, name));
    if (stats) entries.push({ name, stats });
  }
  return entries;
}

/** lstat, then follow a symlink only when its target stays inside the root. */
export async function statEntry(vfs: VirtualFs, localPath: string): Promise<Stats | null> {
  try {
    const own = await lstat(localPath);
    if (!own.isSymbolicLink()) return own;
    const target = await realpath(localPath);
    return vfs.isInside(target) ? await stat(target) : null;
  } catch {
    // Removed while we listed it, or a dangling link: not worth failing the whole listing.
    return null;
  }
}

function permissionString(stats: Stats): string {
  const type = stats.isDirectory() ? 'd' : '-';
  let bits = '';
  for (const shift of [6, 3, 0]) {
    const triple = (stats.mode >> shift) & 7;
    bits += (triple & 4 ? 'r' : '-') + (triple & 2 ? 'w' : '-') + (triple & 1 ? 'x' : '-');
  }
  return type + bits;
}

/** `ls -l` date column, in UTC: `Mon DD HH:MM` within six months of now, else `Mon DD  YYYY`. */
export function formatListDate(date: Date, now: Date): string {
  const month = MONTHS[date.getUTCMonth()];
  const day = String(date.getUTCDate()).padStart(2, ' ');
  const age = now.getTime() - date.getTime();
  if (age >= -24 * 3600 * 1000 && age < SIX_MONTHS_MS) {
    const hh = String(date.getUTCHours()).padStart(2, '0');
    const mm = String(date.getUTCMinutes()).padStart(2, '0');
    return `${month} ${day} ${hh}:${mm}`;
  }
  return `${month} ${day}  ${date.getUTCFullYear()}`;
}

/** One line of a Unix `ls -l` listing, as vsftpd writes it (owner and group are fixed). */
export function formatListLine(entry: ListedEntry, now: Date = new Date()): string {
  const { stats } = entry;
  const links = String(stats.isDirectory() ? Math.max(stats.nlink, 2) : stats.nlink || 1).padStart(4, ' ');
  const size = String(stats.size).padStart(12, ' ');
  return `${permissionString(stats)} ${links} ftp      ftp      ${size} ${formatListDate(stats.mtime, now)} ${entry.name}`;
}

/** RFC 3659 time-val, UTC, whole seconds: also the MDTM answer. */
export function formatTimeVal(date: Date): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return (
    pad(date.getUTCFullYear(), 4) +
    pad(date.getUTCMonth() + 1) +
    pad(date.getUTCDate()) +
    pad(date.getUTCHours()) +
    pad(date.getUTCMinutes()) +
    pad(date.getUTCSeconds())
  );
}

/** The fact list of an MLSD/MLST line: the three facts FEAT announces (type*;size*;modify*;). */
export function formatFacts(stats: Stats): string {
  const type = stats.isDirectory() ? 'dir' : 'file';
  const size = stats.isDirectory() ? '' : `size=${stats.size};`;
  return `type=${type};${size}modify=${formatTimeVal(stats.mtime)};`;
}

/** One MLSD line: facts, a single space, the name. */
export function formatMlsdLine(entry: ListedEntry): string {
  return `${formatFacts(entry.stats)} ${entry.name}`;
}

/** Joins listing lines with CRLF, the line ending of every FTP listing. */
export function joinListing(lines: string[]): string {
  return lines.map((line) => line + '\r\n').join('');
}

export type ListingFormat = 'list' | 'nlst' | 'mlsd';

/** LIST and STAT take `ls` options before the path (`LIST -a /pub`); `-a` shows dot files. */
export function parseListArgument(arg: string): { path: string; showHidden: boolean } {
  let rest = arg.trim();
  let showHidden = false;
  while (rest.startsWith('-')) {
    const space = rest.indexOf(' ');
    const flags = space === -1 ? rest : rest.slice(0, space);
    if (flags.includes('a') || flags.includes('A')) showHidden = true;
    rest = space === -1 ? '' : rest.slice(space + 1).trimStart();
  }
  return { path: rest, showHidden };
}

/**
 * The lines of a listing of a virtual path: a directory's entries, or the one line of a file.
 * MLSD (RFC 3659 §7) is for directories only.
 */
export async function listPath(
  vfs: VirtualFs,
  vpath: string,
  format: ListingFormat,
  showHidden: boolean,
): Promise<string[]> {
  const { real, stats } = await vfs.statExisting(vpath);
  const now = new Date();
  if (!stats.isDirectory()) {
    if (format === 'mlsd') throw new FsError('Not a directory.');
    const name = vpath.slice(vpath.lastIndexOf('/') + 1);
    return format === 'nlst' ? [vpath] : [formatListLine({ name, stats }, now)];
  }
  const entries = await readDirectory(vfs, real, showHidden || format === 'mlsd');
  switch (format) {
    case 'list':
      return entries.map((entry) => formatListLine(entry, now));
    case 'nlst':
      return entries.map((entry) => entry.name);
    case 'mlsd':
      return entries.map(formatMlsdLine);
  }
}
