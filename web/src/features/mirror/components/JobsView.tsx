import { Fragment, useMemo, useState } from 'react';
import type { Job, Run } from '../../../../../contract/index.js';
import { Button, IconButton } from '../../../components/Button.js';
import { ConfirmDialog } from '../../../components/ConfirmDialog.js';
import { QueryView } from '../../../components/QueryView.js';
import { errorText } from '../../../lib/api.js';
import { formatDate, formatDateTime } from '../../../lib/format.js';
import { useOnline, useSites } from '../../../lib/live.js';
import { useNow } from '../../../lib/useNow.js';
import { useDeleteJob, useJobs, useRunJob, useSetJobEnabled } from '../api/jobs.js';
import { isFinal, runResultText } from '../model/verdicts.js';
import { RunBadge } from './RunBadge.js';
import { RunHistory } from './RunHistory.js';

export interface JobsViewProps {
  onNew: () => void;
  onEdit: (job: Job) => void;
  /** Show a run's compare in the pane area. */
  onCompare: (run: Run) => void;
}

/** The saved mirror jobs: what they keep in step, when they run next, how the last run went. */
export function JobsView({ onNew, onEdit, onCompare }: JobsViewProps) {
  const jobs = useJobs();
  const sites = useSites();
  const online = useOnline();
  const runJob = useRunJob();
  const setEnabled = useSetJobEnabled();
  const remove = useDeleteJob();
  const [expanded, setExpanded] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<Job | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const busy = jobs.data?.some((job) => job.lastRun && !isFinal(job.lastRun)) ?? false;
  const now = useNow(1000, busy || expanded !== null);

  const names = useMemo(() => new Map(sites.map((site) => [site.id, site.name])), [sites]);
  const siteName = (id: string) => names.get(id) ?? '(removed site)';

  const start = (job: Job, dryRun: boolean) => {
    setProblem(null);
    runJob.mutate(
      { jobId: job.id, request: { dryRun } },
      {
        onSuccess: (run) => dryRun && onCompare(run),
        onError: (error) => setProblem(`Could not start ${job.name}: ${errorText(error)}`),
      },
    );
  };

  const toggleEnabled = (job: Job) => {
    setProblem(null);
    setEnabled.mutate(
      { id: job.id, enabled: !job.enabled },
      { onError: (error) => setProblem(`Could not ${job.enabled ? 'pause' : 'enable'} ${job.name}: ${errorText(error)}`) },
    );
  };

  const sorted = useMemo(() => [...(jobs.data ?? [])].sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true })), [jobs.data]);

  return (
    <div className="panel">
      <div className="panel-toolbar">
        <span className="muted">{jobs.data ? `${jobs.data.length} mirror ${jobs.data.length === 1 ? 'job' : 'jobs'}` : ''}</span>
        {problem && (
          <span className="error-text ellipsis" role="alert">
            {problem}
          </span>
        )}
        <span className="spacer" />
        <Button size="sm" icon="plus" onClick={onNew} disabled={!online}>
          New job
        </Button>
      </div>
      <div className="panel-scroll">
        <QueryView
          query={jobs}
          what="jobs"
          empty={
            sorted.length === 0 ? (
              <p className="empty muted">
                No mirror jobs yet. Open the two folders in the panes and press “Mirror…”, or use New job.
              </p>
            ) : null
          }
        >
          <table className="queue-table jobs-table">
            <caption className="sr-only">Mirror jobs</caption>
            <thead>
              <tr>
                <th scope="col" className="col-expand">
                  <span className="sr-only">Runs</span>
                </th>
                <th scope="col">Job</th>
                <th scope="col">Schedule</th>
                <th scope="col">Enabled</th>
                <th scope="col">Last run</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((job) => {
                const open = expanded === job.id;
                const last = job.lastRun;
                const running = last !== undefined && !isFinal(last);
                return (
                  <Fragment key={job.id}>
                    <tr className={`job-row${job.enabled ? '' : ' job-paused'}`} aria-label={job.name}>
                      <td className="col-expand">
                        <IconButton
                          icon={open ? 'chevronDown' : 'chevronRight'}
                          label={open ? `Hide runs of ${job.name}` : `Show runs of ${job.name}`}
                          aria-expanded={open}
                          onClick={() => setExpanded(open ? null : job.id)}
                        />
                      </td>
                      <td className="col-tname">
                        <div className="tname ellipsis">{job.name}</div>
                        <div className="job-route ellipsis" title={`${siteName(job.source.siteId)}:${job.source.dir} → ${siteName(job.destination.siteId)}:${job.destination.dir}`}>
                          {siteName(job.source.siteId)}:<span className="mono">{job.source.dir}</span> → {siteName(job.destination.siteId)}:
                          <span className="mono">{job.destination.dir}</span>
                        </div>
                        {job.disabledReason && <div className="terror ellipsis">{job.disabledReason}</div>}
                      </td>
                      <td className="col-schedule">
                        <div className="ellipsis">{job.schedulePreview ?? <span className="muted">manual only</span>}</div>
                        {job.nextRunAt && job.enabled && (
                          <div className="muted small" title={formatDateTime(job.nextRunAt)}>
                            next {formatDate(job.nextRunAt)}
                          </div>
                        )}
                        {job.schedule && !job.enabled && <div className="warn-text small">paused</div>}
                      </td>
                      <td className="col-enabled">
                        <label className="switch">
                          <input
                            type="checkbox"
                            role="switch"
                            checked={job.enabled}
                            onChange={() => toggleEnabled(job)}
                            disabled={!online || setEnabled.isPending}
                            aria-label={`Enabled: ${job.name}`}
                          />
                          <span aria-hidden="true">{job.enabled ? 'on' : 'paused'}</span>
                        </label>
                      </td>
                      <td className="col-lastrun">
                        {last ? (
                          <>
                            <RunBadge run={last} />
                            <div className={`small ellipsis${last.state === 'failed' ? ' error-text' : ' muted'}`} title={runResultText(last, now)}>
                              {formatDate(last.startedAt)} · {runResultText(last, now)}
                            </div>
                          </>
                        ) : (
                          <span className="muted">never run</span>
                        )}
                      </td>
                      <td className="col-actions">
                        <div className="job-actions">
                        <Button size="sm" icon="play" onClick={() => start(job, false)} disabled={!online || running}>
                          Run
                        </Button>
                        <Button size="sm" onClick={() => start(job, true)} disabled={!online || running}>
                          Dry run
                        </Button>
                        <Button size="sm" onClick={() => last && onCompare(last)} disabled={!last || last.state === 'queued' || last.state === 'comparing'}>
                          Compare
                        </Button>
                        <IconButton icon="rename" label={`Edit ${job.name}`} onClick={() => onEdit(job)} disabled={!online} />
                        <IconButton icon="trash" label={`Delete ${job.name}`} onClick={() => setDeleting(job)} disabled={!online} />
                        </div>
                      </td>
                    </tr>
                    {open && (
                      <tr className="files-row">
                        <td />
                        <td colSpan={5}>
                          <RunHistory jobId={job.id} jobName={job.name} now={now} onCompare={onCompare} />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </QueryView>
      </div>
      <ConfirmDialog
        open={deleting !== null}
        title="Delete mirror job"
        confirmLabel={remove.isPending ? 'Deleting…' : 'Delete'}
        danger
        busy={remove.isPending}
        onCancel={() => setDeleting(null)}
        onConfirm={() =>
          deleting &&
          remove.mutate(deleting.id, {
            onSettled: () => setDeleting(null),
            onError: (error) => setProblem(`Could not delete ${deleting.name}: ${errorText(error)}`),
          })
        }
      >
        <p>
          Delete <strong>{deleting?.name}</strong> and its run history? Files on both servers are not touched.
        </p>
      </ConfirmDialog>
    </div>
  );
}

