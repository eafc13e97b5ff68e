/**
 * How a leased session's control lines reach a transfer's story: the lease's holder (the
 * runner) tags it with the file it works on, and the pool hands each tagged line to the sink
 * (transfers/trace.ts), which sites/ may not import.
 */
import type { TraceRole } from '../../../contract/index.js';
import type { EventBus } from '../events.js';
import type { LogLine } from '../ftp/session.js';

/** What a leased session is working on, set by its holder (the runner): its lines go to that transfer's trace. */
export interface TraceTag {
  transferId: string;
  role: TraceRole;
  path: string;
}

/** Where tagged lines are kept (transfers/trace.ts); the line's seq there, or null when not kept. */
export interface TraceSink {
  line(
    tag: TraceTag,
    line: { sessionId: string; siteId: string; direction: 'sent' | 'received'; line: string; at: number },
  ): number | null;
}

/**
 * A pooled session's lines: each to the story of the transfer its lease is tagged with, and to
 * the live log when someone watches. Progress polls (a SIZE a second per running copy, quiet)
 * would drown both: left out.
 */
export function sessionLines(
  entry: { readonly id: string; readonly siteId: string; tag: TraceTag | null },
  traces: TraceSink | undefined,
  events: EventBus,
): (line: LogLine) => void {
  return (line) => {
    if (line.quiet) return;
    const { tag, id: sessionId, siteId } = entry;
    const { direction, at } = line;
    const traceSeq = tag && traces ? traces.line(tag, { sessionId, siteId, direction, line: line.line, at }) : null;
    if (!events.watched) return;
    events.publish({
      type: 'log',
      sessionId,
      siteId,
      direction,
      line: line.line,
      at: new Date(at).toISOString(),
      ...(tag && traceSeq !== null ? { transferId: tag.transferId, role: tag.role, traceSeq, path: tag.path } : {}),
    });
  };
}
