/**
 * What case j runs on besides the FTP servers: a throwaway PostgreSQL (server/src/demo/postgres.ts)
 * with a fresh database per run, worker nodes as child processes of the real server
 * (server/src/main.ts with PASV_ROLE=worker, bundled as `npm start` would run it, ended by
 * PID), and a plain pg client that reads the transfers' progress straight from the database,
 * so that no node's event feed is in the measurement.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startPostgres, type LocalPostgres } from '../server/src/demo/postgres.js';
import { BENCH_TOKEN } from './app.js';
import { childBundle } from './bundle.js';
import type { TransferTimes } from './cluster-rates.js';
import { nowMs, processTreeCpuMs, sleep } from './measure.js';

/** Every node of a cluster seals and opens site passwords with the same key; SQLite runs get it too. */
export const MASTER_KEY = crypto.randomBytes(32).toString('base64');

export interface BenchPostgres {
  server: LocalPostgres;
  /** A new empty database's URL; every run gets its own (`label` names it in pg_stat_activity). */
  freshDatabase(label: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startBenchPostgres(): Promise<BenchPostgres> {
  const server = await startPostgres();
  let count = 0;
  return {
    server,
    freshDatabase: (label) => server.createDatabase(`bench_${label}_${++count}`),
    stop: () => server.stop(),
  };
}

/** The environment of a node on that database (the bench app takes the same). */
export function clusterEnv(databaseUrl: string): Record<string, string> {
  return { PASV_DATABASE_URL: databaseUrl, PASV_MASTER_KEY: MASTER_KEY };
}

export interface WorkerNode {
  pid: number;
  /** performance.now() when it said it runs (it takes tickets from then on). */
  readyAt: number;
  /** Its CPU ms when it said it runs: what its start-up cost. */
  startupCpuMs: number;
  /** SIGTERM by PID (a worker drains), SIGKILL after 10 s; its data dir removed. */
  stop(): Promise<void>;
}

/** `server/src/main.ts` with PASV_ROLE=worker, its bundle run by node (bundle.ts). */
export async function startWorker(databaseUrl: string, concurrency: number): Promise<WorkerNode> {
  const bundle = await childBundle('main');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-bench-worker-'));
  const child = spawn(process.execPath, [bundle], {
    env: {
      PATH: process.env.PATH ?? '',
      PASV_ROLE: 'worker',
      PASV_DATA_DIR: dataDir,
      PASV_PASSWORD: 'bench password',
      PASV_API_TOKEN: BENCH_TOKEN,
      PASV_LOG_LEVEL: 'warn',
      PASV_CONCURRENCY: String(concurrency),
      ...clusterEnv(databaseUrl),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (name: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(child.pid!, name);
    } catch {
      // already gone
    }
  };
  const stop = async () => {
    signal('SIGTERM');
    const timer = setTimeout(() => signal('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  let output = '';
  try {
    const readyAt = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`worker not running after 60 s: ${output.slice(-1000)}`)),
        60_000,
      );
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
        if (output.includes('pasv worker is running')) {
          clearTimeout(timer);
          resolve(nowMs());
        }
      });
      // A worker's warnings go on being collected (and dropped): a full pipe would stall it.
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output = `${output}${chunk}`.slice(-20_000)));
      child.once('exit', (code, name) => {
        clearTimeout(timer);
        reject(new Error(`worker exited (${code ?? name}) before it ran: ${output.slice(-1000)}`));
      });
    });
    return { pid: child.pid!, readyAt, startupCpuMs: processTreeCpuMs(child.pid!), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface Progress {
  started: number;
  done: number;
  /** failed or cancelled: the case fails on any. */
  ended: number;
}

/** Reads the cluster's transfers from the database itself, over a connection of its own. */
export class ProgressReader {
  /** What the nodes' connections were running at each poll: "application: statement" → polls seen. */
  readonly activity = new Map<string, number>();
  polls = 0;

  private constructor(private readonly client: pg.Client) {}

  static async open(databaseUrl: string): Promise<ProgressReader> {
    const client = new pg.Client({ connectionString: databaseUrl, application_name: 'pasv-bench' });
    await client.connect();
    return new ProgressReader(client);
  }

  async progress(): Promise<Progress> {
    const { rows } = await this.client.query<{ started: string; done: string; ended: string }>(
      `SELECT count(*) FILTER (WHERE started_at IS NOT NULL) AS started,
              count(*) FILTER (WHERE state = 'done') AS done,
              count(*) FILTER (WHERE state IN ('failed', 'cancelled')) AS ended
         FROM transfers`,
    );
    const row = rows[0]!;
    return { started: Number(row.started), done: Number(row.done), ended: Number(row.ended) };
  }

  /**
   * A sample of what keeps PostgreSQL busy: the statements the nodes' connections are running
   * right now. Short statements are seldom caught, so the counts point at the slow ones.
   */
  private async sampleActivity(): Promise<void> {
    const { rows } = await this.client.query<{ who: string; statement: string }>(
      `SELECT application_name AS who, left(btrim(regexp_replace(query, '\\s+', ' ', 'g')), 70) AS statement
         FROM pg_stat_activity
        WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()`,
    );
    this.polls++;
    for (const row of rows) {
      const key = `${row.who || '?'}: ${row.statement}`;
      this.activity.set(key, (this.activity.get(key) ?? 0) + 1);
    }
  }

  /** Every transfer's start and finish as the nodes wrote them (ISO times from the same clock). */
  async times(): Promise<TransferTimes[]> {
    const { rows } = await this.client.query<{ started_at: string | null; finished_at: string | null; state: string }>(
      'SELECT started_at, finished_at, state FROM transfers',
    );
    return rows.map((row) => ({
      startedAt: row.started_at === null ? null : Date.parse(row.started_at),
      finishedAt: row.state === 'done' && row.finished_at !== null ? Date.parse(row.finished_at) : null,
    }));
  }

  /** The files of the transfers that are done: source and destination path. */
  async doneFiles(): Promise<{ source: string; destination: string }[]> {
    const { rows } = await this.client.query<{ source: string; destination: string }>(
      `SELECT f.source_path AS source, f.dest_path AS destination
         FROM transfer_files f JOIN transfers t ON t.id = f.transfer_id WHERE t.state = 'done'`,
    );
    return rows;
  }

  /**
   * Polls until every one of `total` transfers is done, one ended otherwise, or `windowMs`
   * passed since the first poll that saw one started.
   */
  async waitAllDone(total: number, windowMs: number, onPoll?: (p: Progress) => void): Promise<Progress> {
    const begun = nowMs();
    let firstSeen: number | null = null;
    for (;;) {
      const progress = await this.progress();
      await this.sampleActivity();
      onPoll?.(progress);
      if (progress.done + progress.ended >= total) return progress;
      if (progress.started > 0) firstSeen ??= nowMs();
      if (firstSeen !== null && nowMs() - firstSeen > windowMs) return progress;
      if (firstSeen === null && nowMs() - begun > 60_000) throw new Error('no transfer started within 60 s');
      await sleep(200);
    }
  }

  close(): Promise<void> {
    return this.client.end();
  }
}
