/**
 * i. Scale. (a) Cost per file from 100 to 10 000 files: 4 KiB files by FXP at concurrency 4,
 * pasv through its transfer service (one backend process; runs on fresh sites with cold sessions,
 * and runs on two sites kept warm) and `lftp mirror --parallel=4` on the same vsftpd pair, runs
 * rotating; the per-file time of each size and max/min over the sizes (flat = 1). (b) A queued 100 000-file tree in a backend of its own
 * (scale-queued.ts): resident memory, and how fast its row and its file list answer.
 */
import { startBackend, type Backend } from '../backend-process.js';
import { ftpUrl, runLftp } from '../lftp.js';
import { KiB, log, median, quietTimeWait, sampled, type Sample } from '../measure.js';
import { checkIdentical } from '../mirror-tree.js';
import type { CaseResult, Row } from '../report.js';
import { queuedTree } from '../scale-queued.js';
import { startVsftpdPair, writeSmallFiles, type ServerPair } from '../servers.js';
import { timedCopy } from '../small-files-runs.js';

const SIZE = 4 * KiB;
const CONCURRENCY = 4;
/** Folders of at most this many files: 10 000 files are 10 folders (one listing each), as a real tree would be. */
const PER_FOLDER = 1000;

export interface ScaleOptions {
  /** Runs per tool for each file count. */
  runs: Record<number, number>;
  /** Files in the queued tree of part (b). */
  queuedFiles: number;
}

type Measured = { value: number } & Record<string, unknown>;

const treeName = (files: number) => `t${files}`;

function writeTree(pair: ServerPair, files: number): void {
  for (let folder = 0; folder * PER_FOLDER < files; folder++) {
    writeSmallFiles(
      pair.source,
      `${treeName(files)}/d${folder}`,
      Math.min(PER_FOLDER, files - folder * PER_FOLDER),
      SIZE,
    );
  }
}

/** One transfer of the tree, checked byte for byte. */
async function copyOn(
  backend: Backend,
  sites: { source: string; destination: string },
  pair: ServerPair,
  files: number,
): Promise<Measured> {
  const result = await timedCopy(backend, sites, treeName(files), files);
  checkIdentical(pair, treeName(files));
  return result;
}

/**
 * pasv as it runs: one backend for the whole case (V8 warm). "fresh" runs add two sites of their
 * own (cold sessions, like lftp's process) and remove them after; "running" ones reuse two sites
 * whose pooled sessions stay logged in between transfers, as between a user's transfers, after
 * one unmeasured copy.
 */
async function pasvBackend(
  pair: ServerPair,
  warmUpFiles: number,
): Promise<{
  fresh: (files: number) => Promise<Measured>;
  running: (files: number) => Promise<Measured>;
  close: () => Promise<void>;
}> {
  const backend = await startBackend({ PASV_CONCURRENCY: String(CONCURRENCY) });
  try {
    const sites = await backend.api.addPair(pair, CONCURRENCY);
    await copyOn(backend, sites, pair, warmUpFiles);
    pair.wipeDestination();
    return {
      fresh: async (files) => {
        const own = await backend.api.addPair(pair, CONCURRENCY, ' (fresh)');
        try {
          return await copyOn(backend, own, pair, files);
        } finally {
          await backend.api.removePair(own);
        }
      },
      running: (files) => copyOn(backend, sites, pair, files),
      close: () => backend.stop(),
    };
  } catch (error) {
    await backend.stop();
    throw error;
  }
}

async function lftpRun(pair: ServerPair, files: number): Promise<Measured> {
  const tree = `/${treeName(files)}`;
  const result = await runLftp([
    'set ftp:use-fxp yes',
    'set ftp:fxp-force yes',
    `mirror --parallel=${CONCURRENCY} ${ftpUrl(pair.source, tree)} ${ftpUrl(pair.destination, tree)}`,
  ]);
  checkIdentical(pair, treeName(files));
  return { value: result.wallMs, cpuMs: result.userMs + result.sysMs, maxRssKiB: result.maxRssKiB };
}

type Tool = 'pasv' | 'warm' | 'lftp';
const TOOLS: Tool[] = ['pasv', 'warm', 'lftp'];

/** Part (a): every size's runs, sizes interleaved round by round so that TIME_WAIT build-up falls on all of them. */
async function perFileCosts(options: ScaleOptions): Promise<{ rows: Row[]; samples: Sample[]; notes: string[] }> {
  const sizes = Object.keys(options.runs)
    .map(Number)
    .sort((a, b) => a - b);
  const pair = await startVsftpdPair();
  const byKey = new Map<string, Sample[]>();
  let pasv: Awaited<ReturnType<typeof pasvBackend>> | undefined;
  try {
    for (const files of sizes) writeTree(pair, files);
    pasv = await pasvBackend(pair, sizes[0]!);
    const run: Record<Tool, (files: number) => Promise<Measured>> = {
      pasv: pasv.fresh,
      warm: pasv.running,
      lftp: (files) => lftpRun(pair, files),
    };
    const rounds = Math.max(...sizes.map((files) => options.runs[files]!));
    for (let round = 0; round < rounds; round++) {
      for (const files of sizes) {
        if (round >= options.runs[files]!) continue;
        // Rotate who goes first: each meets the servers' caches and what TIME_WAIT is left equally.
        const order = TOOLS.map((_, i) => TOOLS[(i + round) % TOOLS.length]!);
        for (const tool of order) {
          pair.wipeDestination();
          await quietTimeWait();
          const sample = await sampled(round, tool === 'lftp' ? 'lftp' : 'pasv', () => run[tool](files));
          sample.variant = tool;
          sample.files = files;
          sample.msPerFile = sample.value / files;
          sample.cpuMsPerFile = (sample.cpuMs as number) / files;
          const key = `${tool}:${files}`;
          byKey.set(key, [...(byKey.get(key) ?? []), sample]);
          log(
            `i ${files} files run ${round} ${tool}: ${sample.value.toFixed(0)} ms, ${(sample.msPerFile as number).toFixed(2)} ms/file ` +
              `(TIME_WAIT ${sample.timeWaitBefore} → ${sample.timeWaitAfter})`,
          );
        }
      }
    }
  } finally {
    await pasv?.close();
    pair.wipeDestination();
    await pair.stop();
  }
  const of = (tool: Tool, files: number) => byKey.get(`${tool}:${files}`) ?? [];
  const medianOf = (tool: Tool, files: number, field: 'msPerFile' | 'cpuMsPerFile') =>
    median(of(tool, files).map((s) => s[field] as number));
  const flatness = (tool: Tool, field: 'msPerFile' | 'cpuMsPerFile') => {
    const values = sizes.map((files) => medianOf(tool, files, field));
    return Math.max(...values) / Math.min(...values);
  };
  const rows: Row[] = sizes.flatMap((files) => [
    {
      case: `i. (a) ms per file, ${files} × 4 KiB FXP, concurrency ${CONCURRENCY}: pasv running (warm sessions)`,
      pasv: medianOf('warm', files, 'msPerFile'),
      lftp: medianOf('lftp', files, 'msPerFile'),
      unit: 'ms' as const,
      target: '—',
      met: null,
    },
    {
      case: `i. (a) ms per file, ${files} × 4 KiB FXP, concurrency ${CONCURRENCY}: cold sessions on sites of their own (like lftp)`,
      pasv: medianOf('pasv', files, 'msPerFile'),
      lftp: medianOf('lftp', files, 'msPerFile'),
      unit: 'ms' as const,
      target: '—',
      met: null,
    },
  ]);
  const marginal = (tool: Tool, from: number, to: number) =>
    (median(of(tool, to).map((s) => s.value)) - median(of(tool, from).map((s) => s.value))) / (to - from);
  const warmFlat = flatness('warm', 'msPerFile');
  rows.push(
    {
      case: `i. (a) per-file ms, max/min over ${sizes.join(' / ')} files: pasv running (warm sessions)`,
      pasv: warmFlat,
      lftp: flatness('lftp', 'msPerFile'),
      unit: '×',
      target: '≤ 1.2',
      met: warmFlat <= 1.2,
    },
    {
      case: `i. (a) (diagnostic) per-file ms, max/min over ${sizes.join(' / ')} files: cold sessions`,
      pasv: flatness('pasv', 'msPerFile'),
      lftp: flatness('lftp', 'msPerFile'),
      unit: '×',
      target: '—',
      met: null,
    },
    // A run's fixed part (logins, the first listing) weighs on 100 files and not on
    // 10 000: the extra time per extra file between two sizes is what must not grow with the tree.
    ...sizes.slice(1).map((files, i) => ({
      case: `i. (a) (diagnostic) marginal ms per file, ${sizes[i]} → ${files} files (cold sessions)`,
      pasv: marginal('pasv', sizes[i]!, files),
      lftp: marginal('lftp', sizes[i]!, files),
      unit: 'ms' as const,
      target: '—',
      met: null,
    })),
    {
      case: `i. (a) (diagnostic) per-file CPU, max/min over ${sizes.join(' / ')} files (warm)`,
      pasv: flatness('warm', 'cpuMsPerFile'),
      lftp: flatness('lftp', 'cpuMsPerFile'),
      unit: '×',
      target: '—',
      met: null,
    },
  );
  const list = (samples: Sample[], field: string) => samples.map((s) => (s[field] as number).toFixed(2)).join(', ');
  const notes = sizes.map((files) => {
    const [pasv, warm, lftp] = [of('pasv', files), of('warm', files), of('lftp', files)];
    return (
      `${files} files (${Math.ceil(files / PER_FOLDER)} folder(s), ${options.runs[files]} run(s) each): ms per file pasv running ` +
      `${list(warm, 'msPerFile')}, pasv fresh ${list(pasv, 'msPerFile')}, lftp ${list(lftp, 'msPerFile')}; CPU ms per file ` +
      `pasv running ${list(warm, 'cpuMsPerFile')}, pasv fresh ${list(pasv, 'cpuMsPerFile')}, lftp ${list(lftp, 'cpuMsPerFile')}; ` +
      `TIME_WAIT before each run ${[...pasv, ...warm, ...lftp]
        .sort((x, y) => x.run - y.run)
        .map((s) => `${s.variant as string} ${s.timeWaitBefore}`)
        .join(', ')}.`
    );
  });
  notes.push(
    `(a) method: one vsftpd pair for all sizes, trees /t100, /t1000, /t10000 of 4 KiB random files in folders of up to ${PER_FOLDER}; ` +
      'per size, the three runs rotate (who goes first moves each round) and the sizes are interleaved round by round. ' +
      'pasv: the bundled server as `npm start` runs it, one backend process for the whole case; CPU is its own (every ' +
      `thread: HTTP, queue, SQLite, events, FTP). pasv fresh: each run adds two sites of its own (cold sessions, like lftp's ` +
      `process) and removes them after; site maxConnections ${CONCURRENCY}, POST /api/transfers of the tree, timed to its done ` +
      `event. pasv running: two sites kept for the whole case after one unmeasured copy of /t${sizes[0]}, as pasv runs for a ` +
      "user: their pooled sessions stay logged in between transfers, so a run's fixed part is the walk and the lanes' first files, " +
      `not logins; the flatness target is read on it. lftp: \`mirror --parallel=${CONCURRENCY}\` ` +
      'with FXP forced, wall time and CPU of the process. Every copy is checked byte for byte (all files hashed). ' +
      'Each file leaves a data connection in TIME_WAIT for 60 s (tcp_tw_reuse lets loopback reuse them); a 10 000-file run adds ' +
      '~10 000 of them, and every tool connects slower among them, so each run waits (up to 55 s: pooled sessions close after 60 s idle) until fewer than ' +
      '5000 are left (counts above); a 10 000-file run still meets its own. The machine is shared: per-file CPU is the steadier figure.',
  );
  return { rows, samples: [...byKey.values()].flat(), notes };
}

export async function scale(options: ScaleOptions): Promise<CaseResult> {
  const a = await perFileCosts(options);
  const b = await queuedTree(options.queuedFiles);
  return {
    id: 'i',
    title: 'scale: cost per file 100 → 10 000 files; a queued 100 000-file tree',
    rows: [...a.rows, ...b.rows],
    samples: a.samples,
    notes: [...a.notes, ...b.notes],
    details: b.details,
  };
}
