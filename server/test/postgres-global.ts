/**
 * Global setup of vitest's "postgres" project: one real PostgreSQL for the run (started as an
 * unprivileged user, stopped by PID), whose URL startTestApp (app.ts) takes to give each app
 * a database of its own. The project runs the app-level suites again on it, unchanged.
 */
import type { TestProject } from 'vitest/node';
import { startPostgres } from '../src/demo/postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string | undefined;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const postgres = await startPostgres();
  project.provide('postgresUrl', postgres.url);
  return () => postgres.stop();
}
