import { describe, expect, it } from 'vitest';
import { compareFolder, decideFile, tally, type CompareSettings, type SideEntry } from './compare.js';
import { DEFAULT_RULES, entryFilter, resolveRules } from './rules.js';

const T0 = '2026-11-01T10:00:00.000Z';
const file = (size: number, modifiedAt: string | null = T0, exactTime = true): SideEntry => ({ type: 'file', size, modifiedAt, exactTime });
const later = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();
const settings = (over: Partial<CompareSettings> = {}): CompareSettings => ({ compareBy: 'size+time', newerOnly: false, timesUsable: true, ...over });

describe('decideFile', () => {
  const cases: [string, SideEntry, SideEntry, Partial<CompareSettings>, ReturnType<typeof decideFile>][] = [
    ['same size and time', file(10), file(10), {}, { verdict: 'same' }],
    ['size differs', file(10), file(11), {}, { verdict: 'changed', reason: 'size differs' }],
    ['time differs (exact)', file(10, later(60)), file(10), {}, { verdict: 'changed', reason: 'time differs' }],
    ['1 s apart is the same', file(10, later(1)), file(10), {}, { verdict: 'same' }],
    ['coarse times a minute apart, same size: ask MDTM', file(10, later(120), false), file(10), {}, { ask: 'exact-times' }],
    ['coarse times apart but sizes differ: no need to ask', file(10, later(120), false), file(11), {}, { verdict: 'changed', reason: 'size differs' }],
    ['coarse times within the minute', file(10, later(30), false), file(10), {}, { verdict: 'same' }],
    ['no time: size decides', file(10, null), file(10), {}, { verdict: 'same' }],
    ['times unusable: size decides', file(10, later(600)), file(10), { timesUsable: false }, { verdict: 'same' }],
    ['compare by size ignores time', file(10, later(600)), file(10), { compareBy: 'size' }, { verdict: 'same' }],
    ['compare by time ignores size', file(10), file(12), { compareBy: 'time' }, { verdict: 'same' }],
    ['always copies', file(10), file(10), { compareBy: 'always' }, { verdict: 'changed', reason: 'compare by: always copy' }],
    ['hash: equal sizes need hashes', file(10), file(10), { compareBy: 'hash' }, { ask: 'hashes' }],
    ['hash equal', { ...file(10), hash: 'ab' }, { ...file(10), hash: 'ab' }, { compareBy: 'hash' }, { verdict: 'same' }],
    ['hash differs', { ...file(10), hash: 'ab' }, { ...file(10), hash: 'cd' }, { compareBy: 'hash' }, { verdict: 'changed', reason: 'hash differs' }],
    ['newer only: destination newer is a conflict', file(10), file(11, later(60)), { newerOnly: true }, { verdict: 'conflict', reason: 'destination is newer' }],
    ['newer only: source newer is copied', file(10, later(60)), file(11), { newerOnly: true }, { verdict: 'changed', reason: 'size differs' }],
    ['newer only with coarse times asks', file(10, later(300), false), file(11), { newerOnly: true }, { ask: 'exact-times' }],
  ];
  it.each(cases)('%s', (_name, source, destination, over, expected) => {
    expect(decideFile(source, destination, settings(over))).toEqual(expected);
  });
});

describe('compareFolder', () => {
  const dir: SideEntry = { type: 'dir', size: 0, modifiedAt: null, exactTime: true };
  const link: SideEntry = { type: 'link', size: 0, modifiedAt: null, exactTime: true };
  const run = (source: Record<string, SideEntry> | null, destination: Record<string, SideEntry> | null, rules = DEFAULT_RULES) =>
    compareFolder(
      { path: 'top', onSource: source !== null, onDestination: destination !== null },
      source && new Map(Object.entries(source)),
      destination && new Map(Object.entries(destination)),
      entryFilter(rules),
      settings(),
    );

  it('gives each entry one verdict and descends into folders on either side', () => {
    const result = run(
      { 'new.txt': file(5), 'same.txt': file(7), 'changed.txt': file(8), sub: dir, 'only-src': dir, clash: dir, 'l': link, 'x.tmp': file(1) },
      { 'same.txt': file(7), 'changed.txt': file(9), sub: dir, 'extra.txt': file(3), 'only-dst': dir, clash: file(1) },
      resolveRules({ skip: { fileNames: { patterns: ['*.tmp'] } } }),
    );
    const verdicts = Object.fromEntries(result.entries.map((e) => [e.path, e.verdict]));
    expect(verdicts).toEqual({
      'top/new.txt': 'new',
      'top/same.txt': 'same',
      'top/changed.txt': 'changed',
      'top/sub': 'same',
      'top/only-src': 'new',
      'top/only-dst': 'extra',
      'top/clash': 'conflict',
      'top/l': 'skipped',
      'top/x.tmp': 'skipped',
      'top/extra.txt': 'extra',
    });
    expect(result.subfolders).toEqual([
      { path: 'top/only-dst', onSource: false, onDestination: true },
      { path: 'top/only-src', onSource: true, onDestination: false },
      { path: 'top/sub', onSource: true, onDestination: true },
    ]);
    const { counts, bytes } = tally(result.entries);
    expect(counts).toEqual({ new: 2, changed: 1, same: 2, extra: 2, conflict: 1, skipped: 2 });
    expect(bytes).toMatchObject({ new: 5, changed: 8, same: 7, extra: 3, skipped: 1 });
  });

  it('never calls an excluded destination file extra (deleteExtras must not remove it)', () => {
    const result = run({}, { 'keep.tmp': file(1) }, resolveRules({ skip: { fileNames: { patterns: ['*.tmp'] } } }));
    expect(result.entries).toMatchObject([{ path: 'top/keep.tmp', verdict: 'skipped', reason: 'skip list: *.tmp' }]);
  });

  it('turns a coarse-time tie into a question', () => {
    const result = run({ 'a.bin': file(4, later(300), false) }, { 'a.bin': file(4) });
    expect(result.questions.map((q) => [q.entry.path, q.ask])).toEqual([['top/a.bin', 'exact-times']]);
  });
});
