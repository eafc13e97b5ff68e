/**
 * The child processes whose CPU and memory are measured (the backend, the copy controller)
 * run as plain JavaScript bundles, as `npm run build` output would: a TypeScript loader
 * would add its own worker thread and heap to every number. esbuild (already installed
 * with tsx) bundles our sources and leaves packages external; the bundles live under
 * node_modules/.cache so that `fastify`, `better-sqlite3`, … resolve from there.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.join(benchDir, '..', 'node_modules', '.cache', 'pasv-bench');

export type ChildEntry = 'backend' | 'copy-child';

let built: Promise<void> | undefined;

/** Bundles every child entry once per bench run; returns the path of `entry`'s bundle. */
export async function childBundle(entry: ChildEntry): Promise<string> {
  built ??= build({
    entryPoints: ['backend', 'copy-child'].map((name) => path.join(benchDir, `${name}.ts`)),
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
  }).then(() => undefined);
  await built;
  return path.join(outDir, `${entry}.mjs`);
}
