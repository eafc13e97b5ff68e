/** The store a node's configuration names: PostgreSQL when PASV_DATABASE_URL is set, else SQLite in the data dir. */
import { openDatabase, preparedOnce, type Db } from './db.js';
import { openPostgres } from './postgres.js';

export function openStore(config: { dataDir: string; databaseUrl?: string }): Db {
  return config.databaseUrl ? preparedOnce(openPostgres(config.databaseUrl)) : openDatabase(config.dataDir);
}
