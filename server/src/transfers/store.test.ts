import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openDatabase, type Db } from '../store/db.js';
import { EARLIEST_RETRY_SQL, TransferStore } from './store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function store(): { db: Db; store: TransferStore } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-store-'));
  dirs.push(dir);
  const db = openDatabase(dir);
  return { db, store: new TransferStore(db) };
}

it('finds the earliest retry among queued files from the index, without visiting the queued files', () => {
  const { db, store: transfers } = store();
  const files = Array.from({ length: 500 }, (_, i) => [`/src/f${i}`, `/dst/f${i}`, 10] as [string, string, number]);
  const row = transfers.insertPlannedTransfer(
    {
      name: 'tree',
      source_site: 'a',
      source_path: '/src',
      dest_site: 'b',
      dest_dir: '/dst',
      requested_mode: 'auto',
      if_exists: 'overwrite',
    },
    files,
  );
  const set = db.prepare(
    `UPDATE transfer_files SET state = ?, next_retry_at = ? WHERE transfer_id = ? AND source_path = ?`,
  );
  set.run('queued', '2026-12-02T10:05:00.000Z', row.id, '/src/f7');
  set.run('queued', '2026-12-02T10:03:00.000Z', row.id, '/src/f300');
  // A failed file's stale retry time is not a reason to wake up.
  set.run('failed', '2026-12-02T10:01:00.000Z', row.id, '/src/f9');
  expect(transfers.nextRetryAt()).toBe('2026-12-02T10:03:00.000Z');

  const plan = (db.prepare(`EXPLAIN QUERY PLAN ${EARLIEST_RETRY_SQL}`).all() as { detail: string }[]).map(
    (step) => step.detail,
  );
  expect(plan.join('\n')).toMatch(/USING (COVERING )?INDEX transfer_files_retry/);
  expect(plan.join('\n')).not.toMatch(/USING INDEX .*state/);
});
