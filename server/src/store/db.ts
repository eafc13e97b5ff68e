/**
 * The store: by default one SQLite file under PASV_DATA_DIR (WAL mode), or PostgreSQL when
 * PASV_DATABASE_URL names one (postgres.ts); migrations applied in order at open.
 * Repositories take a Db; nothing else touches SQL. They write portable SQL (the few
 * differences are spelled out in postgres-dialect.ts).
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { ensurePrivateDir, ensurePrivateFile, narrowIfPresent } from './private-files.js';

/** A prepared statement: better-sqlite3's shape, which the PostgreSQL engine gives too. */
export interface Statement {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  /** From now on get() gives the first column's value, not the row. */
  pluck(): Statement;
}

/**
 * A connection, synchronous on both engines: the scheduler and the stores read, decide and
 * write within one turn of the event loop, which keeps their invariants simple (see
 * postgres.ts for what that costs on PostgreSQL).
 */
export interface Db {
  prepare(sql: string): Statement;
  /** One or more statements without parameters. */
  exec(sql: string): void;
  /** `fn` wrapped in BEGIN/COMMIT (a savepoint when already in one); rolled back if it throws. */
  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
  readonly inTransaction: boolean;
  close(): void;
  /** 'postgres' on PostgreSQL (postgres.ts); SQLite's connection has none. */
  readonly engine?: 'postgres';
}

/** The meta key migration 2 sets, present until every stored password is sealed bound to its endpoint. */
export const RESEAL_PASSWORDS = 'reseal_passwords';

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

export function openDatabase(dataDir: string): Db {
  ensurePrivateDir(dataDir);
  const file = path.join(dataDir, 'pasv.sqlite');
  // SQLite gives the -wal and -shm it creates the main file's mode: narrow that one first.
  ensurePrivateFile(file);
  for (const suffix of ['-wal', '-shm', '-journal']) narrowIfPresent(file + suffix);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let i = version; i < MIGRATIONS.length; i++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[i]!);
      db.pragma(`user_version = ${i + 1}`);
    })();
  }
}

export function getMeta(db: Db, key: string): string | undefined {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value;
}

export function setMeta(db: Db, key: string, value: string): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(
    key,
    value,
  );
}

/**
 * The stored value of `key`, or `make()`'s, stored now if none is: of nodes starting together,
 * the first one's value stands and every node gets it.
 */
export function metaOnce(db: Db, key: string, make: () => string): { value: string; created: boolean } {
  const value = make();
  const { changes } = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING').run(key, value);
  return changes > 0 ? { value, created: true } : { value: getMeta(db, key)!, created: false };
}

/** A statement prepared once per distinct SQL text: preparing costs more than running these. */
export function statementCache(db: Db): (text: string) => Statement {
  const statements = new Map<string, Statement>();
  return (text) => {
    let statement = statements.get(text);
    if (!statement) {
      statement = db.prepare(text);
      statements.set(text, statement);
    }
    return statement;
  };
}

/**
 * Writes that may be committed together a few milliseconds later: the runner's per-file state
 * changes, thousands a second on a tree of small files, where one commit each was a tenth of
 * the controller's CPU. The first deferred write opens a transaction (BEGIN); every write on
 * the connection until the flush joins it (better-sqlite3 nests db.transaction() as a
 * savepoint, so a failed multi-statement write still rolls back alone); the flush commits it at most
 * `maxDelayMs` later, or earlier when something is about to leave the process (an HTTP
 * reply, a WebSocket batch, a webhook: see app.ts) or the database closes.
 *
 * A SIGKILL loses at most those milliseconds of writes, and every one of them is safe to
 * lose: a file whose claim or end is lost is queued again on restart and copied again to an
 * identical end (see runner.ts), and nothing that left the process reported them.
 */
export class GroupCommit {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Db,
    private readonly maxDelayMs = 5,
  ) {}

  /** `writes` join the open transaction: each of them must be atomic itself (one statement, or store.atomically). */
  run<T>(writes: () => T): T {
    // PostgreSQL commits each write at once: an open transaction there would hold row locks that
    // other nodes wait on, and one failed statement would abort the writes grouped with it.
    if (this.db.engine === 'postgres') return writes();
    if (!this.timer && !this.db.inTransaction) {
      this.db.exec('BEGIN');
      this.timer = setTimeout(() => this.flush(), this.maxDelayMs);
    }
    return writes();
  }

  /** Commit what waits, if anything does. */
  flush(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = null;
    if (this.db.inTransaction) this.db.exec('COMMIT');
  }
}

const groupCommits = new WeakMap<Db, GroupCommit>();

/** The connection's one GroupCommit. */
export function groupCommit(db: Db): GroupCommit {
  let commits = groupCommits.get(db);
  if (!commits) {
    commits = new GroupCommit(db);
    groupCommits.set(db, commits);
  }
  return commits;
}
