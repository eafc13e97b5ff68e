import { describe, expect, it } from 'vitest';
import { Ladder, type LadderOptions } from './ladder.js';
import type { Route } from './route.js';

const both = { source: true, destination: true };
const neither = { source: false, destination: false };

function ladder(options: Partial<LadderOptions>): Ladder {
  return new Ladder({
    mode: 'auto',
    preferredPassive: 'destination',
    relayAllowed: true,
    allowClearData: false,
    protectedData: neither,
    sscnOffered: neither,
    ...options,
  });
}

/** The rungs walked when every one is refused with `kind`, as "passive/security" or "relay". */
function walk(l: Ladder, kind: 'address' | 'tls'): string[] {
  const seen: string[] = [];
  for (let route = l.first(); route; route = l.next(kind)) {
    seen.push(route.mode === 'relay' ? 'relay' : `${route.passive}/${route.security}`);
  }
  return seen;
}

describe('the FXP ladder', () => {
  it('plain FXP: the preferred passive side, the other, then relay', () => {
    expect(walk(ladder({}), 'address')).toEqual(['destination/none', 'source/none', 'relay']);
    expect(walk(ladder({ preferredPassive: 'source', mode: 'fxp' }), 'address')).toEqual([
      'source/none',
      'destination/none',
    ]);
  });

  it('secure FXP: SSCN on the receiver, on the sender, CPSV, clear where allowed, then relay', () => {
    const l = ladder({ protectedData: both, sscnOffered: both, allowClearData: true });
    expect(walk(l, 'tls')).toEqual([
      'destination/sscn-destination',
      'destination/sscn-source',
      'destination/cpsv',
      'destination/clear',
      // every security with the preferred passive side refused: the other side, from the top
      'source/sscn-destination',
      'source/sscn-source',
      'source/cpsv',
      'source/clear',
      'relay',
    ]);
  });

  it('a refusal advances only its own question: a flip keeps the security, a TLS refusal keeps the side', () => {
    const l = ladder({ protectedData: both, sscnOffered: both });
    expect(l.first()).toMatchObject({ passive: 'destination', security: 'sscn-destination' });
    expect(l.next('address')).toMatchObject({ passive: 'source', security: 'sscn-destination' });
    expect(l.next('tls')).toMatchObject({ passive: 'source', security: 'sscn-source' });
  });

  it('skips SSCN on a server that does not offer it, and FXP entirely when only one side protects its data', () => {
    expect(walk(ladder({ protectedData: both, sscnOffered: { source: true, destination: false } }), 'tls')).toEqual([
      'destination/sscn-source',
      'destination/cpsv',
      'source/sscn-source',
      'source/cpsv',
      'relay',
    ]);
    expect(walk(ladder({ protectedData: { source: true, destination: false } }), 'tls')).toEqual(['relay']);
    expect(ladder({ protectedData: { source: true, destination: false }, mode: 'fxp' }).first()).toBeNull();
  });

  it('starts with a remembered route where it still applies, and never tries it twice', () => {
    const remembered: Route = { mode: 'fxp', passive: 'source', security: 'none', pret: true, extended: false };
    const l = ladder({ start: remembered });
    expect(l.first()).toBe(remembered);
    expect(l.next('address')).toMatchObject({ passive: 'destination', security: 'none' });
    expect(l.next('address')).toEqual({ mode: 'relay', pret: false });

    const relay: Route = { mode: 'relay', pret: false };
    expect(ladder({ start: relay }).first()).toBe(relay);
    expect(ladder({ start: relay, mode: 'fxp' }).first()).toMatchObject({ mode: 'fxp' });
    const cleared: Route = { ...remembered, security: 'clear' };
    expect(ladder({ start: cleared, protectedData: both }).first()).toMatchObject({ security: 'cpsv' });
  });
});
