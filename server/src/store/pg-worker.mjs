// @ts-check
/**
 * The worker thread behind the PostgreSQL engine (postgres.ts): node-postgres clients, one per
 * open Db, driven synchronously from the main thread through synckit. Plain JavaScript (type
 * checked by tsc): a worker thread on Node 20 can't load TypeScript through tsx's loader, and
 * this way the same file runs from the sources and from dist/. Errors come back as values so
 * that their SQLSTATE code survives the trip.
 */
import pg from 'pg';
import { runAsWorker } from 'synckit';

// Sizes, counts and sums are numbers in the stores, as better-sqlite3 gives them.
pg.types.setTypeParser(pg.types.builtins.INT8, Number);
pg.types.setTypeParser(pg.types.builtins.NUMERIC, Number);

/** @type {Map<number, pg.Client>} */
const clients = new Map();
/** Each statement text prepared once per connection, under a name (a parse and plan saved per run). */
/** @type {WeakMap<pg.Client, Map<string, string>>} */
const prepared = new WeakMap();
let nextId = 0;

/** @param {import('./postgres.js').Call} call @returns {Promise<import('./postgres.js').Answer>} */
async function answer(call) {
  if (call.op === 'open') {
    const client = new pg.Client({ connectionString: call.url, application_name: 'pasv' });
    // A connection the server ended fails the next query with its cause, instead of the thread.
    client.on('error', () => undefined);
    await client.connect();
    const id = ++nextId;
    clients.set(id, client);
    return { ok: true, id };
  }
  const client = clients.get(call.id);
  if (!client) return { ok: false, message: 'the PostgreSQL connection is closed' };
  switch (call.op) {
    case 'query': {
      let names = prepared.get(client);
      if (!names) prepared.set(client, (names = new Map()));
      let name = names.get(call.text);
      if (!name) names.set(call.text, (name = `s${names.size + 1}`));
      const result = await client.query({ name, text: call.text, values: call.values });
      return { ok: true, rows: result.rows, rowCount: result.rowCount ?? 0 };
    }
    case 'exec':
      await client.query(call.text);
      return { ok: true };
    case 'close':
      clients.delete(call.id);
      await client.end();
      return { ok: true };
  }
}

runAsWorker(async (/** @type {import('./postgres.js').Call} */ call) => {
  try {
    return await answer(call);
  } catch (error) {
    const { message, code } = /** @type {{ message?: string; code?: string }} */ (error);
    return { ok: false, message: message ?? String(error), code };
  }
});
