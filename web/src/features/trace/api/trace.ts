import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { TraceEntry, TransferTrace } from '../../../../../contract/index.js';
import { api, seg } from '../../../lib/api.js';
import { useLive, type LiveState, type LogEntry } from '../../../lib/live.js';
import { mergeEntries } from '../model/layout.js';

export const traceKey = (transferId: string) => ['transfers', transferId, 'trace'] as const;

/** What the socket said about this transfer since the page loaded: its tagged log lines and trace events. */
function liveEntries(log: LogEntry[], events: LiveState['traceEvents'], transferId: string): TraceEntry[] {
  const entries: TraceEntry[] = [];
  for (const line of log) {
    if (line.transferId !== transferId || line.traceSeq === undefined) continue;
    entries.push({
      seq: line.traceSeq,
      at: line.at,
      kind: 'line',
      role: line.role ?? null,
      sessionId: line.sessionId,
      siteId: line.siteId,
      direction: line.direction,
      text: line.line,
      path: line.path ?? null,
    });
  }
  for (const event of events) if (event.transferId === transferId) entries.push(event.entry);
  return entries;
}

/**
 * The stored trace, then what arrives live on top (deduped by seq). Fetched again when the
 * transfer's state changes: what the log dropped meanwhile (it keeps the last lines only) is
 * in the store.
 */
export function useTrace(transferId: string) {
  const state = useLive((live) => live.transfers[transferId]?.state);
  const query = useQuery({
    queryKey: [...traceKey(transferId), state],
    queryFn: ({ signal }) => api.get<TransferTrace>(`/api/transfers/${seg(transferId)}/trace`, signal),
    placeholderData: (previous) => previous,
  });
  const log = useLive((live) => live.log);
  const events = useLive((live) => live.traceEvents);
  const entries = useMemo(
    () => mergeEntries(query.data?.entries ?? [], liveEntries(log, events, transferId)),
    [query.data, log, events, transferId],
  );
  return { query, entries };
}
