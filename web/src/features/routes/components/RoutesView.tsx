import { Fragment, useMemo, useState } from 'react';
import type { RememberedRoute } from '../../../../../contract/index.js';
import { Button, IconButton } from '../../../components/Button.js';
import { ConfirmDialog } from '../../../components/ConfirmDialog.js';
import { QueryView } from '../../../components/QueryView.js';
import { errorText } from '../../../lib/api.js';
import { formatAgo, formatDateTime, plural } from '../../../lib/format.js';
import { routePairKey, useOnline, useSites } from '../../../lib/live.js';
import { useNow } from '../../../lib/useNow.js';
import { useForgetRoute, useRoutes } from '../api/routes.js';

/**
 * What pasv learned per ordered pair of sites: the route the last copy took (the next copy
 * starts there), when it last worked, and the refusals met on the way, in the servers' words.
 */
export function RoutesView() {
  const routes = useRoutes();
  const sites = useSites();
  const online = useOnline();
  const forget = useForgetRoute();
  const now = useNow(10_000);
  const [expanded, setExpanded] = useState<string | null>(null);
  const [forgetting, setForgetting] = useState<RememberedRoute | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  // A rename shows at once: the live sites are newer than the names the list was read with.
  const names = useMemo(() => new Map(sites.map((site) => [site.id, site.name])), [sites]);
  const pairName = (route: RememberedRoute) =>
    `${names.get(route.sourceSiteId) ?? route.sourceSiteName} → ${names.get(route.destinationSiteId) ?? route.destinationSiteName}`;

  const list = routes.data ?? [];
  return (
    <div className="panel">
      <div className="panel-toolbar">
        <span className="muted">{routes.data ? plural(list.length, 'remembered route') : ''}</span>
        {problem && (
          <span className="error-text ellipsis" role="alert">
            {problem}
          </span>
        )}
      </div>
      <div className="panel-scroll">
        <QueryView
          query={routes}
          what="routes"
          empty={
            list.length === 0 ? (
              <p className="empty muted">
                No routes yet. After a copy between two sites pasv remembers how it went — which side listened, who was
                the TLS client, PRET — and starts the next copy between them that way.
              </p>
            ) : null
          }
        >
          <table className="queue-table routes-table">
            <caption className="sr-only">Remembered routes</caption>
            <thead>
              <tr>
                <th scope="col" className="col-expand">
                  <span className="sr-only">Failures</span>
                </th>
                <th scope="col">Sites</th>
                <th scope="col">Route</th>
                <th scope="col">Worked</th>
                <th scope="col">Failures</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((route) => {
                const key = routePairKey(route.sourceSiteId, route.destinationSiteId);
                const name = pairName(route);
                const open = expanded === key;
                const last = route.failures[0];
                return (
                  <Fragment key={key}>
                    <tr aria-label={name}>
                      <td className="col-expand">
                        {route.failures.length > 0 && (
                          <IconButton
                            icon={open ? 'chevronDown' : 'chevronRight'}
                            label={open ? `Hide failures of ${name}` : `Show failures of ${name}`}
                            aria-expanded={open}
                            onClick={() => setExpanded(open ? null : key)}
                          />
                        )}
                      </td>
                      <td className="tname ellipsis" title={name}>
                        {name}
                      </td>
                      <td className="ellipsis" title={route.description ?? undefined}>
                        {route.description ?? (
                          <span className="warn-text">
                            none — failed last time; the next copy tries every way again
                          </span>
                        )}
                      </td>
                      <td title={route.workedAt ? formatDateTime(route.workedAt) : undefined}>
                        {route.workedAt ? (
                          `worked ${formatAgo(now - Date.parse(route.workedAt))}`
                        ) : (
                          <span className="muted">never</span>
                        )}
                      </td>
                      <td className="ellipsis" title={last ? `${last.description}: ${last.reason}` : undefined}>
                        {last ? (
                          <span className="route-failure-summary">
                            {plural(route.failures.length, 'failure')}, last {formatAgo(now - Date.parse(last.at))}
                          </span>
                        ) : (
                          <span className="muted">none</span>
                        )}
                      </td>
                      <td className="col-actions">
                        <Button size="sm" onClick={() => setForgetting(route)} disabled={!online}>
                          Forget
                        </Button>
                      </td>
                    </tr>
                    {open && (
                      <tr className="files-row">
                        <td />
                        <td colSpan={5}>
                          <ol className="route-failures" aria-label={`Failures of ${name}`}>
                            {route.failures.map((failure) => (
                              <li key={`${failure.at} ${failure.description}`}>
                                <span className="muted small" title={formatDateTime(failure.at)}>
                                  {formatAgo(now - Date.parse(failure.at))}
                                </span>
                                <span>{failure.description}</span>
                                <span className="mono error-text">{failure.reason}</span>
                              </li>
                            ))}
                          </ol>
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
        open={forgetting !== null}
        title="Forget route"
        confirmLabel={forget.isPending ? 'Forgetting…' : 'Forget'}
        danger
        focusCancel
        busy={forget.isPending}
        onCancel={() => setForgetting(null)}
        onConfirm={() => {
          if (!forgetting) return;
          setProblem(null);
          forget.mutate(forgetting, {
            onSettled: () => setForgetting(null),
            onError: (error) => setProblem(`Could not forget ${pairName(forgetting)}: ${errorText(error)}`),
          });
        }}
      >
        <p>
          Forget how <strong>{forgetting && pairName(forgetting)}</strong> copies, and its failures? The next copy
          between them tries every way again, starting from the default.
        </p>
      </ConfirmDialog>
    </div>
  );
}
