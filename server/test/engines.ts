/**
 * The store suite runs on both engines: `onBothEngines(suite)` declares the suite once on
 * SQLite and once on a real PostgreSQL (started for the file, stopped by PID). `open()` gives
 * the current test's store, fresh for each test; called again in a test, it opens the same
 * store anew (a restart). Every connection opened is closed after its test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe } from 'vitest';
import { openDatabase, type Db } from '../src/store/db.js';
import { openPostgres } from '../src/store/postgres.js';
import { skipWithoutPostgres, withPostgres } from './postgres.js';

export type Engine = 'sqlite' | 'postgres';
export type OpenStore = () => Db;

export function onBothEngines(suite: (open: OpenStore, engine: Engine) => void): void {
  describe('on SQLite', () => {
    let dir: string | undefined;
    const opened = closeAfterEach();
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-store-'));
    });
    afterEach(() => {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });
    suite(() => opened(openDatabase(dir!)), 'sqlite');
  });
  describe.skipIf(skipWithoutPostgres())('on PostgreSQL', () => {
    const postgres = withPostgres('test');
    const opened = closeAfterEach();
    suite(() => opened(openPostgres(postgres.url)), 'postgres');
  });
}

function closeAfterEach(): (db: Db) => Db {
  const open: Db[] = [];
  afterEach(() => {
    for (const db of open.splice(0)) db.close();
  });
  return (db) => {
    open.push(db);
    return db;
  };
}
