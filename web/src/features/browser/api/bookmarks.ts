import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Bookmark } from '../../../../../contract/index.js';
import { request, seg } from '../../../lib/api.js';

const bookmarksKey = (siteId: string) => ['bookmarks', siteId] as const;
const url = (siteId: string) => `/api/sites/${seg(siteId)}/bookmarks`;

export function useBookmarks(siteId: string | null) {
  return useQuery({
    queryKey: bookmarksKey(siteId ?? ''),
    queryFn: ({ signal }) => request<Bookmark[]>('GET', url(siteId!), { signal }),
    enabled: siteId !== null,
  });
}

/** Adds the folder if it is not a bookmark yet, removes it if it is. */
export function useToggleBookmark(siteId: string | null) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ path, marked }: { path: string; marked: boolean }) => {
      if (marked) await request<void>('DELETE', `${url(siteId!)}?path=${encodeURIComponent(path)}`);
      else await request<Bookmark[]>('PUT', url(siteId!), { body: { path } });
    },
    onSettled: () => client.invalidateQueries({ queryKey: bookmarksKey(siteId ?? '') }),
  });
}
