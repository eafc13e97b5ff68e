/**
 * The store: by default one SQLite file under PASV_DATA_DIR (WAL mode), or PostgreSQL when
 * PASV_DATABASE_URL names one (postgres.ts); migrations applied in order at open.
 * Repositories take a Db; nothing else touches SQL. They write portable SQL (the few
 * differences are spelled out in postgres-dialect.ts).
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.js';
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
  return preparedOnce(db);
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
  const { changes } = db
    .prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING')
    .run(key, value);
  return changes > 0 ? { value, created: true } : { value: getMeta(db, key)!, created: false };
}

/**
 * `db` with each distinct SQL text prepared once: preparing costs more than running most of our
 * statements, and the stores prepare where they use a statement. A statement's pluck() gives a
 * second cached statement, so a plucked caller never changes what another one reads.
 */
export function preparedOnce(db: Db): Db {
  const cache = new Map<string, Statement>();
  const prepare = (sql: string): Statement => {
    let statement = cache.get(sql);
    if (!statement) {
      const prepared = db.prepare(sql);
      let plucked: Statement | undefined;
      statement = {
        run: (...params) => prepared.run(...params),
        get: (...params) => prepared.get(...params),
        all: (...params) => prepared.all(...params),
        pluck: () => (plucked ??= db.prepare(sql).pluck()),
      };
      cache.set(sql, statement);
    }
    return statement;
  };
  return {
    prepare,
    exec: (sql) => db.exec(sql),
    transaction: (fn) => db.transaction(fn),
    get inTransaction() {
      return db.inTransaction;
    },
    close: () => db.close(),
    ...(db.engine ? { engine: db.engine } : {}),
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
 * identical end (see runner.ts), and nothing that left the process reported them. A deferred
 * write (defer) waits longer, for the next flush or writeDeferred, so it is only for what may be
 * lost and what its readers write first: a count nobody has read since, a file's claim
 * (transitions.ts).
 */
export class GroupCommit {
  private timer: NodeJS.Timeout | null = null;
  /** The open transaction is ours to commit (SQLite). */
  private began = false;
  private readonly deferred = new Map<string, () => void>();

  constructor(
    private readonly db: Db,
    private readonly maxDelayMs = 5,
  ) {}

  /** `writes` join the open transaction: each of them must be atomic itself (one statement, or store.atomically). */
  run<T>(writes: () => T): T {
    this.arm();
    return writes();
  }

  /**
   * `write` runs once, at the next flush() (when something is about to leave the process),
   * however often it is deferred under `key` before then; the timer's commits leave it
   * waiting. For writes that are safe to lose and often repeated or soon superseded: a count
   * bumped per control line (trace.ts) is written once per reader, not once per line; a small
   * file's claim is never written when its end comes first (transitions.ts).
   */
  defer(key: string, write: () => void): void {
    this.deferred.set(key, write);
  }

  /** Run the deferred writes and commit what waits, if anything does. */
  flush(): void {
    this.writeDeferred();
    this.commit();
  }

  /**
   * Run the deferred writes now, in the transaction that is open (committed with it): what
   * this connection reads next includes them. Safe inside another transaction, unlike flush.
   */
  writeDeferred(): void {
    if (this.deferred.size === 0) return;
    const writes = [...this.deferred.values()];
    this.deferred.clear();
    this.run(() => writes.forEach((write) => write()));
  }

  private commit(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = null;
    if (this.began && this.db.inTransaction) this.db.exec('COMMIT');
    this.began = false;
  }

  private arm(): void {
    // PostgreSQL commits each write at once: an open transaction there would hold row locks that
    // other nodes wait on, and one failed statement would abort the writes grouped with it.
    if (this.timer || this.db.engine === 'postgres' || this.db.inTransaction) return;
    this.db.exec('BEGIN');
    this.began = true;
    this.timer = setTimeout(() => this.commit(), this.maxDelayMs);
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
