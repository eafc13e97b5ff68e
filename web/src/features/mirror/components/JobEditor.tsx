import { useId, useState, type FormEvent } from 'react';
import type { CompareBy, Job, Site } from '../../../../../contract/index.js';
import { Button } from '../../../components/Button.js';
import { Dialog } from '../../../components/Dialog.js';
import { ErrorMessage } from '../../../components/ErrorMessage.js';
import { CheckField, Field } from '../../../components/Field.js';
import { useOnline, useSites } from '../../../lib/live.js';
import { useSaveJob } from '../api/jobs.js';
import {
  emptyJobForm,
  formToCreate,
  formToPatch,
  GLOB_LISTS,
  jobToForm,
  previewSchedule,
  scheduleOf,
  serverFieldError,
  validateJobForm,
  type Endpoints,
  type FilterKind,
  type GlobListName,
  type JobFormErrors,
  type JobFormField,
  type JobFormValues,
  type ScheduleKind,
} from '../model/jobForm.js';

export interface JobEditorProps {
  open: boolean;
  /** The job to edit; null for a new one (prefilled from `endpoints`). */
  job: Job | null;
  endpoints?: Endpoints;
  onClose: () => void;
  onSaved: (job: Job) => void;
}

export function JobEditor({ open, job, endpoints, onClose, onSaved }: JobEditorProps) {
  const online = useOnline();
  const save = useSaveJob();
  const formId = useId();
  const close = () => {
    save.reset();
    onClose();
  };
  return (
    <Dialog
      open={open}
      title={job ? `Edit ${job.name}` : 'New mirror job'}
      onClose={close}
      className="dialog-job"
      footer={
        <>
          <Button onClick={close}>Cancel</Button>
          <Button type="submit" form={formId} variant="primary" disabled={!online || save.isPending}>
            {save.isPending ? 'Saving…' : job ? 'Save' : 'Create job'}
          </Button>
        </>
      }
    >
      <JobForm
        id={formId}
        job={job}
        endpoints={endpoints}
        save={save}
        onSaved={(saved) => {
          save.reset();
          onSaved(saved);
        }}
      />
    </Dialog>
  );
}

const compareChoices: Array<{ value: CompareBy; label: string }> = [
  { value: 'size+time', label: 'Size and time' },
  { value: 'size', label: 'Size only' },
  { value: 'time', label: 'Time only' },
  { value: 'hash', label: 'Hash (slow; both servers must share one)' },
  { value: 'always', label: 'Always copy' },
];

const listLabels: Record<GlobListName, string> = {
  fileNames: 'File names',
  filePaths: 'File paths',
  folderNames: 'Folder names',
  folderPaths: 'Folder paths',
};

const listHints: Record<GlobListName, string> = {
  fileNames: '*.tmp, .*',
  filePaths: 'logs/*.log',
  folderNames: '*[Ss]ample*',
  folderPaths: '**/cache',
};

interface JobFormProps {
  id: string;
  job: Job | null;
  endpoints: Endpoints | undefined;
  save: ReturnType<typeof useSaveJob>;
  onSaved: (job: Job) => void;
}

function JobForm({ id, job, endpoints, save, onSaved }: JobFormProps) {
  const sites = useSites();
  const siteName = (id: string) => sites.find((site) => site.id === id)?.name ?? '';
  const [values, setValues] = useState<JobFormValues>(() => (job ? jobToForm(job) : emptyJobForm(endpoints, siteName)));
  const [showErrors, setShowErrors] = useState(false);
  const [serverErrors, setServerErrors] = useState<JobFormErrors>({});

  const errors = validateJobForm(values);
  const shown: JobFormErrors = { ...(showErrors ? errors : {}), ...serverErrors };
  const schedule = scheduleOf(values);
  const preview = typeof schedule === 'string' ? null : previewSchedule(schedule);
  const update = (change: Partial<JobFormValues>, field?: JobFormField) => {
    setValues((current) => ({ ...current, ...change }));
    if (field && serverErrors[field]) setServerErrors(({ [field]: _gone, ...rest }) => rest);
  };
  const setList = (kind: FilterKind, list: GlobListName, change: Partial<JobFormValues[FilterKind][GlobListName]>) =>
    update({ [kind]: { ...values[kind], [list]: { ...values[kind][list], ...change } } }, `${kind}.${list}`);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setShowErrors(true);
    setServerErrors({});
    if (Object.keys(errors).length > 0) return;
    save.mutate(
      { id: job?.id ?? null, body: job ? formToPatch(job, values) : formToCreate(values) },
      {
        onSuccess: onSaved,
        onError: (error) => {
          const placed = serverFieldError(error);
          if (placed) setServerErrors({ [placed.field]: placed.message });
        },
      },
    );
  };
  // A refusal placed on its field is shown there, not a second time at the bottom.
  const unplaced = save.error && !serverFieldError(save.error) ? save.error : null;

  return (
    <form id={id} className="job-form" onSubmit={submit} noValidate aria-label={job ? `Edit ${job.name}` : 'New mirror job'}>
      <div className="form-grid">
        <Field label="Name" error={shown.name} wide>
          {(p) => <input {...p} value={values.name} onChange={(e) => update({ name: e.target.value }, 'name')} maxLength={100} autoComplete="off" data-autofocus />}
        </Field>
        <CheckField label="Enabled" hint="A paused job keeps its schedule" checked={values.enabled} onChange={(enabled) => update({ enabled })} />
      </div>

      <fieldset className="job-section">
        <legend>Folders</legend>
        <div className="endpoint-grid">
          <EndpointFields
            side="Source"
            sites={sites}
            siteId={values.sourceSiteId}
            dir={values.sourceDir}
            error={shown.source}
            onChange={(siteId, dir) => update({ sourceSiteId: siteId, sourceDir: dir }, 'source')}
          />
          <EndpointFields
            side="Destination"
            sites={sites}
            siteId={values.destinationSiteId}
            dir={values.destinationDir}
            error={shown.destination}
            onChange={(siteId, dir) => update({ destinationSiteId: siteId, destinationDir: dir }, 'destination')}
          />
        </div>
      </fieldset>

      <fieldset className="job-section">
        <legend>Rules</legend>
        <div className="form-grid">
          <Field label="Compare by" error={shown.compareBy}>
            {(p) => (
              <select {...p} value={values.compareBy} onChange={(e) => update({ compareBy: e.target.value as CompareBy }, 'compareBy')}>
                {compareChoices.map((choice) => (
                  <option key={choice.value} value={choice.value}>
                    {choice.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Min size" hint="e.g. 1 kB; empty for none" error={shown.minSize}>
            {(p) => <input {...p} value={values.minSize} onChange={(e) => update({ minSize: e.target.value }, 'minSize')} inputMode="decimal" />}
          </Field>
          <Field label="Max size" hint="e.g. 4.7 GB; empty for none" error={shown.maxSize}>
            {(p) => <input {...p} value={values.maxSize} onChange={(e) => update({ maxSize: e.target.value }, 'maxSize')} inputMode="decimal" />}
          </Field>
          <CheckField
            label="Newer only"
            hint="Never overwrite a newer destination file"
            checked={values.newerOnly}
            onChange={(newerOnly) => update({ newerOnly })}
          />
          <CheckField
            label="Delete extras"
            hint="Remove what the source does not have (try a dry run first)"
            checked={values.deleteExtras}
            onChange={(deleteExtras) => update({ deleteExtras })}
          />
          <Field label="Max deletes" hint="A run that would delete more stops" error={shown.maxDeletes}>
            {(p) => (
              <input
                {...p}
                value={values.maxDeletes}
                onChange={(e) => update({ maxDeletes: e.target.value }, 'maxDeletes')}
                inputMode="numeric"
                disabled={!values.deleteExtras}
              />
            )}
          </Field>
        </div>
        <details className="job-filters" open={GLOB_LISTS.some((list) => values.skip[list].text || values.pass[list].text)}>
          <summary>Skip and pass lists</summary>
          <p className="field-hint">
            Glob patterns, one a line, on names or on paths relative to the job’s folder. When a pass list is set, only what it matches is
            taken; a pass match beats a skip match.
          </p>
          {(['skip', 'pass'] as const).map((kind) => (
            <div key={kind} className="filter-grid" role="group" aria-label={kind === 'skip' ? 'Skip lists' : 'Pass lists'}>
              <span className="filter-kind">{kind === 'skip' ? 'Skip' : 'Pass only'}</span>
              {GLOB_LISTS.map((list) => (
                <Field key={list} label={`${kind === 'skip' ? 'Skip' : 'Pass'} ${listLabels[list].toLowerCase()}`} error={shown[`${kind}.${list}`]}>
                  {(p) => (
                    <>
                      <textarea
                        {...p}
                        rows={2}
                        className="mono"
                        spellCheck={false}
                        placeholder={listHints[list]}
                        value={values[kind][list].text}
                        onChange={(e) => setList(kind, list, { text: e.target.value })}
                      />
                      <label className="inline-check">
                        <input
                          type="checkbox"
                          checked={values[kind][list].caseSensitive}
                          onChange={(e) => setList(kind, list, { caseSensitive: e.target.checked })}
                        />
                        case-sensitive
                      </label>
                    </>
                  )}
                </Field>
              ))}
            </div>
          ))}
        </details>
      </fieldset>

      <fieldset className="job-section">
        <legend>Schedule</legend>
        <div className="schedule-row">
          <div role="radiogroup" aria-label="Schedule" className="segmented">
            {(
              [
                ['none', 'Manual only'],
                ['every', 'Every N minutes'],
                ['cron', 'Cron'],
              ] as Array<[ScheduleKind, string]>
            ).map(([kind, label]) => (
              <label key={kind} className="segment">
                <input type="radio" name="schedule-kind" checked={values.scheduleKind === kind} onChange={() => update({ scheduleKind: kind }, 'schedule')} />
                {label}
              </label>
            ))}
          </div>
          {values.scheduleKind === 'every' && (
            <Field label="Minutes" error={shown.schedule} hint={preview ?? undefined}>
              {(p) => <input {...p} value={values.everyMinutes} onChange={(e) => update({ everyMinutes: e.target.value }, 'schedule')} inputMode="decimal" />}
            </Field>
          )}
          {values.scheduleKind === 'cron' && (
            <Field label="Cron expression" error={shown.schedule} hint={preview ?? 'minute hour day month weekday, server time'} wide>
              {(p) => (
                <input {...p} className="mono" value={values.cron} onChange={(e) => update({ cron: e.target.value }, 'schedule')} spellCheck={false} placeholder="0 3 * * *" />
              )}
            </Field>
          )}
        </div>
        {job?.schedulePreview && <p className="field-hint">Saved: {job.schedulePreview}</p>}
      </fieldset>

      <fieldset className="job-section">
        <legend>Webhook</legend>
        <div className="form-grid">
          <Field label="Webhook URL" hint="POSTed a JSON report when a run ends" error={shown.webhookUrl} wide>
            {(p) => (
              <input {...p} value={values.webhookUrl} onChange={(e) => update({ webhookUrl: e.target.value }, 'webhookUrl')} spellCheck={false} placeholder="https://example.org/hooks/pasv" />
            )}
          </Field>
          <Field
            label="Webhook secret"
            hint={
              !job?.webhook?.hasSecret
                ? 'signs the body (HMAC header)'
                : values.webhookUrl.trim() === job.webhook.url
                  ? 'saved — leave empty to keep it'
                  : 'the saved one belongs to the old URL: type it again to keep signing'
            }
            error={shown.webhookSecret}
          >
            {(p) => (
              <input
                {...p}
                type="password"
                autoComplete="new-password"
                value={values.webhookSecret}
                onChange={(e) => update({ webhookSecret: e.target.value }, 'webhookSecret')}
                placeholder={job?.webhook?.hasSecret ? 'saved' : ''}
              />
            )}
          </Field>
        </div>
      </fieldset>

      <ErrorMessage error={unplaced} prefix="Could not save" />
    </form>
  );
}

function EndpointFields(props: {
  side: 'Source' | 'Destination';
  sites: readonly Site[];
  siteId: string;
  dir: string;
  error: string | undefined;
  onChange: (siteId: string, dir: string) => void;
}) {
  const { side, siteId, dir, onChange } = props;
  return (
    <>
      <Field label={`${side} site`} error={props.error}>
        {(p) => (
          <select {...p} value={siteId} onChange={(e) => onChange(e.target.value, dir)}>
            <option value="">Choose a site…</option>
            {props.sites.map((site) => (
              <option key={site.id} value={site.id}>
                {site.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label={`${side} folder`}>
        {(p) => <input {...p} className="mono" value={dir} onChange={(e) => onChange(siteId, e.target.value)} spellCheck={false} />}
      </Field>
    </>
  );
}
