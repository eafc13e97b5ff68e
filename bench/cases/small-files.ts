/**
 * a. 1000 × 4 KiB in one directory by FXP, at concurrency 1 and 4: pasv through its transfer
 * service (POST /api/transfers, time until the transfer is done) against
 * `lftp mirror --parallel=N` between two ftp:// URLs with FXP forced, and both against the
 * floor (floor.ts: the least a controller can send per file, in a process of its own).
 */
import { startBackend } from '../backend-process.js';
import { log, median, sampled, type Sample } from '../measure.js';
import { describeHotSpots, saveProfile, summarizeProfile, type CpuProfile } from '../profile.js';
import type { CaseResult, Row } from '../report.js';
import { startVsftpdPair, writeSmallFiles } from '../servers.js';
import { DIR, engineRun, FILES, floorRun, lftpRun, pasvRun, SIZE, type Measured } from '../small-files-runs.js';

export interface SmallFilesOptions {
  runs: number;
  concurrencies: number[];
  /**
   * At concurrency 1 also time the engine alone (copyFile in a loop over two SessionSlots,
   * no service) and profile one extra, unmeasured service run: that splits pasv's time
   * between the FTP exchange and the service around it.
   */
  diagnose?: boolean;
}

type Tool = 'pasv' | 'lftp' | 'engine' | 'floor';

const middle = (s: Sample[]) => median(s.map((x) => x.value));
const best = (s: Sample[]) => Math.min(...s.map((x) => x.value));
const cpuPerFile = (s: Sample[]) => median(s.map((x) => x.cpuMs as number)) / FILES;
const bestCpuPerFile = (s: Sample[]) => Math.min(...s.map((x) => x.cpuMs as number)) / FILES;

/** Issue 10's done-when for case a is set at concurrency 4; at 1 the older goal stands. */
function rowsAt(concurrency: number, by: Map<Tool, Sample[]>): Row[] {
  const [pasv, lftp, floor] = (['pasv', 'lftp', 'floor'] as const).map((tool) => by.get(tool)!);
  const four = concurrency === 4;
  const label = `a. 1000 × 4 KiB FXP, concurrency ${concurrency}`;
  const row = (name: string, a: number, b: number, target = '—', met: boolean | null = null): Row => ({
    case: name,
    pasv: a,
    lftp: b,
    unit: 'ms',
    target,
    met,
  });
  return [
    four
      ? row(label, middle(pasv), middle(lftp), '≤ 0.8 × lftp (goal 0.5)', middle(pasv) <= 0.8 * middle(lftp))
      : row(label, middle(pasv), middle(lftp), '≤ 0.5 × lftp', middle(pasv) <= 0.5 * middle(lftp)),
    row(`${label}: best`, best(pasv), best(lftp)),
    row(`a. (diagnostic) floor, concurrency ${concurrency}`, middle(floor), middle(lftp)),
    four
      ? row(
          `${label}: pasv (vs floor)`,
          middle(pasv),
          middle(floor),
          '≤ 1.25 × floor',
          middle(pasv) <= 1.25 * middle(floor),
        )
      : row(`${label}: pasv (vs floor)`, middle(pasv), middle(floor)),
    row(`${label}: pasv (vs floor), best`, best(pasv), best(floor)),
    row(
      `a. controller CPU per file, concurrency ${concurrency}`,
      cpuPerFile(pasv),
      cpuPerFile(lftp),
      '≤ 1 × lftp',
      cpuPerFile(pasv) <= cpuPerFile(lftp),
    ),
  ];
}

/** Files/s at the highest concurrency ÷ at the lowest: the same 1000 files, so time at low ÷ time at high. */
function scalingRows(low: number, high: number, at: Map<number, Map<Tool, Sample[]>>): Row[] {
  const [slow, fast] = [at.get(low)!, at.get(high)!];
  const gain = (tool: Tool, of: (s: Sample[]) => number) => of(slow.get(tool)!) / of(fast.get(tool)!);
  const label = `a. files/s at concurrency ${high} ÷ concurrency ${low}`;
  const row = (name: string, pasv: number, lftp: number, target = '—', met: boolean | null = null): Row => ({
    case: name,
    pasv,
    lftp,
    unit: '×',
    target,
    met,
  });
  return [
    row(`${label}: median`, gain('pasv', middle), gain('lftp', middle), '≥ 1.3', gain('pasv', middle) >= 1.3),
    row(`${label}: best`, gain('pasv', best), gain('lftp', best)),
    row(
      `a. (diagnostic) floor: files/s at concurrency ${high} ÷ concurrency ${low}`,
      gain('floor', middle),
      gain('lftp', middle),
    ),
  ];
}

export async function smallFiles(options: SmallFilesOptions): Promise<CaseResult> {
  const rows: Row[] = [];
  const samples: Sample[] = [];
  const notes: string[] = [];
  const details: Record<string, unknown> = {};
  const at = new Map<number, Map<Tool, Sample[]>>();
  for (const concurrency of options.concurrencies) {
    const pair = await startVsftpdPair();
    const backend = await startBackend({ PASV_CONCURRENCY: String(concurrency) });
    try {
      writeSmallFiles(pair.source, DIR, FILES, SIZE);
      const diagnose = options.diagnose === true && concurrency === 1;
      const tools: Tool[] = diagnose ? ['pasv', 'lftp', 'floor', 'engine'] : ['pasv', 'lftp', 'floor'];
      const byTool = new Map<Tool, Sample[]>(tools.map((tool) => [tool, []]));
      const work: Record<Tool, () => Promise<Measured>> = {
        pasv: () => pasvRun(pair, concurrency, { backend }),
        lftp: () => lftpRun(pair, concurrency),
        floor: () => floorRun(pair, concurrency),
        engine: () => engineRun(pair),
      };
      // One unmeasured round first: the servers' caches and V8's compilation of pasv's hot path
      // (its first copy in a process spends several hundred ms more CPU, most of it in V8's
      // compiler threads) are then warm for every measured run, as in a server that has run before.
      for (const tool of tools) {
        pair.wipeDestination();
        await work[tool]();
      }
      for (let run = 0; run < options.runs; run++) {
        // Rotate who goes first: each tool inherits the others' TIME_WAIT sockets equally.
        const order = tools.map((_, i) => tools[(i + run) % tools.length]!);
        for (const tool of order) {
          pair.wipeDestination();
          const sample = await sampled(run, tool === 'engine' ? 'pasv' : tool, work[tool]);
          sample.concurrency = concurrency;
          sample.variant = tool;
          byTool.get(tool)!.push(sample);
          log(
            `a c=${concurrency} run ${run} ${tool}: ${sample.value.toFixed(0)} ms, CPU ${(sample.cpuMs as number).toFixed(0)} ms ` +
              `(TIME_WAIT ${sample.timeWaitBefore} → ${sample.timeWaitAfter})`,
          );
        }
      }
      at.set(concurrency, byTool);
      const pasv = byTool.get('pasv')!;
      const lftp = byTool.get('lftp')!;
      const floor = byTool.get('floor')!;
      const engine = byTool.get('engine') ?? [];
      samples.push(...pasv, ...lftp, ...floor, ...engine);
      const pasvMs = middle(pasv);
      rows.push(...rowsAt(concurrency, byTool));
      const commands = (s: Sample[]) => JSON.stringify(s[s.length - 1]?.commandsPerFile ?? {});
      const cpu = (s: Sample[]) => median(s.map((x) => x.cpuMs as number)).toFixed(0);
      const runs = (s: Sample[]) => s.map((x) => x.value.toFixed(0)).join(', ');
      const perFileCpu = (s: Sample[]) => `${cpuPerFile(s).toFixed(3)} ms (best ${bestCpuPerFile(s).toFixed(3)})`;
      notes.push(
        `concurrency ${concurrency}: pasv ${runs(pasv)} ms; lftp ${runs(lftp)} ms; floor ${runs(floor)} ms (median of ${options.runs}). ` +
          `Per file pasv ${(pasvMs / FILES).toFixed(2)} ms, lftp ${(middle(lftp) / FILES).toFixed(2)} ms, ` +
          `floor ${(middle(floor) / FILES).toFixed(2)} ms; the floor's logins took ${median(floor.map((x) => x.loginMs as number)).toFixed(0)} ms.`,
        `concurrency ${concurrency}: commands per file (both servers, from vsftpd's log) — pasv ${commands(pasv)}; ` +
          `lftp ${commands(lftp)}; floor ${commands(floor)}.`,
        `concurrency ${concurrency}: CPU per run (median) — pasv ${cpu(pasv)} ms (its backend process: HTTP, queue, SQLite, events, FTP), ` +
          `lftp ${cpu(lftp)} ms, floor ${cpu(floor)} ms; per file pasv ${perFileCpu(pasv)}, lftp ${perFileCpu(lftp)}, ` +
          `floor ${perFileCpu(floor)}. TIME_WAIT before each run: ` +
          `${[...pasv, ...lftp, ...floor, ...engine]
            .sort((x, y) => x.run - y.run)
            .map((s) => `${s.variant} ${s.timeWaitBefore}`)
            .join(', ')}.`,
      );
      if (diagnose) {
        const engineMs = middle(engine);
        rows.push({
          case: 'a. (diagnostic) engine alone, concurrency 1',
          pasv: engineMs,
          lftp: middle(lftp),
          unit: 'ms',
          target: '—',
          met: null,
        });
        notes.push(
          `engine alone (copyFile in a loop over 2 SessionSlots + a probe, no service): ${runs(engine)} ms, CPU ${cpu(engine)} ms per run; ` +
            `commands per file ${commands(engine)}. Of its ${(engineMs / FILES).toFixed(2)} ms per file, the data phase (STOR/RETR sent → ` +
            `both 226, i.e. the two vsftpds connecting and moving 4 KiB) takes ${median(engine.map((x) => x.dataPhaseMsPerFile as number)).toFixed(2)} ms; ` +
            `the rest is the four other round trips (SIZE, PASV, PORT, SIZE) and our own work. ` +
            `The service adds ${((pasvMs - engineMs) / FILES).toFixed(2)} ms per file on top.`,
        );
        pair.wipeDestination();
        const { profile } = (await pasvRun(pair, concurrency, { backend, profile: true })) as { profile: CpuProfile };
        const summary = summarizeProfile(profile, 12);
        details.profileConcurrency1 = summary;
        notes.push(
          `profile of one extra (unmeasured) pasv run at concurrency 1 (${saveProfile('a-concurrency-1', profile)}), ` +
            `${summary.total} ms sampled — self time by file: ${describeHotSpots(summary.files)}.`,
          `… by function: ${describeHotSpots(summary.functions)}.`,
        );
      }
    } finally {
      await backend.stop();
      pair.wipeDestination();
      await pair.stop();
    }
  }
  const [low, high] = [Math.min(...at.keys()), Math.max(...at.keys())];
  if (low !== high) rows.push(...scalingRows(low, high, at));
  notes.push(
    'Each concurrency starts with one unmeasured run of every tool (caches and V8 warm), then the measured runs. ' +
      "pasv: the bundled server as `npm start` runs it, in a backend process kept for the concurrency's runs; each run adds two " +
      'sites of its own (cold sessions, like lftp) and removes them after; site maxConnections = concurrency, POST /api/transfers of /dir → /, ' +
      "timed from the POST to the transfer's `done` event. lftp: `mirror --parallel=N ftp://…/dir ftp://…/dir` with " +
      '`ftp:use-fxp yes`, `ftp:fxp-force yes`; wall time of the process, logins included. The destination is emptied before ' +
      'every run and checked after it: exactly the 1000 files, each with the size and SHA-256 of its source.',
    'floor (bench/floor.ts, raw node:net sockets, in a bundled child process of its own): N source + destination pairs logged in ' +
      'cold (USER, PASS, TYPE I), one MKD, then per file, each pair taking the next name of the known list: destination PASV → 227; ' +
      'at once PORT + RETR (one write) to the source and STOR to the destination; both 226. Its time and CPU run from its first ' +
      'connect to its last 226 (node\'s own start-up left out). In the table, a row "(diagnostic) floor" has the floor in the pasv ' +
      'column; a row "pasv (vs floor)" has it in the lftp column, so its ratio is pasv / floor.',
    "Controller CPU: pasv's is its backend process's (the bundled server as `npm start` runs it, every thread, over the timed window), " +
      "lftp's its process's (/usr/bin/time, start-up included), the floor's its process's.",
  );
  return { id: 'a', title: '1000 × 4 KiB directory by FXP', rows, samples, notes, details };
}
