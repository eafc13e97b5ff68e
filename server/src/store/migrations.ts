/**
 * The store's schema, one migration per release that changed it (db.ts applies them to
 * SQLite, postgres.ts those after PostgreSQL's starting point).
 */

/**
 * Append only: a released migration is never edited. PostgreSQL starts from the schema of
 * migration 15 (postgres-schema.ts); a migration after that is written for both engines.
 */
export const MIGRATIONS: string[] = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE sites (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     host TEXT NOT NULL,
     port INTEGER NOT NULL,
     user TEXT NOT NULL,
     password_enc TEXT,
     tls TEXT NOT NULL,
     fingerprint256 TEXT,
     max_connections INTEGER NOT NULL,
     passive TEXT NOT NULL,
     relay_allowed INTEGER NOT NULL,
     allow_clear_data INTEGER NOT NULL,
     pasv_address TEXT NOT NULL,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE TABLE transfers (
     id TEXT PRIMARY KEY,
     state TEXT NOT NULL,
     kind TEXT NOT NULL,
     name TEXT NOT NULL,
     source_site TEXT NOT NULL,
     source_path TEXT NOT NULL,
     dest_site TEXT NOT NULL,
     dest_dir TEXT NOT NULL,
     requested_mode TEXT NOT NULL,
     if_exists TEXT NOT NULL,
     mode TEXT,
     position REAL NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     expanded INTEGER NOT NULL DEFAULT 0,
     notes TEXT NOT NULL DEFAULT '[]',
     error_code TEXT,
     error_message TEXT,
     next_retry_at TEXT,
     created_at TEXT NOT NULL,
     started_at TEXT,
     finished_at TEXT
   );
   CREATE INDEX transfers_state ON transfers(state, position);
   CREATE TABLE transfer_files (
     id TEXT PRIMARY KEY,
     transfer_id TEXT NOT NULL REFERENCES transfers(id) ON DELETE CASCADE,
     seq INTEGER NOT NULL,
     source_path TEXT NOT NULL,
     dest_path TEXT NOT NULL,
     size INTEGER NOT NULL,
     bytes_done INTEGER NOT NULL DEFAULT 0,
     state TEXT NOT NULL,
     mode TEXT,
     attempts INTEGER NOT NULL DEFAULT 0,
     started INTEGER NOT NULL DEFAULT 0,
     verified TEXT,
     error_code TEXT,
     error_message TEXT,
     next_retry_at TEXT,
     UNIQUE (transfer_id, source_path)
   );
   CREATE INDEX transfer_files_state ON transfer_files(state, transfer_id, seq);`,
  // Passwords sealed so far name only the site id as additional data; from now on the seal
  // also binds host, port and user. Re-sealing needs the master key, which the store does not
  // hold: this marks the work, and SitesService does it (and clears the mark) when it starts.
  `INSERT INTO meta (key, value) VALUES ('reseal_passwords', 'site-id') ON CONFLICT(key) DO NOTHING;`,
  // Bumped by every write to a transfer or its files, so a client can tell a stale view from a newer one.
  `ALTER TABLE transfers ADD COLUMN version INTEGER NOT NULL DEFAULT 0;`,
  // Signed-out sessions, kept until their cookie would have expired anyway.
  `CREATE TABLE revoked_sessions (id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);`,
  // Mirror jobs, their runs, and the compared entries of each job's latest run. A run per
  // schedule slot at most (UNIQUE), so a restart cannot start the same slot twice.
  `CREATE TABLE mirror_jobs (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     source_site TEXT NOT NULL,
     source_dir TEXT NOT NULL,
     dest_site TEXT NOT NULL,
     dest_dir TEXT NOT NULL,
     rules TEXT NOT NULL,
     schedule TEXT,
     webhook_url TEXT,
     webhook_secret_enc TEXT,
     enabled INTEGER NOT NULL,
     disabled_reason TEXT,
     next_run_at TEXT,
     dest_keeps_times INTEGER,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE TABLE mirror_runs (
     id TEXT PRIMARY KEY,
     job_id TEXT NOT NULL REFERENCES mirror_jobs(id) ON DELETE CASCADE,
     state TEXT NOT NULL,
     dry_run INTEGER NOT NULL,
     trigger TEXT NOT NULL,
     slot TEXT,
     counts TEXT NOT NULL,
     bytes TEXT NOT NULL,
     deleted INTEGER NOT NULL DEFAULT 0,
     transfer_id TEXT,
     notes TEXT NOT NULL DEFAULT '[]',
     error_code TEXT,
     error_message TEXT,
     started_at TEXT NOT NULL,
     finished_at TEXT,
     UNIQUE (job_id, slot)
   );
   CREATE INDEX mirror_runs_job ON mirror_runs(job_id, started_at);
   CREATE TABLE mirror_entries (
     run_id TEXT NOT NULL REFERENCES mirror_runs(id) ON DELETE CASCADE,
     seq INTEGER NOT NULL,
     path TEXT NOT NULL,
     type TEXT NOT NULL,
     verdict TEXT NOT NULL,
     reason TEXT,
     source TEXT,
     destination TEXT,
     PRIMARY KEY (run_id, seq)
   );
   CREATE INDEX mirror_entries_verdict ON mirror_entries(run_id, verdict, seq);`,
  // A transfer created with its file list (a mirror plan) rather than walked: a retry must
  // not walk its source dir again.
  `ALTER TABLE transfers ADD COLUMN planned INTEGER NOT NULL DEFAULT 0;`,
  // A planned file's source modification time, set on the destination after the copy (a
  // mirror's next compare by size and time then sees it equal), and whether that worked:
  // null not tried, 1 set, 0 the destination cannot (no MFMT, no SITE UTIME).
  // source_mtime_exact 0: the time came from a LIST (minutes or days at best), so the runner
  // asks the source's MDTM first. A run of selected entries only ("Sync selected"): their
  // relative paths, JSON; null for all.
  `ALTER TABLE transfer_files ADD COLUMN source_mtime TEXT;
   ALTER TABLE transfer_files ADD COLUMN source_mtime_exact INTEGER NOT NULL DEFAULT 1;
   ALTER TABLE transfer_files ADD COLUMN mtime_set INTEGER;
   ALTER TABLE mirror_runs ADD COLUMN paths TEXT;`,
  // The bytes a run's plan copies: with "Sync selected" only the selection's (null on older
  // runs, whose plan was every new and changed file).
  `ALTER TABLE mirror_runs ADD COLUMN planned_bytes INTEGER;`,
  // The scheduler asks for the earliest retry on every pass: without this index each pass
  // visited every queued file of the queue (quadratic over a tree of small files).
  `CREATE INDEX transfer_files_retry ON transfer_files(next_retry_at) WHERE state = 'queued' AND next_retry_at IS NOT NULL;`,
  // A transfer's files in seq order: the file list's pages seek here (keyset, no sort), and
  // the walk's MAX(seq) per inserted file reads one entry instead of every file found so far
  // (that made a 100 000-file walk quadratic: ~9 s per 1000-file folder near the end).
  `CREATE INDEX transfer_files_seq ON transfer_files(transfer_id, seq);`,
  // A transfer's file counts, kept as its files change: the aggregate over its files ran on
  // every progress update and every row of GET /api/transfers, 50–100 ms at 100 000 files.
  // Updates and deletes by trigger; inserts counted per batch by TransferStore.insertFiles
  // (a trigger per inserted row made queueing a big tree 2.6 times slower). And a file's every
  // write bumps its transfer's version by trigger: one statement per file write, not a
  // transaction of two.
  `CREATE TABLE transfer_counts (
     transfer_id TEXT PRIMARY KEY REFERENCES transfers(id) ON DELETE CASCADE,
     total INTEGER NOT NULL DEFAULT 0,
     done INTEGER NOT NULL DEFAULT 0,
     failed INTEGER NOT NULL DEFAULT 0,
     cancelled INTEGER NOT NULL DEFAULT 0,
     queued INTEGER NOT NULL DEFAULT 0,
     running INTEGER NOT NULL DEFAULT 0,
     bytes_total INTEGER NOT NULL DEFAULT 0,
     bytes_done INTEGER NOT NULL DEFAULT 0
   );
   INSERT INTO transfer_counts (transfer_id) SELECT id FROM transfers;
   UPDATE transfer_counts SET (total, done, failed, cancelled, queued, running, bytes_total, bytes_done) =
     (SELECT COUNT(*), COALESCE(SUM(state = 'done'), 0), COALESCE(SUM(state = 'failed'), 0), COALESCE(SUM(state = 'cancelled'), 0), COALESCE(SUM(state = 'queued'), 0), COALESCE(SUM(state = 'running'), 0), COALESCE(SUM(size), 0), COALESCE(SUM(bytes_done), 0)
        FROM transfer_files WHERE transfer_id = transfer_counts.transfer_id);
   CREATE TRIGGER transfer_counts_update AFTER UPDATE OF state, size, bytes_done ON transfer_files BEGIN
     UPDATE transfer_counts SET
       done = done + (NEW.state = 'done') - (OLD.state = 'done'),
       failed = failed + (NEW.state = 'failed') - (OLD.state = 'failed'),
       cancelled = cancelled + (NEW.state = 'cancelled') - (OLD.state = 'cancelled'),
       queued = queued + (NEW.state = 'queued') - (OLD.state = 'queued'),
       running = running + (NEW.state = 'running') - (OLD.state = 'running'),
       bytes_total = bytes_total + NEW.size - OLD.size,
       bytes_done = bytes_done + NEW.bytes_done - OLD.bytes_done
     WHERE transfer_id = NEW.transfer_id;
   END;
   CREATE TRIGGER transfer_files_version AFTER UPDATE ON transfer_files BEGIN
     UPDATE transfers SET version = version + 1 WHERE id = NEW.transfer_id;
   END;
   CREATE TRIGGER transfer_counts_delete AFTER DELETE ON transfer_files BEGIN
     UPDATE transfer_counts SET
       total = total - 1,
       done = done - (OLD.state = 'done'),
       failed = failed - (OLD.state = 'failed'),
       cancelled = cancelled - (OLD.state = 'cancelled'),
       queued = queued - (OLD.state = 'queued'),
       running = running - (OLD.state = 'running'),
       bytes_total = bytes_total - OLD.size,
       bytes_done = bytes_done - OLD.bytes_done
     WHERE transfer_id = OLD.transfer_id;
   END;`,
  // What worked last per ordered pair of sites (JSON of ftp/route.ts's Route; null once it
  // failed) and the last failures (JSON, newest first); gone with either site. And each
  // site's PRET setting: 'auto' | 'always' | 'never'.
  `CREATE TABLE routes (
     source_site TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
     dest_site TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
     route TEXT,
     worked_at TEXT,
     failures TEXT NOT NULL DEFAULT '[]',
     PRIMARY KEY (source_site, dest_site)
   );
   CREATE INDEX routes_dest ON routes(dest_site);
   ALTER TABLE sites ADD COLUMN pret TEXT NOT NULL DEFAULT 'auto';`,
  // Migration 13: favourite folders per site (the pane's bookmarks), gone with their site.
  `CREATE TABLE site_bookmarks (
     site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
     path TEXT NOT NULL,
     created_at TEXT NOT NULL,
     PRIMARY KEY (site_id, path)
   );`,
  // Migration 14. A file the destination already had is "skipped", no longer "done" with a
  // verified of 'skipped': counted apart, so a tree says "3 skipped" and one all skipped ends
  // skipped. "Clear finished" hides transfers (cleared = 1) rather than deleting them: the
  // History view lists them, with their counts and verification, newest first.
  `UPDATE transfer_files SET state = 'skipped' WHERE state = 'done' AND verified = 'skipped';
   ALTER TABLE transfer_counts ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0;
   DROP TRIGGER transfer_counts_update;
   DROP TRIGGER transfer_counts_delete;
   UPDATE transfer_counts SET (done, skipped) =
     (SELECT COALESCE(SUM(state = 'done'), 0), COALESCE(SUM(state = 'skipped'), 0)
        FROM transfer_files WHERE transfer_id = transfer_counts.transfer_id);
   CREATE TRIGGER transfer_counts_update AFTER UPDATE OF state, size, bytes_done ON transfer_files BEGIN
     UPDATE transfer_counts SET
       done = done + (NEW.state = 'done') - (OLD.state = 'done'),
       failed = failed + (NEW.state = 'failed') - (OLD.state = 'failed'),
       cancelled = cancelled + (NEW.state = 'cancelled') - (OLD.state = 'cancelled'),
       skipped = skipped + (NEW.state = 'skipped') - (OLD.state = 'skipped'),
       queued = queued + (NEW.state = 'queued') - (OLD.state = 'queued'),
       running = running + (NEW.state = 'running') - (OLD.state = 'running'),
       bytes_total = bytes_total + NEW.size - OLD.size,
       bytes_done = bytes_done + NEW.bytes_done - OLD.bytes_done
     WHERE transfer_id = NEW.transfer_id;
   END;
   CREATE TRIGGER transfer_counts_delete AFTER DELETE ON transfer_files BEGIN
     UPDATE transfer_counts SET
       total = total - 1,
       done = done - (OLD.state = 'done'),
       failed = failed - (OLD.state = 'failed'),
       cancelled = cancelled - (OLD.state = 'cancelled'),
       skipped = skipped - (OLD.state = 'skipped'),
       queued = queued - (OLD.state = 'queued'),
       running = running - (OLD.state = 'running'),
       bytes_total = bytes_total - OLD.size,
       bytes_done = bytes_done - OLD.bytes_done
     WHERE transfer_id = OLD.transfer_id;
   END;
   ALTER TABLE transfers ADD COLUMN cleared INTEGER NOT NULL DEFAULT 0;
   CREATE INDEX transfers_history ON transfers(finished_at DESC, id DESC) WHERE finished_at IS NOT NULL;`,
  // Migration 15: a transfer's story, the control lines of its sessions while they worked on
  // it and pasv's notes between them (transfers/trace.ts bounds it); gone with the transfer.
  // transfer_trace_dropped counts what the bound left out.
  `CREATE TABLE transfer_trace (
     transfer_id TEXT NOT NULL REFERENCES transfers(id) ON DELETE CASCADE,
     seq INTEGER NOT NULL,
     at TEXT NOT NULL,
     kind TEXT NOT NULL,
     session_id TEXT,
     site_id TEXT,
     role TEXT,
     direction TEXT,
     line TEXT NOT NULL,
     path TEXT,
     PRIMARY KEY (transfer_id, seq)
   ) WITHOUT ROWID;
   CREATE TABLE transfer_trace_dropped (
     transfer_id TEXT PRIMARY KEY REFERENCES transfers(id) ON DELETE CASCADE,
     dropped INTEGER NOT NULL
   );`,
  // Migration 16, the first for both engines (cluster mode, cluster/leases.ts): the node that
  // owns a running file (or a transfer's walk) until when, and the lease's epoch, raised by
  // every claim: a node whose epoch is no longer the file's has lost it (the fencing token).
  // And the egress tag a site requires of the node that connects to it.
  `ALTER TABLE transfer_files ADD COLUMN lease_owner TEXT;
   ALTER TABLE transfer_files ADD COLUMN lease_epoch INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE transfer_files ADD COLUMN lease_expires_at TEXT;
   CREATE INDEX transfer_files_leases ON transfer_files(lease_expires_at) WHERE state = 'running';
   ALTER TABLE transfers ADD COLUMN walk_owner TEXT;
   ALTER TABLE transfers ADD COLUMN walk_epoch INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE transfers ADD COLUMN walk_expires_at TEXT;
   ALTER TABLE sites ADD COLUMN egress TEXT;`,
  // Migration 17 (cluster mode, cluster/run-leases.ts): the node executing an unfinished mirror
  // run until when; a worker takes over a run whose owner stopped renewing.
  `ALTER TABLE mirror_runs ADD COLUMN run_owner TEXT;
   ALTER TABLE mirror_runs ADD COLUMN run_expires_at TEXT;`,
];
