import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { RememberedRoute } from '../../../../../contract/index.js';
import { api, seg } from '../../../lib/api.js';
import { liveStore, routePairKey, type LiveState } from '../../../lib/live.js';

/**
 * The remembered routes come over HTTP into the query cache; the socket's route.updated and
 * route.forgotten (applied into the live store) are written into the same cache entry by
 * useRoutesLiveUpdates, and a reconnect (events may have been missed) fetches them again.
 */
export const routesKey = ['routes'] as const;

const pairKey = (route: RememberedRoute) => routePairKey(route.sourceSiteId, route.destinationSiteId);

const byPairName = (a: RememberedRoute, b: RememberedRoute) =>
  a.sourceSiteName.localeCompare(b.sourceSiteName, undefined, { sensitivity: 'base', numeric: true }) ||
  a.destinationSiteName.localeCompare(b.destinationSiteName, undefined, { sensitivity: 'base', numeric: true });

export function useRoutes() {
  return useQuery({
    queryKey: routesKey,
    queryFn: ({ signal }) => api.get<RememberedRoute[]>('/api/routes', signal),
    staleTime: 60_000,
  });
}

function storeRoute(client: QueryClient, route: RememberedRoute): void {
  client.setQueryData<RememberedRoute[]>(routesKey, (routes) =>
    routes ? [...routes.filter((known) => pairKey(known) !== pairKey(route)), route].sort(byPairName) : routes,
  );
}

function dropRoute(client: QueryClient, key: string): void {
  client.setQueryData<RememberedRoute[]>(routesKey, (routes) => routes?.filter((known) => pairKey(known) !== key));
}

/** Write what the socket announces about routes into the query cache. Mount once. */
export function useRoutesLiveUpdates(): void {
  const client = useQueryClient();
  useEffect(() => {
    let seen: Pick<LiveState, 'routes' | 'status'> = liveStore.getState();
    const apply = () => {
      const { routes, status } = liveStore.getState();
      if (routes !== seen.routes) {
        for (const [key, route] of Object.entries(routes)) {
          if (seen.routes[key] === route) continue;
          if (route) storeRoute(client, route);
          else dropRoute(client, key);
        }
      }
      if (status === 'live' && seen.status !== 'live') void client.invalidateQueries({ queryKey: routesKey });
      seen = { routes, status };
    };
    return liveStore.subscribe(apply);
  }, [client]);
}

export function useForgetRoute() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (route: RememberedRoute) =>
      api.delete(`/api/routes/${seg(route.sourceSiteId)}/${seg(route.destinationSiteId)}`),
    onSuccess: (_nothing, route) => dropRoute(client, pairKey(route)),
  });
}
