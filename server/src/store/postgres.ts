/**
 * The PostgreSQL engine behind the same synchronous Db as SQLite (db.ts). Every store was
 * written to read, decide and write within one turn of the event loop; rather than make all
 * of them async, each statement here is a synchronous round trip: node-postgres runs in a
 * worker thread (pg-worker.mjs) and the calling thread waits for its answer (synckit,
 * Atomics.wait). On loopback that is a fraction of a millisecond a statement; bench/ measures
 * it against SQLite. Nothing is deferred: every statement outside a transaction commits on
 * its own, so what another node reads is what happened.
 */
import { createSyncFn } from 'synckit';
import type { Db, Statement } from './db.js';
import { MIGRATIONS } from './migrations.js';
import { bindValues, toPostgres, type PgStatementText } from './postgres-dialect.js';
import { POSTGRES_BASELINE, POSTGRES_BASELINE_VERSION } from './postgres-schema.js';

/** What the worker thread (pg-worker.mjs) is asked, and answers. */
export type Call =
  | { op: 'open'; url: string }
  | { op: 'query'; id: number; text: string; values: unknown[] }
  | { op: 'exec'; id: number; text: string }
  | { op: 'close'; id: number };

export type Answer =
  | { ok: true; id?: number; rows?: Record<string, unknown>[]; rowCount?: number }
  | { ok: false; message: string; code?: string };

/** A statement PostgreSQL refused: its SQLSTATE (23505 a unique violation, …) and message. */
export class PostgresError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'PostgresError';
  }
}

const workerPath = new URL('./pg-worker.mjs', import.meta.url).pathname;
let call: ((c: Call) => Answer) | null = null;

function send(c: Call): Answer & { ok: true } {
  call ??= createSyncFn<(c: Call) => Promise<Answer>>(workerPath, {
    timeout: Number(process.env.PASV_DB_TIMEOUT_MS ?? 60_000),
  });
  const answer = call(c);
  if (!answer.ok) throw new PostgresError(answer.message, answer.code);
  return answer;
}

class PostgresStatement implements Statement {
  private plucked = false;

  constructor(
    private readonly db: PostgresDb,
    private readonly statement: PgStatementText,
  ) {}

  run(...params: unknown[]): { changes: number } {
    return { changes: this.db.query(this.statement, params).rowCount ?? 0 };
  }

  get(...params: unknown[]): unknown {
    const row = this.db.query(this.statement, params).rows?.[0];
    return this.plucked && row ? Object.values(row)[0] : row;
  }

  all(...params: unknown[]): unknown[] {
    const rows = this.db.query(this.statement, params).rows ?? [];
    return this.plucked ? rows.map((row) => Object.values(row)[0]) : rows;
  }

  pluck(): Statement {
    this.plucked = true;
    return this;
  }
}

export class PostgresDb implements Db {
  readonly engine = 'postgres' as const;
  private readonly id: number;
  private depth = 0;
  private open = false;
  private closed = false;

  constructor(url: string) {
    this.id = send({ op: 'open', url }).id!;
  }

  get inTransaction(): boolean {
    return this.open;
  }

  prepare(sql: string): Statement {
    return new PostgresStatement(this, toPostgres(sql));
  }

  exec(sql: string): void {
    send({ op: 'exec', id: this.id, text: sql });
    // GroupCommit-style callers open and close transactions by hand.
    if (/^\s*(BEGIN|START\s+TRANSACTION)\b/i.test(sql)) this.open = true;
    else if (/^\s*(COMMIT|END|ROLLBACK)\s*;?\s*$/i.test(sql)) this.open = false;
  }

  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
    return (...args: A) => {
      const savepoint = this.open ? `pasv_${++this.depth}` : null;
      this.exec(savepoint ? `SAVEPOINT ${savepoint}` : 'BEGIN');
      try {
        const result = fn(...args);
        this.exec(savepoint ? `RELEASE SAVEPOINT ${savepoint}` : 'COMMIT');
        return result;
      } catch (error) {
        this.exec(savepoint ? `ROLLBACK TO SAVEPOINT ${savepoint}` : 'ROLLBACK');
        if (savepoint) this.exec(`RELEASE SAVEPOINT ${savepoint}`);
        throw error;
      } finally {
        if (savepoint) this.depth--;
      }
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    send({ op: 'close', id: this.id });
  }

  /** @internal */
  query(statement: PgStatementText, params: unknown[]): Answer & { ok: true } {
    return send({ op: 'query', id: this.id, text: statement.text, values: bindValues(statement, params) });
  }
}

/**
 * Connect and bring the schema up to date. Nodes starting together migrate one at a time
 * (an advisory lock), each step in its own transaction.
 */
export function openPostgres(url: string): PostgresDb {
  const db = new PostgresDb(url);
  db.exec('CREATE TABLE IF NOT EXISTS pasv_schema (version BIGINT NOT NULL)');
  for (;;) {
    const done = db.transaction(() => {
      db.exec('SELECT pg_advisory_xact_lock(7316519)'); // 'pasv' in a number: one migrator at a time
      const row = db.prepare('SELECT version FROM pasv_schema').get() as { version: number } | undefined;
      const version = row?.version ?? 0;
      if (version >= MIGRATIONS.length) return true;
      if (version === 0) db.exec(POSTGRES_BASELINE);
      else db.exec(MIGRATIONS[version]!);
      const next = version === 0 ? POSTGRES_BASELINE_VERSION : version + 1;
      if (row) db.prepare('UPDATE pasv_schema SET version = ?').run(next);
      else db.prepare('INSERT INTO pasv_schema (version) VALUES (?)').run(next);
      return false;
    })();
    if (done) return db;
  }
}
