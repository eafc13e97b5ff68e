import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent, type ReactNode } from 'react';
import type { Job, Run, RunEntry, Verdict } from '../../../../../contract/index.js';
import { Button, IconButton } from '../../../components/Button.js';
import { Icon } from '../../../components/Icon.js';
import { errorText } from '../../../lib/api.js';
import { formatBytes, formatDate, formatDateTime, plural } from '../../../lib/format.js';
import { useOnline, useSites } from '../../../lib/live.js';
import { useNow } from '../../../lib/useNow.js';
import { clickSelect, emptySelection, moveCursor, selectAll, selectedInOrder, toggleCursor, type PaneSelection } from '../../../lib/selection.js';
import { useCancelRun, useJobs, useRun, useRunEntries, useRunJob } from '../api/jobs.js';
import { hasEntries, isFinal, runResultText, summarizeVerdicts, totalEntries, verdictLabel, verdictMeaning } from '../model/verdicts.js';
import { RunBadge } from './RunBadge.js';

const ROW_HEIGHT = 24;
const HEADER_HEIGHT = 26;

export interface CompareViewProps {
  runId: string;
  /** Follow another run of the job (the sync or the dry run started from here). */
  onShowRun: (run: Run) => void;
  onClose: () => void;
}

/**
 * A run's compare in the pane area: both trees side by side, a row per relative path,
 * coloured by verdict, filtered by verdict, paged from the server and virtualised.
 */
export function CompareView({ runId, onShowRun, onClose }: CompareViewProps) {
  const run = useRun(runId);
  const jobs = useJobs();
  const job = jobs.data?.find((candidate) => candidate.id === run.data?.jobId) ?? null;

  return (
    <section className="compare" aria-label="Compare">
      {run.isPending ? (
        <p className="empty muted">Loading the run…</p>
      ) : run.isError ? (
        <div className="empty" role="alert">
          <p className="error-text">Could not load the run: {errorText(run.error)}</p>
          <Button onClick={onClose}>Back to the panes</Button>
        </div>
      ) : (
        <CompareBody run={run.data} job={job} onShowRun={onShowRun} onClose={onClose} />
      )}
    </section>
  );
}

function CompareBody({ run, job, onShowRun, onClose }: { run: Run; job: Job | null; onShowRun: (run: Run) => void; onClose: () => void }) {
  const online = useOnline();
  const sites = useSites();
  const [filter, setFilter] = useState<Verdict | null>(null);
  const [selection, setSelection] = useState<PaneSelection>(emptySelection);
  const [problem, setProblem] = useState<string | null>(null);
  const runJob = useRunJob();
  const cancel = useCancelRun();
  const ready = hasEntries(run);
  const entries = useRunEntries(run.id, filter, ready);
  const rows = useMemo(() => entries.data?.pages.flatMap((page) => page.entries) ?? [], [entries.data]);
  const paths = useMemo(() => rows.map((row) => row.path), [rows]);
  const selected = selectedInOrder(selection, paths);
  const siteName = (id: string | undefined) => sites.find((site) => site.id === id)?.name ?? '(removed site)';

  const start = (request: { dryRun?: boolean; paths?: string[] }) => {
    setProblem(null);
    runJob.mutate(
      { jobId: run.jobId, request },
      { onSuccess: onShowRun, onError: (error) => setProblem(`Could not start the run: ${errorText(error)}`) },
    );
  };
  const busy = !isFinal(run) || runJob.isPending;
  const now = useNow(1000, !isFinal(run));
  const canSync = online && !busy && job !== null && ready;

  return (
    <>
      <div className="compare-head">
        <div className="compare-title">
          <h2 className="ellipsis">{job?.name ?? 'Mirror job'}</h2>
          <span role="status" aria-label="Run state">
            <RunBadge run={run} />
          </span>
          <span className="muted small ellipsis">{runResultText(run, now)}</span>
        </div>
        <span className="spacer" />
        {!isFinal(run) && (
          <Button size="sm" onClick={() => cancel.mutate(run.id)} disabled={!online || cancel.isPending}>
            Cancel run
          </Button>
        )}
        <Button size="sm" onClick={() => start({ dryRun: true })} disabled={!online || busy || job === null}>
          Dry run again
        </Button>
        <Button size="sm" onClick={() => start({ paths: selected })} disabled={!canSync || selected.length === 0}>
          Sync selected{selected.length > 0 ? ` (${selected.length})` : ''}
        </Button>
        <Button size="sm" variant="primary" onClick={() => start({})} disabled={!canSync}>
          Sync all
        </Button>
        <IconButton icon="close" label="Close compare" onClick={onClose} />
      </div>

      <div className="verdict-bar" role="group" aria-label="Filter by verdict">
        <button type="button" className="verdict-chip" aria-pressed={filter === null} onClick={() => setFilter(null)}>
          all <strong>{totalEntries(run.counts)}</strong>
        </button>
        {summarizeVerdicts(run.counts, run.bytesByVerdict).map(({ verdict, count, bytes }) => (
          <button
            key={verdict}
            type="button"
            className={`verdict-chip verdict-${verdict}`}
            aria-pressed={filter === verdict}
            title={verdictMeaning[verdict]}
            onClick={() => setFilter(filter === verdict ? null : verdict)}
            data-verdict={verdict}
            data-count={count}
          >
            <span className="verdict-dot" aria-hidden="true" />
            {verdictLabel[verdict]} <strong>{count}</strong>
            {bytes > 0 && <span className="muted">{formatBytes(bytes)}</span>}
          </button>
        ))}
        <span className="spacer" />
        {problem && (
          <span className="error-text ellipsis" role="alert">
            {problem}
          </span>
        )}
        {run.error && (
          <span className="error-text ellipsis" title={`${run.error.message} (code: ${run.error.code})`}>
            {run.error.message}
          </span>
        )}
      </div>

      <CompareGrid
        rows={rows}
        paths={paths}
        selection={selection}
        onSelect={setSelection}
        sourceLabel={job ? `${siteName(job.source.siteId)}:${job.source.dir}` : 'Source'}
        destinationLabel={job ? `${siteName(job.destination.siteId)}:${job.destination.dir}` : 'Destination'}
        overlay={
          !ready ? (
            <p className="empty muted">Comparing both trees…</p>
          ) : entries.isPending ? (
            <p className="empty muted">Loading the compare…</p>
          ) : entries.isError ? (
            <p className="empty error-text" role="alert">
              Could not load the compare: {errorText(entries.error)}
            </p>
          ) : rows.length === 0 ? (
            <p className="empty muted">{filter ? `No ${verdictLabel[filter]} entries.` : 'Both folders are empty.'}</p>
          ) : null
        }
        onNearEnd={() => entries.hasNextPage && !entries.isFetchingNextPage && void entries.fetchNextPage()}
      />

      <div className="pane-status">
        <span>
          {entries.hasNextPage ? `${rows.length}+ rows` : plural(rows.length, 'row')}
          {selected.length > 0 && ` · ${selected.length} selected`}
        </span>
        <span className="spacer" />
        {run.notes.length > 0 && <span className="ellipsis">{run.notes.join(' · ')}</span>}
        <span className="muted">
          {run.trigger === 'schedule' ? 'scheduled' : 'manual'} run, {formatDateTime(run.startedAt)}
        </span>
      </div>
    </>
  );
}

interface CompareGridProps {
  rows: readonly RunEntry[];
  paths: readonly string[];
  selection: PaneSelection;
  onSelect: (selection: PaneSelection) => void;
  sourceLabel: string;
  destinationLabel: string;
  overlay: ReactNode;
  onNearEnd: () => void;
}

function Side({ entry, side, now }: { entry: RunEntry; side: 'source' | 'destination'; now: Date }) {
  const info = entry[side];
  if (!info) return <div className="compare-side compare-absent" role="gridcell" aria-label={`not at the ${side}`} />;
  const slash = entry.path.lastIndexOf('/');
  return (
    <div className="compare-side" role="gridcell">
      <span className="compare-name" title={entry.path}>
        <Icon name={entry.type === 'dir' ? 'folder' : 'file'} className={`entry-icon entry-${entry.type === 'dir' ? 'dir' : 'file'}`} />
        {slash >= 0 && <span className="compare-dir">{entry.path.slice(0, slash + 1)}</span>}
        <span>{entry.path.slice(slash + 1)}</span>
      </span>
      <span className="compare-size">{entry.type === 'dir' ? '–' : formatBytes(info.size)}</span>
      <span className="compare-date" title={formatDateTime(info.modifiedAt)}>
        {formatDate(info.modifiedAt, now)}
      </span>
    </div>
  );
}

function CompareGrid({ rows, paths, selection, onSelect, sourceLabel, destinationLabel, overlay, onNearEnd }: CompareGridProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const now = new Date();
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 16,
    scrollMargin: HEADER_HEIGHT,
    scrollPaddingStart: HEADER_HEIGHT,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? -1;
  useEffect(() => {
    if (rows.length > 0 && lastIndex >= rows.length - 50) onNearEnd();
  }, [lastIndex, rows.length, onNearEnd]);

  const cursorIndex = selection.cursor === null ? -1 : paths.indexOf(selection.cursor);
  const lastScrolled = useRef(-1);
  useEffect(() => {
    if (cursorIndex >= 0 && cursorIndex !== lastScrolled.current) virtualizer.scrollToIndex(cursorIndex, { align: 'auto' });
    lastScrolled.current = cursorIndex;
  }, [cursorIndex, virtualizer]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const modifiers = { shift: event.shiftKey, toggle: event.ctrlKey || event.metaKey };
    const move = (to: number | 'home' | 'end') => {
      event.preventDefault();
      onSelect(moveCursor(selection, paths, to, modifiers));
    };
    const page = Math.max(1, Math.floor(((scrollRef.current?.clientHeight ?? 240) - HEADER_HEIGHT) / ROW_HEIGHT) - 1);
    switch (event.key) {
      case 'ArrowDown':
        return move(1);
      case 'ArrowUp':
        return move(-1);
      case 'PageDown':
        return move(page);
      case 'PageUp':
        return move(-page);
      case 'Home':
        return move('home');
      case 'End':
        return move('end');
      case ' ':
        event.preventDefault();
        onSelect(toggleCursor(selection, paths));
        return;
      case 'Escape':
        if (selection.selected.size > 0) {
          event.preventDefault();
          onSelect({ ...selection, selected: new Set() });
        }
        return;
      default:
        if (event.key.toLowerCase() === 'a' && modifiers.toggle) {
          event.preventDefault();
          onSelect(selectAll(selection, paths));
        }
    }
  };
  const onRowClick = (index: number, event: MouseEvent) =>
    onSelect(clickSelect(selection, paths, index, { shift: event.shiftKey, toggle: event.ctrlKey || event.metaKey }));

  return (
    <div
      ref={scrollRef}
      className="grid compare-grid"
      role="grid"
      aria-label="Compared entries"
      aria-rowcount={rows.length + 1}
      aria-multiselectable="true"
      aria-activedescendant={cursorIndex >= 0 ? `compare-r${cursorIndex}` : undefined}
      tabIndex={0}
      onKeyDown={onKeyDown}
    >
      <div className="compare-row compare-header" role="row" aria-rowindex={1}>
        <div role="columnheader" className="compare-side">
          <span className="compare-name">Source · {sourceLabel}</span>
          <span className="compare-size">Size</span>
          <span className="compare-date">Modified</span>
        </div>
        <div role="columnheader" className="compare-verdict">
          Verdict
        </div>
        <div role="columnheader" className="compare-side">
          <span className="compare-name">Destination · {destinationLabel}</span>
          <span className="compare-size">Size</span>
          <span className="compare-date">Modified</span>
        </div>
      </div>
      {overlay ? (
        <div className="grid-overlay">{overlay}</div>
      ) : (
        <div className="grid-body" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const entry = rows[item.index]!;
            const isSelected = selection.selected.has(entry.path);
            const classes = ['compare-row', `verdict-${entry.verdict}`];
            if (isSelected) classes.push('selected');
            if (item.index === cursorIndex) classes.push('cursor');
            return (
              <div
                key={entry.path}
                id={`compare-r${item.index}`}
                role="row"
                aria-rowindex={item.index + 2}
                aria-selected={isSelected}
                aria-label={entry.path}
                data-verdict={entry.verdict}
                className={classes.join(' ')}
                style={{ transform: `translateY(${item.start - HEADER_HEIGHT}px)` }}
                onClick={(event) => onRowClick(item.index, event)}
                title={entry.reason}
              >
                <Side entry={entry} side="source" now={now} />
                <div role="gridcell" className="compare-verdict">
                  <span className="verdict-tag">{verdictLabel[entry.verdict]}</span>
                </div>
                <Side entry={entry} side="destination" now={now} />
              </div>
            );
          })}
        </div>
      )}
    </div>
  );
}
