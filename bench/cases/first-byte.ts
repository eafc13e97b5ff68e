/**
 * d. From POST /api/transfers to the first byte on the destination's disk, with warm
 * sessions (a first transfer filled the pool). The destination file is watched with
 * fs.watch and, as a fallback, stat'ed every millisecond. lftp has no queue to post to:
 * its time from spawn to the first byte of a `get` FXP (logins included) is a reference.
 */
import fs from 'node:fs';
import path from 'node:path';
import { assertDone, startBenchApp } from '../app.js';
import { ftpUrl, runLftp } from '../lftp.js';
import { MiB, log, median, nowMs, sampled, type Sample } from '../measure.js';
import type { CaseResult, Row } from '../report.js';
import { makeDirectory, startVsftpdPair, writeRandomFile } from '../servers.js';

export interface FirstByteOptions {
  runs: number;
}

/** Resolves with nowMs() when `file` first holds a byte. */
function firstByteOf(file: string, timeoutMs = 30_000): { arrived: Promise<number>; cancel(): void } {
  let watcher: fs.FSWatcher | null = null;
  let timer: NodeJS.Timeout | null = null;
  let deadline: NodeJS.Timeout | null = null;
  const cancel = () => {
    watcher?.close();
    if (timer) clearInterval(timer);
    if (deadline) clearTimeout(deadline);
  };
  const arrived = new Promise<number>((resolve, reject) => {
    const check = () => {
      let size: number;
      try {
        size = fs.statSync(file).size;
      } catch {
        return;
      }
      if (size > 0) {
        cancel();
        resolve(nowMs());
      }
    };
    watcher = fs.watch(path.dirname(file), check);
    timer = setInterval(check, 1);
    deadline = setTimeout(() => {
      cancel();
      reject(new Error(`no byte in ${file} within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  return { arrived, cancel };
}

export async function firstByte(options: FirstByteOptions): Promise<CaseResult> {
  const pair = await startVsftpdPair();
  const app = await startBenchApp({ PASV_CONCURRENCY: '4' });
  const samples: Sample[] = [];
  let timeline: string[];
  try {
    writeRandomFile(pair.source, 'seed.bin', 8 * MiB);
    const site = (name: string, server: typeof pair.source) =>
      app.addSite({ name, host: server.host, port: server.port, user: server.user, password: server.password });
    const source = await site('source', pair.source);
    const destination = await site('destination', pair.destination);
    const post = () =>
      app.createTransfer({
        source: { siteId: source, path: '/seed.bin' },
        destination: { siteId: destination, dir: '/in' },
      });

    // Warm the pool: sessions on both sites logged in, TYPE I, the probe connected.
    assertDone(await app.finished((await post()).id));
    const target = path.join(pair.destination.root, 'in', 'seed.bin');

    for (let run = 0; run < options.runs; run++) {
      // pasv: the sessions stay warm between runs (the pool keeps them 60 s).
      fs.rmSync(target, { force: true });
      const lines: { at: number; text: string }[] = [];
      const onEvent = (event: { type: string; direction?: string; line?: string }) => {
        if (event.type === 'log' && event.direction === 'sent')
          lines.push({ at: nowMs(), text: event.line!.split(' ')[0]! });
      };
      // The control lines are logged only while someone watches (events.ts), as a dashboard would.
      app.app.services.events.watch();
      app.app.services.events.on('event', onEvent);
      const pasv = await sampled(run, 'pasv', async () => {
        const watch = firstByteOf(target);
        const startedAt = nowMs();
        try {
          const created = await post();
          const value = (await watch.arrived) - startedAt;
          assertDone(await app.finished(created.id));
          return { value, steps: lines.map((l) => `${l.text} +${(l.at - startedAt).toFixed(1)}`) };
        } finally {
          watch.cancel();
          app.app.services.events.off('event', onEvent);
        }
      });
      samples.push(pasv);
      log(`d run ${run} pasv: first byte after ${pasv.value.toFixed(1)} ms`);

      if (run < 3) {
        fs.rmSync(target, { force: true });
        makeDirectory(pair.destination, 'in');
        const lftp = await sampled(run, 'lftp', async () => {
          const watch = firstByteOf(target);
          let startedAt = 0;
          try {
            const done = runLftp(
              [
                'set ftp:use-fxp yes',
                'set ftp:fxp-force yes',
                `get ${ftpUrl(pair.source, '/seed.bin')} -o ${ftpUrl(pair.destination, '/in/seed.bin')}`,
              ],
              { onSpawn: () => (startedAt = nowMs()) },
            );
            const value = (await watch.arrived) - startedAt;
            await done;
            return { value };
          } finally {
            watch.cancel();
          }
        });
        samples.push(lftp);
        log(`d run ${run} lftp: first byte after ${lftp.value.toFixed(1)} ms (cold: process start and logins)`);
      }
    }
    const pasvSamples = samples.filter((s) => s.tool === 'pasv');
    const middle = [...pasvSamples].sort((a, b) => a.value - b.value)[Math.floor(pasvSamples.length / 2)]!;
    timeline = middle.steps as string[];
  } finally {
    // The servers go even when the app fails to close.
    await app.close().finally(() => pair.stop());
  }
  const pasvMs = median(samples.filter((s) => s.tool === 'pasv').map((s) => s.value));
  const lftpMs = median(samples.filter((s) => s.tool === 'lftp').map((s) => s.value));
  const rows: Row[] = [
    {
      case: 'd. POST → first byte at the destination (warm)',
      pasv: pasvMs,
      lftp: lftpMs,
      unit: 'ms',
      target: '< 50 ms',
      met: pasvMs < 50,
      lftpReference: true,
    },
  ];
  const notes = [
    `pasv runs: ${samples
      .filter((s) => s.tool === 'pasv')
      .map((s) => s.value.toFixed(1))
      .join(', ')} ms (median of ${options.runs}); ` +
      `lftp reference runs: ${samples
        .filter((s) => s.tool === 'lftp')
        .map((s) => s.value.toFixed(1))
        .join(', ')} ms.`,
    `Commands pasv sent in the median run, ms after the POST: ${timeline.join(', ')}.`,
    'pasv is in-process (buildApp, concurrency 4), its pool warmed by a first copy of the same 8 MiB file; the clock starts before ' +
      'the HTTP POST and stops when fs.watch / a 1 ms stat sees a byte in the destination file on disk. lftp (`get … -o ftp://…`, ' +
      'FXP forced) starts cold, so its number includes process start and two logins: a reference, not a peer.',
  ];
  return { id: 'd', title: 'time from POST to the first byte at the destination', rows, samples, notes };
}
