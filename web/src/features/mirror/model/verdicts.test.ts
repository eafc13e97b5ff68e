import { describe, expect, it } from 'vitest';
import type { Run, VerdictCounts } from '../../../../../contract/index.js';
import { countsText, inStep, runResultText, summarizeVerdicts, totalEntries } from './verdicts.js';

const counts = (partial: Partial<VerdictCounts> = {}): VerdictCounts => ({ new: 0, changed: 0, same: 0, extra: 0, conflict: 0, skipped: 0, ...partial });

const run = (partial: Partial<Run> = {}): Run => ({
  id: 'r1',
  jobId: 'j1',
  state: 'done',
  dryRun: false,
  trigger: 'manual',
  counts: counts(),
  bytes: 0,
  bytesByVerdict: counts(),
  deleted: 0,
  notes: [],
  startedAt: '2026-03-01T10:00:00.000Z',
  finishedAt: '2026-03-01T10:00:04.000Z',
  ...partial,
});

describe('verdict summaries', () => {
  it('lists every verdict in a fixed order, zeros kept, with its bytes', () => {
    const summary = summarizeVerdicts(counts({ new: 3, same: 10, extra: 1 }), counts({ new: 3000, same: 1e6, extra: 5 }));
    expect(summary.map((line) => line.verdict)).toEqual(['new', 'changed', 'extra', 'conflict', 'same', 'skipped']);
    expect(summary[0]).toEqual({ verdict: 'new', count: 3, bytes: 3000 });
    expect(summary[1]).toEqual({ verdict: 'changed', count: 0, bytes: 0 });
    expect(totalEntries(counts({ new: 3, same: 10, extra: 1 }))).toBe(14);
  });

  it('names only the verdicts that occur', () => {
    expect(countsText(counts({ new: 2, same: 5 }))).toBe('2 new · 5 same');
    expect(countsText(counts())).toBe('nothing listed');
  });

  it('is in step when nothing is to copy or delete, whatever is skipped or in conflict', () => {
    expect(inStep(counts({ same: 4, skipped: 2, conflict: 1 }))).toBe(true);
    expect(inStep(counts({ same: 4, extra: 1 }))).toBe(false);
  });

  it('words a run’s result', () => {
    expect(runResultText(run({ dryRun: true, counts: counts({ same: 9 }) }), 0)).toBe('dry run: in step (4 s)');
    expect(runResultText(run({ dryRun: true, counts: counts({ new: 1, same: 9 }) }), 0)).toBe('dry run: 1 new · 9 same (4 s)');
    expect(runResultText(run({ counts: counts({ new: 2, changed: 1 }), bytes: 4_200_000, deleted: 1 }), 0)).toBe(
      '2 new, 1 changed (4.2 MB), 1 extra deleted in 4 s',
    );
    expect(runResultText(run({ state: 'failed', error: { code: 'max_deletes', message: 'would delete 12 > 10' } }), 0)).toBe(
      'failed after 4 s: would delete 12 > 10',
    );
    const started = Date.parse('2026-03-01T10:00:00.000Z');
    expect(runResultText(run({ state: 'comparing', finishedAt: undefined }), started + 65_000)).toBe('comparing… 1 min 5 s');
  });
});
