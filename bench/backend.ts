/**
 * The pasv backend alone in a process (bundled, see bundle.ts), so that its CPU time and
 * memory are its own and not the bench's, the FTP servers' or the WebSocket clients'.
 * Configured by PASV_* environment variables like `npm start`; steered over the IPC
 * channel: usage, gc, lease (through the session pool), profile, close.
 */
import { Session } from 'node:inspector/promises';
import { finishedTransfers } from './app.js';
import { buildApp } from '../server/src/app.js';
import { readConfig } from '../server/src/config.js';
import type { Lease } from '../server/src/sites/pool.js';
import { processMemoryKiB } from './measure.js';

export type BackendRequest =
  | { op: 'usage' }
  | { op: 'gc' }
  | { op: 'lease'; siteIds: string[]; perSite: number }
  | { op: 'finished'; id: string }
  | { op: 'profile-start' }
  | { op: 'profile-stop' }
  | { op: 'close' };

export interface BackendUsage {
  cpu: NodeJS.CpuUsage;
  rssKiB: number;
  peakRssKiB: number;
  anonKiB: number;
  fileKiB: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  sessions: number;
}

const app = await buildApp(readConfig([]), { logger: false });
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
const profiler = new Session();
const transfers = finishedTransfers(app.services.events);
let leases: Lease[] = [];

function usage(): BackendUsage {
  const memory = process.memoryUsage();
  const vm = processMemoryKiB();
  return {
    cpu: process.cpuUsage(),
    rssKiB: vm.rss,
    peakRssKiB: vm.peak,
    anonKiB: vm.anon,
    fileKiB: vm.file,
    heapTotal: memory.heapTotal,
    heapUsed: memory.heapUsed,
    external: memory.external,
    sessions: app.services.pool.sessions().filter((s) => s.state !== 'closed').length,
  };
}

async function collectGarbage(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('start the backend with --expose-gc');
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Lease `perSite` sessions on each site at once, log every one in, then give them all back. */
async function leaseAndRelease(siteIds: string[], perSite: number): Promise<number> {
  leases = await Promise.all(
    siteIds.flatMap((siteId) => Array.from({ length: perSite }, () => app.services.pool.lease(siteId))),
  );
  await Promise.all(leases.map((lease) => lease.acquire()));
  for (const lease of leases) lease.release();
  const count = leases.length;
  leases = [];
  return count;
}

async function handle(request: BackendRequest): Promise<unknown> {
  switch (request.op) {
    case 'usage':
      return usage();
    case 'gc':
      await collectGarbage();
      return usage();
    case 'lease':
      return { leased: await leaseAndRelease(request.siteIds, request.perSite) };
    case 'finished':
      return transfers.finished(request.id);
    case 'profile-start':
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
      return {};
    case 'profile-stop': {
      const { profile } = await profiler.post('Profiler.stop');
      profiler.disconnect();
      return { profile };
    }
    case 'close':
      await app.close();
      setImmediate(() => process.exit(0));
      return {};
  }
}

process.on('message', (message: { id: number; request: BackendRequest }) => {
  handle(message.request).then(
    (result) => process.send?.({ id: message.id, result }),
    (error: unknown) =>
      process.send?.({ id: message.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
// The bench went away: don't outlive it.
process.on('disconnect', () => process.exit(0));

process.send?.({ ready: true, port: typeof address === 'object' && address ? address.port : 0 });
