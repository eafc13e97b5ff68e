import { describe, it, expect } from 'vitest';
import type { Transfer } from '../../../../../contract/index.js';
import { isClearable, orderTransfers, summarize } from './order.js';

const t = (id: string, state: Transfer['state'], position: number, finishedAt?: string): Transfer => ({
  id,
  version: 1,
  state,
  mode: null,
  requestedMode: 'auto',
  ifExists: 'overwrite',
  kind: 'file',
  name: id,
  source: { siteId: 'a', path: `/${id}` },
  destination: { siteId: 'b', dir: '/' },
  bytesDone: 0,
  bytesTotal: 0,
  bytesPerSecond: 0,
  filesDone: 0,
  filesFailed: 0,
  filesSkipped: 0,
  filesTotal: 1,
  verified: null,
  position,
  attempts: 0,
  notes: [],
  createdAt: '2026-11-24T09:00:00.000Z',
  ...(finishedAt ? { finishedAt } : {}),
});

describe('orderTransfers', () => {
  it('shows running, then queued by position, then finished newest first', () => {
    const ordered = orderTransfers([
      t('old-done', 'done', 1, '2026-11-24T09:01:00.000Z'),
      t('q2', 'queued', 5),
      t('run', 'running', 9),
      t('q1', 'queued', 2),
      t('new-fail', 'failed', 3, '2026-11-24T09:05:00.000Z'),
      t('mid-skip', 'skipped', 4, '2026-11-24T09:03:00.000Z'),
    ]);
    expect(ordered.map((x) => x.id)).toEqual(['run', 'q1', 'q2', 'new-fail', 'mid-skip', 'old-done']);
  });

  it('counts by state', () => {
    expect(
      summarize([
        t('a', 'running', 1),
        t('b', 'queued', 2),
        t('c', 'failed', 3),
        t('d', 'done', 4),
        t('e', 'skipped', 5),
      ]),
    ).toEqual({ running: 1, queued: 1, finished: 3, failed: 1, skipped: 1, clearable: 2 });
  });

  it('clears failed rows only when asked', () => {
    expect(isClearable(t('f', 'failed', 1), false)).toBe(false);
    expect(isClearable(t('f', 'failed', 1), true)).toBe(true);
    expect(isClearable(t('s', 'skipped', 1), false)).toBe(true);
    expect(isClearable(t('r', 'running', 1), true)).toBe(false);
  });
});
