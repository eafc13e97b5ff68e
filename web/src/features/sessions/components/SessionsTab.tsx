import { useMemo } from 'react';
import { formatClock, formatDuration } from '../../../lib/format.js';
import { useLive } from '../../../lib/live.js';
import { useNow } from '../../../lib/useNow.js';

export function SessionsTab() {
  const sessions = useLive((state) => state.sessions);
  const sites = useLive((state) => state.sites);
  const now = useNow(1000);
  const names = useMemo(() => new Map(sites.map((site) => [site.id, site.name])), [sites]);
  const rows = useMemo(
    () =>
      Object.values(sessions).sort(
        (a, b) => (names.get(a.siteId) ?? '').localeCompare(names.get(b.siteId) ?? '') || a.since.localeCompare(b.since),
      ),
    [sessions, names],
  );

  return (
    <div className="panel">
      <div className="panel-scroll">
        {rows.length === 0 ? (
          <p className="empty muted">No open control connections. They appear here while pasv browses or transfers.</p>
        ) : (
          <table className="sessions-table">
            <caption className="sr-only">Live sessions</caption>
            <thead>
              <tr>
                <th scope="col">Site</th>
                <th scope="col">Session</th>
                <th scope="col">State</th>
                <th scope="col">Command</th>
                <th scope="col">Since</th>
                <th scope="col" className="num">
                  For
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((session) => (
                <tr key={session.id} aria-label={`${names.get(session.siteId) ?? session.siteId} ${session.id}`}>
                  <td>{names.get(session.siteId) ?? '(removed site)'}</td>
                  <td className="mono muted">{session.id.slice(0, 8)}</td>
                  <td>
                    <span className={`session-state session-${session.state}`}>{session.state}</span>
                  </td>
                  <td className="mono">{session.command ?? '–'}</td>
                  <td className="mono">{formatClock(session.since).slice(0, 8)}</td>
                  <td className="num">{formatDuration(Math.max(0, now - Date.parse(session.since)))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}
