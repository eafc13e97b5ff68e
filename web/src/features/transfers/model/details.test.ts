import { describe, expect, it } from 'vitest';
import type { Transfer } from '../../../../../contract/index.js';
import { averageSpeed, durationOf, routeEnds, truncateMiddle, verifiedLabel } from './details.js';

const base: Transfer = {
  id: 't1',
  version: 1,
  state: 'done',
  mode: 'fxp',
  requestedMode: 'auto',
  ifExists: 'overwrite',
  kind: 'file',
  name: 'big.iso',
  source: { siteId: 'a', path: '/pub/linux/big.iso' },
  destination: { siteId: 'b', dir: '/incoming' },
  bytesDone: 10_000_000,
  bytesTotal: 10_000_000,
  bytesPerSecond: 0,
  filesDone: 1,
  filesFailed: 0,
  filesSkipped: 0,
  filesTotal: 1,
  verified: 'SHA-256',
  position: 1,
  attempts: 1,
  notes: [],
  createdAt: '2026-11-24T09:00:00.000Z',
  startedAt: '2026-11-24T09:00:00.000Z',
  finishedAt: '2026-11-24T09:00:04.000Z',
};

describe('queue row details', () => {
  it('keeps both ends of a long path', () => {
    expect(truncateMiddle('/a/very/long/path/to/the/big.iso', 16)).toBe('/a/very/…big.iso');
    expect(truncateMiddle('/short', 16)).toBe('/short');
    expect(truncateMiddle('/a/very/long/path/to/the/big.iso', 16)).toHaveLength(16);
  });

  it('names site and full path on each side', () => {
    const names = (id: string) => (id === 'a' ? 'alpha' : 'beta');
    expect(routeEnds(base, names)).toEqual({ from: 'alpha:/pub/linux/big.iso', to: 'beta:/incoming/' });
    expect(routeEnds({ ...base, kind: 'dir', destination: { siteId: 'b', dir: '/' } }, names)).toEqual({
      from: 'alpha:/pub/linux/big.iso/',
      to: 'beta:/',
    });
  });

  it('takes duration and average speed from start to end', () => {
    expect(durationOf(base)).toBe(4000);
    expect(averageSpeed(base)).toBe(2_500_000);
    const running: Transfer = { ...base, state: 'running' };
    delete running.finishedAt;
    expect(durationOf(running)).toBeNull();
    expect(averageSpeed({ ...base, bytesDone: 0 })).toBeNull();
    expect(averageSpeed({ ...base, finishedAt: base.startedAt! })).toBeNull();
  });

  it('marks each way a tree was verified', () => {
    expect(verifiedLabel('SHA-256')).toBe('SHA-256 ✓');
    expect(verifiedLabel('SHA-256 3 · size 1')).toBe('SHA-256 3 ✓ · size 1 ✓');
    expect(verifiedLabel(null)).toBeNull();
  });
});
