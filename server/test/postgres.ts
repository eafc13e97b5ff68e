/**
 * A real PostgreSQL for vitest: one server per withPostgres() call, a fresh database per
 * test or per describe.
 *
 *   describe.skipIf(skipWithoutPostgres())('store on PostgreSQL', () => {
 *     const postgres = withPostgres();
 *     it('…', async () => { const store = await openStore(postgres.url); … });
 *   });
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { postgresUnavailable, startPostgres, type LocalPostgres } from '../src/demo/postgres.js';

/** Why PostgreSQL cannot be started here, or null when it can. */
export function missingPostgres(): string | null {
  const why = postgresUnavailable();
  return why && `${why} (or run scripts/install-test-servers.sh as root; PASV_PG_BIN names another bin dir)`;
}

let warned = false;

/**
 * For `describe.skipIf`: like skipWithout() for the FTP servers, a machine without
 * PostgreSQL skips, saying why; CI never does, so there the start fails and names what is missing.
 */
export function skipWithoutPostgres(): boolean {
  const missing = missingPostgres();
  if (!missing || process.env.CI) return false;
  if (!warned) console.warn(`skipping PostgreSQL tests: ${missing}`);
  warned = true;
  return true;
}

export interface PostgresFixture {
  /** The database of the current test (scope 'test') or of the enclosing describe ('describe'). */
  readonly url: string;
  readonly server: LocalPostgres;
  /** Another empty database, for tests that need two. */
  createDatabase(): Promise<string>;
}

let databases = 0;

/**
 * Registers hooks in the enclosing describe (or file): a server started before its first
 * test and stopped by PID after its last, and a fresh database for each test, or one for
 * the whole describe with scope 'describe'.
 */
export function withPostgres(scope: 'test' | 'describe' = 'test'): PostgresFixture {
  let server: LocalPostgres | undefined;
  let url: string | undefined;
  const createDatabase = (): Promise<string> => {
    if (!server) throw new Error('withPostgres: the server is not started yet (use it inside a test or hook)');
    return server.createDatabase(`test_${process.pid}_${++databases}`);
  };
  beforeAll(async () => {
    server = await startPostgres();
    if (scope === 'describe') url = await createDatabase();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    server = undefined;
  }, 30_000);
  if (scope === 'test') {
    beforeEach(async () => {
      url = await createDatabase();
    });
  }
  return {
    get url() {
      if (!url) throw new Error('withPostgres: no database yet (use it inside a test or hook)');
      return url;
    },
    get server() {
      if (!server) throw new Error('withPostgres: the server is not started yet (use it inside a test or hook)');
      return server;
    },
    createDatabase,
  };
}
