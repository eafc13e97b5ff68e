/**
 * The mirror case's tree on a vsftpd pair: 1000 × 4 KiB in 50 folders written into the
 * source's root, the 10 % change and its undo, and the check that a destination holds
 * exactly the source's files; and what both tools' runs share (the phases, the files each
 * must copy, the parallelism).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { KiB } from './measure.js';
import { makeDirectory, smallFileName, writeSmallFiles, type ServerPair } from './servers.js';

export const FOLDERS = 50;
export const FILES_PER_FOLDER = 20;
export const FILES = FOLDERS * FILES_PER_FOLDER;
export const SIZE = 4 * KiB;
/** 10 %: every tenth file, two in each folder. */
export const CHANGED = FILES / 10;
export const CHANGED_SIZE = SIZE + 512;
export const TREE = 'tree';
/** lftp mirror --parallel and pasv's per-site connection limit. */
export const PARALLEL = 4;

export type MirrorPhase = 'first' | 'unchanged' | 'changed';
/** Files each phase must copy, both tools. */
export const EXPECTED_COPIES: Record<MirrorPhase, number> = { first: FILES, unchanged: 0, changed: CHANGED };

export type Measured = { value: number } & Record<string, unknown>;

// ---- the tree --------------------------------------------------------------------------

export interface TreeFile {
  size: number;
  sha256: string;
  mtimeMs: number;
}

export const folderName = (i: number) => `d${String(i).padStart(2, '0')}`;

/** The source tree; every file dated two hours back (whole seconds), as a tree at rest would be. */
export function writeSourceTree(pair: ServerPair): string[] {
  makeDirectory(pair.source, TREE);
  const files: string[] = [];
  for (let d = 0; d < FOLDERS; d++) {
    writeSmallFiles(pair.source, `${TREE}/${folderName(d)}`, FILES_PER_FOLDER, SIZE);
    for (let f = 0; f < FILES_PER_FOLDER; f++) files.push(`${folderName(d)}/${smallFileName(f)}`);
  }
  const at = new Date(Math.floor(Date.now() / 1000) * 1000 - 2 * 3600_000);
  for (const file of files) fs.utimesSync(path.join(pair.source.root, TREE, file), at, at);
  return files;
}

/** Every file under `root` by relative path, and the folders. */
export function readTree(root: string): { files: Map<string, TreeFile>; folders: Set<string> } {
  const files = new Map<string, TreeFile>();
  const folders = new Set<string>();
  const walk = (relative: string) => {
    const dir = path.join(root, relative);
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        folders.add(child);
        walk(child);
      } else {
        const full = path.join(root, child);
        const stat = fs.statSync(full);
        const sha256 = crypto.createHash('sha256').update(fs.readFileSync(full)).digest('hex');
        files.set(child, { size: stat.size, sha256, mtimeMs: stat.mtimeMs });
      }
    }
  };
  walk('');
  return { files, folders };
}

/**
 * Throws unless the destination's `relative` holds exactly the source's files, byte for byte
 * (all of them hashed); case a checks its directory with it too.
 */
export function checkIdentical(pair: ServerPair, relative = TREE): Map<string, TreeFile> {
  const source = readTree(path.join(pair.source.root, relative));
  const destination = readTree(path.join(pair.destination.root, relative));
  const problems: string[] = [];
  for (const [name, file] of source.files) {
    const copy = destination.files.get(name);
    if (!copy) problems.push(`${name} missing`);
    else if (copy.size !== file.size) problems.push(`${name} is ${copy.size} bytes, not ${file.size}`);
    else if (copy.sha256 !== file.sha256) problems.push(`${name} differs in content`);
  }
  for (const name of destination.files.keys()) if (!source.files.has(name)) problems.push(`${name} is extra`);
  for (const name of source.folders) if (!destination.folders.has(name)) problems.push(`folder ${name} missing`);
  if (problems.length > 0) {
    throw new Error(
      `the destination tree is not the source's: ${problems.length} problems (${problems.slice(0, 5).join('; ')})`,
    );
  }
  return destination.files;
}

/** Destination files whose modification time moved since `before`: what was written again. */
export function rewritten(before: Map<string, TreeFile>, after: Map<string, TreeFile>): string[] {
  return [...after].filter(([name, file]) => before.get(name)?.mtimeMs !== file.mtimeMs).map(([name]) => name);
}

/** The 10 % change: the same files, the same new bytes for both tools; restore() puts the source back. */
export function changeSet(pair: ServerPair, files: string[]) {
  const chosen = files.filter((_, i) => i % 10 === 3);
  const full = (name: string) => path.join(pair.source.root, TREE, name);
  const originals = new Map(
    chosen.map((name) => [name, { bytes: fs.readFileSync(full(name)), at: fs.statSync(full(name)).mtime }]),
  );
  const replacements = new Map(chosen.map((name) => [name, crypto.randomBytes(CHANGED_SIZE)]));
  let applied = false;
  return {
    names: chosen,
    /** New content and size, dated now (as an edit would). */
    apply() {
      for (const [name, bytes] of replacements) fs.writeFileSync(full(name), bytes);
      applied = true;
    },
    restore() {
      if (!applied) return;
      for (const [name, original] of originals) {
        fs.writeFileSync(full(name), original.bytes);
        fs.utimesSync(full(name), original.at, original.at);
      }
      applied = false;
    },
  };
}

/** Commands both servers received, by verb. */
export function sumCounts(counts: Record<string, number>[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const side of counts) for (const [verb, n] of Object.entries(side)) total[verb] = (total[verb] ?? 0) + n;
  return total;
}
