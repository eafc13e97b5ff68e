/**
 * j. Cluster mode (issue 13). (a) What PostgreSQL costs per file: the same FXP copy of small
 * files through a built app on SQLite and on PostgreSQL (a fresh database per run, the app a
 * cluster of one 'all' node: its work goes through pg-boss tickets and file leases), runs
 * alternating, on one vsftpd pair. (b) How fast a cluster gets 10 000 queued transfers done
 * with 1 and with 3 worker nodes (cluster-dispatch.ts).
 */
import { dispatchRates, type DispatchOptions } from '../cluster-dispatch.js';
import { clusterEnv, MASTER_KEY, startBenchPostgres, type BenchPostgres } from '../cluster-nodes.js';
import { KiB, log, median, processTreeCpuMs, sampled, type Sample } from '../measure.js';
import type { CaseResult, Row } from '../report.js';
import { startVsftpdPair, writeSmallFiles } from '../servers.js';
import { pasvRun } from '../small-files-runs.js';

const SIZE = 4 * KiB;
const DIR = 'j';
/** The app's slots and each site's connections, as in case a at concurrency 4. */
const CONCURRENCY = 4;

export interface ClusterOptions {
  /** Part (a): files copied per run, and runs per store. */
  files: number;
  runs: number;
  /** Part (b). */
  dispatch: DispatchOptions;
}

type Store = 'sqlite' | 'postgres';

async function perFileOverhead(
  postgres: BenchPostgres,
  options: ClusterOptions,
): Promise<{ rows: Row[]; samples: Sample[]; notes: string[] }> {
  const { files, runs } = options;
  const pair = await startVsftpdPair();
  const byStore: Record<Store, Sample[]> = { sqlite: [], postgres: [] };
  try {
    writeSmallFiles(pair.source, DIR, files, SIZE);
    for (let run = 0; run < runs; run++) {
      // Who goes first alternates: each inherits the other's TIME_WAIT sockets as often.
      const order: Store[] = run % 2 === 0 ? ['sqlite', 'postgres'] : ['postgres', 'sqlite'];
      for (const store of order) {
        pair.wipeDestination();
        const env =
          store === 'postgres' ? clusterEnv(await postgres.freshDatabase('copy')) : { PASV_MASTER_KEY: MASTER_KEY };
        const postgresBefore = processTreeCpuMs(postgres.server.pid);
        const sample = await sampled(run, 'pasv', () => pasvRun(pair, CONCURRENCY, { env, dir: DIR, files }));
        sample.variant = store;
        sample.msPerFile = sample.value / files;
        // The PostgreSQL server's share, outside this process (idle during the SQLite runs).
        sample.postgresCpuMs = processTreeCpuMs(postgres.server.pid) - postgresBefore;
        byStore[store].push(sample);
        log(
          `j (a) run ${run} ${store}: ${sample.value.toFixed(0)} ms, ${(sample.msPerFile as number).toFixed(2)} ms/file, ` +
            `CPU ${(sample.cpuMs as number).toFixed(0)} ms (TIME_WAIT ${sample.timeWaitBefore} → ${sample.timeWaitAfter})`,
        );
      }
    }
  } finally {
    pair.wipeDestination();
    await pair.stop();
  }
  const perFile = (store: Store, field: string, pick: (values: number[]) => number) =>
    pick(byStore[store].map((s) => s[field] as number)) / (field === 'msPerFile' ? 1 : files);
  const best = (values: number[]) => Math.min(...values);
  const label = `j. (a) ms per file, ${files} × 4 KiB FXP, concurrency ${CONCURRENCY}: PostgreSQL (vs SQLite)`;
  const row = (name: string, pasv: number, lftp: number | null): Row => ({
    case: name,
    pasv,
    lftp,
    unit: 'ms',
    target: '—',
    met: null,
  });
  const rows: Row[] = [
    row(label, perFile('postgres', 'msPerFile', median), perFile('sqlite', 'msPerFile', median)),
    row(`${label}, best`, perFile('postgres', 'msPerFile', best), perFile('sqlite', 'msPerFile', best)),
    row(
      'j. (a) app CPU per file (this process, store thread included): PostgreSQL (vs SQLite)',
      perFile('postgres', 'cpuMs', median),
      perFile('sqlite', 'cpuMs', median),
    ),
    row('j. (a) (diagnostic) PostgreSQL server CPU per file', perFile('postgres', 'postgresCpuMs', median), null),
  ];
  const list = (store: Store, field: string) => byStore[store].map((s) => (s[field] as number).toFixed(2)).join(', ');
  const extra = perFile('postgres', 'msPerFile', median) - perFile('sqlite', 'msPerFile', median);
  const notes = [
    `(a) ms per file, ${runs} runs each in alternating order — SQLite ${list('sqlite', 'msPerFile')}; PostgreSQL ` +
      `${list('postgres', 'msPerFile')}. PostgreSQL adds ${extra.toFixed(2)} ms per file (medians).`,
    `(a) commands per file (both servers) — SQLite ${JSON.stringify(byStore.sqlite.at(-1)?.commandsPerFile ?? {})}; ` +
      `PostgreSQL ${JSON.stringify(byStore.postgres.at(-1)?.commandsPerFile ?? {})}. TIME_WAIT before each run: ` +
      `${[...byStore.sqlite, ...byStore.postgres]
        .sort((x, y) => x.run - y.run)
        .map((s) => `${s.variant} ${s.timeWaitBefore}`)
        .join(', ')}.`,
    `(a) method: one vsftpd pair, /${DIR} of ${files} × 4 KiB; per run a fresh in-process app (bench/app.ts, buildApp) ` +
      `with PASV_CONCURRENCY ${CONCURRENCY} and sites of maxConnections ${CONCURRENCY}, POST /api/transfers of /${DIR}, timed ` +
      'to its done event, the copy checked byte for byte. SQLite: a fresh data dir. PostgreSQL: a fresh database on one ' +
      'throwaway server (fsync off, as the tests run it), the app a cluster of one node (role all): its walk and lanes go ' +
      'through pg-boss tickets, each file is claimed under a lease and every store statement is a synchronous round trip ' +
      "to the server. Both get the same PASV_MASTER_KEY. App CPU is this process's over the timed window (the PostgreSQL " +
      "engine's worker thread included); the server's CPU is the postmaster's and its backends'.",
  ];
  return { rows, samples: [...byStore.sqlite, ...byStore.postgres], notes };
}

export async function cluster(options: ClusterOptions): Promise<CaseResult> {
  const postgres = await startBenchPostgres();
  try {
    const a = await perFileOverhead(postgres, options);
    const b = await dispatchRates(postgres, options.dispatch);
    return {
      id: 'j',
      title: 'cluster: PostgreSQL vs SQLite per file; 10 000 queued transfers, 1 and 3 workers',
      rows: [...a.rows, ...b.rows],
      samples: a.samples,
      notes: [...a.notes, ...b.notes],
      details: b.details,
    };
  } finally {
    await postgres.stop();
  }
}
