/**
 * `npm run bench` — pasv side by side with lftp on the same fresh server pairs, median of
 * several alternating runs. `npm run bench -- a b` runs cases a and b only (into
 * partial.raw.json; add `--into-latest` to file them into latest.* as a run of their own).
 * Writes bench/results/latest.json (raw numbers, machine) and latest.md (the table and notes).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bigFile } from './cases/big-file.js';
import { cluster } from './cases/cluster.js';
import { firstByte } from './cases/first-byte.js';
import { idleSessions } from './cases/idle-sessions.js';
import { listing } from './cases/listing.js';
import { liveFeed } from './cases/live-feed.js';
import { mirror } from './cases/mirror.js';
import { scale } from './cases/scale.js';
import { smallFiles } from './cases/small-files.js';
import { loadAverage, log, machineInfo, nowMs } from './measure.js';
import { textTable, writeResults, type CaseResult } from './report.js';

const CASES: Record<string, { title: string; run: () => Promise<CaseResult> }> = {
  a: { title: '1000 × 4 KiB FXP', run: () => smallFiles({ runs: 5, concurrencies: [1, 4], diagnose: true }) },
  b: { title: '1 GiB FXP', run: () => bigFile({ mode: 'fxp', runs: 5 }) },
  c: { title: '1 GiB relay', run: () => bigFile({ mode: 'relay', runs: 5 }) },
  d: { title: 'time to first byte', run: () => firstByte({ runs: 7 }) },
  e: { title: '200 transfers to 20 WebSocket clients', run: () => liveFeed({ transfers: 200, clients: 20 }) },
  f: { title: '100 000-entry listing', run: () => listing({ entries: 100_000, runs: 5, serveRuns: 3 }) },
  g: { title: 'backend RSS, 0 and 100 idle sessions', run: () => idleSessions({ sessions: 100 }) },
  h: { title: 'mirror job vs lftp mirror, 1000 × 4 KiB in 50 folders', run: () => mirror({ runs: 5 }) },
  // Fewer runs at 10 000 files: one pair of runs takes over a minute.
  i: {
    title: 'scale: ms per file at 100 / 1000 / 10 000 files; a queued 100 000-file tree',
    run: () => scale({ runs: { 100: 3, 1000: 3, 10_000: 1 }, queuedFiles: 100_000 }),
  },
  j: {
    title: 'cluster: PostgreSQL vs SQLite per file; 10 000 queued transfers, 1 and 3 workers',
    run: () => cluster({ files: 500, runs: 5, dispatch: { transfers: 10_000, workers: [1, 3], windowMs: 40_000 } }),
  },
};

async function main(): Promise<void> {
  const args = process.argv.slice(2).map((arg) => arg.toLowerCase());
  // With some cases only: also file their results into latest.json and latest.md (report.ts).
  const intoLatest = args.includes('--into-latest');
  const filter = args.filter((arg) => arg !== '--into-latest');
  const unknown = filter.filter((id) => !(id in CASES));
  if (unknown.length > 0) {
    console.error(`unknown case(s) ${unknown.join(' ')}; cases: ${Object.keys(CASES).join(' ')}`);
    process.exit(2);
  }
  if (process.getuid?.() !== 0) {
    console.error('the bench starts vsftpd, which needs root (see server/test/servers/)');
    process.exit(2);
  }
  const machine = machineInfo();
  const startedAt = nowMs();
  const results: CaseResult[] = [];
  for (const [id, spec] of Object.entries(CASES)) {
    if (filter.length > 0 && !filter.includes(id)) continue;
    log(`case ${id}: ${spec.title}`);
    const caseStartedAt = nowMs();
    const loadBefore = loadAverage();
    try {
      const result = await spec.run();
      result.durationMs = nowMs() - caseStartedAt;
      // The machine is shared: say how busy it was while this case ran.
      result.notes.push(
        `Took ${(result.durationMs / 1000).toFixed(0)} s; 1-minute load average ${loadBefore} at the start, ${loadAverage()} at the end ` +
          `(${machine.cores} cores).`,
      );
      results.push(result);
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      log(`case ${id} failed: ${message}`);
      results.push({
        id,
        title: spec.title,
        rows: [],
        samples: [],
        notes: [],
        error: message.split('\n')[0],
        durationMs: nowMs() - caseStartedAt,
      });
    }
    log(`case ${id} took ${((nowMs() - caseStartedAt) / 1000).toFixed(1)} s`);
  }
  const durationMs = nowMs() - startedAt;
  const rows = results.flatMap((r) => r.rows);
  console.log(`\n${textTable(rows)}\n`);
  for (const result of results) if (result.error) console.log(`case ${result.id} failed: ${result.error}`);
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');
  const written = writeResults(dir, { machine, filter, durationMs, cases: results }, { intoLatest });
  const files = [written.json, written.md].flatMap((file) => (file ? [path.relative(process.cwd(), file)] : []));
  console.log(`wrote ${files.join(' and ')} (${(durationMs / 1000).toFixed(0)} s)`);
  // Sockets in TIME_WAIT or idle keepalives must not hold the bench open.
  process.exit(results.some((r) => r.error) ? 1 : 0);
}

await main();
