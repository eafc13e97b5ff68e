/**
 * b. one 1 GiB file by FXP, c. the same by relay: pasv's engine in a controller process of
 * its own (copy-child.ts) against `lftp get ftp://… -o ftp://…` with FXP forced or off.
 * Each side's wall time, CPU time and peak RSS are its own process's.
 */
import path from 'node:path';
import { runChild } from '../bundle.js';
import type { CopyChildInput, CopyChildOutput } from '../copy-child.js';
import { ftpUrl, runLftp } from '../lftp.js';
import { GiB, log, median, sampled, type Sample } from '../measure.js';
import type { CaseResult, Row } from '../report.js';
import { endpoint, fileSize, sameEnds, startVsftpdPair, writeRandomFile, type ServerPair } from '../servers.js';

const SIZE = GiB;
const NAME = 'big.bin';

export interface BigFileOptions {
  mode: 'fxp' | 'relay';
  runs: number;
}

function checkCopy(pair: ServerPair): void {
  const copied = path.join(pair.destination.root, NAME);
  if (fileSize(copied) !== SIZE || !sameEnds(path.join(pair.source.root, NAME), copied)) {
    throw new Error(`the destination's ${NAME} is not the source's (${fileSize(copied)} bytes)`);
  }
}

export async function bigFile(options: BigFileOptions): Promise<CaseResult> {
  const { mode } = options;
  const pair = await startVsftpdPair();
  const samples: Sample[] = [];
  try {
    const generatedAt = performance.now();
    writeRandomFile(pair.source, NAME, SIZE);
    writeRandomFile(pair.source, 'warm.bin', 256 * 1024);
    log(`${mode}: wrote a 1 GiB source file in ${((performance.now() - generatedAt) / 1000).toFixed(1)} s`);
    const pasvRun = async () => {
      const out = await runChild<CopyChildInput, CopyChildOutput>('copy-child', {
        source: endpoint(pair.source),
        destination: endpoint(pair.destination),
        sourcePath: `/${NAME}`,
        destinationPath: `/${NAME}`,
        mode,
        warmUpPath: '/warm.bin',
      });
      checkCopy(pair);
      if (out.mode !== mode) throw new Error(`pasv copied by ${out.mode}, not ${mode}`);
      return {
        value: out.wallMs,
        cpuMs: out.userMs + out.sysMs,
        userMs: out.userMs,
        sysMs: out.sysMs,
        peakRssKiB: out.peakRssKiB,
        transferCpuMs: out.transferCpuMs,
        transferWallMs: out.transferWallMs,
        timeline: out.timeline,
      };
    };
    const lftpRun = async () => {
      const result = await runLftp([
        `set ftp:use-fxp ${mode === 'fxp' ? 'yes' : 'no'}`,
        ...(mode === 'fxp' ? ['set ftp:fxp-force yes'] : []),
        `get ${ftpUrl(pair.source, `/${NAME}`)} -o ${ftpUrl(pair.destination, `/${NAME}`)}`,
      ]);
      checkCopy(pair);
      return {
        value: result.wallMs,
        cpuMs: result.userMs + result.sysMs,
        userMs: result.userMs,
        sysMs: result.sysMs,
        peakRssKiB: result.maxRssKiB,
      };
    };
    for (let run = 0; run < options.runs; run++) {
      const order = run % 2 === 0 ? (['pasv', 'lftp'] as const) : (['lftp', 'pasv'] as const);
      for (const tool of order) {
        pair.wipeDestination();
        const sample = await sampled(run, tool, tool === 'pasv' ? pasvRun : lftpRun);
        samples.push(sample);
        log(
          `${mode} run ${run} ${tool}: ${(sample.value / 1000).toFixed(2)} s, CPU ${(sample.cpuMs as number).toFixed(0)} ms, peak RSS ${((sample.peakRssKiB as number) / 1024).toFixed(0)} MiB`,
        );
      }
    }
    pair.wipeDestination();
  } finally {
    await pair.stop();
  }

  const of = (tool: Sample['tool']) => samples.filter((s) => s.tool === tool);
  const wall = (tool: Sample['tool']) => median(of(tool).map((s) => s.value));
  // CPU share per run (CPU time / wall time), then the median over runs.
  const cpuShare = (tool: Sample['tool']) => median(of(tool).map((s) => ((s.cpuMs as number) / s.value) * 100));
  const peak = (tool: Sample['tool']) => median(of(tool).map((s) => (s.peakRssKiB as number) / 1024));
  const label = mode === 'fxp' ? 'b. 1 GiB by FXP' : 'c. 1 GiB by relay';
  const pasvWall = wall('pasv');
  const lftpWall = wall('lftp');
  const rows: Row[] = [
    mode === 'fxp'
      ? {
          case: `${label}: time`,
          pasv: pasvWall,
          lftp: lftpWall,
          unit: 'ms',
          target: '≤ 1.05 × lftp',
          met: pasvWall <= 1.05 * lftpWall,
        }
      : {
          case: `${label}: time`,
          pasv: pasvWall,
          lftp: lftpWall,
          unit: 'ms',
          target: '≤ 1.0 × lftp',
          met: pasvWall <= lftpWall,
        },
    mode === 'fxp'
      ? {
          case: `${label}: controller CPU`,
          pasv: cpuShare('pasv'),
          lftp: cpuShare('lftp'),
          unit: '% core',
          target: '< 2 % of a core',
          met: cpuShare('pasv') < 2,
        }
      : {
          case: `${label}: controller CPU`,
          pasv: cpuShare('pasv'),
          lftp: cpuShare('lftp'),
          unit: '% core',
          target: '—',
          met: null,
        },
    {
      case: `${label}: controller peak RSS`,
      pasv: peak('pasv'),
      lftp: peak('lftp'),
      unit: 'MiB',
      target: '—',
      met: null,
    },
  ];
  const list = (tool: Sample['tool']) =>
    of(tool)
      .map((s) => `${(s.value / 1000).toFixed(2)} s / ${(s.cpuMs as number).toFixed(0)} ms CPU`)
      .join(', ');
  const mibPerSecond = (ms: number) => (SIZE / 1024 / 1024 / (ms / 1000)).toFixed(0);
  const pasvSamples = of('pasv');
  const middle = [...pasvSamples].sort((x, y) => x.value - y.value)[Math.floor(pasvSamples.length / 2)];
  const transferShare = median(
    pasvSamples.map((s) => ((s.transferCpuMs as number) / (s.transferWallMs as number)) * 100),
  );
  const notes = [
    `pasv runs: ${list('pasv')}; lftp runs: ${list('lftp')} (median of ${options.runs} each, alternating who goes first).`,
    `pasv's CPU in the transfer phase alone (from the ${mode} attempt to the verified end): ` +
      `${pasvSamples.map((s) => `${(s.transferCpuMs as number).toFixed(0)} ms in ${((s.transferWallMs as number) / 1000).toFixed(2)} s`).join(', ')} ` +
      `→ ${transferShare.toFixed(2)} % of a core (median); the rest is the logins and the SIZE before the attempt.`,
    `pasv timeline of the median run (ms after start; src/dst/probe sessions): ${((middle?.timeline as string[] | undefined) ?? []).join(', ')}.`,
    `Throughput (median): pasv ${mibPerSecond(pasvWall)} MiB/s, lftp ${mibPerSecond(lftpWall)} MiB/s.`,
    mode === 'fxp'
      ? 'pasv: copyFile in mode fxp over two SessionSlots plus a probe slot polling SIZE each second (as the service does), in a ' +
        'bundled child process that first copies a 256 KiB file unmeasured (a long-running backend has its code compiled); ' +
        'wall and CPU from before the logins to the verified end. lftp: `get ftp://…/big.bin -o ftp://…/big.bin` ' +
        'with ftp:use-fxp yes, ftp:fxp-force yes, under /usr/bin/time (wall from spawn to exit). Peak RSS is VmHWM / maxrss of each process.'
      : 'pasv: copyFile in mode relay (both data connections passive, the bytes piped through node with backpressure), bundled child ' +
        'process. lftp: the same `get … -o ftp://…` with ftp:use-fxp no, so the bytes pass through lftp.',
    `TIME_WAIT before each run: ${samples.map((s) => `${s.tool} ${s.timeWaitBefore}`).join(', ')}.`,
  ];
  return {
    id: mode === 'fxp' ? 'b' : 'c',
    title: mode === 'fxp' ? 'one 1 GiB file by FXP' : 'one 1 GiB file by relay',
    rows,
    samples,
    notes,
  };
}
