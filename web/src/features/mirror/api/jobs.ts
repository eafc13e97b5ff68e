import { useInfiniteQuery, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { Job, JobCreate, JobPatch, Run, RunEntriesPage, RunRequest, Verdict } from '../../../../../contract/index.js';
import { api, seg } from '../../../lib/api.js';
import { liveStore, type LiveState } from '../../../lib/live.js';

/**
 * Jobs and runs come over HTTP into the query cache; the socket's job.updated, job.removed
 * and run.updated (applied into the live store) are written into the same cache entries by
 * useMirrorLiveUpdates, so every view reads one source and stays current.
 */
export const jobsKey = ['jobs'] as const;
export const jobRunsKey = (jobId: string) => ['jobs', jobId, 'runs'] as const;
export const runKey = (runId: string) => ['runs', runId] as const;
export const runEntriesKey = (runId: string, verdict: Verdict | null) => ['runs', runId, 'entries', verdict ?? 'all'] as const;

const ENTRIES_PAGE = 500;

export function useJobs() {
  return useQuery({ queryKey: jobsKey, queryFn: ({ signal }) => api.get<Job[]>('/api/jobs', signal), staleTime: 60_000 });
}

export function useJobRuns(jobId: string | null) {
  return useQuery({
    queryKey: jobRunsKey(jobId ?? ''),
    queryFn: ({ signal }) => api.get<Run[]>(`/api/jobs/${seg(jobId!)}/runs`, signal),
    enabled: jobId !== null,
    staleTime: 60_000,
  });
}

export function useRun(runId: string) {
  return useQuery({ queryKey: runKey(runId), queryFn: ({ signal }) => api.get<Run>(`/api/runs/${seg(runId)}`, signal) });
}

/** A run's compare, a page at a time; only once the compare is over (before, there is nothing to read). */
export function useRunEntries(runId: string, verdict: Verdict | null, ready: boolean) {
  return useInfiniteQuery({
    queryKey: runEntriesKey(runId, verdict),
    queryFn: ({ pageParam, signal }) => {
      const query = new URLSearchParams({ limit: String(ENTRIES_PAGE) });
      if (verdict) query.set('verdict', verdict);
      if (pageParam) query.set('cursor', pageParam);
      return api.get<RunEntriesPage>(`/api/runs/${seg(runId)}/entries?${query}`, signal);
    },
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
    enabled: ready,
    // A run's entries do not change once its compare is over.
    staleTime: Infinity,
  });
}

const byStartedDesc = (a: Run, b: Run) => b.startedAt.localeCompare(a.startedAt);

/** Put one run into the caches that show it: its own entry, its job's history, the job's last run. */
function storeRun(client: QueryClient, run: Run): void {
  client.setQueryData<Run>(runKey(run.id), run);
  client.setQueryData<Run[]>(jobRunsKey(run.jobId), (runs) =>
    runs ? [run, ...runs.filter((known) => known.id !== run.id)].sort(byStartedDesc) : runs,
  );
  client.setQueryData<Job[]>(jobsKey, (jobs) =>
    jobs?.map((job) =>
      job.id === run.jobId && (!job.lastRun || job.lastRun.id === run.id || job.lastRun.startedAt <= run.startedAt)
        ? { ...job, lastRun: run }
        : job,
    ),
  );
}

function storeJob(client: QueryClient, job: Job): void {
  client.setQueryData<Job[]>(jobsKey, (jobs) => {
    if (!jobs) return jobs;
    const at = jobs.findIndex((known) => known.id === job.id);
    if (at === -1) return [...jobs, job];
    return jobs.map((known, i) => (i === at ? job : known));
  });
}

function forgetJob(client: QueryClient, id: string): void {
  client.setQueryData<Job[]>(jobsKey, (jobs) => jobs?.filter((job) => job.id !== id));
  client.removeQueries({ queryKey: jobRunsKey(id) });
}

/**
 * Write what the socket announces about jobs and runs into the query cache. Mount once.
 * `onSyncEnded` hears of each run that changed the destination (to refresh what shows it).
 */
export function useMirrorLiveUpdates(onSyncEnded: (destination: Job['destination']) => void): void {
  const client = useQueryClient();
  useEffect(() => {
    let seen: Pick<LiveState, 'jobs' | 'runs'> = liveStore.getState();
    const apply = () => {
      const { jobs, runs } = liveStore.getState();
      if (jobs !== seen.jobs) {
        for (const job of Object.values(jobs)) if (seen.jobs[job.id] !== job) storeJob(client, job);
        for (const id of Object.keys(seen.jobs)) if (!(id in jobs)) forgetJob(client, id);
      }
      if (runs !== seen.runs) {
        for (const run of Object.values(runs)) {
          const before = seen.runs[run.id];
          if (before === run) continue;
          storeRun(client, run);
          if (!run.dryRun && run.state !== before?.state && (run.state === 'done' || run.state === 'failed')) {
            const job = client.getQueryData<Job[]>(jobsKey)?.find((known) => known.id === run.jobId);
            if (job) onSyncEnded(job.destination);
          }
        }
      }
      seen = { jobs, runs };
    };
    return liveStore.subscribe(apply);
  }, [client, onSyncEnded]);
}

export function useSaveJob() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string | null; body: JobCreate | JobPatch }) =>
      id === null ? api.post<Job>('/api/jobs', body) : api.patch<Job>(`/api/jobs/${seg(id)}`, body),
    onSuccess: (job) => storeJob(client, job),
  });
}

export function useSetJobEnabled() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, enabled }: { id: string; enabled: boolean }) => api.patch<Job>(`/api/jobs/${seg(id)}`, { enabled } satisfies JobPatch),
    onSuccess: (job) => storeJob(client, job),
  });
}

export function useDeleteJob() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete(`/api/jobs/${seg(id)}`),
    onSuccess: (_nothing, id) => forgetJob(client, id),
  });
}

export function useRunJob() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ jobId, request }: { jobId: string; request: RunRequest }) => api.post<Run>(`/api/jobs/${seg(jobId)}/run`, request),
    onSuccess: (run) => storeRun(client, run),
  });
}

export function useCancelRun() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (runId: string) => api.post<Run>(`/api/runs/${seg(runId)}/cancel`),
    onSuccess: (run) => run && storeRun(client, run),
  });
}
