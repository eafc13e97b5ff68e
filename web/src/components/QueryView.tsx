import type { ReactNode } from 'react';
import { errorText } from '../lib/api.js';
import { Button } from './Button.js';

export interface QueryViewProps {
  /** What TanStack Query's useQuery answers. */
  query: { isPending: boolean; isError: boolean; error: unknown; refetch: () => unknown };
  /** Plural, as in "Loading jobs…", "Could not load the jobs". */
  what: string;
  /** Shown instead of the children once loaded with nothing to show; null when there is something. */
  empty: ReactNode;
  children: ReactNode;
}

/** A list panel's body: loading, a failure with "Try again", empty, or the list itself. */
export function QueryView({ query, what, empty, children }: QueryViewProps) {
  if (query.isPending) return <p className="empty muted">Loading {what}…</p>;
  if (query.isError) {
    return (
      <div className="empty" role="alert">
        <p className="error-text">
          Could not load the {what}: {errorText(query.error)}
        </p>
        <Button size="sm" onClick={() => void query.refetch()}>
          Try again
        </Button>
      </div>
    );
  }
  return empty ?? children;
}
