import { useQuery, type QueryClient } from '@tanstack/react-query';
import type { CommandReply, Entry, Listing, Transfer, TransferCreate } from '../../../../../contract/index.js';
import { api, seg } from '../../../lib/api.js';
import { liveStore } from '../../../lib/live.js';

/** Listings are cached per [site, path]; a change under a site invalidates that site's listings. */
export const listingKey = (siteId: string, path: string) => ['listing', siteId, path] as const;
export const siteListingsKey = (siteId: string) => ['listing', siteId] as const;

export const fetchListing = (siteId: string, path: string, signal?: AbortSignal) =>
  api.get<Listing>(`/api/sites/${seg(siteId)}/list?path=${encodeURIComponent(path)}`, signal);

export function useListing(siteId: string | null, path: string) {
  return useQuery({
    queryKey: listingKey(siteId ?? '', path),
    queryFn: ({ signal }) => fetchListing(siteId!, path, signal),
    enabled: siteId !== null,
  });
}

/** The destination's current entries by name, to ask before overwriting; a recent cached listing is fine. */
export async function existingEntries(client: QueryClient, siteId: string, dir: string): Promise<Map<string, Entry>> {
  const listing = await client.fetchQuery({
    queryKey: listingKey(siteId, dir),
    queryFn: ({ signal }) => fetchListing(siteId, dir, signal),
    staleTime: 5_000,
  });
  return new Map(listing.entries.map((entry) => [entry.name, entry]));
}

export const makeDirectory = (siteId: string, path: string) => api.post(`/api/sites/${seg(siteId)}/mkdir`, { path });
export const renameEntry = (siteId: string, from: string, to: string) =>
  api.post(`/api/sites/${seg(siteId)}/rename`, { from, to });
export const removeEntry = (siteId: string, path: string) => api.post(`/api/sites/${seg(siteId)}/remove`, { path });
/** One console line; the server's reply, 4xx and 5xx included. A refused line is an ApiError (command_refused). */
export const sendCommand = (siteId: string, command: string) =>
  api.post<CommandReply>(`/api/sites/${seg(siteId)}/command`, { command });

/**
 * One request per entry, in the order shown, so the queue keeps that order. Each accepted
 * transfer goes straight into the live store; failures are collected, not thrown, so one
 * refused entry does not hide the others.
 */
export async function createTransfers(
  bodies: TransferCreate[],
): Promise<{ created: Transfer[]; failed: Array<{ path: string; error: unknown }> }> {
  const created: Transfer[] = [];
  const failed: Array<{ path: string; error: unknown }> = [];
  for (const body of bodies) {
    try {
      const transfer = await api.post<Transfer>('/api/transfers', body);
      created.push(transfer);
      liveStore.applyLocal({ type: 'transfer.updated', transfer });
    } catch (error) {
      failed.push({ path: body.source.path, error });
    }
  }
  return { created, failed };
}
