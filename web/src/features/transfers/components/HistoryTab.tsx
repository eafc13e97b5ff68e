import { useDeferredValue, useMemo, useState } from 'react';
import type { Transfer } from '../../../../../contract/index.js';
import { Button, IconButton } from '../../../components/Button.js';
import { QueryView } from '../../../components/QueryView.js';
import { formatBytes, formatDateTime, formatDuration, formatSpeed } from '../../../lib/format.js';
import { useLive } from '../../../lib/live.js';
import { openStory } from '../../../lib/story.js';
import { useHistory } from '../api/transfers.js';
import { averageSpeed, durationOf, modeLabel, routeEnds, truncateMiddle, verifiedLabel } from '../model/details.js';

const PATH_CHARS = 48;

/** Every finished transfer, cleared from the queue or not: searchable, newest first, paged. */
export function HistoryTab() {
  const [search, setSearch] = useState('');
  const q = useDeferredValue(search.trim());
  const history = useHistory(q);
  const sites = useLive((state) => state.sites);
  const names = useMemo(() => new Map(sites.map((site) => [site.id, site.name])), [sites]);
  const siteName = (id: string) => names.get(id) ?? '(removed site)';
  const rows = history.data?.pages.flatMap((page) => page.transfers) ?? [];

  return (
    <div className="panel">
      <div className="panel-toolbar history-toolbar">
        <input
          type="search"
          aria-label="Search history"
          placeholder="Search by name or path"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
        />
        <span className="muted">{history.data ? `${rows.length}${history.hasNextPage ? '+' : ''} shown` : ''}</span>
      </div>
      <div className="panel-scroll">
        <QueryView
          query={history}
          what="history"
          empty={
            rows.length === 0 ? (
              <p className="empty muted">{q ? `Nothing finished matches “${q}”.` : 'No finished transfers yet.'}</p>
            ) : null
          }
        >
          <table className="queue-table history-table">
            <caption className="sr-only">Finished transfers</caption>
            <thead>
              <tr>
                <th scope="col">Finished</th>
                <th scope="col">Name</th>
                <th scope="col">Source → destination</th>
                <th scope="col">State</th>
                <th scope="col">Mode</th>
                <th scope="col" className="num">
                  Size
                </th>
                <th scope="col" className="num">
                  Duration
                </th>
                <th scope="col" className="num">
                  Avg speed
                </th>
                <th scope="col">Verified</th>
                <th scope="col">Error</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((transfer) => (
                <HistoryRow key={transfer.id} transfer={transfer} siteName={siteName} />
              ))}
            </tbody>
          </table>
          {history.hasNextPage && (
            <div className="history-more">
              <Button size="sm" onClick={() => void history.fetchNextPage()} disabled={history.isFetchingNextPage}>
                {history.isFetchingNextPage ? 'Loading…' : 'Show older'}
              </Button>
            </div>
          )}
        </QueryView>
      </div>
    </div>
  );
}

function HistoryRow({ transfer, siteName }: { transfer: Transfer; siteName: (id: string) => string }) {
  const route = routeEnds(transfer, siteName);
  const duration = durationOf(transfer);
  const speed = averageSpeed(transfer);
  const error = transfer.error?.message ?? '';
  return (
    <tr className={`transfer-row state-${transfer.state}`} aria-label={transfer.name}>
      <td className="num">{formatDateTime(transfer.finishedAt)}</td>
      <td className="tname ellipsis" title={transfer.name}>
        {transfer.name}
        {transfer.kind === 'dir' ? '/' : ''}
      </td>
      <td className="history-path ellipsis" title={`${route.from} → ${route.to}`}>
        {truncateMiddle(route.from, PATH_CHARS)} → {truncateMiddle(route.to, PATH_CHARS)}
      </td>
      <td>
        <span className={`state-badge state-${transfer.state}`}>{transfer.state}</span>
      </td>
      <td>{modeLabel(transfer.mode) ?? '–'}</td>
      <td className="num">{formatBytes(transfer.bytesTotal)}</td>
      <td className="num">{duration === null ? '–' : formatDuration(duration)}</td>
      <td className="num">{speed === null ? '–' : formatSpeed(speed)}</td>
      <td>{verifiedLabel(transfer.verified) ?? '–'}</td>
      <td className="terror ellipsis" title={transfer.error ? `${error} (code: ${transfer.error.code})` : ''}>
        {error}
      </td>
      <td className="tactions">
        <IconButton
          icon="story"
          label="Show the transfer's story"
          title="Story"
          onClick={() => openStory(transfer.id)}
        />
      </td>
    </tr>
  );
}
