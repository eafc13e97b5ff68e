/**
 * Case a's runs, one function per controller: pasv through its service, lftp mirror, pasv's
 * engine alone, and the floor (floor.ts). Each copies /dir (1000 × 4 KiB) from the pair's
 * source to its emptied destination, checks the copy byte for byte, and reports its time,
 * its CPU and the commands both servers received per file.
 */
import { assertDone } from './app.js';
import { startBackend, type Backend } from './backend-process.js';
import { copyFile } from '../server/src/ftp/copy.js';
import { ensureDirectory } from '../server/src/ftp/ops.js';
import { runChild } from './bundle.js';
import type { FloorChildOutput } from './floor-child.js';
import type { FloorInput } from './floor.js';
import { ftpUrl, runLftp } from './lftp.js';
import { KiB, nowMs } from './measure.js';
import { checkIdentical, sumCounts } from './mirror-tree.js';
import { commandLog, endpoint, smallFileName, type ServerPair } from './servers.js';
import { DataPhaseMeter, tracedSlot } from './trace.js';

export const FILES = 1000;
export const SIZE = 4 * KiB;
export const DIR = 'dir';
const NAMES = Array.from({ length: FILES }, (_, i) => smallFileName(i));

export type Measured = { value: number; cpuMs: number } & Record<string, unknown>;

/** Commands per copied file, both servers together, by verb (from vsftpd's protocol log). */
function perFile(counts: Record<string, number>[], files: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(sumCounts(counts)).map(([verb, n]) => [verb, Math.round((n / files) * 100) / 100]),
  );
}

/** One copy with both servers' commands counted, then checked: exactly the source's files, byte for byte. */
async function checked<M extends Measured>(
  pair: ServerPair,
  copy: () => Promise<M>,
  dir = DIR,
  files = FILES,
): Promise<M & { commandsPerFile: Record<string, number> }> {
  const logs = [commandLog(pair.source), commandLog(pair.destination)];
  logs.forEach((l) => l.mark());
  const result = await copy();
  checkIdentical(pair, dir);
  return {
    ...result,
    commandsPerFile: perFile(
      logs.map((l) => l.counts()),
      files,
    ),
  };
}

/** The engine alone: what the FTP exchange costs per file, without queue, store or events. */
export async function engineRun(pair: ServerPair): Promise<Measured> {
  const dataPhase = new DataPhaseMeter();
  const source = tracedSlot(endpoint(pair.source), 'source', dataPhase.onLine);
  const destination = tracedSlot(endpoint(pair.destination), 'destination', dataPhase.onLine);
  const probe = tracedSlot(endpoint(pair.destination), 'probe', () => undefined);
  try {
    return await checked(pair, async () => {
      const cpu = process.cpuUsage();
      const startedAt = nowMs();
      await ensureDirectory(await destination.acquire(), `/${DIR}`);
      for (const name of NAMES) {
        const file = `/${DIR}/${name}`;
        await copyFile({ source, destination, probe, sourcePath: file, destinationPath: file });
      }
      const value = nowMs() - startedAt;
      const used = process.cpuUsage(cpu);
      return {
        value,
        cpuMs: (used.user + used.system) / 1000,
        dataPhaseMsPerFile: dataPhase.totalMs / dataPhase.copies,
      };
    });
  } finally {
    await Promise.all([source.close(), destination.close(), probe.close()]);
  }
}

/** Another tree or another store than case a's (case j: the same copy on SQLite and on PostgreSQL). */
export interface PasvRunOptions {
  /** More PASV_* settings for the app (PASV_DATABASE_URL, …). */
  env?: Record<string, string>;
  /** The source's folder of `files` files, in its root. */
  dir?: string;
  files?: number;
  /** Also return the backend's V8 CPU profile of the timed window. */
  profile?: boolean;
}

/**
 * One transfer of the source's `/dir` into the destination's root on a running backend, timed
 * from the POST to its final state; its CPU is the backend process's (every thread) over that
 * window, read before and after.
 */
export async function timedCopy(
  backend: Backend,
  sites: { source: string; destination: string },
  dir: string,
  files: number,
  profile = false,
): Promise<Measured & { profile?: unknown }> {
  if (profile) await backend.profileStart();
  const before = (await backend.usage()).cpu;
  const startedAt = nowMs();
  const created = await backend.api.createTransfer({
    source: { siteId: sites.source, path: `/${dir}` },
    destination: { siteId: sites.destination, dir: '/' },
  });
  const transfer = await backend.finished(created.id);
  const value = nowMs() - startedAt;
  const after = (await backend.usage()).cpu;
  assertDone(transfer, files);
  const cpuMs = (after.user - before.user + after.system - before.system) / 1000;
  return { value, cpuMs, ...(profile ? { profile: await backend.profileStop() } : {}) };
}

/**
 * pasv as `npm start` runs it: the bundled backend (bench/backend.ts) in a process of its own,
 * site maxConnections = concurrency. Given `options.backend`, a backend kept across runs (V8's
 * compiled code warm, as in a server that has run before): the run adds two sites of its own,
 * so its sessions still start cold like lftp's, and removes them after. Else a fresh process.
 */
export async function pasvRun(
  pair: ServerPair,
  concurrency: number,
  options: PasvRunOptions & { backend?: Backend } = {},
): Promise<Measured & { profile?: unknown }> {
  const { dir = DIR, files = FILES } = options;
  const backend = options.backend ?? (await startBackend({ PASV_CONCURRENCY: String(concurrency), ...options.env }));
  try {
    const sites = await backend.api.addPair(pair, concurrency);
    try {
      return await checked(pair, () => timedCopy(backend, sites, dir, files, options.profile), dir, files);
    } finally {
      if (options.backend) await backend.api.removePair(sites);
    }
  } finally {
    if (!options.backend) await backend.stop();
  }
}

export function lftpRun(pair: ServerPair, concurrency: number): Promise<Measured> {
  return checked(pair, async () => {
    const result = await runLftp([
      'set ftp:use-fxp yes',
      'set ftp:fxp-force yes',
      `mirror --parallel=${concurrency} ${ftpUrl(pair.source, `/${DIR}`)} ${ftpUrl(pair.destination, `/${DIR}`)}`,
    ]);
    return { value: result.wallMs, cpuMs: result.userMs + result.sysMs, maxRssKiB: result.maxRssKiB };
  });
}

/** The floor in its own process: wall and CPU from its first connect to its last 226. */
export function floorRun(pair: ServerPair, concurrency: number): Promise<Measured> {
  return checked(pair, async () => {
    const out = await runChild<FloorInput, FloorChildOutput>('floor-child', {
      source: endpoint(pair.source),
      destination: endpoint(pair.destination),
      dir: `/${DIR}`,
      names: NAMES,
      concurrency,
    });
    return { value: out.wallMs, cpuMs: out.userMs + out.sysMs, loginMs: out.loginMs };
  });
}
