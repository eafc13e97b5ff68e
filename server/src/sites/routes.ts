/**
 * The route memory (ftp/route.ts's RouteMemory): per ordered pair of sites, the route that
 * worked last and the last refusals, kept in the store and announced as they change
 * (route.updated, route.forgotten). The table is read into memory once: the runner looks a
 * route up for every file it copies (a tree of 1000 small files is 1000 lookups), so a
 * lookup is two Map reads, and a copy that works the way it did before writes nothing,
 * bar its time once a minute.
 */
import type { RememberedRoute } from '../../../contract/index.js';
import type { EventBus } from '../events.js';
import { describeRoute, sameRoute, type Route, type RouteFailure, type RouteMemory } from '../ftp/route.js';
import type { Db } from '../store/db.js';

/** A route that keeps working has its time stored at most this often; the same refusal again within it is not kept twice. */
const REPEAT_MS = 60_000;
/** Refusals kept per pair, newest first. */
const FAILURES_KEPT = 10;

interface RouteRow {
  source_site: string;
  dest_site: string;
  route: string | null;
  worked_at: string | null;
  failures: string;
}

interface Pair {
  sourceSiteId: string;
  destinationSiteId: string;
  route: Route | null;
  workedAt: string | null;
  /** workedAt in milliseconds, so that a repeated worked() compares without parsing. */
  workedAtMs: number;
  failures: RouteFailure[];
}

export interface RouteBookOptions {
  /** The clock (tests move it). */
  now?: () => number;
}

export class RouteBook implements RouteMemory {
  /** By source site, then destination site: a lookup builds no key. */
  private readonly pairs = new Map<string, Map<string, Pair>>();
  private readonly now: () => number;

  /** `siteName` is undefined for a site that is gone: nothing is remembered for it. */
  constructor(
    private readonly db: Db,
    private readonly events: EventBus,
    private readonly siteName: (siteId: string) => string | undefined,
    options: RouteBookOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    for (const row of db.prepare('SELECT * FROM routes').all() as RouteRow[]) {
      this.keep({
        sourceSiteId: row.source_site,
        destinationSiteId: row.dest_site,
        route: row.route === null ? null : (JSON.parse(row.route) as Route),
        workedAt: row.worked_at,
        workedAtMs: row.worked_at === null ? 0 : Date.parse(row.worked_at),
        failures: JSON.parse(row.failures) as RouteFailure[],
      });
    }
  }

  lookup(sourceSiteId: string, destinationSiteId: string): Route | null {
    return this.pairs.get(sourceSiteId)?.get(destinationSiteId)?.route ?? null;
  }

  worked(sourceSiteId: string, destinationSiteId: string, route: Route): void {
    const known = this.pairs.get(sourceSiteId)?.get(destinationSiteId);
    const now = this.now();
    const same = known?.route != null && sameRoute(known.route, route);
    if (same && now - known.workedAtMs < REPEAT_MS) return;
    const pair = known ?? blank(sourceSiteId, destinationSiteId);
    this.store({
      ...pair,
      route: same ? pair.route : { ...route },
      workedAt: new Date(now).toISOString(),
      workedAtMs: now,
    });
  }

  /**
   * Demotes the route only if it is the one remembered: a rung the ladder tried before
   * finding the remembered one does not unseat it. Every file of a tree meeting the same
   * refusal within a minute is kept once.
   */
  failed(sourceSiteId: string, destinationSiteId: string, route: Route, reason: string): void {
    const pair = this.pairs.get(sourceSiteId)?.get(destinationSiteId) ?? blank(sourceSiteId, destinationSiteId);
    const now = this.now();
    const demote = pair.route !== null && sameRoute(pair.route, route);
    const last = pair.failures[0];
    if (
      !demote &&
      last &&
      last.reason === reason &&
      sameRoute(last.route, route) &&
      now - Date.parse(last.at) < REPEAT_MS
    )
      return;
    const failure: RouteFailure = { route: { ...route }, reason, at: new Date(now).toISOString() };
    this.store({
      ...pair,
      route: demote ? null : pair.route,
      failures: [failure, ...pair.failures].slice(0, FAILURES_KEPT),
    });
  }

  /** Drop what is remembered for the pair; false when nothing was. */
  forget(sourceSiteId: string, destinationSiteId: string): boolean {
    if (!this.pairs.get(sourceSiteId)?.has(destinationSiteId)) return false;
    this.db.prepare('DELETE FROM routes WHERE source_site = ? AND dest_site = ?').run(sourceSiteId, destinationSiteId);
    this.drop(sourceSiteId, destinationSiteId);
    return true;
  }

  /** A site was removed: its rows went with it (ON DELETE CASCADE), this drops them from memory. */
  forgetSite(siteId: string): void {
    for (const pair of this.all()) {
      if (pair.sourceSiteId === siteId || pair.destinationSiteId === siteId)
        this.drop(pair.sourceSiteId, pair.destinationSiteId);
    }
  }

  /** Every remembered pair, by source name then destination name. */
  list(): RememberedRoute[] {
    return this.all()
      .flatMap((pair) => {
        const view = this.view(pair);
        return view ? [view] : [];
      })
      .sort(
        (a, b) =>
          a.sourceSiteName.localeCompare(b.sourceSiteName, undefined, { sensitivity: 'base' }) ||
          a.destinationSiteName.localeCompare(b.destinationSiteName, undefined, { sensitivity: 'base' }),
      );
  }

  private all(): Pair[] {
    return [...this.pairs.values()].flatMap((byDestination) => [...byDestination.values()]);
  }

  private store(pair: Pair): void {
    const view = this.view(pair);
    // A site removed while a copy of it ran: there is nothing to remember the route by.
    if (!view) return;
    this.db.prepare(
      `INSERT INTO routes (source_site, dest_site, route, worked_at, failures) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (source_site, dest_site) DO UPDATE SET route = excluded.route, worked_at = excluded.worked_at, failures = excluded.failures`,
    ).run(
      pair.sourceSiteId,
      pair.destinationSiteId,
      pair.route && JSON.stringify(pair.route),
      pair.workedAt,
      JSON.stringify(pair.failures),
    );
    this.keep(pair);
    this.events.publish({ type: 'route.updated', route: view });
  }

  private keep(pair: Pair): void {
    let byDestination = this.pairs.get(pair.sourceSiteId);
    if (!byDestination) {
      byDestination = new Map();
      this.pairs.set(pair.sourceSiteId, byDestination);
    }
    byDestination.set(pair.destinationSiteId, pair);
  }

  private drop(sourceSiteId: string, destinationSiteId: string): void {
    const byDestination = this.pairs.get(sourceSiteId);
    byDestination?.delete(destinationSiteId);
    if (byDestination?.size === 0) this.pairs.delete(sourceSiteId);
    this.events.publish({ type: 'route.forgotten', sourceSiteId, destinationSiteId });
  }

  private view(pair: Pair): RememberedRoute | null {
    const sourceSiteName = this.siteName(pair.sourceSiteId);
    const destinationSiteName = this.siteName(pair.destinationSiteId);
    if (sourceSiteName === undefined || destinationSiteName === undefined) return null;
    return {
      sourceSiteId: pair.sourceSiteId,
      destinationSiteId: pair.destinationSiteId,
      sourceSiteName,
      destinationSiteName,
      route: pair.route,
      description: pair.route && describeRoute(pair.route),
      workedAt: pair.workedAt,
      failures: pair.failures.map((failure) => ({ ...failure, description: describeRoute(failure.route) })),
    };
  }
}

function blank(sourceSiteId: string, destinationSiteId: string): Pair {
  return { sourceSiteId, destinationSiteId, route: null, workedAt: null, workedAtMs: 0, failures: [] };
}
