/**
 * A controller process that copies one file with pasv's engine (copyFile over SessionSlots,
 * a probe polling the destination's size as the service does) and reports its own wall
 * time, CPU time and peak RSS, logins included, as lftp's numbers include them.
 * Runs bundled (see bundle.ts) so neither a TypeScript loader nor the bench is in its memory.
 * Input: one JSON argument (CopyChildInput); output: one JSON line (CopyChildOutput) on stdout.
 */
import { copyFile, SessionSlot, type CopyMode } from '../server/src/ftp/copy.js';
import type { SessionOptions } from '../server/src/ftp/session.js';
import { processMemoryKiB } from './measure.js';
import { tracedSlot, type TracedLine } from './trace.js';

export interface CopyChildInput {
  source: SessionOptions;
  destination: SessionOptions;
  sourcePath: string;
  destinationPath: string;
  mode: CopyMode;
  /**
   * Copied first, unmeasured, over sessions of their own: the long-running backend has its
   * code compiled; a fresh node process would otherwise bill V8's lazy compilation to the copy.
   */
  warmUpPath?: string;
}

export interface CopyChildOutput {
  wallMs: number;
  userMs: number;
  sysMs: number;
  /** VmHWM: the process's peak resident set, startup included. */
  peakRssKiB: number;
  /** VmRSS right before the copy started (after the logins). */
  rssBeforeKiB: number;
  /** CPU time of the transfer phase alone (from the FXP/relay attempt to the verified end). */
  transferCpuMs: number;
  transferWallMs: number;
  bytes: number;
  mode: string | null;
  /** What happened when, ms after the start: logins, commands, replies. */
  timeline: string[];
}

async function warmUp(input: CopyChildInput): Promise<void> {
  if (!input.warmUpPath) return;
  const slots = [input.source, input.destination, input.destination].map(
    (o) => new SessionSlot({ ...o, keepaliveMs: 0 }),
  );
  try {
    await copyFile({
      source: slots[0]!,
      destination: slots[1]!,
      probe: slots[2]!,
      sourcePath: input.warmUpPath,
      destinationPath: input.warmUpPath,
      mode: input.mode,
    });
  } finally {
    await Promise.all(slots.map((slot) => slot.close()));
  }
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] ?? '{}') as CopyChildInput;
  await warmUp(input);
  const rssBeforeKiB = processMemoryKiB().rss;
  const timeline: string[] = [];
  const cpu = process.cpuUsage();
  const startedAt = performance.now();
  let transferCpu: NodeJS.CpuUsage | undefined;
  let transferStartedAt = 0;
  const record = (line: TracedLine) => {
    const word = line.line.split(' ')[0]!;
    if (line.direction === 'sent' || /^(logged|150|226|227|213)$/.test(word)) {
      timeline.push(`${line.session} ${word === 'logged' ? 'logged in' : word} +${(line.atMs - startedAt).toFixed(0)}`);
    }
  };
  const source = tracedSlot(input.source, 'src', record);
  const destination = tracedSlot(input.destination, 'dst', record);
  const probe = tracedSlot(input.destination, 'probe', record);
  try {
    const result = await copyFile({
      source,
      destination,
      probe,
      sourcePath: input.sourcePath,
      destinationPath: input.destinationPath,
      mode: input.mode,
      onAttempt: () => {
        transferCpu = process.cpuUsage();
        transferStartedAt = performance.now();
      },
      // Not a test: no shortened watchdogs, the service's defaults.
    });
    const wallMs = performance.now() - startedAt;
    const used = process.cpuUsage(cpu);
    const usedInTransfer = process.cpuUsage(transferCpu);
    const output: CopyChildOutput = {
      wallMs,
      userMs: used.user / 1000,
      sysMs: used.system / 1000,
      transferCpuMs: (usedInTransfer.user + usedInTransfer.system) / 1000,
      transferWallMs: performance.now() - transferStartedAt,
      peakRssKiB: processMemoryKiB().peak,
      rssBeforeKiB,
      bytes: result.bytes,
      mode: result.mode,
      timeline,
    };
    process.stdout.write(`${JSON.stringify(output)}\n`);
  } finally {
    await Promise.all([source.close(), destination.close(), probe.close()]);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
