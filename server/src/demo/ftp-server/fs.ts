import { realpath, lstat, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';

/**
 * A file-system error whose message is safe to show to an FTP client: it never carries the
 * local path of the served root.
 */
export class FsError extends Error {
  override readonly name = 'FsError';
  /** The reply code it is sent with (553 for a policy refusal such as a dupe). */
  constructor(
    message: string,
    readonly replyCode = 550,
  ) {
    super(message);
  }
}

const NO_SUCH_FILE = 'No such file or directory.';

const messagesByCode: Record<string, string> = {
  ENOENT: NO_SUCH_FILE,
  ENOTDIR: 'Not a directory.',
  EISDIR: 'Is a directory.',
  EEXIST: 'File exists.',
  ENOTEMPTY: 'Directory not empty.',
  EACCES: 'Permission denied.',
  EPERM: 'Permission denied.',
  EROFS: 'Read-only file system.',
  ENOSPC: 'No space left on device.',
  ENAMETOOLONG: 'File name too long.',
  ELOOP: 'Too many levels of symbolic links.',
  EXDEV: 'Cannot move across devices.',
  EINVAL: 'Invalid argument.',
  EBUSY: 'Resource busy.',
};

/** Turns anything thrown by node:fs into an FsError with a client-safe message. */
export function toFsError(err: unknown): FsError {
  if (err instanceof FsError) return err;
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return new FsError((code && messagesByCode[code]) || 'Requested action not taken.');
}

/**
 * Resolves a client path against the current virtual directory. Refuses to climb above '/':
 * `CWD ../../..` is an escape attempt, not a request for the root.
 */
export function resolveVirtual(cwd: string, input: string): string {
  if (input.includes('\0')) throw new FsError('Invalid character in path.');
  const parts = input.startsWith('/') ? [] : cwd.split('/').filter(Boolean);
  for (const part of input.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) throw new FsError(NO_SUCH_FILE);
      parts.pop();
    } else {
      parts.push(part);
    }
  }
  return '/' + parts.join('/');
}

/** The parent of a normalised virtual path ('/' for '/x'). */
export function virtualParent(vpath: string): string {
  const cut = vpath.lastIndexOf('/');
  return cut <= 0 ? '/' : vpath.slice(0, cut);
}

/**
 * Maps virtual paths ('/a/b') to local paths under one root. Every result is checked with
 * realpath, so neither `..` nor a symlink can lead outside the root.
 */
export class VirtualFs {
  private constructor(readonly realRoot: string) {}

  static async open(root: string): Promise<VirtualFs> {
    const realRoot = await realpath(root);
    const st = await stat(realRoot);
    if (!st.isDirectory()) throw new Error(`FTP root is not a directory: ${root}`);
    return new VirtualFs(realRoot);
  }

  isInside(realPath: string): boolean {
    return (
      realPath === this.realRoot ||
      realPath.startsWith(this.realRoot.endsWith(path.sep) ? this.realRoot : this.realRoot + path.sep)
    );
  }

  /** An existing file or directory, all symlinks followed: for reading content or CWD. */
  async resolveExisting(vpath: string): Promise<string> {
    let real: string;
    try {
      real = await realpath(this.localPath(vpath));
    } catch (err) {
      throw toFsError(err);
    }
    if (!this.isInside(real)) throw new FsError(NO_SUCH_FILE);
    return real;
  }

  /**
   * The directory entry itself (a final symlink is not followed): for DELE, RMD, MKD,
   * RNFR/RNTO, which act on the link rather than on what it points to.
   */
  async resolveEntry(vpath: string): Promise<string> {
    if (vpath === '/') throw new FsError('Permission denied.');
    const parent = await this.resolveExisting(virtualParent(vpath));
    return path.join(parent, vpath.slice(vpath.lastIndexOf('/') + 1));
  }

  /**
   * A file to create or overwrite. An existing symlink is followed only when its target is
   * inside the root; a dangling one is refused, since opening it would create its target.
   */
  async resolveForWrite(vpath: string): Promise<string> {
    const entry = await this.resolveEntry(vpath);
    let st: Stats;
    try {
      st = await lstat(entry);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return entry;
      throw toFsError(err);
    }
    if (!st.isSymbolicLink()) return entry;
    return this.resolveExisting(vpath);
  }

  /** stat() of an existing path inside the root. */
  async statExisting(vpath: string): Promise<{ real: string; stats: Stats }> {
    const real = await this.resolveExisting(vpath);
    try {
      return { real, stats: await stat(real) };
    } catch (err) {
      throw toFsError(err);
    }
  }

  private localPath(vpath: string): string {
    // vpath is normalised by resolveVirtual: no '..' segments remain.
    return path.join(this.realRoot, ...vpath.split('/').filter(Boolean));
  }
}
