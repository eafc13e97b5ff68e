import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { Button } from '../../../components/Button.js';
import { formatClock } from '../../../lib/format.js';
import { LOG_LIMIT, liveStore, useLive, type LogEntry } from '../../../lib/live.js';

const LINE_HEIGHT = 18;

function replyClass(entry: LogEntry): string {
  if (entry.direction === 'sent') return 'log-sent';
  const code = entry.line.charAt(0);
  if (code === '4' || code === '5') return 'log-received log-error';
  if (code === '3') return 'log-received log-pending';
  return 'log-received';
}

/**
 * The control conversation as FTP people read it. It follows new lines until the user
 * scrolls up; then the view holds still (even as the bounded buffer drops old lines) until
 * they jump back to the latest.
 */
export function LogTab() {
  const log = useLive((state) => state.log);
  const sites = useLive((state) => state.sites);
  const [siteFilter, setSiteFilter] = useState('');
  const [frozen, setFrozen] = useState<LogEntry[] | null>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const names = useMemo(() => new Map(sites.map((site) => [site.id, site.name])), [sites]);
  const logSites = useMemo(() => {
    const ids = new Set(log.map((entry) => entry.siteId));
    return [...ids].map((id) => ({ id, name: names.get(id) ?? id })).sort((a, b) => a.name.localeCompare(b.name));
  }, [log, names]);

  const source = frozen ?? log;
  const lines = useMemo(() => (siteFilter ? source.filter((entry) => entry.siteId === siteFilter) : source), [source, siteFilter]);
  const newer = frozen ? log.filter((entry) => entry.id > (frozen.at(-1)?.id ?? 0) && (!siteFilter || entry.siteId === siteFilter)).length : 0;

  const virtualizer = useVirtualizer({
    count: lines.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => LINE_HEIGHT,
    overscan: 20,
  });

  // Follow the tail while not frozen.
  useLayoutEffect(() => {
    if (frozen || lines.length === 0) return;
    const element = scrollRef.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, [frozen, lines.length, lines]);

  const onScroll = () => {
    const element = scrollRef.current;
    if (!element) return;
    const atBottom = element.scrollTop + element.clientHeight >= element.scrollHeight - LINE_HEIGHT;
    if (!atBottom && !frozen) setFrozen(liveStore.getState().log);
    else if (atBottom && frozen) setFrozen(null);
  };

  const jumpToLatest = () => setFrozen(null);

  useEffect(() => setFrozen(null), [siteFilter]);

  return (
    <div className="panel">
      <div className="panel-toolbar">
        <label className="inline-field">
          <span>Site</span>
          <select aria-label="Filter by site" value={siteFilter} onChange={(event) => setSiteFilter(event.target.value)}>
            <option value="">All sites</option>
            {logSites.map((site) => (
              <option key={site.id} value={site.id}>
                {site.name}
              </option>
            ))}
          </select>
        </label>
        <span className="muted small">
          {lines.length} lines (last {LOG_LIMIT} kept)
        </span>
        <span className="spacer" />
        {frozen && (
          <>
            <span className="muted small" role="status">
              Paused{newer > 0 ? ` — ${newer} new` : ''}
            </span>
            <Button size="sm" variant="primary" icon="arrowDown" onClick={jumpToLatest}>
              Jump to latest
            </Button>
          </>
        )}
        <Button size="sm" onClick={() => liveStore.clearLog()} disabled={log.length === 0}>
          Clear log
        </Button>
      </div>
      <div ref={scrollRef} className="log-scroll" onScroll={onScroll} role="log" aria-label="Control connection log" tabIndex={0}>
        {lines.length === 0 ? (
          <p className="empty muted">Nothing yet: commands and replies appear here as pasv talks to the servers.</p>
        ) : (
          <div className="log-body" style={{ height: virtualizer.getTotalSize() }}>
            {virtualizer.getVirtualItems().map((item) => {
              const entry = lines[item.index]!;
              return (
                <div key={entry.id} className={`log-line ${replyClass(entry)}`} style={{ transform: `translateY(${item.start}px)` }}>
                  <span className="log-time">{formatClock(entry.at)}</span>{' '}
                  <span className="log-site">{names.get(entry.siteId) ?? entry.siteId}</span>{' '}
                  <span className="log-text">
                    <span className="log-dir">{entry.direction === 'sent' ? '→' : '←'}</span> {entry.line}
                  </span>
                </div>
              );
            })}
          </div>
        )}
      </div>
    </div>
  );
}
