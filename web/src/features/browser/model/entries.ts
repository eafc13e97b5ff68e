/** Sorting, filtering and path arithmetic for a pane's listing; pure, so it is tested alone. */
import type { Entry } from '../../../../../contract/index.js';

export type SortKey = 'name' | 'size' | 'modified';
export type SortDir = 'asc' | 'desc';
export interface SortOrder {
  key: SortKey;
  dir: SortDir;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
const time = (entry: Entry) => (entry.modifiedAt ? Date.parse(entry.modifiedAt) || 0 : 0);

/** Folders first whatever the order (as every FTP client does), then the chosen column. */
export function sortEntries(entries: readonly Entry[], order: SortOrder): Entry[] {
  const sign = order.dir === 'asc' ? 1 : -1;
  const byKey = (a: Entry, b: Entry): number => {
    if (order.key === 'size') return a.size - b.size;
    if (order.key === 'modified') return time(a) - time(b);
    return 0;
  };
  return [...entries].sort((a, b) => {
    const aDir = a.type === 'dir' ? 0 : 1;
    const bDir = b.type === 'dir' ? 0 : 1;
    if (aDir !== bDir) return aDir - bDir;
    const primary = byKey(a, b);
    if (primary !== 0) return primary * sign;
    const name = collator.compare(a.name, b.name);
    return order.key === 'name' ? name * sign : name;
  });
}

/** Case-insensitive substring; `*` and `?` work as wildcards when present. */
export function filterEntries(entries: readonly Entry[], filter: string): readonly Entry[] {
  const text = filter.trim().toLowerCase();
  if (!text) return entries;
  if (/[*?]/.test(text)) {
    const source = text
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    const pattern = new RegExp(`^${source}$`, 'i');
    return entries.filter((entry) => pattern.test(entry.name));
  }
  return entries.filter((entry) => entry.name.toLowerCase().includes(text));
}

export function joinPath(dir: string, name: string): string {
  if (dir === '' || dir === '/') return `/${name}`;
  return `${dir.replace(/\/+$/, '')}/${name}`;
}

export function parentPath(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  const cut = trimmed.lastIndexOf('/');
  return cut <= 0 ? '/' : trimmed.slice(0, cut);
}

export interface Crumb {
  name: string;
  path: string;
}

/** "/pub/releases" → [/, pub, releases] with the path each one opens. */
export function pathCrumbs(path: string): Crumb[] {
  const crumbs: Crumb[] = [{ name: '/', path: '/' }];
  let current = '';
  for (const part of path.split('/')) {
    if (!part) continue;
    current += `/${part}`;
    crumbs.push({ name: part, path: current });
  }
  return crumbs;
}

/** A name the user typed for a new folder or a rename: one path segment, nothing an FTP command would choke on. */
export function validateName(name: string): string | null {
  if (!name.trim()) return 'Enter a name';
  if (name === '.' || name === '..') return 'That name is reserved';
  if (name.includes('/')) return 'A name cannot contain "/"';
  if (/[\r\n\0]/.test(name)) return 'A name cannot contain line breaks';
  return null;
}

/** A path the user typed or pasted: absolute, single slashes, no trailing slash; null if it cannot be one. */
export function normalizeTypedPath(text: string): string | null {
  if (/[\r\n\0]/.test(text)) return null;
  const parts = text
    .trim()
    .split('/')
    .filter((part) => part !== '' && part !== '.');
  const kept: string[] = [];
  for (const part of parts) {
    if (part === '..') kept.pop();
    else kept.push(part);
  }
  return `/${kept.join('/')}`;
}
