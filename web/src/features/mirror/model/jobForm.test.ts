import { describe, expect, it } from 'vitest';
import type { Job } from '../../../../../contract/index.js';
import { ApiError } from '../../../lib/api.js';
import {
  emptyJobForm,
  formToCreate,
  formToPatch,
  jobToForm,
  parseSize,
  previewSchedule,
  scheduleOf,
  serverFieldError,
  sizeToText,
  validateJobForm,
  type JobFormValues,
} from './jobForm.js';

const endpoints = { source: { siteId: 'a', dir: '/pub/releases' }, destination: { siteId: 'b', dir: '/mirror' } };
const names: Record<string, string> = { a: 'alpha', b: 'beta' };
const filled = (change: Partial<JobFormValues> = {}): JobFormValues => ({ ...emptyJobForm(endpoints, (id) => names[id]!), ...change });

describe('schedule form parsing', () => {
  it('reads none, every N minutes (fractions too) and 5-field cron', () => {
    expect(scheduleOf(filled({ scheduleKind: 'none' }))).toBeNull();
    expect(scheduleOf(filled({ scheduleKind: 'every', everyMinutes: '15' }))).toEqual({ everyMinutes: 15 });
    expect(scheduleOf(filled({ scheduleKind: 'every', everyMinutes: ' 0.05 ' }))).toEqual({ everyMinutes: 0.05 });
    expect(scheduleOf(filled({ scheduleKind: 'cron', cron: ' 0  3 * * 1-5 ' }))).toEqual({ cron: '0 3 * * 1-5' });
  });

  it('says what is wrong instead', () => {
    for (const everyMinutes of ['0', '-1', 'soon', '', '1e3', '600000']) {
      expect(typeof scheduleOf(filled({ scheduleKind: 'every', everyMinutes }))).toBe('string');
    }
    expect(scheduleOf(filled({ scheduleKind: 'cron', cron: '0 3 * *' }))).toMatch(/Five fields/);
    expect(scheduleOf(filled({ scheduleKind: 'cron', cron: '0 0 3 * * *' }))).toMatch(/Five fields/);
  });

  it('previews in words before the server has seen it', () => {
    expect(previewSchedule({ everyMinutes: 0.05 })).toBe('Every 3 seconds');
    expect(previewSchedule({ everyMinutes: 1 })).toBe('Every minute');
    expect(previewSchedule({ everyMinutes: 90 })).toBe('Every 90 minutes');
    expect(previewSchedule({ cron: '0 3 * * *' })).toBe('At 03:00');
    expect(previewSchedule({ cron: 'not a cron at all' })).toBeNull();
    expect(previewSchedule(null)).toBeNull();
  });
});

describe('sizes', () => {
  it('reads the units the dashboard prints, 1000-based', () => {
    expect(parseSize('')).toBeNull();
    expect(parseSize('2048')).toBe(2048);
    expect(parseSize('1.5 GB')).toBe(1_500_000_000);
    expect(parseSize('500k')).toBe(500_000);
    expect(parseSize('3 MB')).toBe(3_000_000);
    expect(parseSize('3 MiB')).toBeNaN();
    expect(parseSize('-1')).toBeNaN();
  });

  it('writes them back exactly', () => {
    expect(sizeToText(1_500_000_000)).toBe('1500 MB');
    expect(sizeToText(4_000_000_000)).toBe('4 GB');
    expect(sizeToText(1234)).toBe('1234');
    for (const bytes of [0, 999, 1000, 1_500_000_000, 123_456_789]) expect(parseSize(sizeToText(bytes))).toBe(bytes);
  });
});

describe('the job form', () => {
  it('is prefilled from the panes', () => {
    const values = filled();
    expect(values.name).toBe('alpha:releases → beta');
    expect(validateJobForm(values)).toEqual({});
    expect(formToCreate(values)).toEqual({
      name: 'alpha:releases → beta',
      source: endpoints.source,
      destination: endpoints.destination,
      rules: { compareBy: 'size+time', newerOnly: false, deleteExtras: false, maxDeletes: 100, skip: {}, pass: {}, minSize: null, maxSize: null },
      schedule: null,
      webhook: null,
      enabled: true,
    });
  });

  it('checks what the server would refuse', () => {
    const errors = validateJobForm(
      filled({
        name: ' ',
        destinationSiteId: 'a',
        destinationDir: '/pub/releases/',
        maxDeletes: 'ten',
        minSize: '2 GB',
        maxSize: '1 GB',
        scheduleKind: 'every',
        everyMinutes: '0',
        webhookUrl: 'ftp://nope',
      }),
    );
    expect(Object.keys(errors).sort()).toEqual(['destination', 'maxDeletes', 'maxSize', 'name', 'schedule', 'webhookUrl']);
  });

  it('turns glob lists into patterns, one a line', () => {
    const values = filled();
    values.skip = { ...values.skip, fileNames: { text: '*.tmp\n\n  .*  \n', caseSensitive: true } };
    expect(formToCreate(values).rules?.skip).toEqual({ fileNames: { patterns: ['*.tmp', '.*'], caseSensitive: true } });
  });

  it('sends an empty size limit as null, so that an edit clears it', () => {
    expect(formToCreate(filled({ minSize: '1 kB', maxSize: '' })).rules).toMatchObject({ minSize: 1000, maxSize: null });
  });

  it('patches only what changed, and the webhook whole when its secret is typed again', () => {
    const job: Job = {
      id: 'j',
      ...formToCreate(filled({ scheduleKind: 'cron', cron: '0 3 * * *', webhookUrl: 'https://h/x' })),
      rules: { compareBy: 'size+time', newerOnly: false, deleteExtras: false, maxDeletes: 100, skip: {}, pass: {}, minSize: null, maxSize: null },
      schedule: { cron: '0 3 * * *' },
      schedulePreview: 'At 03:00',
      webhook: { url: 'https://h/x', hasSecret: true },
      enabled: true,
      nextRunAt: null,
      createdAt: '',
      updatedAt: '',
    } as Job;
    const form = jobToForm(job);
    expect(formToPatch(job, form)).toEqual({});
    expect(formToPatch(job, { ...form, scheduleKind: 'every', everyMinutes: '30' })).toEqual({ schedule: { everyMinutes: 30 } });
    expect(formToPatch(job, { ...form, webhookSecret: 's3' })).toEqual({ webhook: { url: 'https://h/x', secret: 's3' } });
    expect(formToPatch(job, { ...form, webhookUrl: '' })).toEqual({ webhook: null });
    expect(formToPatch(job, { ...form, deleteExtras: true }).rules?.deleteExtras).toBe(true);
  });
});

describe('server refusals on their fields', () => {
  const refusal = (message: string, code = 'invalid_field') => new ApiError(400, code, message);

  it('places invalid_field on the field it names', () => {
    expect(serverFieldError(refusal('schedule.cron: "61 * * * *": Invalid value for minute'))).toEqual({
      field: 'schedule',
      message: '"61 * * * *": Invalid value for minute',
    });
    expect(serverFieldError(refusal('rules.skip.folderPaths.patterns[1]: invalid glob "[a"'))?.field).toBe('skip.folderPaths');
    expect(serverFieldError(refusal('rules.minSize: minSize is larger than maxSize'))?.field).toBe('minSize');
    expect(serverFieldError(refusal('webhook.url: only http and https webhooks are allowed'))?.field).toBe('webhookUrl');
    expect(serverFieldError(refusal('source.siteId: no such site'))?.field).toBe('source');
  });

  it('places schema refusals too, and leaves the rest to the general message', () => {
    expect(serverFieldError(refusal('body/rules/maxDeletes must be <= 1000000', 'invalid_request'))).toEqual({
      field: 'maxDeletes',
      message: 'must be <= 1000000',
    });
    expect(serverFieldError(refusal('something else went wrong'))).toBeNull();
    expect(serverFieldError(new ApiError(409, 'conflict', 'name: taken'))).toBeNull();
    expect(serverFieldError(new Error('name: x'))).toBeNull();
  });
});
