/**
 * The job editor as plain values (text for numbers, sizes and glob lists, so the user types
 * freely), checked the way the server will check them, turned into the create or patch
 * body, and the server's "field: message" refusals pointed back at the form's fields.
 */
import cronstrue from 'cronstrue';
import type {
  CompareBy,
  EntryFilters,
  GlobList,
  Job,
  JobCreate,
  JobPatch,
  MirrorRulesInput,
  MirrorSchedule,
} from '../../../../../contract/index.js';
import { ApiError } from '../../../lib/api.js';

export const GLOB_LISTS = ['fileNames', 'filePaths', 'folderNames', 'folderPaths'] as const;
export type GlobListName = (typeof GLOB_LISTS)[number];
export type FilterKind = 'skip' | 'pass';

export interface GlobListValues {
  /** One pattern a line. */
  text: string;
  caseSensitive: boolean;
}

export type ScheduleKind = 'none' | 'every' | 'cron';

export interface JobFormValues {
  name: string;
  sourceSiteId: string;
  sourceDir: string;
  destinationSiteId: string;
  destinationDir: string;
  compareBy: CompareBy;
  newerOnly: boolean;
  deleteExtras: boolean;
  maxDeletes: string;
  skip: Record<GlobListName, GlobListValues>;
  pass: Record<GlobListName, GlobListValues>;
  minSize: string;
  maxSize: string;
  scheduleKind: ScheduleKind;
  everyMinutes: string;
  cron: string;
  enabled: boolean;
  webhookUrl: string;
  /** Write-only: empty keeps the saved one. */
  webhookSecret: string;
}

export type JobFormField =
  | 'name'
  | 'source'
  | 'destination'
  | 'compareBy'
  | 'maxDeletes'
  | `${FilterKind}.${GlobListName}`
  | 'minSize'
  | 'maxSize'
  | 'schedule'
  | 'webhookUrl'
  | 'webhookSecret';
export type JobFormErrors = Partial<Record<JobFormField, string>>;

export interface Endpoints {
  source?: { siteId: string; dir: string };
  destination?: { siteId: string; dir: string };
}

const emptyLists = (): Record<GlobListName, GlobListValues> => ({
  fileNames: { text: '', caseSensitive: false },
  filePaths: { text: '', caseSensitive: false },
  folderNames: { text: '', caseSensitive: false },
  folderPaths: { text: '', caseSensitive: false },
});

const baseName = (dir: string) => dir.replace(/\/+$/, '').split('/').pop() || '/';

/** A new job, prefilled from the two panes when it is opened from there. */
export function emptyJobForm(endpoints: Endpoints = {}, siteName: (id: string) => string = () => ''): JobFormValues {
  const { source, destination } = endpoints;
  const name =
    source && destination ? `${siteName(source.siteId) || 'source'}:${baseName(source.dir)} → ${siteName(destination.siteId) || 'destination'}` : '';
  return {
    name,
    sourceSiteId: source?.siteId ?? '',
    sourceDir: source?.dir ?? '/',
    destinationSiteId: destination?.siteId ?? '',
    destinationDir: destination?.dir ?? '/',
    compareBy: 'size+time',
    newerOnly: false,
    deleteExtras: false,
    maxDeletes: '100',
    skip: emptyLists(),
    pass: emptyLists(),
    minSize: '',
    maxSize: '',
    scheduleKind: 'none',
    everyMinutes: '60',
    cron: '0 3 * * *',
    enabled: true,
    webhookUrl: '',
    webhookSecret: '',
  };
}

const listToValues = (list: GlobList | undefined): GlobListValues => ({
  text: list?.patterns.join('\n') ?? '',
  caseSensitive: list?.caseSensitive ?? false,
});

const filtersToValues = (filters: EntryFilters): Record<GlobListName, GlobListValues> => ({
  fileNames: listToValues(filters.fileNames),
  filePaths: listToValues(filters.filePaths),
  folderNames: listToValues(filters.folderNames),
  folderPaths: listToValues(filters.folderPaths),
});

export function jobToForm(job: Job): JobFormValues {
  const { rules, schedule } = job;
  const defaults = emptyJobForm();
  return {
    name: job.name,
    sourceSiteId: job.source.siteId,
    sourceDir: job.source.dir,
    destinationSiteId: job.destination.siteId,
    destinationDir: job.destination.dir,
    compareBy: rules.compareBy,
    newerOnly: rules.newerOnly,
    deleteExtras: rules.deleteExtras,
    maxDeletes: String(rules.maxDeletes),
    skip: filtersToValues(rules.skip),
    pass: filtersToValues(rules.pass),
    minSize: rules.minSize === null ? '' : sizeToText(rules.minSize),
    maxSize: rules.maxSize === null ? '' : sizeToText(rules.maxSize),
    scheduleKind: schedule === null ? 'none' : 'cron' in schedule ? 'cron' : 'every',
    everyMinutes: schedule && 'everyMinutes' in schedule ? String(schedule.everyMinutes) : defaults.everyMinutes,
    cron: schedule && 'cron' in schedule ? schedule.cron : defaults.cron,
    enabled: job.enabled,
    webhookUrl: job.webhook?.url ?? '',
    webhookSecret: '',
  };
}

// ---- sizes ------------------------------------------------------------------------------

const sizeUnits: Record<string, number> = { '': 1, b: 1, k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9, t: 1e12, tb: 1e12 };

/** "1.5 GB", "500k", "2048" → bytes (1000-based, as the dashboard prints them); '' → null; NaN when unreadable. */
export function parseSize(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(trimmed);
  const factor = match ? sizeUnits[match[2]!.toLowerCase()] : undefined;
  if (!match || factor === undefined) return NaN;
  return Math.round(Number(match[1]) * factor);
}

/** Bytes back into what parseSize reads, in the largest unit that keeps them exact. */
export function sizeToText(bytes: number): string {
  for (const [unit, factor] of [['TB', 1e12], ['GB', 1e9], ['MB', 1e6], ['kB', 1e3]] as const) {
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor} ${unit}`;
  }
  return String(bytes);
}

// ---- schedule ---------------------------------------------------------------------------

export const MAX_EVERY_MINUTES = 527_040;

/** The schedule the form describes; a string says what is wrong with it. */
export function scheduleOf(values: Pick<JobFormValues, 'scheduleKind' | 'everyMinutes' | 'cron'>): MirrorSchedule | null | string {
  switch (values.scheduleKind) {
    case 'none':
      return null;
    case 'every': {
      const text = values.everyMinutes.trim();
      const minutes = Number(text);
      if (!/^\d*\.?\d+$/.test(text) || !(minutes > 0)) return 'A number of minutes above 0 (0.5 is every 30 seconds)';
      if (minutes > MAX_EVERY_MINUTES) return 'At most a year (527040 minutes)';
      return { everyMinutes: minutes };
    }
    case 'cron': {
      const cron = values.cron.trim().replace(/\s+/g, ' ');
      if (cron.split(' ').length !== 5) return 'Five fields: minute hour day-of-month month weekday';
      return { cron };
    }
  }
}

/** The schedule in words before the server has seen it ("At 03:00"); null when there is none or it cannot be read. */
export function previewSchedule(schedule: MirrorSchedule | null): string | null {
  if (schedule === null) return null;
  if ('everyMinutes' in schedule) {
    const minutes = schedule.everyMinutes;
    if (minutes < 1) return `Every ${Math.round(minutes * 60)} seconds`;
    return minutes === 1 ? 'Every minute' : `Every ${minutes} minutes`;
  }
  try {
    return cronstrue.toString(schedule.cron, { use24HourTimeFormat: true });
  } catch {
    return null;
  }
}

// ---- validation and bodies --------------------------------------------------------------

const lineBreak = /[\r\n\0]/;
const patternsOf = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

export function validateJobForm(values: JobFormValues): JobFormErrors {
  const errors: JobFormErrors = {};
  if (!values.name.trim()) errors.name = 'Give the job a name';
  else if (values.name.length > 100) errors.name = 'At most 100 characters';
  else if (lineBreak.test(values.name)) errors.name = 'No line breaks';
  for (const side of ['source', 'destination'] as const) {
    const siteId = side === 'source' ? values.sourceSiteId : values.destinationSiteId;
    const dir = side === 'source' ? values.sourceDir : values.destinationDir;
    if (!siteId) errors[side] = 'Choose a site';
    else if (!dir.startsWith('/')) errors[side] = 'An absolute folder, starting with /';
    else if (lineBreak.test(dir)) errors[side] = 'No line breaks';
  }
  if (
    !errors.source &&
    !errors.destination &&
    values.sourceSiteId === values.destinationSiteId &&
    normalDir(values.sourceDir) === normalDir(values.destinationDir)
  ) {
    errors.destination = 'The destination is the source';
  }
  if (!/^\d+$/.test(values.maxDeletes.trim()) || Number(values.maxDeletes) > 1_000_000) errors.maxDeletes = '0 to 1000000';
  for (const kind of ['skip', 'pass'] as const) {
    for (const list of GLOB_LISTS) {
      if (patternsOf(values[kind][list].text).some((pattern) => pattern.length > 512)) errors[`${kind}.${list}`] = 'A pattern is longer than 512 characters';
    }
  }
  const min = parseSize(values.minSize);
  const max = parseSize(values.maxSize);
  if (Number.isNaN(min)) errors.minSize = 'A size such as 100 kB, 1.5 GB or 2048';
  if (Number.isNaN(max)) errors.maxSize = 'A size such as 100 kB, 1.5 GB or 2048';
  if (min !== null && max !== null && !Number.isNaN(min) && !Number.isNaN(max) && min > max) errors.maxSize = 'Smaller than the minimum';
  const schedule = scheduleOf(values);
  if (typeof schedule === 'string') errors.schedule = schedule;
  const url = values.webhookUrl.trim();
  if (url && !/^https?:\/\/\S+$/i.test(url)) errors.webhookUrl = 'An http:// or https:// address';
  if (!url && values.webhookSecret) errors.webhookSecret = 'A secret needs a webhook URL';
  return errors;
}

const normalDir = (dir: string) => dir.replace(/\/+$/, '') || '/';

function filtersOf(lists: Record<GlobListName, GlobListValues>): EntryFilters {
  const filters: EntryFilters = {};
  for (const name of GLOB_LISTS) {
    const patterns = patternsOf(lists[name].text);
    if (patterns.length > 0) filters[name] = { patterns, caseSensitive: lists[name].caseSensitive };
  }
  return filters;
}

function rulesOf(values: JobFormValues): MirrorRulesInput {
  return {
    compareBy: values.compareBy,
    newerOnly: values.newerOnly,
    deleteExtras: values.deleteExtras,
    maxDeletes: Number(values.maxDeletes),
    skip: filtersOf(values.skip),
    pass: filtersOf(values.pass),
    // An empty box is "no limit": null, so that an edit can clear a limit set before.
    minSize: parseSize(values.minSize),
    maxSize: parseSize(values.maxSize),
  };
}

/** Call only after validateJobForm found nothing. */
export function formToCreate(values: JobFormValues): JobCreate {
  const schedule = scheduleOf(values);
  const url = values.webhookUrl.trim();
  return {
    name: values.name.trim(),
    source: { siteId: values.sourceSiteId, dir: values.sourceDir.trim() },
    destination: { siteId: values.destinationSiteId, dir: values.destinationDir.trim() },
    rules: rulesOf(values),
    schedule: typeof schedule === 'string' ? null : schedule,
    webhook: url ? { url, ...(values.webhookSecret ? { secret: values.webhookSecret } : {}) } : null,
    enabled: values.enabled,
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Only what changed; the webhook is sent again whole when its URL or secret changed (the secret is never read back). */
export function formToPatch(job: Job, values: JobFormValues): JobPatch {
  const next = formToCreate(values);
  const before = formToCreate(jobToForm(job));
  const patch: JobPatch = {};
  if (next.name !== before.name) patch.name = next.name;
  if (!same(next.source, before.source)) patch.source = next.source;
  if (!same(next.destination, before.destination)) patch.destination = next.destination;
  if (!same(next.rules, before.rules)) patch.rules = next.rules!;
  if (!same(next.schedule, before.schedule)) patch.schedule = next.schedule ?? null;
  if (next.enabled !== before.enabled) patch.enabled = next.enabled!;
  if (values.webhookSecret || !same(next.webhook, before.webhook)) patch.webhook = next.webhook ?? null;
  return patch;
}

/** The form field a server path names: "rules.skip.fileNames.patterns[2]" → "skip.fileNames". */
export function formFieldOf(serverPath: string): JobFormField | null {
  const parts = serverPath
    .replace(/\[\d+\]/g, '')
    .split(/[./]/)
    .filter(Boolean);
  const [head, second, third] = parts;
  switch (head) {
    case 'name':
      return 'name';
    case 'source':
    case 'destination':
      return head;
    case 'schedule':
      return 'schedule';
    case 'webhook':
      return second === 'secret' ? 'webhookSecret' : 'webhookUrl';
    case 'rules':
      if ((second === 'skip' || second === 'pass') && GLOB_LISTS.includes(third as GlobListName)) return `${second}.${third as GlobListName}`;
      if (second === 'compareBy' || second === 'maxDeletes' || second === 'minSize' || second === 'maxSize') return second;
      return null;
    default:
      return null;
  }
}

/**
 * A 400 the server gave for one field, placed on that field: `invalid_field` reads
 * "schedule.cron: …", a schema refusal "body/rules/maxDeletes must be …".
 */
export function serverFieldError(error: unknown): { field: JobFormField; message: string } | null {
  if (!(error instanceof ApiError) || error.status !== 400) return null;
  const named = /^([A-Za-z][\w.[\]]*): (.+)$/s.exec(error.message);
  if (named) {
    const field = formFieldOf(named[1]!);
    return field ? { field, message: named[2]! } : null;
  }
  const schema = /^body ?\/?([\w/[\]]+) (.+)$/s.exec(error.message);
  if (schema) {
    const field = formFieldOf(schema[1]!);
    return field ? { field, message: schema[2]! } : null;
  }
  return null;
}
