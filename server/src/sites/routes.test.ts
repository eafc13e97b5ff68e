/**
 * The route memory on a real store: what it keeps survives reopening the database, a failure
 * demotes the remembered route, failures are capped newest first, a route that keeps working
 * writes at most once a minute (counted by a second connection's PRAGMA data_version, which
 * moves on every commit of another connection), and a removed site takes its pairs along.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../../contract/index.js';
import { EventBus } from '../events.js';
import type { Route } from '../ftp/route.js';
import { openDatabase, type Db } from '../store/db.js';
import { RouteBook } from './routes.js';
import { SecretBox } from './secrets.js';
import { SitesService } from './service.js';

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const step of cleanup.splice(0).reverse()) step();
});

const SSCN: Route = { mode: 'fxp', passive: 'destination', security: 'sscn-destination', pret: false, extended: false };
const FLIPPED: Route = { mode: 'fxp', passive: 'source', security: 'sscn-destination', pret: false, extended: false };
const RELAY: Route = { mode: 'relay', pret: true };

interface Opened {
  db: Db;
  sites: SitesService;
  book: RouteBook;
  events: LiveEvent[];
  clock: { now: number };
}

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pasv-routes-'));
  cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The store, the sites and the route book as app.ts wires them. */
function open(dataDir: string, clock = { now: Date.parse('2026-11-24T09:00:00Z') }): Opened {
  const db = openDatabase(dataDir);
  const bus = new EventBus();
  const events: LiveEvent[] = [];
  bus.on('event', (event) => events.push(event));
  const sites = new SitesService(db, SecretBox.open(dataDir), bus, { allowPrivate: true, allowLinkLocal: false });
  const book = new RouteBook(db, bus, (id) => sites.find(id)?.name, { now: () => clock.now });
  sites.onRemoved((site) => book.forgetSite(site.id));
  let closed = false;
  const close = () => {
    if (!closed) db.close();
    closed = true;
  };
  cleanup.push(close);
  return { db, sites, book, events, clock };
}

async function twoSites(sites: SitesService): Promise<[string, string]> {
  const a = await sites.create({ name: 'alpha', host: '127.0.0.2' });
  const b = await sites.create({ name: 'beta', host: '127.0.0.3' });
  return [a.id, b.id];
}

/** Commits made by other connections, as a second connection sees them. */
function commitCounter(dataDir: string): () => number {
  const watcher = new Database(path.join(dataDir, 'pasv.sqlite'), { readonly: true });
  cleanup.push(() => watcher.close());
  const version = () => watcher.pragma('data_version', { simple: true }) as number;
  const start = version();
  return () => version() - start;
}

describe('RouteBook', () => {
  it('keeps what worked across reopening the database', async () => {
    const dir = tempDir();
    const first = open(dir);
    const [a, b] = await twoSites(first.sites);
    first.book.worked(a, b, SSCN);
    first.book.failed(b, a, RELAY, '425 Can not open data connection.');
    first.db.close();

    const { book } = open(dir);
    expect(book.lookup(a, b)).toEqual(SSCN);
    expect(book.lookup(b, a)).toBeNull();
    expect(book.list()).toEqual([
      {
        sourceSiteId: a,
        destinationSiteId: b,
        sourceSiteName: 'alpha',
        destinationSiteName: 'beta',
        route: SSCN,
        description: 'FXP, destination passive, the destination is the TLS client (SSCN)',
        workedAt: '2026-11-24T09:00:00.000Z',
        failures: [],
      },
      {
        sourceSiteId: b,
        destinationSiteId: a,
        sourceSiteName: 'beta',
        destinationSiteName: 'alpha',
        route: null,
        description: null,
        workedAt: null,
        failures: [
          {
            route: RELAY,
            description: 'relay through pasv, PRET',
            reason: '425 Can not open data connection.',
            at: '2026-11-24T09:00:00.000Z',
          },
        ],
      },
    ]);
  });

  it('a failure of the remembered route demotes it; a failure of another rung does not', async () => {
    const { sites, book, events } = open(tempDir());
    const [a, b] = await twoSites(sites);
    book.worked(a, b, SSCN);
    book.failed(a, b, FLIPPED, '500 Illegal PORT command.');
    expect(book.lookup(a, b)).toEqual(SSCN);
    book.failed(a, b, SSCN, '435 Failed TLS negotiation on data channel');
    expect(book.lookup(a, b)).toBeNull();
    const [listed] = book.list();
    expect(listed!.failures.map((failure) => failure.reason)).toEqual([
      '435 Failed TLS negotiation on data channel',
      '500 Illegal PORT command.',
    ]);
    // Each change announced with the whole pair, as GET /api/routes shows it.
    expect(events.filter((event) => event.type === 'route.updated').at(-1)).toEqual({
      type: 'route.updated',
      route: listed,
    });
  });

  it('keeps the last 10 failures, newest first', async () => {
    const { sites, book, clock } = open(tempDir());
    const [a, b] = await twoSites(sites);
    for (let i = 1; i <= 12; i++) {
      clock.now += 1000;
      book.failed(a, b, RELAY, `550 refusal ${i}`);
    }
    const failures = book.list()[0]!.failures;
    expect(failures.map((failure) => failure.reason)).toEqual(
      Array.from({ length: 10 }, (_, i) => `550 refusal ${12 - i}`),
    );
    expect(failures.map((failure) => failure.at)).toEqual([...failures.map((failure) => failure.at)].sort().reverse());
  });

  it('a route that keeps working writes once, then its time at most once a minute; a new one at once', async () => {
    const dir = tempDir();
    const { sites, book, clock, events } = open(dir);
    const [a, b] = await twoSites(sites);
    const commits = commitCounter(dir);

    book.worked(a, b, SSCN);
    expect(commits()).toBe(1);
    // A 1000-file tree copied the same way within the minute: no write, no event.
    for (let file = 0; file < 1000; file++) {
      clock.now += 50;
      book.worked(a, b, { ...SSCN });
      expect(book.lookup(a, b)).toEqual(SSCN);
    }
    expect(commits()).toBe(1);
    clock.now += 10_000; // 60 s since the first
    book.worked(a, b, SSCN);
    expect(commits()).toBe(2);
    expect(book.list()[0]!.workedAt).toBe(new Date(clock.now).toISOString());
    book.worked(a, b, FLIPPED);
    expect(commits()).toBe(3);
    expect(book.lookup(a, b)).toEqual(FLIPPED);
    expect(events.filter((event) => event.type === 'route.updated')).toHaveLength(3);

    // The same refusal on every file of a tree is kept once a minute too.
    book.failed(a, b, RELAY, '550 no relay');
    book.failed(a, b, RELAY, '550 no relay');
    expect(commits()).toBe(4);
  });

  it('forgets a pair on request, and every pair of a removed site', async () => {
    const { db, sites, book, events } = open(tempDir());
    const [a, b] = await twoSites(sites);
    const c = (await sites.create({ name: 'gamma', host: '127.0.0.4' })).id;
    book.worked(a, b, SSCN);
    book.worked(b, a, SSCN);
    book.worked(b, c, RELAY);
    book.worked(c, b, RELAY);

    expect(book.forget(c, b)).toBe(true);
    expect(book.forget(c, b)).toBe(false);
    expect(book.lookup(c, b)).toBeNull();

    sites.remove(a);
    expect(book.lookup(a, b)).toBeNull();
    expect(book.lookup(b, a)).toBeNull();
    expect(book.list().map((route) => [route.sourceSiteName, route.destinationSiteName])).toEqual([['beta', 'gamma']]);
    expect(db.prepare('SELECT source_site, dest_site FROM routes').all()).toEqual([{ source_site: b, dest_site: c }]);
    const forgotten = events.filter((event) => event.type === 'route.forgotten');
    expect(forgotten).toEqual(
      expect.arrayContaining([
        { type: 'route.forgotten', sourceSiteId: c, destinationSiteId: b },
        { type: 'route.forgotten', sourceSiteId: a, destinationSiteId: b },
        { type: 'route.forgotten', sourceSiteId: b, destinationSiteId: a },
      ]),
    );
    expect(forgotten).toHaveLength(3);

    // A copy of the removed site that ends after the removal leaves nothing behind.
    book.worked(a, b, SSCN);
    expect(book.lookup(a, b)).toBeNull();
    expect(db.prepare('SELECT COUNT(*) AS n FROM routes').get()).toEqual({ n: 1 });
  });
});
