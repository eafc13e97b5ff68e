/**
 * Case j (b): how fast a cluster on PostgreSQL gets 10 000 queued transfers from queued to
 * done, with 1 and with 3 worker nodes. The queue is built once: one-file transfers of 4 KiB
 * (/q/f00000.bin … into /q) created through a web node's TransferService, in this process;
 * that database is then the template every run clones (CREATE DATABASE … TEMPLATE), so each
 * run starts from the same 10 000 queued transfers and the same tickets. A run starts a web
 * node here (the dashboard's, which hears every event) and the workers as child processes,
 * and reads the transfers' own start and finish times from the database.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import pg from 'pg';
import { startBenchApp } from './app.js';
import { clusterEnv, ProgressReader, startWorker, type BenchPostgres, type WorkerNode } from './cluster-nodes.js';
import { throughput, type Throughput } from './cluster-rates.js';
import { KiB, log, nowMs, processTreeCpuMs, timeWaitCount } from './measure.js';
import type { Row } from './report.js';
import { smallFileName, startVsftpdPair, writeSmallFiles, type ServerPair } from './servers.js';

const DIR = 'q';
const SIZE = 4 * KiB;
/** Each worker's slots (PASV_CONCURRENCY, the default) and, per worker, each site's connections. */
const CONCURRENCY = 4;

export interface DispatchOptions {
  transfers: number;
  /** Worker counts, one run each, in this order. */
  workers: number[];
  /**
   * How long a run may take from its first start: one that has not finished by then is
   * reported as far as it got (rates over the window, every done copy checked).
   */
  windowMs: number;
}

interface RunResult {
  workers: number;
  rate: Throughput;
  /** Worker launch → all running, and the spread of their ready times. */
  startupMs: number;
  readySpreadMs: number;
  wallMs: number;
  workerCpuMs: number;
  workerStartupCpuMs: number;
  postgresCpuMs: number;
  /** The statements PostgreSQL was seen running most, with their share of the polls. */
  busiest: { statement: string; share: number }[];
  polls: number;
  benchCpuMs: number;
  timeWaitBefore: number;
  timeWaitAfter: number;
}

/** Every done transfer's file on the destination, byte for byte its source; how many. */
function checkCopies(pair: ServerPair, files: { source: string; destination: string }[]): number {
  for (const file of files) {
    const source = fs.readFileSync(path.join(pair.source.root, file.source));
    const copy = path.join(pair.destination.root, file.destination);
    if (!fs.existsSync(copy) || !fs.readFileSync(copy).equals(source))
      throw new Error(`${file.destination} is not its source's copy`);
  }
  return files.length;
}

/** `CREATE DATABASE … TEMPLATE`: PostgreSQL copies the queue's files instead of our 10 000 inserts. */
async function cloneDatabase(postgres: BenchPostgres, template: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: postgres.server.url });
  await admin.connect();
  try {
    const from = new URL(template).pathname.slice(1);
    // A node's connections may take a moment to go after its close(): the template must have none.
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE ${name} TEMPLATE ${from}`);
        break;
      } catch (error) {
        if (attempt >= 20 || !/being accessed by other users/.test((error as Error).message)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  } finally {
    await admin.end();
  }
  const url = new URL(template);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The queue: `count` one-file transfers on a web node; its creation rate. */
async function buildQueue(url: string, pair: ServerPair, count: number, maxConnections: number): Promise<number> {
  const web = await startBenchApp({ ...clusterEnv(url), PASV_ROLE: 'web' });
  try {
    const sites = await web.addPair(pair, maxConnections);
    const startedAt = nowMs();
    for (let i = 0; i < count; i++) {
      web.app.services.transfers.create({
        source: { siteId: sites.source, path: `/${DIR}/${smallFileName(i)}` },
        destination: { siteId: sites.destination, dir: `/${DIR}` },
      });
      // Let its events reach PostgreSQL (LISTEN/NOTIFY) as they would between API calls.
      if (i % 200 === 199) await yieldToLoop();
    }
    const ms = nowMs() - startedAt;
    // The planning pass its creates asked for (cluster-work.ts: coalesced, 200 ms) puts the head's tickets in.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    return ms;
  } finally {
    await web.close();
  }
}

async function dispatchRun(
  url: string,
  pair: ServerPair,
  workers: number,
  options: DispatchOptions,
  postmaster: number,
): Promise<RunResult> {
  const web = await startBenchApp({ ...clusterEnv(url), PASV_ROLE: 'web' });
  const reader = await ProgressReader.open(url);
  const nodes: WorkerNode[] = [];
  try {
    const timeWaitBefore = timeWaitCount();
    const postgresBefore = processTreeCpuMs(postmaster);
    const benchBefore = process.cpuUsage();
    const launched = nowMs();
    // Each kept as it comes up, so that finally stops it even when another fails to start.
    await Promise.all(Array.from({ length: workers }, async () => nodes.push(await startWorker(url, CONCURRENCY))));
    const ready = nodes.map((node) => node.readyAt);
    let lastLog = nowMs();
    const progress = await reader.waitAllDone(options.transfers, options.windowMs, (p) => {
      if (nowMs() - lastLog < 10_000) return;
      lastLog = nowMs();
      log(`j (b) ${workers} worker(s): ${p.started} started, ${p.done} done`);
    });
    const wallMs = nowMs() - launched;
    if (progress.ended > 0) throw new Error(`${progress.ended} transfers failed or were cancelled`);
    const workerStartupCpuMs = nodes.reduce((sum, node) => sum + node.startupCpuMs, 0);
    const workerCpuMs = nodes.reduce((sum, node) => sum + processTreeCpuMs(node.pid), 0) - workerStartupCpuMs;
    const postgresCpuMs = processTreeCpuMs(postmaster) - postgresBefore;
    const bench = process.cpuUsage(benchBefore);
    // Drained before the count, so that no file ends between reading the times and checking the copies.
    await Promise.all(nodes.map((node) => node.stop()));
    const rate = throughput(await reader.times());
    const timeWaitAfter = timeWaitCount();
    const copied = checkCopies(pair, await reader.doneFiles());
    if (copied !== rate.done) throw new Error(`${rate.done} transfers done, but ${copied} files copied`);
    const busiest = [...reader.activity]
      .sort((x, y) => y[1] - x[1])
      .slice(0, 4)
      .map(([statement, polls]) => ({ statement, share: polls / reader.polls }));
    return {
      workers,
      rate,
      startupMs: Math.max(...ready) - launched,
      readySpreadMs: Math.max(...ready) - Math.min(...ready),
      wallMs,
      workerCpuMs,
      workerStartupCpuMs,
      postgresCpuMs,
      busiest,
      polls: reader.polls,
      benchCpuMs: (bench.user + bench.system) / 1000,
      timeWaitBefore,
      timeWaitAfter,
    };
  } finally {
    // stop() is idempotent: here for a run that failed.
    await Promise.all(nodes.map((node) => node.stop()));
    await reader.close();
    await web.close();
  }
}

const workersName = (n: number) => `${n} worker${n === 1 ? '' : 's'}`;

function rowsOf(runs: RunResult[], options: DispatchOptions, createMs: number): Row[] {
  const total = options.transfers;
  const rate = (name: string, pasv: number, lftp: number | null): Row => ({
    case: name,
    pasv,
    lftp,
    unit: 'transfers/s',
    target: '—',
    met: null,
  });
  const rows: Row[] = [];
  for (const run of runs) {
    // Every later worker count is set against the first: ratio = its gain.
    const peer = run === runs[0] ? null : runs[0]!;
    const vs = peer ? ` (vs ${workersName(peer.workers)})` : '';
    const within =
      run.rate.done < total ? `, ${run.rate.done} done in the first ${(options.windowMs / 1000).toFixed(0)} s` : '';
    rows.push(
      rate(
        `j. (b) ${total} queued one-file transfers, ${workersName(run.workers)}${within}: done per second${vs}`,
        run.rate.donePerSecond,
        peer?.rate.donePerSecond ?? null,
      ),
      rate(
        `j. (b) (diagnostic) ${workersName(run.workers)}: done per second, 10th → 90th percentile${vs}`,
        run.rate.steadyDonePerSecond,
        peer?.rate.steadyDonePerSecond ?? null,
      ),
      rate(
        `j. (b) (diagnostic) ${workersName(run.workers)}: started (claimed) per second${vs}`,
        run.rate.startedPerSecond,
        peer?.rate.startedPerSecond ?? null,
      ),
    );
  }
  rows.push(
    rate(
      `j. (b) (diagnostic) creating ${total} transfers on a web node (TransferService.create)`,
      (total * 1000) / createMs,
      null,
    ),
  );
  return rows;
}

function runNote(run: RunResult, options: DispatchOptions): string {
  const seconds = (ms: number | null) =>
    ms === null ? '—' : ms >= 120_000 ? `${(ms / 60_000).toFixed(0)} min` : `${(ms / 1000).toFixed(1)} s`;
  const perTransfer = (ms: number) => `${(ms / Math.max(1, run.rate.done)).toFixed(1)} ms`;
  const total = options.transfers;
  const ending =
    run.rate.done === total
      ? `all started after ${seconds(run.rate.allStartedMs)}, all done after ${seconds(run.rate.allDoneMs)}`
      : `the run was stopped ${(options.windowMs / 1000).toFixed(0)} s after the first start with ${run.rate.started} ` +
        `started and ${run.rate.done} done of ${total} (at that rate all ${total} would take ` +
        `${seconds((total * 1000) / run.rate.donePerSecond)})`;
  const busiest = run.busiest.map((b) => `${b.statement}… (${(b.share * 100).toFixed(0)} % of looks)`).join('; ');
  return (
    `(b) ${workersName(run.workers)}: launched → running ${seconds(run.startupMs)} (ready within ` +
    `${seconds(run.readySpreadMs)} of each other); from the first start, ${ending}; every done transfer's file checked ` +
    `byte for byte. CPU per transfer done: workers ${perTransfer(run.workerCpuMs)} (together, start-up's ` +
    `${(run.workerStartupCpuMs / 1000).toFixed(1)} s left out), PostgreSQL ${perTransfer(run.postgresCpuMs)}, bench process ` +
    `(web node, progress reads) ${perTransfer(run.benchCpuMs)}. Statements the nodes were running when PostgreSQL ` +
    `was looked at (every 200 ms, ${run.polls} looks; a look may catch several): ${busiest || 'none caught'}. ` +
    `TIME_WAIT ${run.timeWaitBefore} → ` +
    `${run.timeWaitAfter}.`
  );
}

export async function dispatchRates(
  postgres: BenchPostgres,
  options: DispatchOptions,
): Promise<{ rows: Row[]; notes: string[]; details: Record<string, unknown> }> {
  const pair = await startVsftpdPair();
  try {
    const writing = nowMs();
    writeSmallFiles(pair.source, DIR, options.transfers, SIZE);
    const template = await postgres.freshDatabase('queue');
    const maxConnections = CONCURRENCY * Math.max(...options.workers);
    const createMs = await buildQueue(template, pair, options.transfers, maxConnections);
    log(
      `j (b): ${options.transfers} files written and ${options.transfers} transfers queued in ` +
        `${((nowMs() - writing) / 1000).toFixed(1)} s (creating them ${(createMs / 1000).toFixed(1)} s)`,
    );
    const runs: RunResult[] = [];
    for (const workers of options.workers) {
      pair.wipeDestination();
      const url = await cloneDatabase(postgres, template, `bench_dispatch_w${workers}_${runs.length}`);
      const run = await dispatchRun(url, pair, workers, options, postgres.server.pid);
      log(
        `j (b) ${workers} worker(s): ${run.rate.done}/${options.transfers} done, ${run.rate.donePerSecond.toFixed(0)} done/s ` +
          `(${run.rate.steadyDonePerSecond.toFixed(0)} steady), ${run.rate.startedPerSecond.toFixed(0)} started/s; ` +
          `TIME_WAIT ${run.timeWaitBefore} → ${run.timeWaitAfter}`,
      );
      runs.push(run);
    }
    const notes = [
      `(b) setup: ${options.transfers} source files of 4 KiB in /${DIR} on vsftpd; ${options.transfers} transfers, one file ` +
        `each (/${DIR}/f…bin → /${DIR}), created in a loop through a web node's TransferService.create in the bench process ` +
        `(${(createMs / 1000).toFixed(1)} s), sites with maxConnections ${maxConnections} (${CONCURRENCY} per worker of the ` +
        'largest run). That database is the template each run clones (CREATE DATABASE … TEMPLATE), so every run starts ' +
        'from the same queue and the same tickets.',
      `(b) a run: a web node in the bench process (it hears every event, as the dashboard's would) and the workers, ` +
        `\`server/src/main.ts\` bundled (bench/bundle.ts) with PASV_ROLE=worker and PASV_CONCURRENCY ${CONCURRENCY}, as ` +
        'child processes launched together and ended by PID. A worker walks each transfer (SIZE on the source, the ' +
        'destination folder checked) under a walk ticket and lease, then copies its file under a lane ticket and a file ' +
        "lease. Rates come from the transfers' own started_at and finished_at in PostgreSQL, counted from the first start " +
        '(node start-up left out): "done per second" to the last finish, "10th → 90th percentile" without the ramp-up ' +
        'and the tail, "started (claimed) per second" to the last start.',
      ...runs.map((run) => runNote(run, options)),
    ];
    return { rows: rowsOf(runs, options, createMs), notes, details: { createMs, runs } };
  } finally {
    pair.wipeDestination();
    await pair.stop();
  }
}
