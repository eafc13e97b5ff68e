/**
 * The controller's own cost per file (issue 10): 1000 × 4 KiB by FXP between two vsftpds on
 * loopback, through the transfer service in this process (a fresh app per run, as the bench),
 * measured by CPU time (process.cpuUsage) rather than wall time, which a shared machine makes
 * noisy. Not a test: run it by hand, as root (vsftpd logs in a system account).
 *
 *   npx tsx server/test/perf-small-files.ts [--runs 3] [--concurrency 1,4] [--files 1000] [--profile out.cpuprofile]
 *
 * One unmeasured warm-up run first (a long-running backend has its code compiled); the order
 * of the concurrencies alternates per run.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { assertDone, startBenchApp } from '../../bench/app.js';
import { median } from '../../bench/measure.js';
import { profileHere, summarizeProfile, type CpuProfile } from '../../bench/profile.js';
import { startVsftpdPair, writeSmallFiles, type ServerPair } from '../../bench/servers.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '1,4' },
    files: { type: 'string', default: '1000' },
    profile: { type: 'string' },
    /** Record the measured run with `perf record -e cpu-clock -g` (on-CPU samples only, kernel included) into this file; start node with --perf-basic-prof. */
    perf: { type: 'string' },
  },
});
const runs = Number(values.runs);
const concurrencies = values.concurrency.split(',').map(Number);
const files = Number(values.files);

interface Measured {
  concurrency: number;
  cpuMsPerFile: number;
  filesPerSecond: number;
}

/** With `profile`, the measured window alone (POST to done) is profiled. */
async function copyOnce(pair: ServerPair, concurrency: number, profile?: (profile: CpuProfile) => void): Promise<Measured> {
  pair.wipeDestination();
  const app = await startBenchApp({ PASV_CONCURRENCY: String(concurrency) });
  try {
    const site = (name: string, server: ServerPair['source']) =>
      app.addSite({ name, host: server.host, port: server.port, user: server.user, password: server.password, maxConnections: concurrency });
    const source = await site('source', pair.source);
    const destination = await site('destination', pair.destination);
    const cpu = process.cpuUsage();
    const startedAt = performance.now();
    const window = [process.hrtime.bigint()];
    const copy = async () => {
      const created = await app.createTransfer({ source: { siteId: source, path: '/dir' }, destination: { siteId: destination, dir: '/' } });
      return app.finished(created.id);
    };
    let transfer: Awaited<ReturnType<typeof copy>>;
    if (profile) {
      const profiled = await profileHere(copy);
      profile(profiled.profile);
      transfer = profiled.result;
    } else transfer = await copy();
    const wallMs = performance.now() - startedAt;
    const used = process.cpuUsage(cpu);
    window.push(process.hrtime.bigint());
    // For `perf script --time`: the measured window in CLOCK_MONOTONIC seconds.
    if (values.perf) console.log(`window ${window.map((t) => (Number(t) / 1e9).toFixed(6)).join(',')}`);
    assertDone(transfer, files);
    return { concurrency, cpuMsPerFile: (used.user + used.system) / 1000 / files, filesPerSecond: files / (wallMs / 1000) };
  } finally {
    await app.close();
  }
}

const pair = await startVsftpdPair();
try {
  writeSmallFiles(pair.source, 'dir', files, 4096);
  await copyOnce(pair, concurrencies[0]!); // warm-up
  if (values.profile) {
    let profile!: CpuProfile;
    await copyOnce(pair, concurrencies[concurrencies.length - 1]!, (p) => (profile = p));
    fs.writeFileSync(values.profile, JSON.stringify(profile));
    const summary = summarizeProfile(profile, 25);
    console.log(`profile: ${summary.total} ms sampled`);
    for (const spot of summary.files) console.log(`  file ${spot.percent.toFixed(1).padStart(5)} %  ${spot.ms} ms  ${spot.name}`);
    for (const spot of summary.functions) console.log(`  fn   ${spot.percent.toFixed(1).padStart(5)} %  ${spot.ms} ms  ${spot.name}`);
  }
  if (values.perf) {
    const recorder = spawn('perf', ['record', '-k', 'CLOCK_MONOTONIC', '-e', 'cpu-clock', '-F', '2000', '-g', '-p', String(process.pid), '-o', values.perf], {
      stdio: 'inherit',
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const measured = await copyOnce(pair, concurrencies[concurrencies.length - 1]!);
    console.log(`perf run c${measured.concurrency}: ${measured.cpuMsPerFile.toFixed(3)} ms CPU/file`);
    const exited = new Promise((resolve) => recorder.once('exit', resolve));
    recorder.kill('SIGINT');
    await exited;
  }
  const results: Measured[] = [];
  for (let run = 0; run < runs; run++) {
    const order = run % 2 === 0 ? concurrencies : [...concurrencies].reverse();
    for (const concurrency of order) {
      const measured = await copyOnce(pair, concurrency);
      results.push(measured);
      console.log(
        `run ${run} c${concurrency}: ${measured.cpuMsPerFile.toFixed(3)} ms CPU/file, ${measured.filesPerSecond.toFixed(0)} files/s`,
      );
    }
  }
  for (const concurrency of concurrencies) {
    const mine = results.filter((r) => r.concurrency === concurrency);
    const cpu = mine.map((r) => r.cpuMsPerFile);
    const rate = mine.map((r) => r.filesPerSecond);
    console.log(
      `c${concurrency} (${mine.length} runs): CPU/file best ${Math.min(...cpu).toFixed(3)} median ${median(cpu).toFixed(3)} ms; ` +
        `files/s best ${Math.max(...rate).toFixed(0)} median ${median(rate).toFixed(0)}`,
    );
  }
} finally {
  await pair.stop();
}
