import { describe, expect, it } from 'vitest';
import type { ImportCandidateView } from '../../../../../contract/index.js';
import { clashes, initialRows, toTake } from './importSelection.js';

const row = (index: number, name: string, over: Partial<ImportCandidateView> = {}): ImportCandidateView => ({
  index,
  name,
  host: 'h',
  port: 21,
  user: 'u',
  tls: 'none',
  hasPassword: false,
  duplicate: false,
  ...over,
});

describe('import selection', () => {
  it('ticks what can be imported without a clash', () => {
    const rows = initialRows([row(0, 'a'), row(1, 'b', { duplicate: true }), row(2, 'c', { unsupported: 'SFTP' })]);
    expect(rows.map((r) => r.take)).toEqual([true, false, false]);
    expect(toTake(rows)).toEqual([{ index: 0, name: 'a' }]);
  });

  it('flags ticked rows whose name a saved site or another ticked row has, case aside', () => {
    const rows = initialRows([row(0, 'Alpha'), row(1, 'beta'), row(2, 'BETA')]);
    expect([...clashes(rows, ['alpha'])].sort()).toEqual([0, 1, 2]);
    rows[2]!.name = 'gamma';
    rows[0]!.take = false;
    expect([...clashes(rows, ['alpha'])]).toEqual([]);
    expect(toTake(rows)).toEqual([
      { index: 1, name: 'beta' },
      { index: 2, name: 'gamma' },
    ]);
  });
});
