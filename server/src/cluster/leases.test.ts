/**
 * Leases on a real PostgreSQL, as two nodes see them: a file claimed by one is not claimable by
 * the other, its epoch is the fencing token, a lapsed lease goes back to the queue; a mirror
 * run's lease fences its destination commands the same way.
 */
import { describe, expect, it } from 'vitest';
import { skipWithoutPostgres, withPostgres } from '../../test/postgres.js';
import { openPostgres } from '../store/postgres.js';
import { TransferStore } from '../transfers/store.js';
import { FileLeases } from './leases.js';
import { RunLeases } from './run-leases.js';

describe.skipIf(skipWithoutPostgres())('leases between two nodes', () => {
  const postgres = withPostgres('test');

  function twoNodes() {
    const [a, b] = [openPostgres(postgres.url), openPostgres(postgres.url)];
    return { a, b, close: () => (a.close(), b.close()) };
  }

  it('one claim per file, the epoch rising with each, and a lapsed lease queued again', async () => {
    const { a, b, close } = twoNodes();
    try {
      const store = new TransferStore(a);
      const transfer = store.insertPlannedTransfer(
        { name: 't', source_site: 's', source_path: '/', dest_site: 'd', dest_dir: '/', requested_mode: 'auto', if_exists: 'overwrite' },
        [['/one', '/one', 1]],
      );
      const [first, second] = [new FileLeases(a, 'node-a', { ttlMs: 300, marginMs: 0 }), new FileLeases(b, 'node-b')];
      const claimed = first.claimNext(transfer.id)!;
      expect(claimed).toMatchObject({ state: 'running', lease_owner: 'node-a', lease_epoch: 1, attempts: 1 });
      expect(second.claimNext(transfer.id)).toBeUndefined();
      expect(first.holds(claimed)).toBe(true);
      expect(second.holds({ id: claimed.id, lease_epoch: 1 })).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(first.holds(claimed)).toBe(false);
      expect(second.requeueExpired()).toEqual([transfer.id]);
      const retaken = second.claimNext(transfer.id)!;
      expect(retaken).toMatchObject({ lease_owner: 'node-b', lease_epoch: 2, attempts: 2 });
      // The first owner's end is refused: the row names another epoch.
      expect(store.changeFileState(claimed.id, ['running'], 'done', {}, { owner: 'node-a', epoch: 1 })).toBe(false);
      expect(first.renew().files.has(claimed.id)).toBe(false);
      expect(second.renew().files.has(claimed.id)).toBe(true);
    } finally {
      close();
    }
  });

  it('a run is held by the node that claimed it until its lease lapses and another takes it', async () => {
    const { a, b, close } = twoNodes();
    try {
      const now = new Date().toISOString();
      a.prepare(
        `INSERT INTO mirror_jobs (id, name, source_site, source_dir, dest_site, dest_dir, rules, enabled, created_at, updated_at)
           VALUES ('job', 'j', 's', '/', 'd', '/', '{}', 1, ?, ?)`,
      ).run(now, now);
      a.prepare(
        `INSERT INTO mirror_runs (id, job_id, state, dry_run, trigger, counts, bytes, started_at)
           VALUES ('run', 'job', 'queued', 0, 'manual', '{}', '{}', ?)`,
      ).run(now);
      const [first, second] = [new RunLeases(a, 'node-a', { ttlMs: 300 }), new RunLeases(b, 'node-b')];
      expect(first.claim([]).map((run) => run.id)).toEqual(['run']);
      expect(second.claim([])).toEqual([]);
      expect(first.holds('run', 0)).toBe(true);
      expect(second.holds('run', 0)).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(second.claim([]).map((run) => run.id)).toEqual(['run']);
      expect(first.holds('run', 0)).toBe(false);
    } finally {
      close();
    }
  });
});
