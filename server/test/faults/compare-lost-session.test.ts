/**
 * A tree compare whose source drops the control connection in the middle of a listing lists
 * that folder again on a fresh session, and the compare completes.
 */
import { afterEach, expect, it } from 'vitest';
import { EventBus } from '../../src/events.js';
import { compareTrees } from '../../src/mirror/lister.js';
import { entryFilter, DEFAULT_RULES } from '../../src/mirror/rules.js';
import { SessionPool } from '../../src/sites/pool.js';
import { embedded, sessionOptions } from '../fixtures.js';
import { startScriptedLister } from './scripted-lister.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

it('lists a folder again on a fresh session when the first one dies mid-listing', async () => {
  let listings = 0;
  const source = await startScriptedLister({
    host: '127.0.0.2',
    onListing: (data, conn) => {
      listings++;
      if (listings === 1) {
        conn.socket.destroy(); // the session dies with the listing half way
        data.destroy();
        return;
      }
      data.end('-rw-r--r-- 1 ftp ftp 5 Jan 01 2026 a.txt\r\n', () => conn.reply(226, 'Done.'));
    },
  });
  cleanup.push(() => source.close());
  const destination = await embedded.start({ address: '127.0.0.3', files: { 'dst/old.txt': 'x' } });
  cleanup.push(() => destination.stop());
  const pool = new SessionPool(
    (siteId) => ({
      options: siteId === 'src' ? { host: source.host, port: source.port, user: 'u', password: 'p' } : sessionOptions(destination),
      maxConnections: 1,
    }),
    new EventBus(),
    { backoffMs: 20, connectAttempts: 2 },
  );
  cleanup.push(() => pool.close());

  const result = await compareTrees({
    pool,
    source: { siteId: 'src', dir: '/', maxConnections: 1 },
    destination: { siteId: 'dst', dir: '/dst', maxConnections: 1 },
    filter: entryFilter(DEFAULT_RULES),
    settings: { compareBy: 'size', newerOnly: false, timesUsable: true },
    signal: new AbortController().signal,
  });
  expect(result.entries.map((e) => [e.path, e.verdict])).toEqual([
    ['a.txt', 'new'],
    ['old.txt', 'extra'],
  ]);
  expect(listings).toBe(2);
  expect(source.connections.length).toBe(2);
});
