/** What is really on an FTP server's disk: the ground truth every transfer story checks against. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Every entry under `dir` by relative path: a file's sha256, or "dir" for a folder. */
export function treeDigest(dir: string): Record<string, string> {
  const digest: Record<string, string> = {};
  const walk = (relative: string) => {
    for (const entry of fs.readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const name = path.posix.join(relative, entry.name);
      if (entry.isDirectory()) {
        digest[name] = 'dir';
        walk(name);
      } else {
        digest[name] = sha256(path.join(dir, name));
      }
    }
  };
  walk('');
  return digest;
}

/** Bytes that differ everywhere (not a repeated pattern a broken offset could still match). */
export function randomBytes(size: number): Buffer {
  return crypto.randomBytes(size);
}
