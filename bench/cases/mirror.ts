/**
 * h. A mirror job against `lftp mirror` on the same vsftpd pair, 1000 × 4 KiB in 50 folders:
 * (i) the first sync into an empty destination, (ii) a re-sync of the unchanged tree (the
 * compare alone), (iii) a re-sync after 100 files (10 %) changed content and size. Each tool
 * runs i → ii → iii in turn, who goes first alternating per repetition; the source is put
 * back after iii, so both face the same change. pasv runs its job through the HTTP API, a
 * fresh backend (same data dir, so the same job and its history) per run: cold sessions,
 * as lftp logs in afresh every time.
 */
import path from 'node:path';
import { ftpUrl, runLftp } from '../lftp.js';
import { KiB, log, median, sampled, type Sample } from '../measure.js';
import type { CaseResult, Row } from '../report.js';
import { PasvMirror } from '../mirror-pasv.js';
import { loginCost } from '../mirror-timeline.js';
import {
  CHANGED,
  CHANGED_SIZE,
  EXPECTED_COPIES,
  changeSet,
  checkIdentical,
  FILES,
  FILES_PER_FOLDER,
  FOLDERS,
  PARALLEL,
  readTree,
  rewritten,
  SIZE,
  sumCounts,
  TREE,
  writeSourceTree,
  type Measured,
  type MirrorPhase,
} from '../mirror-tree.js';
import { commandLog, makeDirectory, startVsftpdPair, type ServerPair } from '../servers.js';

const PHASES: MirrorPhase[] = ['first', 'unchanged', 'changed'];
const LABEL: Record<MirrorPhase, string> = {
  first: 'h. mirror (i) first sync, 1000 × 4 KiB in 50 folders',
  unchanged: 'h. mirror (ii) re-sync, unchanged (compare only)',
  changed: 'h. mirror (iii) re-sync, 10 % changed',
};

export interface MirrorOptions {
  runs: number;
}

// ---- lftp -------------------------------------------------------------------------------

async function lftpRun(pair: ServerPair, phase: MirrorPhase): Promise<Measured> {
  const logs = [commandLog(pair.source), commandLog(pair.destination)];
  logs.forEach((l) => l.mark());
  const before = readTree(path.join(pair.destination.root, TREE)).files;
  const result = await runLftp([
    'set ftp:use-fxp yes',
    'set ftp:fxp-force yes',
    // --verbose names every file it transfers; the compare is mirror's default (size and time).
    `mirror --verbose --parallel=${PARALLEL} ${ftpUrl(pair.source, `/${TREE}`)} ${ftpUrl(pair.destination, `/${TREE}`)}`,
  ]);
  const commands = sumCounts(logs.map((l) => l.counts()));
  const transferred = result.stdout.split('\n').filter((line) => line.startsWith('Transferring file')).length;
  const problems: string[] = [];
  if (transferred !== EXPECTED_COPIES[phase])
    problems.push(`it says it transferred ${transferred} files, expected ${EXPECTED_COPIES[phase]}`);
  const copies = commands.STOR ?? 0;
  if (copies !== EXPECTED_COPIES[phase])
    problems.push(`${copies} STOR at the destination, expected ${EXPECTED_COPIES[phase]}`);
  const after = checkIdentical(pair);
  const written = rewritten(before, after).length;
  if (written !== EXPECTED_COPIES[phase])
    problems.push(`${written} destination files were written, expected ${EXPECTED_COPIES[phase]}`);
  if (problems.length > 0) throw new Error(`lftp ${phase}: ${problems.join('; ')}`);
  return {
    value: result.wallMs,
    cpuMs: result.userMs + result.sysMs,
    maxRssKiB: result.maxRssKiB,
    commands,
    copied: copies,
  };
}

// ---- the case -----------------------------------------------------------------------------

export async function mirror(options: MirrorOptions): Promise<CaseResult> {
  const samples: Sample[] = [];
  const failures: string[] = [];
  const loginSamples: { oneMs: number; eightMs: number }[] = [];
  const pair = await startVsftpdPair();
  try {
    const files = writeSourceTree(pair);
    const change = changeSet(pair, files);
    for (let run = 0; run < options.runs; run++) {
      const logins = await loginCost(pair, PARALLEL);
      loginSamples.push(logins);
      log(
        `h run ${run}: a bare login ${logins.oneMs.toFixed(0)} ms, ${2 * PARALLEL} at once ${logins.eightMs.toFixed(0)} ms`,
      );
      const order = run % 2 === 0 ? (['pasv', 'lftp'] as const) : (['lftp', 'pasv'] as const);
      for (const tool of order) {
        pair.wipeDestination();
        makeDirectory(pair.destination, TREE);
        let pasv: PasvMirror | null = null;
        try {
          if (tool === 'pasv') pasv = await PasvMirror.prepare(pair);
          for (const phase of PHASES) {
            if (phase === 'changed') change.apply();
            let warm: Measured | undefined;
            const sample = await sampled(run, tool, async () => {
              if (!pasv) return lftpRun(pair, phase);
              const measured = await pasv.run(phase, phase === 'unchanged');
              warm = measured.warm;
              return measured.cold;
            });
            sample.phase = phase;
            sample.variant = tool === 'pasv' ? 'cold' : 'lftp';
            samples.push(sample);
            log(
              `h run ${run} ${tool} ${phase}: ${sample.value.toFixed(0)} ms (TIME_WAIT ${sample.timeWaitBefore} → ${sample.timeWaitAfter})`,
            );
            if (warm) {
              samples.push({
                ...warm,
                run,
                tool,
                phase,
                variant: 'warm',
                timeWaitBefore: sample.timeWaitAfter,
                timeWaitAfter: sample.timeWaitAfter,
                load: sample.load,
              });
              log(`h run ${run} pasv ${phase} again, warm sessions: ${warm.value.toFixed(0)} ms`);
            }
            if (pasv && phase === 'unchanged') {
              // Do the 3 extra sessions a side pay for their logins on a cold compare of 51 folders?
              const one = await sampled(run, 'pasv', () => pasv!.runLimited(phase, 1));
              samples.push({ ...one, phase, variant: 'one-session' });
              log(`h run ${run} pasv ${phase}, cold, one session a side: ${one.value.toFixed(0)} ms`);
            }
            change.restore();
          }
        } catch (error) {
          change.restore();
          // A pasv failure is a finding to report, not a reason to lose lftp's numbers.
          if (tool !== 'pasv') throw error;
          const message = error instanceof Error ? error.message : String(error);
          log(`h run ${run} pasv failed: ${message}`);
          failures.push(`run ${run}: ${message}`);
        } finally {
          pasv?.dispose();
        }
      }
    }
  } finally {
    pair.wipeDestination();
    await pair.stop();
  }
  return summarize(samples, failures, loginSamples, options);
}

function summarize(
  samples: Sample[],
  failures: string[],
  logins: { oneMs: number; eightMs: number }[],
  options: MirrorOptions,
): CaseResult {
  const of = (variant: string, phase: MirrorPhase) => samples.filter((s) => s.variant === variant && s.phase === phase);
  const values = (s: Sample[]) => s.map((x) => x.value);
  const best = (s: Sample[]) => (s.length ? Math.min(...values(s)) : null);
  const mid = (s: Sample[]) => (s.length ? median(values(s)) : null);
  const rows: Row[] = [];
  for (const phase of PHASES) {
    const pasv = of('cold', phase);
    const lftp = of('lftp', phase);
    const pasvMedian = mid(pasv);
    const lftpMedian = mid(lftp);
    const judged = phase === 'unchanged' && pasvMedian !== null && lftpMedian !== null;
    rows.push(
      {
        case: `${LABEL[phase]}: median`,
        pasv: pasvMedian,
        lftp: lftpMedian,
        unit: 'ms',
        target: phase === 'unchanged' ? '≤ 0.5 × lftp' : '—',
        met: judged ? pasvMedian! <= 0.5 * lftpMedian! : null,
      },
      { case: `${LABEL[phase]}: best`, pasv: best(pasv), lftp: best(lftp), unit: 'ms', target: '—', met: null },
    );
  }
  const warm = of('warm', 'unchanged');
  rows.push({
    case: 'h. (diagnostic) (ii) pasv again on warm sessions: median',
    pasv: mid(warm),
    lftp: mid(of('lftp', 'unchanged')),
    unit: 'ms',
    target: '—',
    met: null,
  });

  rows.push({
    case: 'h. (diagnostic) (ii) pasv cold, sites limited to 1 connection: median',
    pasv: mid(of('one-session', 'unchanged')),
    lftp: mid(of('lftp', 'unchanged')),
    unit: 'ms',
    target: '—',
    met: null,
  });

  const list = (s: Sample[]) => s.map((x) => x.value.toFixed(0)).join(', ') || '—';
  const middle = (s: Sample[]) => [...s].sort((x, y) => x.value - y.value)[Math.floor(s.length / 2)];
  const commands = (s: Sample[]) => JSON.stringify(middle(s)?.commands ?? {});
  const cpu = (s: Sample[]) => (s.length ? median(s.map((x) => x.cpuMs as number)).toFixed(0) : '—');
  const notes: string[] = [];
  for (const phase of PHASES) {
    const pasv = of('cold', phase);
    const lftp = of('lftp', phase);
    notes.push(
      `${LABEL[phase].slice(3)}: pasv ${list(pasv)} ms; lftp ${list(lftp)} ms (${options.runs} repetitions). ` +
        `CPU per run (median): pasv ${cpu(pasv)} ms (in-process backend: HTTP, compare, queue, SQLite, events, FTP), lftp ${cpu(lftp)} ms. ` +
        `Commands, both servers, median run: pasv ${commands(pasv)}; lftp ${commands(lftp)}.`,
    );
  }
  const unchanged = of('cold', 'unchanged');
  const median2 = middle(unchanged);
  if (median2) {
    notes.push(
      `pasv (ii), the median run: POST answered in ${(median2.acceptedMs as number).toFixed(0)} ms, the run's own startedAt→finishedAt ` +
        `${median2.serverMs ?? '?'} ms, final state seen by ${median2.via}; counts ${JSON.stringify(median2.counts)}; notes ${JSON.stringify(median2.notes)}. ` +
        `Timeline (ms after the POST): ${median2.timeline as string}.`,
    );
  }
  const warmMiddle = middle(warm);
  if (warmMiddle) {
    notes.push(
      `pasv (ii) again right after, same backend, sessions warm: ${list(warm)} ms. Timeline of the median: ${warmMiddle.timeline as string}.`,
    );
  }
  const one = of('one-session', 'unchanged');
  const oneMiddle = middle(one);
  if (oneMiddle) {
    notes.push(
      `pasv (ii) cold with both sites limited to 1 connection (a fresh backend, the same job, PATCH /api/sites/:id maxConnections 1, ` +
        `put back to ${PARALLEL} after): ${list(one)} ms. Timeline of the median: ${oneMiddle.timeline as string}.`,
    );
  }
  notes.push(
    `What the logins alone cost on this pair (bare sockets, neither tool, once per repetition): one login ` +
      `${logins.map((l) => l.oneMs.toFixed(0)).join(', ')} ms; ${2 * PARALLEL} at once (${PARALLEL} per server) ` +
      `${logins.map((l) => l.eightMs.toFixed(0)).join(', ')} ms until the last 230. Any cold run with ${PARALLEL} sessions a side pays about that.`,
  );
  const changedMiddle = middle(of('cold', 'changed'));
  if (changedMiddle)
    notes.push(
      `pasv (iii), the median run: counts ${JSON.stringify(changedMiddle.counts)}; timeline: ${changedMiddle.timeline as string}.`,
    );
  const firstMiddle = middle(of('cold', 'first'));
  if (firstMiddle) notes.push(`pasv (i), the median run: notes ${JSON.stringify(firstMiddle.notes)}.`);
  notes.push(
    `Checked after every run of both tools: the destination tree holds exactly the source's ${FILES} files and ${FOLDERS} folders, ` +
      `sizes and SHA-256 of every file equal; the destination received exactly ${FILES}, 0 and ${CHANGED} STOR (vsftpd's log) in i, ii and iii; ` +
      "in ii no destination file's mtime moved. pasv: the run ends done, (ii) has no transferId, counts new = changed = 0 and same = the 1000 files (pasv's counts include the 50 folders), " +
      '(iii) counts.changed = 100 and its transfer copied 100 files, exactly the changed files got a new mtime. lftp: `--verbose` names 1000, 0 and 100 transferred files, ' +
      'and in iii exactly the 100 changed files got a new mtime.',
    `Setup: ${FOLDERS} folders × ${FILES_PER_FOLDER} files of ${SIZE / KiB} KiB under /${TREE} on vsftpd 127.0.0.2, dated two hours back; ` +
      `/${TREE} on vsftpd 127.0.0.3 emptied before each (i). For (iii), files 3, 13, 23… (${CHANGED}, two per folder) get new random bytes ` +
      `(${CHANGED_SIZE} bytes, dated now), the same bytes for both tools, and are put back (content and time) after the run. ` +
      'Neither tool can keep modification times on vsftpd (no MFMT, no SITE UTIME), so the destination files carry their upload times. ' +
      `Per repetition each tool does i → ii → iii, who goes first alternating.`,
    `pasv: site maxConnections ${PARALLEL}, PASV_CONCURRENCY=${PARALLEL}, one job (compareBy size+time) per repetition, POST /api/jobs/:id/run {} ` +
      'timed to the run.updated event with a final state (GET /api/runs/:id every 250 ms as a safety net); the in-process backend is ' +
      'restarted on its data dir before each run, so every run logs in afresh like lftp. ' +
      `lftp: \`mirror --verbose --parallel=${PARALLEL} ftp://…/${TREE} ftp://…/${TREE}\` with ftp:use-fxp yes, ftp:fxp-force yes; wall time of the process, logins included.`,
    `TIME_WAIT before each run: ${samples
      .filter((s) => s.variant !== 'warm')
      .map(
        (s) =>
          `${s.variant === 'lftp' ? 'lftp' : s.variant === 'one-session' ? 'pasv (1 session)' : 'pasv'} ${s.phase} ${s.timeWaitBefore}`,
      )
      .join(', ')}.`,
  );
  if (failures.length > 0) notes.unshift(...failures.map((f) => `pasv failed: ${f}`));
  return {
    id: 'h',
    title: 'mirror 1000 × 4 KiB in 50 folders: first sync, unchanged, 10 % changed',
    rows,
    samples,
    notes,
    details: { logins },
    ...(failures.length > 0
      ? { error: `pasv failed in ${failures.length} of ${options.runs} repetitions: ${failures[0]!.slice(0, 400)}` }
      : {}),
  };
}
