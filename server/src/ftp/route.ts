/**
 * A route: how one copy between two servers was made. pasv remembers the last one that worked
 * per ordered pair of sites and tries it first next time (sites/routes.ts); the ladder
 * (ladder.ts) is the order in which routes are tried when none is known or the known one fails.
 */
import type { Side } from './errors.js';

/**
 * How the data connection between the two servers is secured.
 * - none: neither data channel is protected (plain FXP);
 * - sscn-destination / sscn-source: both are, and SSCN ON makes that server the TLS client;
 * - cpsv: both are, and CPSV (PASV where the server does the TLS connect) on the passive side;
 * - clear: PROT C on the protected side(s) for the copy, which both sites allow.
 */
export type DataSecurity = 'none' | 'sscn-destination' | 'sscn-source' | 'cpsv' | 'clear';

export type Route =
  | {
      mode: 'fxp';
      /** The server that listens (PASV/EPSV/CPSV); the other connects to it (PORT/EPRT). */
      passive: Side;
      security: DataSecurity;
      /** PRET went before the passive command. */
      pret: boolean;
      /** EPSV/EPRT rather than PASV/PORT. */
      extended: boolean;
    }
  | { mode: 'relay'; pret: boolean };

/** One rung that did not work, with the server's own words. */
export interface RouteFailure {
  route: Route;
  reason: string;
  at: string;
}

/** What the runner needs of the route memory. Lookups are per file: they must not touch the disk. */
export interface RouteMemory {
  /** What worked last for this ordered pair, or null (none yet, or it failed since). */
  lookup(sourceSiteId: string, destinationSiteId: string): Route | null;
  worked(sourceSiteId: string, destinationSiteId: string, route: Route): void;
  /** This route was refused: it is demoted (no longer looked up) and the failure kept. */
  failed(sourceSiteId: string, destinationSiteId: string, route: Route, reason: string): void;
}

export function sameRoute(a: Route, b: Route): boolean {
  if (a.mode !== b.mode || a.pret !== b.pret) return false;
  if (a.mode === 'relay' || b.mode === 'relay') return true;
  return a.passive === b.passive && a.security === b.security && a.extended === b.extended;
}

const SECURITY_WORDS: Record<DataSecurity, string | null> = {
  none: null,
  'sscn-destination': 'the destination is the TLS client (SSCN)',
  'sscn-source': 'the source is the TLS client (SSCN)',
  cpsv: 'the passive server is the TLS client (CPSV)',
  clear: 'data unencrypted (PROT C)',
};

/** In words, e.g. "FXP, destination passive, the destination is the TLS client (SSCN), PRET". */
export function describeRoute(route: Route): string {
  const parts =
    route.mode === 'relay'
      ? ['relay through pasv']
      : ['FXP', `${route.passive} passive`, SECURITY_WORDS[route.security], route.extended ? 'EPSV/EPRT' : null];
  if (route.pret) parts.push('PRET');
  return parts.filter((part) => part !== null).join(', ');
}
