/**
 * The FXP negotiation ladder: the order in which a copy tries its routes (route.ts), after
 * lftp's FileCopyFtp and its `ftp:fxp-passive-sscn`. Two independent questions decide whether
 * two servers can talk to each other:
 * - which one listens: a refused PASV/PORT (an address policy) flips the passive side;
 * - with TLS on both data channels, which one is the TLS client: a refusal there moves to the
 *   next way of securing it: SSCN on the receiving side (measured: the sender as TLS client
 *   loses the tail of each file on ProFTPD), SSCN on the sending side, CPSV on the passive
 *   side, then clear data (PROT C) where both sites allow it.
 * A refusal advances only its own question, so a pair that needs both a flip and the sender as
 * TLS client gets there in three tries, not eight. When no FXP route is left: relay through
 * pasv (TLS on both legs) unless FXP was forced.
 */
import type { DataSecurity, Route } from './route.js';
import type { Side } from './errors.js';

export type CopyMode = 'auto' | 'fxp' | 'relay';

export interface LadderOptions {
  mode: CopyMode;
  preferredPassive: Side;
  relayAllowed: boolean;
  allowClearData: boolean;
  /** Whether each server's data connections are TLS-protected (PROT P). */
  protectedData: Record<Side, boolean>;
  /** Whether each server lists SSCN in FEAT: a rung it doesn't offer is not tried. */
  sscnOffered: Record<Side, boolean>;
  /** What worked last for this pair (or on this lane): tried first when it still applies. */
  start?: Route | null;
}

/** What a refusal was about: where the two servers could not meet. */
export type RefusalKind = 'address' | 'tls';

export class Ladder {
  private readonly passives: Side[];
  readonly securities: DataSecurity[];
  private readonly relay: boolean;
  private readonly tried = new Set<string>();
  private current: Route | null = null;

  constructor(private readonly options: LadderOptions) {
    this.passives = [options.preferredPassive, other(options.preferredPassive)];
    this.securities = options.mode === 'relay' ? [] : securitiesFor(options);
    this.relay = options.mode === 'relay' || (options.mode === 'auto' && options.relayAllowed);
  }

  /** The first route to try, or null when nothing can work (FXP forced, but impossible). */
  first(): Route | null {
    const start = this.options.start;
    const applies = start && (start.mode === 'relay' ? this.relay : this.securities.includes(start.security));
    return this.take(applies ? start : this.nextUntried(null));
  }

  /**
   * The route after `kind` of refusal of the current one: the same security with the other
   * passive side, or the next security with the same passive side, else the first untried.
   */
  next(kind: RefusalKind): Route | null {
    const current = this.current;
    if (!current || current.mode === 'relay') return null;
    const candidate: Route =
      kind === 'address'
        ? { ...current, passive: other(current.passive) }
        : { ...current, security: this.securities[this.securities.indexOf(current.security) + 1] ?? current.security };
    return this.take(this.tried.has(key(candidate)) ? this.nextUntried(current) : candidate);
  }

  private nextUntried(from: Route | null): Route | null {
    for (const security of this.securities) {
      for (const passive of this.passives) {
        const route: Route = { mode: 'fxp', passive, security, pret: from?.pret ?? false, extended: false };
        if (!this.tried.has(key(route))) return route;
      }
    }
    const relay: Route = { mode: 'relay', pret: false };
    return this.relay && !this.tried.has(key(relay)) ? relay : null;
  }

  private take(route: Route | null): Route | null {
    if (route) this.tried.add(key(route));
    this.current = route;
    return route;
  }
}

/** The ways the two servers' data connection can be secured, in the order they are tried. */
function securitiesFor({ protectedData, sscnOffered, allowClearData }: LadderOptions): DataSecurity[] {
  const clear: DataSecurity[] = allowClearData ? ['clear'] : [];
  if (protectedData.source && protectedData.destination) {
    const sscn: DataSecurity[] = [];
    if (sscnOffered.destination) sscn.push('sscn-destination');
    if (sscnOffered.source) sscn.push('sscn-source');
    return [...sscn, 'cpsv', ...clear];
  }
  if (protectedData.source || protectedData.destination) return clear;
  return ['none'];
}

function key(route: Route): string {
  return route.mode === 'relay' ? 'relay' : `${route.passive}/${route.security}`;
}

export function other(side: Side): Side {
  return side === 'source' ? 'destination' : 'source';
}
