/**
 * a. 1000 × 4 KiB in one directory by FXP, at concurrency 1 and 4: pasv through its transfer
 * service (POST /api/transfers, time until the transfer is done) against
 * `lftp mirror --parallel=N` between two ftp:// URLs with FXP forced.
 */
import fs from 'node:fs';
import path from 'node:path';
import { assertDone, startBenchApp } from '../app.js';
import { copyFile } from '../../server/src/ftp/copy.js';
import { ensureDirectory } from '../../server/src/ftp/ops.js';
import { ftpUrl, runLftp } from '../lftp.js';
import { KiB, log, median, nowMs, sampled, type Sample } from '../measure.js';
import { describeHotSpots, profileHere, saveProfile, summarizeProfile } from '../profile.js';
import type { CaseResult, Row } from '../report.js';
import { commandLog, startVsftpdPair, writeSmallFiles, type ServerPair } from '../servers.js';
import { DataPhaseMeter, tracedSlot } from '../trace.js';

const FILES = 1000;
const SIZE = 4 * KiB;

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

function countCopied(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    files++;
    bytes += fs.statSync(path.join(dir, name)).size;
  }
  return { files, bytes };
}

function checkCopied(pair: ServerPair): void {
  const { files, bytes } = countCopied(path.join(pair.destination.root, 'dir'));
  if (files !== FILES || bytes !== FILES * SIZE) {
    throw new Error(`the destination holds ${files} files / ${bytes} bytes, expected ${FILES} / ${FILES * SIZE}`);
  }
}

/** Commands per copied file, both servers together, by verb (from vsftpd's protocol log). */
function perFile(counts: Record<string, number>[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const side of counts) for (const [verb, n] of Object.entries(side)) total[verb] = (total[verb] ?? 0) + n;
  return Object.fromEntries(Object.entries(total).map(([verb, n]) => [verb, Math.round((n / FILES) * 100) / 100]));
}

/** The engine alone: what the FTP exchange costs per file, without queue, store or events. */
async function engineRun(pair: ServerPair): Promise<{ value: number } & Record<string, unknown>> {
  const options = (server: ServerPair['source']) => ({
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
  });
  const dataPhase = new DataPhaseMeter();
  const source = tracedSlot(options(pair.source), 'source', dataPhase.onLine);
  const destination = tracedSlot(options(pair.destination), 'destination', dataPhase.onLine);
  const probe = tracedSlot(options(pair.destination), 'probe', () => undefined);
  const logs = [commandLog(pair.source), commandLog(pair.destination)];
  logs.forEach((l) => l.mark());
  const cpu = process.cpuUsage();
  const startedAt = nowMs();
  try {
    await ensureDirectory(await destination.acquire(), '/dir');
    for (let i = 0; i < FILES; i++) {
      const file = `/dir/f${String(i).padStart(5, '0')}.bin`;
      await copyFile({ source, destination, probe, sourcePath: file, destinationPath: file });
    }
    const value = nowMs() - startedAt;
    const used = process.cpuUsage(cpu);
    checkCopied(pair);
    return {
      value,
      cpuMs: (used.user + used.system) / 1000,
      commandsPerFile: perFile(logs.map((l) => l.counts())),
      dataPhaseMsPerFile: dataPhase.totalMs / dataPhase.copies,
    };
  } finally {
    await Promise.all([source.close(), destination.close(), probe.close()]);
  }
}

async function pasvRun(pair: ServerPair, concurrency: number): Promise<{ value: number } & Record<string, unknown>> {
  const app = await startBenchApp({ PASV_CONCURRENCY: String(concurrency) });
  try {
    const { source, destination } = await app.addPair(pair, concurrency);
    const logs = [commandLog(pair.source), commandLog(pair.destination)];
    logs.forEach((l) => l.mark());
    const cpu = process.cpuUsage();
    const startedAt = nowMs();
    const created = await app.createTransfer({
      source: { siteId: source, path: '/dir' },
      destination: { siteId: destination, dir: '/' },
    });
    const transfer = await app.finished(created.id);
    const value = nowMs() - startedAt;
    const used = process.cpuUsage(cpu);
    assertDone(transfer, FILES);
    checkCopied(pair);
    return { value, cpuMs: (used.user + used.system) / 1000, commandsPerFile: perFile(logs.map((l) => l.counts())) };
  } finally {
    await app.close();
  }
}

async function lftpRun(pair: ServerPair, concurrency: number): Promise<{ value: number } & Record<string, unknown>> {
  const logs = [commandLog(pair.source), commandLog(pair.destination)];
  logs.forEach((l) => l.mark());
  const result = await runLftp([
    'set ftp:use-fxp yes',
    'set ftp:fxp-force yes',
    `mirror --parallel=${concurrency} ${ftpUrl(pair.source, '/dir')} ${ftpUrl(pair.destination, '/dir')}`,
  ]);
  checkCopied(pair);
  return {
    value: result.wallMs,
    cpuMs: result.userMs + result.sysMs,
    maxRssKiB: result.maxRssKiB,
    commandsPerFile: perFile(logs.map((l) => l.counts())),
  };
}

type Tool = 'pasv' | 'lftp' | 'engine';

export async function smallFiles(options: SmallFilesOptions): Promise<CaseResult> {
  const rows: Row[] = [];
  const samples: Sample[] = [];
  const notes: string[] = [];
  const details: Record<string, unknown> = {};
  for (const concurrency of options.concurrencies) {
    const pair = await startVsftpdPair();
    try {
      writeSmallFiles(pair.source, 'dir', FILES, SIZE);
      const diagnose = options.diagnose === true && concurrency === 1;
      const tools: Tool[] = diagnose ? ['pasv', 'lftp', 'engine'] : ['pasv', 'lftp'];
      const byTool = new Map<Tool, Sample[]>(tools.map((tool) => [tool, []]));
      for (let run = 0; run < options.runs; run++) {
        // Rotate who goes first: each tool inherits the others' TIME_WAIT sockets equally.
        const order = tools.map((_, i) => tools[(i + run) % tools.length]!);
        for (const tool of order) {
          pair.wipeDestination();
          const work =
            tool === 'pasv'
              ? () => pasvRun(pair, concurrency)
              : tool === 'lftp'
                ? () => lftpRun(pair, concurrency)
                : () => engineRun(pair);
          const sample = await sampled(run, tool === 'lftp' ? 'lftp' : 'pasv', work);
          sample.concurrency = concurrency;
          sample.variant = tool;
          byTool.get(tool)!.push(sample);
          log(
            `a c=${concurrency} run ${run} ${tool}: ${sample.value.toFixed(0)} ms (TIME_WAIT ${sample.timeWaitBefore} → ${sample.timeWaitAfter})`,
          );
        }
      }
      const pasv = byTool.get('pasv')!;
      const lftp = byTool.get('lftp')!;
      const engine = byTool.get('engine') ?? [];
      samples.push(...pasv, ...lftp, ...engine);
      const pasvMs = median(pasv.map((s) => s.value));
      const lftpMs = median(lftp.map((s) => s.value));
      rows.push({
        case: `a. 1000 × 4 KiB FXP, concurrency ${concurrency}`,
        pasv: pasvMs,
        lftp: lftpMs,
        unit: 'ms',
        target: '≤ 0.5 × lftp',
        met: pasvMs <= 0.5 * lftpMs,
      });
      const commands = (s: Sample[]) => JSON.stringify(s[s.length - 1]?.commandsPerFile ?? {});
      const cpu = (s: Sample[]) => median(s.map((x) => x.cpuMs as number)).toFixed(0);
      const runs = (s: Sample[]) => s.map((x) => x.value.toFixed(0)).join(', ');
      notes.push(
        `concurrency ${concurrency}: pasv ${runs(pasv)} ms; lftp ${runs(lftp)} ms (median of ${options.runs}). ` +
          `Per file pasv ${(pasvMs / FILES).toFixed(2)} ms, lftp ${(lftpMs / FILES).toFixed(2)} ms.`,
        `concurrency ${concurrency}: commands per file (both servers, from vsftpd's log) — pasv ${commands(pasv)}; lftp ${commands(lftp)}.`,
        `concurrency ${concurrency}: CPU per run (median) — pasv ${cpu(pasv)} ms (in-process: HTTP, queue, SQLite, events, FTP), ` +
          `lftp ${cpu(lftp)} ms. TIME_WAIT before each run: ` +
          `${[...pasv, ...lftp, ...engine]
            .sort((x, y) => x.run - y.run)
            .map((s) => `${s.variant} ${s.timeWaitBefore}`)
            .join(', ')}.`,
      );
      if (diagnose) {
        const engineMs = median(engine.map((s) => s.value));
        rows.push({
          case: 'a. (diagnostic) engine alone, concurrency 1',
          pasv: engineMs,
          lftp: lftpMs,
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
        const { profile } = await profileHere(() => pasvRun(pair, concurrency));
        const summary = summarizeProfile(profile, 12);
        details.profileConcurrency1 = summary;
        notes.push(
          `profile of one extra (unmeasured) pasv run at concurrency 1 (${saveProfile('a-concurrency-1', profile)}), ` +
            `${summary.total} ms sampled — self time by file: ${describeHotSpots(summary.files)}.`,
          `… by function: ${describeHotSpots(summary.functions)}.`,
        );
      }
    } finally {
      pair.wipeDestination();
      await pair.stop();
    }
  }
  notes.push(
    'pasv: a fresh app per run (cold sessions, like lftp), site maxConnections = concurrency, POST /api/transfers of /dir → /, ' +
      "timed from the POST to the transfer's `done` event. lftp: `mirror --parallel=N ftp://…/dir ftp://…/dir` with " +
      '`ftp:use-fxp yes`, `ftp:fxp-force yes`; wall time of the process, logins included. The destination is emptied before every run.',
  );
  return { id: 'a', title: '1000 × 4 KiB directory by FXP', rows, samples, notes, details };
}
