import { useMutation } from '@tanstack/react-query';
import type { Site, SiteCreate, SitePatch, SiteTestResult } from '../../../../../contract/index.js';
import { api, seg } from '../../../lib/api.js';
import { liveStore } from '../../../lib/live.js';

// Sites themselves come from the live store (snapshot + site.updated); these calls only
// change them, and feed the answer in at once so the dialog does not wait for the socket.

export function useSaveSite() {
  return useMutation({
    mutationFn: ({ id, body }: { id: string | null; body: SiteCreate | SitePatch }) =>
      id === null ? api.post<Site>('/api/sites', body) : api.patch<Site>(`/api/sites/${seg(id)}`, body),
    onSuccess: (site) => liveStore.applyLocal({ type: 'site.updated', site }),
  });
}

export function useDeleteSite() {
  return useMutation({
    mutationFn: (id: string) => api.delete(`/api/sites/${seg(id)}`),
    onSuccess: (_result, id) => liveStore.applyLocal({ type: 'site.removed', id }),
  });
}

export function useTestSite() {
  return useMutation({
    mutationFn: (id: string) => api.post<SiteTestResult>(`/api/sites/${seg(id)}/test`),
  });
}
