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
const transfer = (id: string, state: Transfer['state'], extra: Partial<Transfer> = {}): Transfer =>
  ({
    id,
    name: `${id}.bin`,
    state,
    kind: 'file',
    filesDone: 0,
    filesFailed: 0,
    filesSkipped: 0,
    filesTotal: 1,
    bytesDone: 0,
    verified: null,
    error: { code: 'ftp_550', message: '550 Permission denied' },
    ...extra,
  }) as Transfer;

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

  it('a transfer that finishes is a success, one skipped is an info, each once', () => {
    let seen: Sightings = noSightings;
    const notices = [];
    const done = transfer('c', 'done', {
      bytesDone: 2_500_000,
      verified: 'SHA-256',
      startedAt: '2026-03-01T10:00:00.000Z',
      finishedAt: '2026-03-01T10:00:04.000Z',
    });
    for (const state of [
      live({ transfers: { c: transfer('c', 'running'), s: transfer('s', 'queued') } }),
      live({ transfers: { c: done, s: transfer('s', 'skipped') } }),
      live({ transfers: { c: done, s: transfer('s', 'skipped') } }),
    ]) {
      const result = detectNotices(seen, state, describeRun);
      seen = result.seen;
      notices.push(...result.notices);
    }
    expect(notices.map((n) => [n.tone, n.title, n.body])).toEqual([
      ['success', 'Transfer finished: c.bin', '2.5 MB in 4 s · SHA-256 ✓'],
      ['info', 'Transfer skipped: s.bin', 'The destination already has it: nothing was copied.'],
    ]);
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
