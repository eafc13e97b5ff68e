import { expect, it } from 'vitest';
import { onBothEngines } from '../../test/engines.js';
import { EARLIEST_RETRY_SQL, TransferStore } from './store.js';

/** A transfer's fields other than its name. */
const FIELDS = {
  source_site: 'a',
  source_path: '/src',
  dest_site: 'b',
  dest_dir: '/dst',
  requested_mode: 'auto',
  if_exists: 'overwrite',
} as const;

onBothEngines((open, engine) => {
  function store() {
    const db = open();
    return { db, store: new TransferStore(db) };
  }

  it('finds the earliest retry among queued files from the index, without visiting the queued files', () => {
    const { db, store: transfers } = store();
    const files = Array.from({ length: 500 }, (_, i) => [`/src/f${i}`, `/dst/f${i}`, 10] as [string, string, number]);
    const row = transfers.insertPlannedTransfer({ name: 'tree', ...FIELDS }, files);
    const set = db.prepare(
      `UPDATE transfer_files SET state = ?, next_retry_at = ? WHERE transfer_id = ? AND source_path = ?`,
    );
    set.run('queued', '2026-12-02T10:05:00.000Z', row.id, '/src/f7');
    set.run('queued', '2026-12-02T10:03:00.000Z', row.id, '/src/f300');
    // A failed file's stale retry time is not a reason to wake up.
    set.run('failed', '2026-12-02T10:01:00.000Z', row.id, '/src/f9');
    expect(transfers.nextRetryAt()).toBe('2026-12-02T10:03:00.000Z');

    if (engine === 'sqlite') {
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${EARLIEST_RETRY_SQL}`).all() as { detail: string }[]).map(
        (step) => step.detail,
      );
      expect(plan.join('\n')).toMatch(/USING (COVERING )?INDEX transfer_files_retry/);
      expect(plan.join('\n')).not.toMatch(/USING INDEX .*state/);
    } else {
      // The hint is SQLite's; PostgreSQL's planner finds the partial index by itself.
      db.exec('SET enable_seqscan = off'); // a 500-row table would otherwise be read whole, index or not
      const plan = (db.prepare(`EXPLAIN ${EARLIEST_RETRY_SQL}`).all() as { 'QUERY PLAN': string }[])
        .map((step) => step['QUERY PLAN'])
        .join('\n');
      expect(plan).toMatch(/Index Only Scan using transfer_files_retry|Index Scan using transfer_files_retry/);
    }
  });

  it('keeps each transfer’s counts equal to the aggregate over its files through inserts, state changes and deletes', () => {
    const { db, store: transfers } = store();
    const tree = (n: number, size: number) =>
      Array.from({ length: n }, (_, i) => [`/src/f${i}`, `/dst/f${i}`, size + i] as [string, string, number]);
    const one = transfers.insertPlannedTransfer({ name: 'one', ...FIELDS }, tree(300, 100));
    const two = transfers.insertTransfer({ name: 'two', ...FIELDS });
    transfers.insertFiles(two.id, tree(50, 7));
    transfers.insertFiles(two.id, tree(80, 7)); // the first 50 again (a walk after a crash): not counted twice
    const files = transfers.files(one.id);
    for (const [i, file] of files.entries()) {
      if (i % 3 === 0) transfers.changeFileState(file.id, ['queued'], 'running', { bytes_done: 10 });
      if (i % 6 === 0) transfers.changeFileState(file.id, ['running'], 'done', { bytes_done: file.size });
      if (i % 7 === 0) transfers.changeFileState(file.id, ['queued', 'running'], 'failed');
      if (i % 13 === 0) transfers.changeFileState(file.id, ['queued'], 'skipped');
      if (i % 11 === 0) transfers.updateFile(file.id, { size: file.size + 5 });
    }
    transfers.changeFilesState(two.id, ['queued'], 'cancelled');
    db.prepare(`DELETE FROM transfer_files WHERE transfer_id = ? AND seq % 5 = 0`).run(one.id);
    const aggregate = db.prepare(
      `SELECT COUNT(*) AS total, COUNT(*) FILTER (WHERE state = 'done') AS done,
         COUNT(*) FILTER (WHERE state = 'failed') AS failed, COUNT(*) FILTER (WHERE state = 'cancelled') AS cancelled,
         COUNT(*) FILTER (WHERE state = 'skipped') AS skipped, COUNT(*) FILTER (WHERE state = 'queued') AS queued,
         COUNT(*) FILTER (WHERE state = 'running') AS running, COALESCE(SUM(size), 0) AS "bytesTotal",
         COALESCE(SUM(bytes_done), 0) AS "bytesDone"
       FROM transfer_files WHERE transfer_id = ?`,
    );
    for (const id of [one.id, two.id]) expect(transfers.counts(id)).toEqual(aggregate.get(id));
    expect(transfers.counts(two.id)).toMatchObject({ total: 80, cancelled: 80 });
    expect(transfers.counts(one.id).done).toBeGreaterThan(0);
    expect(transfers.counts(one.id).skipped).toBeGreaterThan(0);
    // A transfer deleted takes its counts with it.
    db.prepare(`DELETE FROM transfers WHERE id = ?`).run(two.id);
    expect(db.prepare('SELECT COUNT(*) AS n FROM transfer_counts WHERE transfer_id = ?').get(two.id)).toEqual({ n: 0 });
  });
});
