import type { Transfer } from '../../../../../contract/index.js';
import { IconButton } from '../../../components/Button.js';
import { ProgressBar } from '../../../components/ProgressBar.js';
import { formatBytes, formatDuration, formatEta, formatSpeed, percent } from '../../../lib/format.js';
import { openStory } from '../../../lib/story.js';
import type { TransferAction } from '../api/transfers.js';
import { useSpeedSamples } from '../hooks/useSpeedSamples.js';
import { averageSpeed, durationOf, modeLabel, routeEnds, truncateMiddle, verifiedLabel } from '../model/details.js';
import { Sparkline } from './Sparkline.js';
import { TransferFiles } from './TransferFiles.js';

export interface TransferRowProps {
  transfer: Transfer;
  siteName: (id: string) => string;
  expanded: boolean;
  onToggle: () => void;
  onAction: (action: TransferAction) => void;
  online: boolean;
  now: number;
}

const stateLabel: Record<Transfer['state'], string> = {
  queued: 'queued',
  running: 'running',
  paused: 'paused',
  done: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
  skipped: 'skipped',
};

/** How much of each route end shows before its middle gives way to "…"; CSS adds an ellipsis past the column's edge. */
const PATH_CHARS = 34;

function progressOf(transfer: Transfer) {
  if (transfer.state === 'done' || transfer.state === 'skipped') return 100;
  if (transfer.bytesTotal > 0) return percent(transfer.bytesDone, transfer.bytesTotal);
  if (transfer.kind === 'dir' && transfer.filesTotal > 0) return percent(transfer.filesDone, transfer.filesTotal);
  return 0;
}

export function TransferRow({ transfer, siteName, expanded, onToggle, onAction, online, now }: TransferRowProps) {
  const { state } = transfer;
  const active = state === 'running';
  const value = progressOf(transfer);
  const isDir = transfer.kind === 'dir';
  const filesText = isDir
    ? `${transfer.filesDone}/${transfer.filesTotal} files${transfer.filesSkipped ? `, ${transfer.filesSkipped} skipped` : ''}${
        transfer.filesFailed ? `, ${transfer.filesFailed} failed` : ''
      }`
    : '';
  const route = routeEnds(transfer, siteName);
  const samples = useSpeedSamples(transfer.id);
  const finishedText = finishedDetails(transfer);
  const retryIn = transfer.nextRetryAt ? Date.parse(transfer.nextRetryAt) - now : NaN;
  // Running with nothing known yet: the server is still listing the directory tree.
  const scanning = active && transfer.bytesTotal === 0 && transfer.filesTotal === 0;
  const tone = state === 'failed' ? 'failed' : state === 'done' ? 'done' : state === 'running' ? 'running' : 'idle';

  return (
    <>
      <tr className={`transfer-row state-${state}`} aria-label={transfer.name}>
        <td className="col-expand">
          {isDir && (
            <IconButton
              icon={expanded ? 'chevronDown' : 'chevronRight'}
              label={expanded ? `Hide files of ${transfer.name}` : `Show files of ${transfer.name}`}
              aria-expanded={expanded}
              onClick={onToggle}
            />
          )}
        </td>
        <td className="col-tname">
          <div className="tname ellipsis" title={transfer.source.path}>
            {transfer.name}
            {isDir ? '/' : ''}
          </div>
          {finishedText && <div className="tdetails ellipsis">{finishedText}</div>}
          {transfer.error && (
            <div className="terror ellipsis" title={`${transfer.error.message} (code: ${transfer.error.code})`}>
              {transfer.error.message}
            </div>
          )}
          {(transfer.notes.length > 0 || Number.isFinite(retryIn)) && (
            <div className="tnotes ellipsis">
              {transfer.notes.join(' · ')}
              {Number.isFinite(retryIn) && retryIn > 0 && (
                <>
                  {transfer.notes.length > 0 ? ' · ' : ''}will retry in {formatDuration(retryIn)}
                </>
              )}
            </div>
          )}
        </td>
        <td className="col-route" title={`${route.from} → ${route.to}`}>
          <div className="route-end">{truncateMiddle(route.from, PATH_CHARS)}</div>
          <div className="route-end">→ {truncateMiddle(route.to, PATH_CHARS)}</div>
        </td>
        <td className="col-mode">
          {transfer.mode ? (
            <span className={`mode-badge mode-${transfer.mode}`}>{transfer.mode === 'fxp' ? 'FXP' : 'relay'}</span>
          ) : (
            <span className="mode-badge mode-none" title={`requested: ${transfer.requestedMode}`}>
              –
            </span>
          )}
        </td>
        <td className="col-state">
          <span className={`state-badge state-${state}`}>{stateLabel[state]}</span>
        </td>
        <td className="col-progress">
          <div className="progress-cell">
            <ProgressBar
              value={value}
              label={`${transfer.name} progress`}
              valueText={scanning ? 'listing the folder' : isDir ? `${value}%, ${filesText}` : `${value}%`}
              tone={tone}
              indeterminate={scanning}
            />
            <span className="progress-pct">{scanning ? '…' : `${value}%`}</span>
          </div>
        </td>
        <td className="col-bytes num">
          {formatBytes(transfer.bytesDone)} / {formatBytes(transfer.bytesTotal)}
          {isDir && <div className="muted small">{filesText}</div>}
        </td>
        <td className="col-speed num">
          {active && (
            <>
              {formatSpeed(transfer.bytesPerSecond)}
              <Sparkline samples={samples} />
            </>
          )}
        </td>
        <td className="col-eta num">
          {active ? `ETA ${formatEta(transfer.bytesDone, transfer.bytesTotal, transfer.bytesPerSecond)}` : ''}
        </td>
        <td className="col-actions">
          {state === 'paused' && (
            <IconButton icon="play" label="Resume" onClick={() => onAction('resume')} disabled={!online} />
          )}
          {(state === 'queued' || state === 'running' || state === 'paused') && (
            <IconButton icon="close" label="Cancel" onClick={() => onAction('cancel')} disabled={!online} />
          )}
          {(state === 'failed' || state === 'cancelled') && (
            <IconButton icon="retry" label="Retry" onClick={() => onAction('retry')} disabled={!online} />
          )}
          {state === 'queued' && (
            <IconButton icon="top" label="Move to top" onClick={() => onAction('top')} disabled={!online} />
          )}
          {/* The trace feature's dialog (lib/story.ts): the transfer's control lines as a sequence diagram. */}
          <IconButton
            icon="story"
            label="Show the transfer's story"
            title="Story"
            onClick={() => openStory(transfer.id)}
          />
        </td>
      </tr>
      {isDir && expanded && (
        <tr className="files-row">
          <td />
          <td colSpan={9}>
            <TransferFiles id={transfer.id} name={transfer.name} running={active} total={transfer.filesTotal} />
          </td>
        </tr>
      )}
    </>
  );
}

/** "took 4 s · 2.5 MB/s avg · SHA-256 ✓ · FXP" for a finished row; null for others. */
function finishedDetails(transfer: Transfer): string | null {
  const duration = durationOf(transfer);
  if (duration === null) return null;
  const speed = averageSpeed(transfer);
  const parts = [
    `took ${formatDuration(duration)}`,
    speed === null ? null : `${formatSpeed(speed)} avg`,
    verifiedLabel(transfer.verified),
    modeLabel(transfer.mode),
  ];
  return parts.filter((part): part is string => part !== null).join(' · ');
}
