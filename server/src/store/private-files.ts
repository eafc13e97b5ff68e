/**
 * The data dir holds the session key, the password hash and the master key of the stored
 * credentials: another local user who can read it can forge a session. So the dir is 0700
 * and every file pasv keeps there 0600, also when an older version or an operator left
 * them wider (modes are fixed at every open, not only at creation).
 */
import fs from 'node:fs';

const DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  fs.chmodSync(dir, DIR_MODE);
}

/** Creates the file empty when missing; either way it ends 0600. */
export function ensurePrivateFile(file: string): void {
  fs.closeSync(fs.openSync(file, 'a', PRIVATE_FILE_MODE));
  fs.chmodSync(file, PRIVATE_FILE_MODE);
}

/** Narrows a file that may or may not exist (a WAL left by the last run). */
export function narrowIfPresent(file: string): void {
  try {
    fs.chmodSync(file, PRIVATE_FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
