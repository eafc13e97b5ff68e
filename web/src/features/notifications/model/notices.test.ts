import { describe, expect, it } from 'vitest';
import type { Run, Transfer } from '../../../../../contract/index.js';
import { initialLiveState, type LiveState } from '../../../lib/live.js';
import { detectNotices, noSightings, type Sightings } from './notices.js';

const zero = { new: 0, changed: 0, same: 0, extra: 0, conflict: 0, skipped: 0 };
const run = (state: Run['state'], extra: Partial<Run> = {}): Run => ({
  id: 'r1',
  jobId: 'j1',
  state,
  dryRun: false,
  trigger: 'schedule',
  counts: zero,
  bytes: 0,
  bytesByVerdict: zero,
  deleted: 0,
  notes: [],
  startedAt: '2026-03-01T10:00:00.000Z',
  ...extra,
});
const transfer = (id: string, state: Transfer['state']): Transfer =>
  ({ id, name: `${id}.bin`, state, filesFailed: 0, filesTotal: 1, error: { code: 'ftp_550', message: '550 Permission denied' } }) as Transfer;

const live = (partial: Partial<LiveState>): LiveState => ({ ...initialLiveState(), awaitingSnapshot: false, ...partial });
const describeRun = (r: Run) => `result of ${r.id}`;

function feed(states: LiveState[]): string[] {
  let seen: Sightings = noSightings;
  const titles: string[] = [];
  for (const state of states) {
    const result = detectNotices(seen, state, describeRun);
    seen = result.seen;
    titles.push(...result.notices.map((n) => n.title));
  }
  return titles;
}

describe('what is worth a notice', () => {
  it('a run that ends, once, named after its job', () => {
    const jobs = { j1: { name: 'nightly' } } as unknown as LiveState['jobs'];
    const titles = feed([
      live({ jobs, runs: { r1: run('comparing') } }),
      live({ jobs, runs: { r1: run('syncing') } }),
      live({ jobs, runs: { r1: run('done') } }),
      live({ jobs, runs: { r1: run('done') } }),
    ]);
    expect(titles).toEqual(['nightly: scheduled run finished']);
  });

  it('a run first seen already over (it ran fast between two messages) still counts', () => {
    expect(feed([live({ runs: { r1: run('failed', { dryRun: true }) } })])).toEqual(['Mirror job: dry run failed']);
  });

  it('transfers that failed before the page loaded are not news; those failing later are', () => {
    const titles = feed([
      live({ transfers: { a: transfer('a', 'failed'), b: transfer('b', 'running') } }),
      live({ transfers: { a: transfer('a', 'failed'), b: transfer('b', 'failed') } }),
    ]);
    expect(titles).toEqual(['Transfer failed: b.bin']);
  });

  it('nothing from transfers before the first snapshot', () => {
    const titles = feed([
      live({ awaitingSnapshot: true, transfers: { a: transfer('a', 'failed') } }),
      live({ transfers: { a: transfer('a', 'failed') } }),
    ]);
    expect(titles).toEqual([]);
  });

  it('a mirror run’s own transfer failing is told by the run, not twice', () => {
    const titles = feed([
      live({ transfers: { t: transfer('t', 'running') }, runs: { r1: run('syncing', { transferId: 't' }) } }),
      live({ transfers: { t: transfer('t', 'failed') }, runs: { r1: run('failed', { transferId: 't' }) } }),
    ]);
    expect(titles).toEqual(['Mirror job: scheduled run failed']);
  });
});
