import { UnsafeArgumentError } from './errors.js';
import { validateListedName } from './listing.js';

/**
 * Remote paths are POSIX and absolute. Normalising before use means a path that came
 * from a user or a listing can never climb above '/' or carry a line break to a server.
 */
export function normalizeRemotePath(path: string): string {
  if (/[\r\n\0]/.test(path)) {
    throw new UnsafeArgumentError(`Unsafe character in remote path ${JSON.stringify(path.slice(0, 80))}`);
  }
  if (!path.startsWith('/')) {
    throw new UnsafeArgumentError(`Remote path must be absolute: ${JSON.stringify(path.slice(0, 80))}`);
  }
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  return `/${segments.join('/')}`;
}

/** `dir` + a name from a listing; the name must be a single safe path segment. */
export function joinRemote(dir: string, name: string): string {
  if (!validateListedName(name)) {
    throw new UnsafeArgumentError(`Unsafe remote name ${JSON.stringify(name.slice(0, 80))}`);
  }
  const base = normalizeRemotePath(dir);
  return base === '/' ? `/${name}` : `${base}/${name}`;
}

/** The directory holding `path`; the parent of '/' is '/'. */
export function parentOf(path: string): string {
  const normalized = normalizeRemotePath(path);
  const slash = normalized.lastIndexOf('/');
  return slash <= 0 ? '/' : normalized.slice(0, slash);
}

/** The last segment of `path`, '' for '/'. */
export function baseName(path: string): string {
  const normalized = normalizeRemotePath(path);
  return normalized.slice(normalized.lastIndexOf('/') + 1);
}

/** `dir` + a relative path ("a/b.txt", '' for `dir` itself), each segment checked as joinRemote does. */
export function joinRemotePath(dir: string, relative: string): string {
  return relative === '' ? normalizeRemotePath(dir) : relative.split('/').reduce(joinRemote, dir);
}
