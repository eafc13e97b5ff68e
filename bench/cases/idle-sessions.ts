/**
 * g. The backend's resident memory after GC with no FTP session, then with 100 idle ones:
 * the backend runs alone in a child process (bundled, as `npm start` would run the build);
 * 100 sessions are leased, logged in and released through its pool, against an embedded
 * FTP server that lives in this process (so its memory is not counted).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFtpServer } from '../../server/src/demo/ftp-server/server.js';
import { startBackend } from '../backend-process.js';
import { log, median, sleep } from '../measure.js';
import type { CaseResult, Row } from '../report.js';

export interface IdleSessionsOptions {
  sessions: number;
}

const USER = { user: 'bench', password: 'bench-password' };
/** The API caps maxConnections per site at 32: spread the sessions over several sites of the same server. */
const PER_SITE = 25;

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** The floor: an empty node process after GC, in KiB. */
function bareNodeRssKiB(): number {
  const script =
    "gc(); setTimeout(() => { const s = require('fs').readFileSync('/proc/self/status', 'utf8'); console.log(/VmRSS:\\s+(\\d+)/.exec(s)[1]); }, 200)";
  return Number(execFileSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8' }).trim());
}

export async function idleSessions(options: IdleSessionsOptions): Promise<CaseResult> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-bench-idle-'));
  const server = await startFtpServer({ host: '127.0.0.2', root, users: [USER] });
  const backend = await startBackend();
  const readings: Record<string, number[]> = { idle0: [], idle100: [] };
  let sessionsOpen: number;
  let heap: Record<string, number>;
  try {
    const sites = Math.ceil(options.sessions / PER_SITE);
    const siteIds: string[] = [];
    for (let i = 0; i < sites; i++) {
      siteIds.push(
        await backend.api.addSite({
          name: `idle ${i}`,
          host: server.host,
          port: server.port,
          ...USER,
          maxConnections: PER_SITE,
        }),
      );
    }
    // Let start-up garbage settle, then three readings after a full GC each.
    await sleep(500);
    for (let i = 0; i < 3; i++) readings.idle0!.push((await backend.gc()).rssKiB);
    const before = await backend.gc();
    const leased = await backend.leaseAndRelease(siteIds, options.sessions / sites);
    await sleep(500);
    for (let i = 0; i < 3; i++) readings.idle100!.push((await backend.gc()).rssKiB);
    const after = await backend.usage();
    sessionsOpen = after.sessions;
    if (leased !== options.sessions || server.connectionCount() < options.sessions) {
      throw new Error(
        `${leased} sessions leased, ${server.connectionCount()} connections open, expected ${options.sessions}`,
      );
    }
    heap = {
      heapTotalBefore: before.heapTotal,
      heapTotalAfter: after.heapTotal,
      heapUsedBefore: before.heapUsed,
      heapUsedAfter: after.heapUsed,
      externalBefore: before.external,
      externalAfter: after.external,
      anonKiBBefore: before.anonKiB,
      anonKiBAfter: after.anonKiB,
      fileKiBBefore: before.fileKiB,
      fileKiBAfter: after.fileKiB,
    };
  } finally {
    try {
      await backend.stop();
    } finally {
      await server.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  }
  const idle0 = median(readings.idle0!) / 1024;
  const idle100 = median(readings.idle100!) / 1024;
  log(`g: RSS ${idle0.toFixed(1)} MiB with no session, ${idle100.toFixed(1)} MiB with ${options.sessions} idle`);
  const perSessionKiB = ((idle100 - idle0) * 1024) / options.sessions;
  const bareKiB = bareNodeRssKiB();
  const rows: Row[] = [
    { case: 'g. backend RSS after GC, 0 sessions', pasv: idle0, lftp: null, unit: 'MiB', target: '—', met: null },
    {
      case: `g. backend RSS after GC, ${options.sessions} idle sessions`,
      pasv: idle100,
      lftp: null,
      unit: 'MiB',
      target: '—',
      met: null,
    },
  ];
  const notes = [
    `RSS readings (KiB, each after a forced GC): 0 sessions ${readings.idle0!.join(', ')}; ${options.sessions} idle sessions ` +
      `${readings.idle100!.join(', ')}. That is ${perSessionKiB.toFixed(0)} KiB per idle session ` +
      `(${sessionsOpen} sessions listed by the pool).`,
    `Where the resident set is, 0 → ${options.sessions} sessions: anonymous ${mib(heap.anonKiBBefore! * 1024)} → ${mib(heap.anonKiBAfter! * 1024)}, ` +
      `file-backed (node's own code, mapped) ${mib(heap.fileKiBBefore! * 1024)} → ${mib(heap.fileKiBAfter! * 1024)}; V8 heap total ` +
      `${mib(heap.heapTotalBefore!)} → ${mib(heap.heapTotalAfter!)}, used ${mib(heap.heapUsedBefore!)} → ${mib(heap.heapUsedAfter!)}, ` +
      `external ${mib(heap.externalBefore!)} → ${mib(heap.externalAfter!)}. An empty node ${process.version} process after GC: ${mib(bareKiB * 1024)}.`,
    `The backend is the production bundle of server/src (esbuild, packages external) under node ${process.version} with --expose-gc, ` +
      `SQLite in a temp dir, no web assets; ${options.sessions} sessions over ${Math.ceil(options.sessions / PER_SITE)} sites ` +
      `of one embedded server (the API caps a site at 32 connections), leased at once, logged in (USER, PASS, FEAT), released.`,
  ];
  return {
    id: 'g',
    title: 'backend RSS with 0 and 100 idle sessions',
    rows,
    samples: [],
    notes,
    details: { readings, heap },
  };
}
