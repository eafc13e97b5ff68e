/**
 * The child processes whose CPU and memory are measured (the backend, the copy controller,
 * case j's worker nodes) run as plain JavaScript bundles, as `npm run build` output would: a
 * TypeScript loader would add its own worker thread and heap to every number (and seconds
 * to every start). esbuild (already installed with tsx) bundles our sources and leaves
 * packages external; the bundles live under node_modules/.cache so that `fastify`,
 * `better-sqlite3`, … resolve from there.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.join(benchDir, '..', 'node_modules', '.cache', 'pasv-bench');

const ENTRIES = ['backend', 'copy-child', 'floor-child', 'main'] as const;
export type ChildEntry = (typeof ENTRIES)[number];
/** The bench's own children, and `main`: the server's entry point itself (server/src/main.ts), as `npm start` runs it. */
const sourceOf = (entry: ChildEntry) =>
  entry === 'main' ? path.join(benchDir, '..', 'server', 'src', 'main.ts') : path.join(benchDir, `${entry}.ts`);

let built: Promise<void> | undefined;

/** Bundles every child entry once per bench run; returns the path of `entry`'s bundle. */
export async function childBundle(entry: ChildEntry): Promise<string> {
  built ??= build({
    entryPoints: Object.fromEntries(ENTRIES.map((name) => [name, sourceOf(name)])),
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
  }).then(() => {
    // The PostgreSQL engine starts its worker thread from the file beside its module (store/postgres.ts).
    fs.copyFileSync(
      path.join(benchDir, '..', 'server', 'src', 'store', 'pg-worker.mjs'),
      path.join(outDir, 'pg-worker.mjs'),
    );
  });
  await built;
  return path.join(outDir, `${entry}.mjs`);
}

/** Runs a one-shot child entry with `input` as its JSON argument; its last stdout line, parsed. */
export async function runChild<Input, Output>(entry: ChildEntry, input: Input): Promise<Output> {
  const bundle = await childBundle(entry);
  const child = spawn(process.execPath, [bundle, JSON.stringify(input)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (exitCode) => resolve(exitCode ?? -1));
  });
  if (code !== 0) throw new Error(`${entry} exited with ${code}: ${stderr.slice(0, 1000)}`);
  return JSON.parse(stdout.trim().split('\n').pop()!) as Output;
}
