import type { Run } from '../../../../../contract/index.js';
import { Button } from '../../../components/Button.js';
import { errorText } from '../../../lib/api.js';
import { formatBytes, formatDateTime, formatDuration } from '../../../lib/format.js';
import { useJobRuns } from '../api/jobs.js';
import { countsText, runDuration } from '../model/verdicts.js';
import { RunBadge } from './RunBadge.js';

/** A job's runs, newest first, as they happened: kept current by the socket's run.updated. */
export function RunHistory({ jobId, jobName, now, onCompare }: { jobId: string; jobName: string; now: number; onCompare: (run: Run) => void }) {
  const runs = useJobRuns(jobId);
  if (runs.isPending) return <p className="files-note muted">Loading runs…</p>;
  if (runs.isError) return <p className="files-note error-text">Could not load the runs: {errorText(runs.error)}</p>;
  if (runs.data.length === 0) return <p className="files-note muted">No runs yet: Run or Dry run starts one.</p>;
  return (
    <table className="files-table runs-table">
      <caption className="sr-only">Runs of {jobName}</caption>
      <thead>
        <tr>
          <th scope="col">Started</th>
          <th scope="col">Trigger</th>
          <th scope="col">State</th>
          <th scope="col">Counts</th>
          <th scope="col" className="num">
            Bytes
          </th>
          <th scope="col" className="num">
            Duration
          </th>
          <th scope="col">Notes</th>
          <th scope="col">
            <span className="sr-only">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {runs.data.map((run) => (
          <tr key={run.id} aria-label={`Run started ${formatDateTime(run.startedAt)}`}>
            <td>{formatDateTime(run.startedAt)}</td>
            <td>{run.trigger === 'schedule' ? 'schedule' : 'manual'}</td>
            <td>
              <RunBadge run={run} />
            </td>
            <td className="ellipsis" title={countsText(run.counts)}>
              {countsText(run.counts)}
              {run.deleted > 0 && ` · ${run.deleted} deleted`}
            </td>
            <td className="num">{formatBytes(run.bytes)}</td>
            <td className="num">{formatDuration(runDuration(run, now))}</td>
            <td className="run-notes">
              {run.error && (
                <div className="terror" title={`code: ${run.error.code}`}>
                  {run.error.message}
                </div>
              )}
              {run.notes.length > 0 && <div className="tnotes">{run.notes.join(' · ')}</div>}
            </td>
            <td className="col-actions">
              <Button size="sm" onClick={() => onCompare(run)} disabled={run.state === 'queued' || run.state === 'comparing'}>
                Compare
              </Button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
