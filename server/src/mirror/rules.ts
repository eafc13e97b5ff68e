/**
 * A job's rules: defaults, validation (a bad glob names its field), and the filter that says
 * whether an entry takes part in the compare. Globs are picomatch's: the same syntax
 * FlashFXP and lftp users type (`*.tmp`, `.*`, `**\/sample/**`, `*[Ss]ample*`).
 */
import picomatch from 'picomatch';
import type { EntryFilters, GlobList, MirrorRules, MirrorRulesInput } from '../../../contract/index.js';
import { InvalidFieldError } from '../errors.js';

export const DEFAULT_RULES: MirrorRules = {
  compareBy: 'size+time',
  newerOnly: false,
  deleteExtras: false,
  maxDeletes: 100,
  skip: {},
  pass: {},
  minSize: null,
  maxSize: null,
};

const LISTS = ['fileNames', 'filePaths', 'folderNames', 'folderPaths'] as const;

/** Fill in defaults over `base` and check every pattern; throws InvalidFieldError naming the field. */
export function resolveRules(input: MirrorRulesInput | undefined, base: MirrorRules = DEFAULT_RULES): MirrorRules {
  const rules: MirrorRules = { ...base, ...input };
  for (const kind of ['skip', 'pass'] as const) {
    for (const list of LISTS) {
      rules[kind][list]?.patterns.forEach((pattern, i) => {
        try {
          // strictBrackets: an unclosed `[` is a typo, not a literal bracket.
          picomatch.makeRe(pattern, { strictBrackets: true });
        } catch (error) {
          throw new InvalidFieldError(`rules.${kind}.${list}.patterns[${i}]`, `invalid glob "${pattern}": ${(error as Error).message}`);
        }
      });
    }
  }
  if (rules.minSize !== null && rules.maxSize !== null && rules.minSize > rules.maxSize) {
    throw new InvalidFieldError('rules.minSize', 'minSize is larger than maxSize');
  }
  return rules;
}

type Matcher = (subject: string) => string | null;

/** The first pattern of the list that matches, or null. */
function compile(list: GlobList | undefined): Matcher | null {
  if (!list || list.patterns.length === 0) return null;
  const matchers = list.patterns.map((pattern) => ({
    pattern,
    test: picomatch(pattern, { dot: true, nocase: !(list.caseSensitive ?? false) }),
  }));
  return (subject) => matchers.find((m) => m.test(subject))?.pattern ?? null;
}

interface SideMatchers {
  names: Matcher | null;
  paths: Matcher | null;
}

function side(filters: EntryFilters, names: 'fileNames' | 'folderNames', paths: 'filePaths' | 'folderPaths'): SideMatchers {
  return { names: compile(filters[names]), paths: compile(filters[paths]) };
}

function firstMatch(matchers: SideMatchers, name: string, path: string): string | null {
  return matchers.names?.(name) ?? matchers.paths?.(path) ?? null;
}

/** Whether an entry takes part; `reason` says which rule left it out. */
export type Admission = { admitted: true } | { admitted: false; reason: string };

export interface EntryFilter {
  /** `path` is relative to the job's dir, without a leading slash ("a/b.txt"). */
  file(name: string, path: string, size: number): Admission;
  folder(name: string, path: string): Admission;
}

export function entryFilter(rules: MirrorRules): EntryFilter {
  const skip = { file: side(rules.skip, 'fileNames', 'filePaths'), folder: side(rules.skip, 'folderNames', 'folderPaths') };
  const pass = { file: side(rules.pass, 'fileNames', 'filePaths'), folder: side(rules.pass, 'folderNames', 'folderPaths') };
  const decide = (kind: 'file' | 'folder', name: string, path: string): Admission => {
    const passing = pass[kind];
    if (passing.names || passing.paths) {
      // A pass list means "only these": it beats the skip list, and not matching it leaves the entry out.
      return firstMatch(passing, name, path) !== null ? { admitted: true } : { admitted: false, reason: 'not in the pass list' };
    }
    const skipped = firstMatch(skip[kind], name, path);
    return skipped === null ? { admitted: true } : { admitted: false, reason: `skip list: ${skipped}` };
  };
  return {
    file(name, path, size) {
      if (rules.minSize !== null && size < rules.minSize) return { admitted: false, reason: `smaller than ${rules.minSize} bytes` };
      if (rules.maxSize !== null && size > rules.maxSize) return { admitted: false, reason: `larger than ${rules.maxSize} bytes` };
      return decide('file', name, path);
    },
    folder(name, path) {
      return decide('folder', name, path);
    },
  };
}
