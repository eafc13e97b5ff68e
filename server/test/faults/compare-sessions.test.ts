/**
 * How many sessions a tree compare opens: a second one only while the folders waiting would
 * keep one session busy longer than a login takes. A small tree behind a slow login stays on
 * one session a side; a tree of slow listings behind a quick login spreads over the limit.
 */
import { afterEach, expect, it } from 'vitest';
import { EventBus } from '../../src/events.js';
import { compareTrees } from '../../src/mirror/lister.js';
import { DEFAULT_RULES, entryFilter } from '../../src/mirror/rules.js';
import { SessionPool } from '../../src/sites/pool.js';
import { embedded, sessionOptions, type TestServer } from '../fixtures.js';
import { startScriptedServer, type ScriptedServer } from './scripted-server.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A proxy to the source that holds back the reply to PASS and the final reply of each listing. */
async function slowSource(server: TestServer, delays: { loginMs: number; listingMs: number }): Promise<ScriptedServer> {
  const proxy = await startScriptedServer({
    host: server.host,
    upstream: { host: server.host, port: server.port },
    reply: (conn, line) => {
      const verb = conn.lastCommand?.verb ?? '';
      const delay = verb === 'PASS' ? delays.loginMs : /^(MLSD|LIST)$/.test(verb) ? delays.listingMs : 0;
      if (delay === 0 || !/^2\d\d /.test(line)) return false;
      setTimeout(() => conn.send(`${line}\r\n`), delay);
      return true;
    },
  });
  cleanup.push(() => proxy.close());
  return proxy;
}

async function compareThrough(folders: number, delays: { loginMs: number; listingMs: number }) {
  const files: Record<string, string> = {};
  for (let i = 0; i < folders; i++) files[`tree/d${i}/f.txt`] = `file ${i}`;
  const source = await embedded.start({ address: '127.0.0.2', files });
  cleanup.push(() => source.stop());
  const destination = await embedded.start({ address: '127.0.0.3', files: { 'tree/d0/f.txt': 'file 0' } });
  cleanup.push(() => destination.stop());
  const proxy = await slowSource(source, delays);
  const pool = new SessionPool(
    (siteId) => ({
      options: siteId === 'src' ? { ...sessionOptions(source), port: proxy.port } : sessionOptions(destination),
      maxConnections: 4,
    }),
    new EventBus(),
  );
  cleanup.push(() => pool.close());
  const result = await compareTrees({
    pool,
    source: { siteId: 'src', dir: '/tree', maxConnections: 4 },
    destination: { siteId: 'dst', dir: '/tree', maxConnections: 4 },
    filter: entryFilter(DEFAULT_RULES),
    settings: { compareBy: 'size', newerOnly: false, timesUsable: true },
    signal: new AbortController().signal,
  });
  const verdicts = result.entries.filter((e) => e.type === 'file').map((e) => e.verdict);
  expect(verdicts.filter((v) => v === 'same')).toHaveLength(1);
  expect(verdicts.filter((v) => v === 'new')).toHaveLength(folders - 1);
  return proxy.connections.length;
}

it('stays on one session when the listings left take less than a login', async () => {
  // A folder takes a few ms here (tens on a loaded machine): 8 of them stay well under 2.5 s.
  expect(await compareThrough(8, { loginMs: 2500, listingMs: 0 })).toBe(1);
});

it('opens sessions up to the limit when the listings left take longer than a login', async () => {
  expect(await compareThrough(30, { loginMs: 20, listingMs: 60 })).toBe(4);
});
