/**
 * A cluster on one real PostgreSQL: a web node in this process (its API through inject) and
 * worker nodes as child processes of the real server (server/src/main.ts --role worker),
 * killed by PID. The FTP servers are the embedded one, in this process, whose own logs count
 * the logins and the STORs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openPostgres } from '../src/store/postgres.js';
import { eventually } from './app.js';
import { clusterHarness, stors } from './cluster-harness.js';
import { seededBytes, sha256 } from './fixtures.js';
import { skipWithoutPostgres, withPostgres } from './postgres.js';

const MiB = 1024 * 1024;

describe.skipIf(skipWithoutPostgres())('a cluster of a web node and workers', () => {
  const postgres = withPostgres('test');
  const { cleanup, ftp, webNode, worker, site: addSite, copy, finished } = clusterHarness(postgres);
  const site = (t: Parameters<typeof addSite>[0], server: Parameters<typeof addSite>[1], name: string, maxConnections: number) =>
    addSite(t, server, name, { maxConnections });

  it('three workers copy a tree of 2000 files identical, never more logins on a site than its limit', async () => {
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 2000; i++) files[`tree/d${i % 20}/f${i}.bin`] = seededBytes(512 + (i % 97), i);
    const a = await ftp('127.0.0.2', files);
    const b = await ftp('127.0.0.3');
    const t = await webNode();
    const [src, dst] = [await site(t, a, 'A', 3), await site(t, b, 'B', 3)];
    await Promise.all([worker(), worker(), worker()]);
    const created = await copy(t, src, '/tree', dst);
    const done = await finished(t, created.id, 240_000);
    expect(done).toMatchObject({ state: 'done', filesDone: 2000, filesFailed: 0 });
    for (const [name, data] of Object.entries(files)) {
      expect(sha256(fs.readFileSync(path.join(b.root, name))), name).toBe(sha256(data));
    }
    // The servers' own counts: three workers of four lanes each, and never a fourth login on either.
    expect(a.server.logins().peak).toBeLessThanOrEqual(3);
    expect(b.server.logins().peak).toBeLessThanOrEqual(3);
    expect(stors(b)).toHaveLength(2000);
    // The work was shared: more than one worker's sessions logged in on the destination.
    const connections = new Set(stors(b).map((line) => line.split(' ')[0]));
    expect(connections.size).toBeGreaterThan(1);
  }, 300_000);

  it('a worker SIGKILLed mid-copy: another takes the file within 30 s and resumes it with REST, identical', async () => {
    const big = seededBytes(12 * MiB, 7);
    const a = await ftp('127.0.0.2', { 'big.bin': big }, { bytesPerSecond: MiB });
    const b = await ftp('127.0.0.3');
    const t = await webNode();
    const [src, dst] = [await site(t, a, 'A', 2), await site(t, b, 'B', 2)];
    const first = await worker();
    const created = await copy(t, src, '/big.bin', dst);
    await eventually(() => (fs.existsSync(path.join(b.root, 'big.bin')) ? fs.statSync(path.join(b.root, 'big.bin')).size > 2 * MiB : false), 30_000);
    await worker();
    await first.kill();
    const killedAt = Date.now();
    const resumed = await eventually(() => b.commands.some((line) => / > REST [1-9]\d*$/.test(line)), 30_000).then(
      () => Date.now() - killedAt,
    );
    expect(resumed).toBeLessThan(30_000);
    const done = await finished(t, created.id, 60_000);
    expect(done.state).toBe('done');
    expect(sha256(fs.readFileSync(path.join(b.root, 'big.bin')))).toBe(sha256(big));
    // One STOR from the start, one resuming: nothing copied twice over.
    expect(stors(b, 'big.bin')).toHaveLength(2);
  }, 120_000);

  it('a worker SIGTERMed mid-copy drains: it hands the file back and exits, another resumes it at once', async () => {
    const big = seededBytes(10 * MiB, 9);
    const a = await ftp('127.0.0.2', { 'big.bin': big }, { bytesPerSecond: MiB });
    const b = await ftp('127.0.0.3');
    const t = await webNode();
    const [src, dst] = [await site(t, a, 'A', 2), await site(t, b, 'B', 2)];
    const first = await worker();
    const created = await copy(t, src, '/big.bin', dst);
    const landed = () => fs.statSync(path.join(b.root, 'big.bin'), { throwIfNoEntry: false })?.size ?? 0;
    await eventually(() => landed() > 2 * MiB, 30_000);
    await worker();
    first.signal('SIGTERM');
    const stoppedAt = Date.now();
    await first.exited;
    expect(first.child.exitCode).toBe(0);
    // Handed back, not left to expire: the other worker resumes well before a lease (15 s) could run out.
    await eventually(() => b.commands.some((line) => / > REST [1-9]\d*$/.test(line)), 15_000);
    expect(Date.now() - stoppedAt).toBeLessThan(12_000);
    expect((await finished(t, created.id, 60_000)).state).toBe('done');
    expect(sha256(fs.readFileSync(path.join(b.root, 'big.bin')))).toBe(sha256(big));
    expect(stors(b, 'big.bin')).toHaveLength(2);
  }, 120_000);

  it('a worker whose lease was taken stops that copy at once, writes nothing for it, and the file ends identical', async () => {
    const big = seededBytes(10 * MiB, 11);
    const a = await ftp('127.0.0.2', { 'big.bin': big }, { bytesPerSecond: MiB });
    const b = await ftp('127.0.0.3');
    const t = await webNode();
    const [src, dst] = [await site(t, a, 'A', 2), await site(t, b, 'B', 2)];
    await worker();
    const created = await copy(t, src, '/big.bin', dst);
    const landed = () => fs.statSync(path.join(b.root, 'big.bin'), { throwIfNoEntry: false })?.size ?? 0;
    await eventually(() => landed() > 2 * MiB, 30_000);
    // Another node takes the file over (as if this worker had stalled past its lease): a new
    // epoch, a lease that runs out in 9 s.
    const db = openPostgres(postgres.url);
    cleanup.push(() => db.close());
    const taken = db
      .prepare(
        `UPDATE transfer_files SET lease_owner = 'another-node', lease_epoch = lease_epoch + 1, lease_expires_at = ?
           WHERE transfer_id = ? AND state = 'running' RETURNING lease_epoch`,
      )
      .get(new Date(Date.now() + 9_000).toISOString(), created.id) as { lease_epoch: number };
    // Its next heartbeat (every 5 s) finds the lease gone and stops the copy: the file stops
    // growing, the source is told ABOR, and the row stays as the other node left it.
    const storsBefore = stors(b, 'big.bin').length;
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    const stopped = landed();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(landed()).toBe(stopped);
    expect(stopped).toBeLessThan(big.length);
    expect(a.commands.some((line) => / > ABOR$/.test(line))).toBe(true);
    expect(db.prepare('SELECT state, lease_owner FROM transfer_files WHERE transfer_id = ?').get(created.id)).toEqual({
      state: 'running',
      lease_owner: 'another-node',
    });
    // Once that lease runs out the file is queued again; the worker takes it under a newer epoch
    // and resumes it from what the destination holds.
    const done = await finished(t, created.id, 60_000);
    expect(done.state).toBe('done');
    expect(sha256(fs.readFileSync(path.join(b.root, 'big.bin')))).toBe(sha256(big));
    const row = db.prepare('SELECT lease_epoch FROM transfer_files WHERE transfer_id = ?').get(created.id) as {
      lease_epoch: number;
    };
    expect(row.lease_epoch).toBeGreaterThan(taken.lease_epoch);
    expect(stors(b, 'big.bin')).toHaveLength(storsBefore + 1);
    expect(b.commands.some((line) => / > REST [1-9]\d*$/.test(line))).toBe(true);
  }, 120_000);

  it('workers racing for the same files: each file gets exactly one STOR', async () => {
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 40; i++) files[`f${i}.bin`] = seededBytes(2048 + i, 300 + i);
    const a = await ftp('127.0.0.2', files);
    const b = await ftp('127.0.0.3');
    const t = await webNode();
    const [src, dst] = [await site(t, a, 'A', 8), await site(t, b, 'B', 8)];
    await Promise.all([worker(), worker()]);
    // Forty one-file transfers at once: every ticket is taken by whichever worker is quicker.
    const created = await Promise.all(Object.keys(files).map((name) => copy(t, src, `/${name}`, dst)));
    for (const transfer of created) expect((await finished(t, transfer.id, 60_000)).state).toBe('done');
    for (const [name, data] of Object.entries(files)) {
      expect(stors(b, name), name).toHaveLength(1);
      expect(sha256(fs.readFileSync(path.join(b.root, name)))).toBe(sha256(data));
    }
  }, 120_000);
});
