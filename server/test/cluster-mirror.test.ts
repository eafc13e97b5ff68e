/**
 * Mirror runs in a cluster on one real PostgreSQL: a person's "Run now" on a web node is
 * executed by a worker (the web node opens no FTP session of its own), and a worker SIGKILLed
 * mid-run has its run taken over by another worker, which finishes it with identical files.
 * The web node runs in-process (its pool can be watched); workers are child processes of the
 * real server, killed by PID.
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { Run } from '../../contract/index.js';
import { eventually, type TestApp } from './app.js';
import { clusterHarness } from './cluster-harness.js';
import { seededBytes } from './fixtures.js';
import { createJob, getRun, runFinished, startRun, treeOnDisk } from './mirror-api.js';
import { skipWithoutPostgres, withPostgres } from './postgres.js';

const KiB = 1024;
const MiB = 1024 * KiB;

describe.skipIf(skipWithoutPostgres())('mirror runs in a cluster', () => {
  const postgres = withPostgres('test');
  const { ftp, webNode, worker, site } = clusterHarness(postgres);


  /** The node id holding a run's lease (host:pid:random), read from the store. */
  async function runOwner(runId: string): Promise<string | null> {
    const client = new pg.Client(postgres.url);
    await client.connect();
    try {
      const result = await client.query<{ run_owner: string | null }>('SELECT run_owner FROM mirror_runs WHERE id = $1', [runId]);
      return result.rows[0]?.run_owner ?? null;
    } finally {
      await client.end();
    }
  }

  /** Fails the test if the web node's pool ever holds a session while `work` goes on. */
  async function withoutWebSessions<T>(t: TestApp, work: () => Promise<T>): Promise<T> {
    const seen: string[] = [];
    const watch = setInterval(() => {
      for (const session of t.app.services.pool.sessions()) seen.push(JSON.stringify(session));
    }, 20);
    try {
      return await work();
    } finally {
      clearInterval(watch);
      expect(seen, 'sessions the web node opened').toEqual([]);
      expect(t.app.services.pool.sessions()).toEqual([]);
    }
  }

  it('"Run now" and a dry run on a web node are executed by a worker; the web node opens no FTP session', async () => {
    const files: Record<string, Buffer> = { 'src/a.txt': Buffer.from('a') };
    for (let i = 0; i < 6; i++) files[`src/d/f${i}.bin`] = seededBytes(64 * KiB, 10 + i);
    const a = await ftp('127.0.0.2', files);
    const b = await ftp('127.0.0.3', { 'dst/old.txt': Buffer.from('old') });
    const t = await webNode();
    const w = await worker();
    const job = await createJob(t, {
      name: 'by hand',
      source: { siteId: await site(t, a, 'A'), dir: '/src' },
      destination: { siteId: await site(t, b, 'B'), dir: '/dst' },
      rules: { deleteExtras: true },
    });

    await withoutWebSessions(t, async () => {
      const preview = await startRun(t, job.id, { dryRun: true });
      expect(preview.state).toBe('queued');
      const previewed = await runFinished(t, preview.id, 20_000);
      expect(previewed).toMatchObject({ state: 'done', dryRun: true, counts: { new: 8, extra: 1 } });
      expect(await runOwner(preview.id)).toContain(`:${w.pid}:`);
      expect(fs.existsSync(path.join(b.root, 'dst/a.txt'))).toBe(false);

      const started = await startRun(t, job.id);
      expect(started.state).toBe('queued');
      const finished = await runFinished(t, started.id, 30_000);
      expect(finished, JSON.stringify(finished)).toMatchObject({ state: 'done', deleted: 1 });
      expect(await runOwner(started.id)).toContain(`:${w.pid}:`);
    });
    expect(treeOnDisk(path.join(b.root, 'dst'))).toEqual(treeOnDisk(path.join(a.root, 'src')));
  }, 90_000);

  it('a worker SIGKILLed mid-run: another worker takes the run over and it ends done, files identical', async () => {
    const files: Record<string, Buffer> = { 'src/big/movie.bin': seededBytes(8 * MiB, 7) };
    for (let i = 0; i < 5; i++) files[`src/small/f${i}.txt`] = seededBytes(100 + i, 20 + i);
    const a = await ftp('127.0.0.2', files, { bytesPerSecond: MiB });
    const b = await ftp('127.0.0.3');
    const t = await webNode();
    const workers = [await worker(), await worker()];
    const job = await createJob(t, {
      name: 'takeover',
      source: { siteId: await site(t, a, 'A'), dir: '/src' },
      destination: { siteId: await site(t, b, 'B'), dir: '/dst' },
    });

    const started = await startRun(t, job.id);
    const syncing: Run = await eventually(async () => {
      const run = await getRun(t, started.id);
      return run.state === 'syncing' && run.transferId ? run : null;
    }, 30_000);
    // Well inside the big file's copy (8 s at 1 MiB/s).
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const owner = await runOwner(started.id);
    const victim = workers.find((w) => owner?.includes(`:${w.pid}:`));
    expect(victim, `run owner ${owner}`).toBeDefined();
    const survivor = workers.find((w) => w !== victim)!;
    await victim!.kill();

    const finished = await runFinished(t, started.id, 90_000);
    expect(finished, JSON.stringify(finished)).toMatchObject({
      state: 'done',
      transferId: syncing.transferId,
      counts: { new: 8 },
    });
    expect(await runOwner(started.id)).toContain(`:${survivor.pid}:`);
    expect(treeOnDisk(path.join(b.root, 'dst'))).toEqual(treeOnDisk(path.join(a.root, 'src')));
  }, 150_000);
});
