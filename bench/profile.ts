/**
 * Where the time went: V8 CPU profiles (node:inspector) summarised as self time per
 * function and per source file, for the notes of the cases where pasv does the work.
 */
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import { SourceMap } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface HotSpot {
  name: string;
  ms: number;
  percent: number;
}

function shortUrl(url: string): string {
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1]!;
  const ours = /\/((?:server|bench|contract)\/.*)$/.exec(url);
  if (ours) return ours[1]!;
  return url.replace(/^file:\/\//, '') || '(native)';
}

const sourceMaps = new Map<string, SourceMap | null>();

/** The bundled children (bundle.ts) carry linked source maps: report our own files and lines. */
function originalPosition(url: string, line: number, column: number): { url: string; line: number } {
  if (!url.endsWith('.mjs') || !url.includes('/.cache/pasv-bench/')) return { url, line };
  let map = sourceMaps.get(url);
  if (map === undefined) {
    try {
      const file = url.startsWith('file:') ? fileURLToPath(url) : url;
      map = new SourceMap(JSON.parse(fs.readFileSync(`${file}.map`, 'utf8')));
    } catch {
      map = null;
    }
    sourceMaps.set(url, map);
  }
  const entry = map?.findEntry(line, column) as { originalSource?: string; originalLine?: number } | undefined;
  if (!entry?.originalSource) return { url, line };
  return { url: entry.originalSource, line: entry.originalLine ?? line };
}

/**
 * Self time by function (`name file:line`) and by file. Native functions (a socket write,
 * a SQLite statement) are charged by file to the nearest JavaScript caller, so the file view
 * says which of our files causes the time; idle, GC and program time keep rows of their own.
 */
export function summarizeProfile(
  profile: CpuProfile,
  top = 10,
): { total: number; functions: HotSpot[]; files: HotSpot[] } {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const fileOf = new Map<number, string>();
  const chargedFile = (id: number): string => {
    const known = fileOf.get(id);
    if (known) return known;
    const frame = nodes.get(id)!.callFrame;
    let file: string;
    if (frame.url) file = shortUrl(originalPosition(frame.url, frame.lineNumber, frame.columnNumber).url);
    else if (/^\(.*\)$/.test(frame.functionName))
      file = frame.functionName; // (idle), (garbage collector), (program), (root)
    else file = callerFile(id);
    fileOf.set(id, file);
    return file;
  };
  /** The nearest caller outside node's own modules (our file or a package), else the nearest one. */
  function callerFile(id: number): string {
    let fallback: string | undefined;
    for (let parent = parents.get(id); parent !== undefined; parent = parents.get(parent)) {
      const frame = nodes.get(parent)!.callFrame;
      if (!frame.url) continue;
      const url = originalPosition(frame.url, frame.lineNumber, frame.columnNumber).url;
      if (!url.startsWith('node:')) return shortUrl(url);
      fallback ??= url;
    }
    return fallback ?? '(native)';
  }
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const micros = profile.timeDeltas[i] ?? 0;
    const frame = nodes.get(id)?.callFrame;
    // The inspector's own work when the profile is stopped: not the program's.
    if (!frame || (frame.url === '' && frame.functionName === 'dispatch')) return;
    total += micros;
    const position = originalPosition(frame.url, frame.lineNumber, frame.columnNumber);
    const file = chargedFile(id);
    const name = frame.url
      ? `${frame.functionName || '(anonymous)'} ${shortUrl(position.url)}:${position.line + 1}`
      : /^\(.*\)$/.test(frame.functionName)
        ? frame.functionName
        : `${frame.functionName || '(anonymous)'} (native, from ${file})`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
    byFile.set(file, (byFile.get(file) ?? 0) + micros);
  });
  const rank = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, micros]) => ({
        name,
        ms: Math.round(micros / 1000),
        percent: Math.round((micros / total) * 1000) / 10,
      }));
  return { total: Math.round(total / 1000), functions: rank(byFunction), files: rank(byFile) };
}

export function describeHotSpots(spots: HotSpot[]): string {
  return spots.map((s) => `${s.name} ${s.percent} %`).join('; ');
}

/** Profile this process while `work` runs. */
export async function profileHere<T>(work: () => Promise<T>): Promise<{ result: T; profile: CpuProfile }> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    const result = await work();
    const { profile } = await session.post('Profiler.stop');
    return { result, profile: profile as unknown as CpuProfile };
  } finally {
    session.disconnect();
  }
}

/** Keeps the raw profile (open it in Chrome DevTools → Performance) outside the repo; returns its path. */
export function saveProfile(name: string, profile: unknown): string {
  const dir = path.join(os.tmpdir(), 'pasv-bench-profiles');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.cpuprofile`);
  fs.writeFileSync(file, JSON.stringify(profile));
  return file;
}
