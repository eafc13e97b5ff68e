/**
 * pasv's side of the mirror case: its job run through the HTTP API of a fresh backend per
 * run, timed from the run request to the run's final state, with the protocol timeline.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Job, Run, Transfer } from '../contract/index.js';
import { startBenchApp, type BenchApp } from './app.js';
import { nowMs } from './measure.js';
import { describeTimeline, watchBackend } from './mirror-timeline.js';
import {
  CHANGED,
  checkIdentical,
  EXPECTED_COPIES,
  FILES,
  FOLDERS,
  PARALLEL,
  readTree,
  rewritten,
  sumCounts,
  TREE,
  type Measured,
  type MirrorPhase,
  type TreeFile,
} from './mirror-tree.js';
import { commandLog, type ServerPair } from './servers.js';

/**
 * pasv's side of one repetition: a data dir of its own holding the two sites and the job;
 * every run in a backend started for it on that dir and closed after it (cold sessions).
 */
export class PasvMirror {
  private constructor(
    private readonly pair: ServerPair,
    private readonly dataDir: string,
    private readonly jobId: string,
    private readonly siteIds: { source: string; destination: string },
  ) {}

  static async prepare(pair: ServerPair): Promise<PasvMirror> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-bench-mirror-'));
    try {
      const app = await PasvMirror.backend(dataDir);
      try {
        const { source, destination } = await app.addPair(pair, PARALLEL);
        const job = await app.request<Job>('POST', '/api/jobs', {
          name: 'bench mirror',
          source: { siteId: source, dir: `/${TREE}` },
          destination: { siteId: destination, dir: `/${TREE}` },
          rules: { compareBy: 'size+time' },
        });
        return new PasvMirror(pair, dataDir, job.id, { source, destination });
      } finally {
        await app.close();
      }
    } catch (error) {
      fs.rmSync(dataDir, { recursive: true, force: true });
      throw error;
    }
  }

  private static backend(dataDir: string): Promise<BenchApp> {
    return startBenchApp({ PASV_DATA_DIR: dataDir, PASV_CONCURRENCY: String(PARALLEL) });
  }

  /**
   * Diagnostic: the job once more on a fresh backend with both sites limited to `limit`
   * connections (cold, like run()), then the limit put back.
   */
  async runLimited(phase: MirrorPhase, limit: number): Promise<Measured> {
    const app = await PasvMirror.backend(this.dataDir);
    const setLimit = async (maxConnections: number) => {
      for (const id of [this.siteIds.source, this.siteIds.destination]) {
        await app.request('PATCH', `/api/sites/${id}`, { maxConnections });
      }
    };
    try {
      await setLimit(limit);
      return await this.runOnce(app, phase);
    } finally {
      await setLimit(PARALLEL).catch(() => undefined);
      await app.close();
    }
  }

  /** Runs the job once (twice for `warmRepeat`: the second on the same backend, sessions warm). */
  async run(phase: MirrorPhase, warmRepeat = false): Promise<{ cold: Measured; warm?: Measured }> {
    const app = await PasvMirror.backend(this.dataDir);
    try {
      const cold = await this.runOnce(app, phase);
      const warm = warmRepeat ? await this.runOnce(app, phase) : undefined;
      return { cold, ...(warm ? { warm } : {}) };
    } finally {
      await app.close();
    }
  }

  private async runOnce(app: BenchApp, phase: MirrorPhase): Promise<Measured> {
    const label = (siteId: string) => (siteId === this.siteIds.source ? 'src' : 'dst');
    const watcher = watchBackend(app, label);
    const logs = [commandLog(this.pair.source), commandLog(this.pair.destination)];
    logs.forEach((l) => l.mark());
    const before = readTree(path.join(this.pair.destination.root, TREE)).files;
    try {
      const cpu = process.cpuUsage();
      const postedAtWall = Date.now();
      const startedAt = nowMs();
      const accepted = await app.request<Run>('POST', `/api/jobs/${this.jobId}/run`, {});
      const acceptedMs = nowMs() - startedAt;
      const { run, via } = await watcher.finished(accepted.id);
      const value = nowMs() - startedAt;
      const used = process.cpuUsage(cpu);
      const commands = sumCounts(logs.map((l) => l.counts()));
      const timeline = describeTimeline(watcher.lines, postedAtWall, value);
      const problems: string[] = [];
      if (run.state !== 'done') {
        problems.push(`run ended ${run.state}${run.error ? `: ${run.error.code} ${run.error.message}` : ''}`);
      }
      const copies = commands.STOR ?? 0;
      if (copies !== EXPECTED_COPIES[phase])
        problems.push(`${copies} STOR at the destination, expected ${EXPECTED_COPIES[phase]}`);
      const c = run.counts;
      // counts may or may not count the 50 folders besides the 1000 files: both accepted, the number is noted.
      const files = (n: number, expected: number) => n === expected || n === expected + FOLDERS;
      if (phase === 'first' && !(files(c.new, FILES) && c.changed === 0))
        problems.push(`counts ${JSON.stringify(c)}, expected new = ${FILES}`);
      if (phase === 'unchanged') {
        if (run.transferId !== undefined)
          problems.push(`a transfer was created (${run.transferId}) for an unchanged tree`);
        if (!(files(c.same, FILES) && c.new === 0 && c.changed === 0))
          problems.push(`counts ${JSON.stringify(c)}, expected same = ${FILES}`);
      }
      if (phase === 'changed' && !(c.changed === CHANGED && c.new === 0 && files(c.same, FILES - CHANGED))) {
        problems.push(`counts ${JSON.stringify(c)}, expected changed = ${CHANGED}, same = ${FILES - CHANGED}`);
      }
      let transfer: Transfer | undefined;
      if (run.transferId !== undefined) {
        transfer = await app.request<Transfer>('GET', `/api/transfers/${run.transferId}`).catch(() => undefined);
        if (transfer && transfer.filesDone !== EXPECTED_COPIES[phase]) {
          problems.push(`its transfer copied ${transfer.filesDone} files, expected ${EXPECTED_COPIES[phase]}`);
        }
      } else if (phase !== 'unchanged') {
        problems.push('the run has no transferId');
      }
      let after: Map<string, TreeFile> | undefined;
      try {
        after = checkIdentical(this.pair);
      } catch (error) {
        problems.push((error as Error).message);
      }
      const written = after ? rewritten(before, after).length : null;
      if (written !== null && written !== EXPECTED_COPIES[phase]) {
        problems.push(`${written} destination files were written, expected ${EXPECTED_COPIES[phase]}`);
      }
      if (problems.length > 0) {
        const context = `run ${run.id} (${run.state}, counts ${JSON.stringify(c)}, notes ${JSON.stringify(run.notes)})`;
        throw new Error(`pasv ${phase}: ${problems.join('; ')} — ${context}`);
      }
      return {
        value,
        cpuMs: (used.user + used.system) / 1000,
        acceptedMs,
        serverMs: run.finishedAt ? Date.parse(run.finishedAt) - Date.parse(run.startedAt) : null,
        via,
        counts: c,
        notes: run.notes,
        commands,
        timeline: timeline.text,
        sessions: timeline.sessions,
        copied: copies,
      };
    } finally {
      watcher.stop();
    }
  }

  dispose(): void {
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}
