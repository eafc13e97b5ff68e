/**
 * What a queue row says beyond its name: where from and where to (three "big.iso" rows must be
 * told apart), and once finished how long it took, how fast, how it was checked.
 */
import type { Transfer } from '../../../../../contract/index.js';

/** `text` cut to `max` characters by dropping its middle: both ends of a path tell most. */
export function truncateMiddle(text: string, max: number): string {
  if (text.length <= max) return text;
  const keep = max - 1;
  const head = Math.ceil(keep / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (keep - head))}`;
}

/** "alpha:/iso/big.iso" and "beta:/incoming/" */
export function routeEnds(transfer: Transfer, siteName: (id: string) => string): { from: string; to: string } {
  const dir = transfer.destination.dir.endsWith('/') ? transfer.destination.dir : `${transfer.destination.dir}/`;
  return {
    from: `${siteName(transfer.source.siteId)}:${transfer.source.path}${transfer.kind === 'dir' ? '/' : ''}`,
    to: `${siteName(transfer.destination.siteId)}:${dir}`,
  };
}

/** Milliseconds from its first start to its end, or null while unfinished (or never started). */
export function durationOf(transfer: Transfer): number | null {
  if (!transfer.startedAt || !transfer.finishedAt) return null;
  return Math.max(0, Date.parse(transfer.finishedAt) - Date.parse(transfer.startedAt));
}

/** Bytes per second over the whole transfer, or null when it cannot be said (nothing moved, no time). */
export function averageSpeed(transfer: Transfer): number | null {
  const ms = durationOf(transfer);
  if (ms === null || transfer.bytesDone <= 0) return null;
  // Under a millisecond (a tiny file on loopback) any rate would be made up.
  return ms > 0 ? (transfer.bytesDone * 1000) / ms : null;
}

/** "SHA-256 ✓", "size ✓", or "SHA-256 3 ✓ · size 1 ✓" for a tree checked both ways; null when nothing was copied. */
export function verifiedLabel(verified: string | null | undefined): string | null {
  if (!verified) return null;
  return verified
    .split(' · ')
    .map((part) => `${part} ✓`)
    .join(' · ');
}

/** "FXP", "relay", or null when no file was copied. */
export function modeLabel(mode: Transfer['mode']): string | null {
  if (mode === null) return null;
  return mode === 'fxp' ? 'FXP' : 'relay';
}
