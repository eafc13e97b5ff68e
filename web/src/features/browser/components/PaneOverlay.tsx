import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import type { Listing } from '../../../../../contract/index.js';
import { Button } from '../../../components/Button.js';
import { errorText } from '../../../lib/api.js';

export interface PaneOverlayInput {
  /** The socket's first snapshot came: until then "no sites" would be a lie. */
  synced: boolean;
  hasSites: boolean;
  hasSite: boolean;
  query: UseQueryResult<Listing>;
  path: string;
  filter: string;
  empty: boolean;
  online: boolean;
  onManageSites: () => void;
  onRoot: () => void;
}

/** What the grid shows instead of rows (connecting, no sites, loading, an error, empty), or null for the rows. */
export function paneOverlay(input: PaneOverlayInput): ReactNode {
  const { synced, hasSites, hasSite, query, path, filter, empty, online, onManageSites, onRoot } = input;
  if (!hasSites && !synced) {
    return <p className="empty muted">Connecting…</p>;
  }
  if (!hasSites) {
    return (
      <div className="empty">
        <p>No sites yet.</p>
        <Button variant="primary" icon="plus" onClick={onManageSites}>
          Add a site
        </Button>
      </div>
    );
  }
  if (!hasSite) {
    return <p className="empty muted">Choose a site above.</p>;
  }
  if (query.isPending) {
    return <p className="empty muted">Loading {path}…</p>;
  }
  if (query.isError) {
    return (
      <div className="empty" role="alert">
        <p className="error-text">
          Could not list {path}: {errorText(query.error)}
        </p>
        <div className="row-gap">
          <Button size="sm" onClick={() => void query.refetch()} disabled={!online}>
            Try again
          </Button>
          {path !== '/' && (
            <Button size="sm" onClick={onRoot}>
              Go to /
            </Button>
          )}
        </div>
      </div>
    );
  }
  if (empty) {
    return <p className="empty muted">{filter ? `Nothing matches “${filter}”.` : 'This folder is empty.'}</p>;
  }
  return null;
}
