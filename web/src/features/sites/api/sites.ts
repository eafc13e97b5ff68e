import { useMutation } from '@tanstack/react-query';
import type {
  Site,
  SiteCreate,
  SiteExport,
  SiteExportBody,
  SiteImportBody,
  SiteImportResult,
  SitePatch,
  SiteTestBody,
  SiteTestResult,
} from '../../../../../contract/index.js';
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

/** Test the form as it is, nothing saved; `siteId` lets the server use the saved password of the site being edited. */
export function useTestSiteValues() {
  return useMutation({
    mutationFn: (body: SiteTestBody) => api.post<SiteTestResult>('/api/sites/test', body),
  });
}

export function useCloneSite() {
  return useMutation({
    mutationFn: (id: string) => api.post<Site>(`/api/sites/${seg(id)}/clone`),
    onSuccess: (site) => liveStore.applyLocal({ type: 'site.updated', site }),
  });
}

export function useImportSites() {
  return useMutation({
    mutationFn: (body: SiteImportBody) => api.post<SiteImportResult>('/api/sites/import', body),
  });
}

export function useExportSites() {
  return useMutation({
    mutationFn: (body: SiteExportBody) => api.post<SiteExport>('/api/sites/export', body),
  });
}
